// Reader throughput: LIBSVM parse MB/s (text already in memory, so disk and gunzip are excluded),
// whole-file read (with gunzip) + parse, and binary-cache load MB/s (mmap + checks + copy out).
//   bench_readers [FILE...]   (default: the LIBSVM files under ../shared/data)
// MB = 10^6 bytes of decompressed text for parsing; of the cache file for cache loading.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "datasets/cache.hpp"
#include "datasets/file_input.hpp"
#include "datasets/libsvm.hpp"
#include "datasets/loader.hpp"

using namespace hogwild::data;
using clk = std::chrono::steady_clock;

namespace {

template <class F>
double best_seconds(int reps, F&& f) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = clk::now();
    f();
    best = std::min(best, std::chrono::duration<double>(clk::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty()) {
    const std::string d = HOGWILD_REAL_DATA_DIR;
    files = {d + "/a9a/a9a", d + "/ijcnn1/ijcnn1.tst.gz", d + "/reuters21578-lasvm/reuters.trn.gz"};
  }
  const auto dir = std::filesystem::temp_directory_path() / "hogwild-bench-cache";
  fmt::print("{:<40} {:>10} {:>10} {:>12} {:>14} {:>14}\n", "file", "text MB", "rows", "parse MB/s",
             "read+parse MB/s", "cache MB/s");
  for (const auto& f : files) {
    if (!std::filesystem::exists(f)) {
      fmt::print("{}: absent, skipped\n", f);
      continue;
    }
    const file_bytes fb = read_file(f);
    const std::string_view text(fb.bytes.data(), fb.bytes.size());
    const double mb = static_cast<double>(fb.bytes.size()) / 1e6;
    std::size_t rows = 0;
    const double parse = best_seconds(5, [&] { rows = parse_libsvm(text, f).rows(); });
    const double full = best_seconds(3, [&] { (void)read_libsvm(f); });
    const cache_options opt{true, dir.string()};
    std::string note;
    (void)read_cached({f}, file_format::libsvm, "", opt, note);  // writes the cache
    const std::string cache_file = cache_path_for(opt.dir, "libsvm", {f});
    const double cache_mb = static_cast<double>(std::filesystem::file_size(cache_file)) / 1e6;
    const std::string sources = describe_sources({f});
    const double load = best_seconds(5, [&] {
      std::string why;
      if (!cache_load(cache_file, sources, why)) fmt::print("cache miss: {}\n", why);
    });
    fmt::print("{:<40} {:>10.2f} {:>10} {:>12.1f} {:>14.1f} {:>14.1f}  (cache {:.2f} MB, load {:.1f} ms vs parse "
               "{:.1f} ms)\n", std::filesystem::path(f).filename().string(), mb, rows, mb / parse, mb / full,
               cache_mb / load, cache_mb, load * 1e3, parse * 1e3);
  }
  std::filesystem::remove_all(dir);
}
