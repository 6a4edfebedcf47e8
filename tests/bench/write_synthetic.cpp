// Writes the synthetic data of a run (same generator and flags as hogwild-coordinator's defaults)
// as LIBSVM text, so that other tools train on exactly the same rows (tests/bench/side_by_side.py).
// Values are printed with 9 significant digits: every float reads back bit for bit.
// Usage: write_synthetic TRAIN_OUT TEST_OUT [--rows N] [--test-rows N] [--dims D] [--density R] [--seed S]
#include <cstdio>
#include <string>

#include "datasets/synthetic.hpp"

using namespace hogwild;

namespace {

bool write(const data::dataset& d, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  for (std::size_t r = 0; r < d.rows(); ++r) {
    std::fprintf(f, "%+d", static_cast<int>(d.labels[r]));
    for (auto k = d.row_ptr[r]; k < d.row_ptr[r + 1]; ++k) std::fprintf(f, " %u:%.9g", d.idx[k] + 1, static_cast<double>(d.val[k]));
    std::fputc('\n', f);
  }
  return std::fclose(f) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: write_synthetic TRAIN_OUT TEST_OUT [--rows N] [--test-rows N] [--dims D] [--density R] [--seed S]\n");
    return 2;
  }
  data::synthetic_spec spec;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rows") spec.rows = std::stoul(argv[i + 1]);
    else if (a == "--test-rows") spec.test_rows = std::stoul(argv[i + 1]);
    else if (a == "--dims") spec.dims = std::stoul(argv[i + 1]);
    else if (a == "--density") spec.density = std::stod(argv[i + 1]);
    else if (a == "--seed") spec.seed = std::stoull(argv[i + 1]);
    else {
      std::fprintf(stderr, "write_synthetic: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  const auto d = data::make_synthetic(spec);
  if (!write(d.train, argv[1]) || !write(d.test, argv[2])) {
    std::perror("write_synthetic");
    return 1;
  }
  return 0;
}
