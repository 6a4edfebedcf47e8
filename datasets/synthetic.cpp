#include "datasets/synthetic.hpp"

#include "datasets/interrupt.hpp"
#include "shared/rng.hpp"

namespace hogwild::data {
namespace {

void fill(dataset& d, std::size_t rows, const synthetic_spec& s, const std::vector<double>& w, rng& g) {
  d.dims = s.dims;
  // Room for the expected entries plus 10 %: the arrays are then filled without the growth copies
  // that would briefly hold them twice (reserved pages that are never written cost no memory).
  const auto expected = static_cast<std::size_t>(static_cast<double>(rows) * static_cast<double>(s.dims) * s.density * 1.1) + 64;
  d.idx.reserve(expected);
  d.val.reserve(expected);
  d.row_ptr.reserve(rows + 1);
  d.labels.reserve(rows);
  std::vector<std::uint32_t> cols;
  std::vector<float> vals;
  for (std::size_t i = 0; i < rows; ++i) {
    if (i % poll_every_rows == 0) poll_interrupt();
    cols.clear();
    vals.clear();
    double dot = 0.0;
    for (std::size_t j = 0; j < s.dims; ++j) {
      if (g.uniform() >= s.density) continue;
      const auto v = static_cast<float>(g.uniform());
      if (v == 0.0f) continue;
      cols.push_back(static_cast<std::uint32_t>(j));
      vals.push_back(v);
      dot += static_cast<double>(v) * w[j];
    }
    const float y = s.kind == synthetic_kind::svm ? (dot >= 0 ? 1.0f : -1.0f) : static_cast<float>(dot);
    d.add_row(cols.data(), vals.data(), cols.size(), y);
  }
}

}  // namespace

synthetic_data make_synthetic(const synthetic_spec& spec) {
  rng g(spec.seed);
  synthetic_data out;
  out.true_weights.resize(spec.dims);
  for (auto& w : out.true_weights) w = g.uniform(-0.5, 0.5);
  fill(out.train, spec.rows, spec, out.true_weights, g);
  fill(out.test, spec.test_rows, spec, out.true_weights, g);
  return out;
}

}  // namespace hogwild::data
