// Kernel and whole-run benchmark (issue 2). Prints, in one run on the same data:
//  - ns per example of the serial kernel (CSR, default data) with plain and relaxed-atomic access,
//  - the same for a hand-written baseline SGD loop (raw arrays, no abstractions),
//  - the kernel with float weights (--precision float32) on the same data and permutation, CSR and
//    dense, plain and relaxed, with the float32 / float64 ratio of each; the dense rows' portable
//    loop, AVX2 loop and, on a CPU with AVX-512VL, the AVX2 loop with its AVX2 update against the
//    masked-multiply update it uses there,
//  - the row prefetch hint: the float32 dense and float64 CSR kernels on huge-page copies of the
//    data, prefetching into the caches or non-temporally (shared/data_view.hpp), and which one the
//    coordinator picks for this data on this machine (try --rows 500000),
//  - wall time of the whole default run (async, 8 forked workers per epoch, 200 epochs) and of
//    the serial run, through train().
// Usage: bench_kernel [--epochs E] [--rows N] [--repeat R] [--lambda L] [--kernel-only]
// (--lambda: the kernels' L2 strength, default 1 as the coordinator's; with 0 the kernel skips
// the updates of examples outside the margin, the baseline loop does not)
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "coordinator/trainer.hpp"
#include "datasets/synthetic.hpp"
#include "shared/cache_size.hpp"
#include "shared/kernel.hpp"
#include "shared/models/registry.hpp"
#include "shared/rng.hpp"

using namespace hogwild;
using clk = std::chrono::steady_clock;

