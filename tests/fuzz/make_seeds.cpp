// Writes the seed corpus of each fuzz target into DIR/<target>/ (run by scripts/fuzz.sh when a
// corpus directory is empty): a real segment (CSR and dense), a real checkpoint, real worker
// command lines.
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "coordinator/checkpoint.hpp"
#include "shared/segment.hpp"
#include "worker/worker.hpp"

namespace {

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string segment_bytes(hogwild::kernel::layout layout) {
  hogwild::shm::segment_spec spec;
  spec.rows = 3;
  spec.dims = 2;
  spec.nnz = layout == hogwild::kernel::layout::csr ? 4 : 0;
  spec.data_layout = layout;
  spec.workers = 2;
  spec.batch_size = 2;
  hogwild::shm::owned_segment seg(hogwild::shm::unique_name(), spec);
  const auto& v = seg.view();
  if (layout == hogwild::kernel::layout::csr) {
    const std::uint64_t rp[] = {0, 1, 3, 4};
    std::memcpy(v.row_ptr(), rp, sizeof rp);
  }
  for (std::uint32_t i = 0; i < 3; ++i) v.perm()[i] = 2 - i;
  return std::string(reinterpret_cast<const char*>(&v.hdr()), seg.bytes());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  for (const char* t : {"fuzz_segment_header", "fuzz_checkpoint", "fuzz_worker_args"}) ::mkdir((dir + "/" + t).c_str(), 0755);
  write(dir + "/fuzz_segment_header/csr", segment_bytes(hogwild::kernel::layout::csr));
  write(dir + "/fuzz_segment_header/dense", segment_bytes(hogwild::kernel::layout::dense));
  hogwild::checkpoint k;
  k.identity = 42;
  k.next_epoch = 3;
  k.step = 0.00097;
  k.rng_state[0] = 1;
  k.weights = {0.25, -0.5};
  k.perm = {1, 0, 2};
  write(dir + "/fuzz_checkpoint/small", hogwild::encode_checkpoint(k));
  hogwild::worker::worker_args a;
  a.segment = "hogwild-1-0123456789abcdef";
  a.end = 10;
  a.step = 0.001;
  int n = 0;
  for (auto role : {hogwild::worker::role::hogwild, hogwild::worker::role::sync, hogwild::worker::role::round_robin}) {
    a.mode = role;
    a.ipc = role == hogwild::worker::role::sync ? "hogwild-1-fedcba9876543210" : "";
    std::string joined;
    for (const auto& s : hogwild::worker::format_worker_args(a)) joined += s + '\0';
    joined.pop_back();
    write(dir + "/fuzz_worker_args/args" + std::to_string(n++), joined);
  }
  return 0;
}