namespace {

// The baseline: the simplest correct C++ loop for the same update (hinge, sparse L2, batch 2).
void baseline_epoch(const data::dataset& d, const std::vector<double>& inv, const std::vector<std::uint32_t>& perm,
                    double* w, double step, double lambda) {
  const std::size_t n = perm.size();
  for (std::size_t b = 0; b < n; b += 2) {
    const std::size_t e = std::min(n, b + 2);
    double g[2];
    for (std::size_t i = b; i < e; ++i) {
      const auto r = perm[i];
      double s = 0;
      for (auto k = d.row_ptr[r]; k < d.row_ptr[r + 1]; ++k) s += d.val[k] * w[d.idx[k]];
      g[i - b] = d.labels[r] * s < 1 ? -d.labels[r] : 0.0;
    }
    const double scale = step / static_cast<double>(e - b);
    for (std::size_t i = b; i < e; ++i) {
      const auto r = perm[i];
      for (auto k = d.row_ptr[r]; k < d.row_ptr[r + 1]; ++k) {
        const auto j = d.idx[k];
        w[j] -= scale * (g[i - b] * d.val[k] + lambda * inv[j] * w[j]);
      }
    }
  }
}

// A copy of v in anonymous memory with transparent huge pages asked for, as the coordinator's
// private data copy (coordinator/private_data.hpp); never freed (the benchmark exits).
template <class T>
const T* huge_page_copy(const std::vector<T>& v) {
  const std::size_t bytes = v.size() * sizeof(T) + (std::size_t{2} << 20);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return v.data();
  madvise(p, bytes, MADV_HUGEPAGE);
  std::memcpy(p, v.data(), v.size() * sizeof(T));
  return static_cast<const T*>(p);
}

template <class F>
double best_ns_per_example(int repeat, std::size_t examples, F&& f) {
  double best = 1e30;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = clk::now();
    f();
    const double ns = std::chrono::duration<double, std::nano>(clk::now() - t0).count();
    best = std::min(best, ns / static_cast<double>(examples));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 20, repeat = 5;
  std::size_t rows = 10000;
  double lambda = 1.0;
  bool whole_runs = true;
  const char* usage =
      "usage: bench_kernel [--kernel-only] [--epochs N (20)] [--rows N (10000)] [--repeat N (5)] [--lambda L (1)]\n"
      "Times the serial SGD kernel on the default synthetic data (ns per example, best of --repeat) against a\n"
      "plain-array baseline loop in the same run; without --kernel-only also whole default runs (docs/performance.md).\n";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      return 0;
    }
    if (a == "--kernel-only") {
      whole_runs = false;
      continue;
    }
    const bool known = a == "--epochs" || a == "--rows" || a == "--repeat" || a == "--lambda";
    if (!known || i + 1 >= argc) {
      std::fprintf(stderr, "bench_kernel: %s '%s'\n%s", known ? "missing value after" : "unknown flag", a.c_str(), usage);
      return 2;
    }
    try {
      if (a == "--epochs") epochs = std::stoi(argv[i + 1]);
      else if (a == "--rows") rows = std::stoul(argv[i + 1]);
      else if (a == "--repeat") repeat = std::stoi(argv[i + 1]);
      else lambda = std::stod(argv[i + 1]);
    } catch (const std::exception&) {
      std::fprintf(stderr, "bench_kernel: %s: expected a number, got '%s'\n", a.c_str(), argv[i + 1]);
      return 2;
    }
    if (epochs < 1 || repeat < 1 || rows < 1) {
      std::fprintf(stderr, "bench_kernel: %s: expected a value >= 1, got '%s'\n", a.c_str(), argv[i + 1]);
      return 2;
    }
    ++i;
  }
  data::synthetic_spec spec;
  spec.rows = rows;
  const auto d = data::make_synthetic(spec).train;
  const auto inv = data::inverse_column_counts(d);
  std::vector<std::uint32_t> perm(d.rows());
  std::iota(perm.begin(), perm.end(), 0u);
  rng g(1);
  shuffle(std::span<std::uint32_t>(perm), g);
  const std::size_t examples = static_cast<std::size_t>(epochs) * d.rows();
  std::vector<double> w(d.dims);
  std::vector<float> wf(d.dims);  // the float32 model

  // `weights` is w (float64) or wf (float32).
  auto run_kernel = [&](auto access, auto& weights) {
    using A = decltype(access);
    std::fill(weights.begin(), weights.end(), 0);
    for (int e = 0; e < epochs; ++e)
      kernel::sgd_range<models::svm, A>(d.csr(), d.labels.data(), weights.data(), inv.data(), perm.data(), 0,
                                        perm.size(), {0.001, lambda, 2, 1});
  };
  // The float32 CSR loop compiled with plain access, which sgd_range no longer takes (it takes the
  // relaxed-access loop, faster here; shared/kernel.hpp): kept in view for the comparison.
  auto run_plain_csr_loop = [&](auto& weights) {
    std::fill(weights.begin(), weights.end(), 0);
    for (int e = 0; e < epochs; ++e)
      kernel::sgd_range_portable<models::svm, kernel::plain_access>(d.csr(), d.labels.data(), weights.data(), inv.data(),
                                                                    perm.data(), 0, perm.size(), {0.001, lambda, 2, 1});
  };
  const auto dense_vals = data::to_dense(d);
  const kernel::dense_view dv{dense_vals.data(), d.rows(), d.dims};
  auto run_dense = [&](auto access, auto& weights) {
    using A = decltype(access);
    std::fill(weights.begin(), weights.end(), 0);
    for (int e = 0; e < epochs; ++e)
      kernel::sgd_range<models::svm, A>(dv, d.labels.data(), weights.data(), inv.data(), perm.data(), 0, perm.size(),
                                        {0.001, lambda, 2, 1});
  };
  // Runs f with one of the dense rows' switches (shared/dense_simd.hpp: the AVX2 loop, its
  // AVX-512VL update) set to `on`, then restores it.
  auto with_switch = [](std::atomic<bool>& sw, bool on, auto&& f) {
    const bool saved = sw.load();
    sw.store(on);
    f();
    sw.store(saved);
  };
  // The row prefetch hint (shared/data_view.hpp): the same views on huge-page copies of the data,
  // prefetched into the caches or with the non-temporal hint (`stream`), float32 dense rows and
  // float64 CSR rows.
  kernel::dense_view dv_huge{huge_page_copy(dense_vals), d.rows(), d.dims};
  kernel::csr_view csr_huge{huge_page_copy(d.row_ptr), huge_page_copy(d.idx), huge_page_copy(d.val), d.rows(), d.dims};
  auto run_hint = [&](bool stream, const auto& view, auto& weights) {
    auto v = view;
    v.stream = stream;
    std::fill(weights.begin(), weights.end(), 0);
    for (int e = 0; e < epochs; ++e)
      kernel::sgd_range<models::svm, kernel::plain_access>(v, d.labels.data(), weights.data(), inv.data(), perm.data(), 0,
                                                           perm.size(), {0.001, lambda, 2, 1});
  };
  // Rounds interleave the variants (each round runs every variant once) and each keeps its best:
  // on a shared, loaded machine this compares them under the same conditions.
  std::vector<std::function<void()>> variants = {
      [&] {
        std::fill(w.begin(), w.end(), 0.0);
        for (int e = 0; e < epochs; ++e) baseline_epoch(d, inv, perm, w.data(), 0.001, lambda);
      },
      [&] { run_kernel(kernel::plain_access{}, w); },
      [&] { run_kernel(kernel::relaxed_access{}, w); },
      [&] { run_dense(kernel::plain_access{}, w); },
      [&] { run_dense(kernel::relaxed_access{}, w); },
      [&] { run_kernel(kernel::plain_access{}, wf); },
      [&] { run_kernel(kernel::relaxed_access{}, wf); },
      [&] { run_dense(kernel::plain_access{}, wf); },
      [&] { run_dense(kernel::relaxed_access{}, wf); },
      // The dense rows' portable loop (the AVX2 switch off), float64 and float32 weights.
      [&] { with_switch(kernel::dense_avx2_switch(), false, [&] { run_dense(kernel::plain_access{}, w); }); },
      [&] { with_switch(kernel::dense_avx2_switch(), false, [&] { run_dense(kernel::plain_access{}, wf); }); },
      [&] { run_hint(false, dv_huge, wf); },
      [&] { run_hint(true, dv_huge, wf); },
      [&] { run_hint(false, csr_huge, w); },
      [&] { run_hint(true, csr_huge, w); },
      // The AVX2 loop with its AVX2 update where the CPU has AVX-512VL (switched off).
      [&] { with_switch(kernel::dense_avx512vl_switch(), false, [&] { run_dense(kernel::plain_access{}, w); }); },
      [&] { with_switch(kernel::dense_avx512vl_switch(), false, [&] { run_dense(kernel::plain_access{}, wf); }); },
      [&] { run_plain_csr_loop(wf); }};
  std::vector<double> best_ns(variants.size(), 1e30);
  for (int r = 0; r < repeat; ++r)
    for (std::size_t k = 0; k < variants.size(); ++k)
      best_ns[k] = std::min(best_ns[k], best_ns_per_example(1, examples, variants[k]));
  const double base = best_ns[0], plain = best_ns[1], relaxed = best_ns[2], dense_plain = best_ns[3], dense_relaxed = best_ns[4];

  std::printf("data: synthetic svm %zu x %zu, density 0.2, %zu nonzeros (%.1f per row), batch 2, lambda %g, %d epochs, "
              "best of %d\n",
              d.rows(), d.dims, d.nnz(), static_cast<double>(d.nnz()) / static_cast<double>(d.rows()), lambda, epochs,
              repeat);
  std::printf("%-36s %10s %10s\n", "kernel", "ns/example", "vs baseline");
  std::printf("%-36s %10.1f %10.2f\n", "baseline loop (raw arrays)", base, 1.0);
  std::printf("%-36s %10.1f %10.2f\n", "csr layout, plain access", plain, plain / base);
  std::printf("%-36s %10.1f %10.2f\n", "csr layout, relaxed atomic_ref", relaxed, relaxed / base);
  std::printf("%-36s %10.1f %10.2f\n", "dense layout, plain access", dense_plain, dense_plain / base);
  std::printf("%-36s %10.1f %10.2f\n", "dense layout, relaxed atomic_ref", dense_relaxed, dense_relaxed / base);
  std::printf("\n%-36s %10s %10s %10s\n", "float32 weights", "ns/example", "vs baseline",
              "vs float64");
  const char* names[] = {"csr layout, plain access", "csr layout, relaxed atomic_ref", "dense layout, plain access",
                         "dense layout, relaxed atomic_ref"};
  for (std::size_t k = 0; k < 4; ++k)
    std::printf("%-36s %10.1f %10.2f %10.2f\n", names[k], best_ns[5 + k], best_ns[5 + k] / base,
                best_ns[5 + k] / best_ns[1 + k]);
  std::printf("%-36s %10.1f %10.2f %10.2f   (not used: csr plain access takes the relaxed loop)\n",
              "csr layout, the plain-access loop", best_ns[17], best_ns[17] / base, best_ns[17] / best_ns[1]);

  std::printf("\n%-36s %10s %10s   (ns/example)\n", "dense rows, plain access", "float64", "float32");
  const bool avx2 = kernel::dense_avx2_switch().load();
  std::printf("%-36s %10.1f %10.1f\n", "portable loop (AVX2 switched off)", best_ns[9], best_ns[10]);
  if (avx2 && kernel::dense_avx512vl_switch().load()) {
    std::printf("%-36s %10.1f %10.1f\n", "AVX2 loop, AVX2 update", best_ns[15], best_ns[16]);
    std::printf("%-36s %10.1f %10.1f   (%.2fx, %.2fx the portable loop; %.2fx, %.2fx the AVX2 update)\n",
                "AVX2 loop, AVX-512VL update (used)", dense_plain, best_ns[7], dense_plain / best_ns[9],
                best_ns[7] / best_ns[10], dense_plain / best_ns[15], best_ns[7] / best_ns[16]);
  } else if (avx2)
    std::printf("%-36s %10.1f %10.1f   (%.2fx, %.2fx the portable loop)\n", "AVX2 loop (the one used)", dense_plain,
                best_ns[7], dense_plain / best_ns[9], best_ns[7] / best_ns[10]);
  else
    std::printf("(no AVX2 on this CPU: the rows above are the portable loop)\n");

  const std::size_t dense_bytes = dense_vals.size() * sizeof(float),
                    csr_bytes = d.row_ptr.size() * sizeof(std::uint64_t) + d.nnz() * (sizeof(std::uint32_t) + sizeof(float)),
                    llc = kernel::last_level_cache_bytes();
  std::printf("\n%-36s %10s %10s   (ns/example, huge pages; last-level cache %.1f MiB)\n", "row prefetch hint",
              "dense f32", "CSR f64", static_cast<double>(llc) / (1 << 20));
  std::printf("%-36s %10.1f %10.1f\n", "into the caches", best_ns[11], best_ns[13]);
  std::printf("%-36s %10.1f %10.1f   (%.2fx, %.2fx)\n", "non-temporal", best_ns[12], best_ns[14],
              best_ns[12] / best_ns[11], best_ns[14] / best_ns[13]);
  std::printf("%-36s %10s %10s   (data %.1f / %.1f MiB)\n", "the coordinator picks",
              kernel::streams_rows(dense_bytes, d.rows(), 1, 2, llc) ? "non-temp." : "caches",
              kernel::streams_rows(csr_bytes, d.rows(), 1, 2, llc) ? "non-temp." : "caches", static_cast<double>(dense_bytes) / (1 << 20),
              static_cast<double>(csr_bytes) / (1 << 20));

  if (!whole_runs) return 0;
  // Whole runs through the coordinator's train(), default configuration (but --lambda).
  auto whole = [&](run_mode mode, unsigned workers) {
    config c;
    c.lambda = lambda;
    c.mode = mode;
    c.workers = workers;
    double best = 1e30;
    for (int r = 0; r < 3; ++r) {
      const auto t0 = clk::now();
      train(c, nullptr);
      best = std::min(best, std::chrono::duration<double>(clk::now() - t0).count());
    }
    return best;
  };
  const double serial_s = whole(run_mode::serial, 1);
  const double async8_s = whole(run_mode::async, 8);
  std::printf("\n%-44s %10s\n", "whole default run (200 epochs, incl. eval)", "wall s");
  std::printf("%-44s %10.3f\n", "serial", serial_s);
  std::printf("%-44s %10.3f\n", "async, 8 fork workers per epoch", async8_s);
  std::printf("%-44s %10.2f\n", "async-8 / serial", async8_s / serial_s);
  return 0;
}
