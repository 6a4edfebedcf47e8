#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <algorithm>
#include <numeric>
#include <type_traits>
#include <vector>

#include "datasets/synthetic.hpp"
#include "shared/cache_size.hpp"
#include "shared/kernel.hpp"
#include "shared/models/registry.hpp"
#include "shared/partition.hpp"
#include "shared/rng.hpp"
#include "tests/unit/synthetic_rows.hpp"

using namespace hogwild;

namespace {

// Synthetic SVM training rows: 40 columns at density 0.3.
data::dataset small_train_set(std::size_t rows) { return test::synthetic_rows(rows, 40, 0.3); }

std::vector<std::uint32_t> shuffled_order(std::size_t n, std::uint64_t seed) {
  std::vector<std::uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  rng g(seed);
  shuffle(std::span<std::uint32_t>(perm), g);
  return perm;
}

}  // namespace

TEST_CASE("CSR and dense paths train the same model on the same data") {
  const auto d = small_train_set(2000);
  const auto dense_vals = data::to_dense(d);
  const kernel::dense_view dense{dense_vals.data(), d.rows(), d.dims};
  const auto inv = data::inverse_column_counts(d);
  const auto perm = shuffled_order(d.rows(), 3);
  for (std::size_t batch : {1, 2, 7}) {
    CAPTURE(batch);
    std::vector<double> w_csr(d.dims, 0.0), w_dense(d.dims, 0.0);
    const kernel::step_params p{0.05, 0.5, batch, 1};
    for (int epoch = 0; epoch < 3; ++epoch) {
      kernel::sgd_range<models::svm, kernel::plain_access>(d.csr(), d.labels.data(), w_csr.data(), inv.data(),
                                                             perm.data(), 0, perm.size(), p);
      kernel::sgd_range<models::svm, kernel::plain_access>(dense, d.labels.data(), w_dense.data(), inv.data(),
                                                             perm.data(), 0, perm.size(), p);
    }
    double norm = 0.0;
    for (std::size_t j = 0; j < d.dims; ++j) {
      CHECK(w_csr[j] == doctest::Approx(w_dense[j]).epsilon(1e-12));
      norm += std::abs(w_csr[j]);
    }
    CHECK(norm > 0.1);  // the model actually moved
  }
}

TEST_CASE("rows prefetched with the non-temporal hint train the same model") {
  const auto d = small_train_set(500);
  const auto dense_vals = data::to_dense(d);
  const auto inv = data::inverse_column_counts(d);
  const auto perm = shuffled_order(d.rows(), 5);
  auto train = [&](const auto& view, auto zero) {
    std::vector<decltype(zero)> w(d.dims, zero);
    for (int epoch = 0; epoch < 2; ++epoch)
      kernel::sgd_range<models::svm, kernel::plain_access>(view, d.labels.data(), w.data(), inv.data(), perm.data(), 0,
                                                           perm.size(), {0.05, 0.5, 2, 1});
    return w;
  };
  for (const bool stream : {false, true}) {
    CAPTURE(stream);
    kernel::csr_view csr = d.csr();
    csr.stream = stream;
    const kernel::dense_view dense{dense_vals.data(), d.rows(), d.dims, stream};
    kernel::csr_view csr_plain = d.csr();
    const kernel::dense_view dense_plain{dense_vals.data(), d.rows(), d.dims};
    CHECK(train(csr, 0.0) == train(csr_plain, 0.0));
    CHECK(train(csr, 0.0f) == train(csr_plain, 0.0f));
    CHECK(train(dense, 0.0) == train(dense_plain, 0.0));
    CHECK(train(dense, 0.0f) == train(dense_plain, 0.0f));
    CHECK(train(csr, 0.0) != std::vector<double>(d.dims, 0.0));  // the model moved
  }
}

TEST_CASE("rows stream past the cache above twice the last-level cache for small rows of one-output models") {
  constexpr std::size_t MiB = std::size_t{1} << 20;
  CHECK_FALSE(kernel::streams_past_cache(100 * MiB, 0));  // cache size unknown: never
  CHECK_FALSE(kernel::streams_past_cache(8 * MiB, 8 * MiB));
  CHECK_FALSE(kernel::streams_past_cache(16 * MiB, 8 * MiB));
  CHECK(kernel::streams_past_cache(16 * MiB + 1, 8 * MiB));
  CHECK(kernel::streams_past_cache(200 * MiB, 8 * MiB));
  // One output, and the rows from a prefetch to the end of the batch within 16 KiB.
  constexpr std::size_t rows400 = 200'000'000;  // 500k rows of 400 bytes
  CHECK(kernel::streams_rows(rows400, 500000, 1, 2, 8 * MiB));          // batch 2
  CHECK(kernel::streams_rows(rows400, 500000, 1, 32, 8 * MiB));         // (8 + 32) x 400 bytes = 16,000
  CHECK_FALSE(kernel::streams_rows(rows400, 500000, 1, 33, 8 * MiB));   // 16,400
  CHECK_FALSE(kernel::streams_rows(rows400, 500000, 1, 64, 8 * MiB));   // 28,800
  CHECK_FALSE(kernel::streams_rows(rows400, 500000, 10, 2, 8 * MiB));   // multi-output model
  CHECK_FALSE(kernel::streams_rows(rows400, 100000, 1, 2, 8 * MiB));    // 2,000-byte rows x 10
  CHECK_FALSE(kernel::streams_rows(8 * MiB, 20000, 1, 2, 8 * MiB));     // fits the caches
  CHECK_FALSE(kernel::streams_rows(0, 0, 1, 2, 8 * MiB));
}

TEST_CASE("cache sizes are read as sysfs writes them") {
  using kernel::detail::parse_cache_size;
  CHECK(parse_cache_size("32K") == 32 * 1024);
  CHECK(parse_cache_size("1024K") == 1024 * 1024);
  CHECK(parse_cache_size("8192K") == 8 * 1024 * 1024);
  CHECK(parse_cache_size("8M") == 8 * 1024 * 1024);
  CHECK(parse_cache_size("512") == 512);
  for (const char* bad : {"", "K", "8k", "12X", "8K ", " 8K", "-8K", "x"}) {
    CAPTURE(bad);
    CHECK(parse_cache_size(bad) == 0);
  }
  // The machine's own: unknown, or at least a small L2's 64 KiB.
  const std::size_t llc = kernel::last_level_cache_bytes();
  CHECK((llc == 0 || llc >= 64 * 1024));
  CHECK(llc == kernel::last_level_cache_bytes());
}

TEST_CASE("the dense dot product sums in 16 lanes combined by one fixed tree") {
  for (std::size_t dims : {3, 13, 29, 40, 100}) {  // tails of 3, 13, 13, 8 and 4 columns
    CAPTURE(dims);
    const auto d = test::synthetic_rows(50, dims, 0.5);
    const auto dense_vals = data::to_dense(d);
    std::vector<double> w(d.dims);
    for (std::size_t j = 0; j < d.dims; ++j) w[j] = 0.1 + 1.0 / static_cast<double>(j + 3);
    std::vector<float> wf(w.begin(), w.end());
    const std::size_t full = d.dims / 16 * 16;
    for (std::size_t r = 0; r < d.rows(); ++r) {
      const float* x = dense_vals.data() + r * d.dims;
      double l[16] = {};
      float lf[16] = {};
      for (std::size_t j = 0; j < d.dims; ++j) {
        const std::size_t lane = j < full ? j % 16 : j - full;
        l[lane] += static_cast<double>(x[j]) * w[j];
        lf[lane] += x[j] * wf[j];
      }
      auto tree = [](const auto* v) {
        std::remove_const_t<std::remove_pointer_t<decltype(v)>> m[8], t[4];
        for (int k = 0; k < 8; ++k) m[k] = v[k] + v[k + 8];
        for (int k = 0; k < 4; ++k) t[k] = m[k] + m[k + 4];
        return (t[0] + t[2]) + (t[1] + t[3]);
      };
      const double expected = tree(l);
      const float expected_f = tree(lf);
      const kernel::dense_row row{x, static_cast<std::uint32_t>(d.dims)};
      auto& avx2 = kernel::dense_avx2_switch();
      const bool saved = avx2.load();
      for (const bool on : {false, true}) {  // plain access: SSE2 (or generic), then AVX2 where the CPU has it
        avx2.store(on && kernel::dense_avx2_available());
        CHECK(kernel::dot<kernel::plain_access>(row, w.data()) == expected);
        CHECK(kernel::dot<kernel::plain_access>(row, wf.data()) == expected_f);
      }
      avx2.store(saved);
      CHECK(kernel::dot<kernel::relaxed_access>(row, w.data()) == expected);  // the generic lane loop
      CHECK(kernel::dot<kernel::relaxed_access>(row, wf.data()) == expected_f);
    }
  }
}

namespace {

// One model trained three epochs on dense rows by the AVX2 loop called directly, by its AVX-512VL
// compilation (masked multiplies in the update) where the CPU has it, by sgd_range with the
// switches on, with AVX2 alone, and off (the portable loop): weights and loss must be the same
// bits.
template <class Model, class T>
void check_dense_avx2_matches_portable(std::size_t dims, std::size_t batch, double lambda) {
  CAPTURE(Model::name);
  CAPTURE(dims);
  CAPTURE(batch);
  CAPTURE(lambda);
  CAPTURE(sizeof(T));
  const auto d = test::synthetic_rows(301, dims, 0.3);  // 301 rows: a last, shorter batch for batch 2 and 7
  const auto dense_vals = data::to_dense(d);
  const kernel::dense_view dense{dense_vals.data(), d.rows(), d.dims};
  const auto inv = data::inverse_column_counts(d);
  const auto perm = shuffled_order(d.rows(), 11);
  const kernel::step_params p{0.05, lambda, batch, 1};
  auto& on = kernel::dense_avx2_switch();
  auto& vl = kernel::dense_avx512vl_switch();
  const bool saved = on.load(), saved_vl = vl.load();
  // how: 0 the AVX2 loop called directly, 1 the AVX-512VL one (where the CPU has it), 2 sgd_range
  // with both switches as the CPU allows, 3 sgd_range with AVX2 alone, 4 the portable loop.
  auto train = [&](int how) {
    std::vector<T> w(d.dims, T(0));
    double loss = 0.0;
    // Three epochs over the whole permutation, then a range inside it and an empty one.
    const std::pair<std::size_t, std::size_t> ranges[] = {{0, perm.size()}, {0, perm.size()}, {0, perm.size()},
                                                          {5, perm.size() - 3}, {7, 7}};
    for (const auto& [begin, end] : ranges) {
      kernel::range_result r;
#if HOGWILD_DENSE_AVX2
      if (how == 0)
        r = kernel::sgd_range_dense_avx2<Model>(dense, d.labels.data(), w.data(), inv.data(), perm.data(), begin,
                                                end, p);
      if (how == 1)
        r = kernel::sgd_range_dense_avx512vl<Model>(dense, d.labels.data(), w.data(), inv.data(), perm.data(), begin,
                                                    end, p);
#endif
      if (how >= 2) {
        on.store(how != 4);
        vl.store(how == 2 && kernel::dense_avx512vl_available());
        r = kernel::sgd_range<Model, kernel::plain_access>(dense, d.labels.data(), w.data(), inv.data(), perm.data(),
                                                           begin, end, p);
      }
      loss += r.loss;
      CHECK(r.examples == end - begin);
    }
    on.store(saved);
    vl.store(saved_vl);
    return std::pair{w, loss};
  };
  const auto [w_port, loss_port] = train(4);
  for (int how = 0; how < 4; ++how) {
    if (how == 1 && !kernel::dense_avx512vl_available()) continue;
    CAPTURE(how);
    const auto [w_simd, loss_simd] = train(how);
    CHECK(std::memcmp(w_simd.data(), w_port.data(), w_port.size() * sizeof(T)) == 0);
    CHECK(std::memcmp(&loss_simd, &loss_port, sizeof loss_port) == 0);
  }
  double norm = 0.0;
  for (const T v : w_port) norm += std::abs(static_cast<double>(v));
  CHECK(norm > 0.01);  // the model moved
}

}  // namespace

TEST_CASE("the AVX2 dense loop trains the portable loop's model bit for bit") {
  if (!kernel::dense_avx2_available()) {
    MESSAGE("this CPU has no AVX2: the portable dense loop is the only one");
    return;
  }
  if (!kernel::dense_avx512vl_available()) MESSAGE("this CPU has no AVX-512VL: its update is not compared here");
  // Widths around the vector and block sizes (tails of 1-15 columns of floats and doubles).
  for (std::size_t dims : {1, 3, 7, 12, 13, 16, 29, 31, 37, 100})
    for (std::size_t batch : {1, 2, 7})
      for (double lambda : {0.0, 0.5}) {  // λ = 0: hinge examples outside the margin are skipped
        check_dense_avx2_matches_portable<models::svm, double>(dims, batch, lambda);
        check_dense_avx2_matches_portable<models::svm, float>(dims, batch, lambda);
        check_dense_avx2_matches_portable<models::logistic, double>(dims, batch, lambda);
        check_dense_avx2_matches_portable<models::logistic, float>(dims, batch, lambda);
        check_dense_avx2_matches_portable<models::least_squares, double>(dims, batch, lambda);
        check_dense_avx2_matches_portable<models::least_squares, float>(dims, batch, lambda);
      }
}

namespace {

// A multi-output model trained three epochs with the AVX2 switch on (sgd_range takes the AVX2
// compilation of the portable loop) and off (the portable loop): the same bits.
template <class Model, class T, class View>
void check_multi_avx2_matches_portable(const View& view, const std::vector<float>& labels, const double* inv,
                                       const std::vector<std::uint32_t>& perm, int C, std::size_t batch) {
  CAPTURE(Model::name);
  CAPTURE(C);
  CAPTURE(batch);
  CAPTURE(sizeof(T));
  const kernel::step_params p{0.05, 0.5, batch, C};
  auto& on = kernel::dense_avx2_switch();
  const bool saved = on.load();
  auto train = [&](bool avx2) {
    on.store(avx2);
    std::vector<T> w(view.dims * static_cast<std::size_t>(C), T(0));
    double loss = 0.0;
    for (int epoch = 0; epoch < 3; ++epoch)
      loss += kernel::sgd_range<Model, kernel::plain_access>(view, labels.data(), w.data(), inv, perm.data(), 0,
                                                              perm.size(), p).loss;
    on.store(saved);
    return std::pair{w, loss};
  };
  const auto [w_avx, loss_avx] = train(true);
  const auto [w_port, loss_port] = train(false);
  CHECK(std::memcmp(w_avx.data(), w_port.data(), w_port.size() * sizeof(T)) == 0);
  CHECK(std::memcmp(&loss_avx, &loss_port, sizeof loss_port) == 0);
  double norm = 0.0;
  for (const T v : w_port) norm += std::abs(static_cast<double>(v));
  CHECK(norm > 0.01);  // the model moved
}

}  // namespace

TEST_CASE("multi-output models: the AVX2 compilation of the loop trains the portable model bit for bit") {
  if (!kernel::dense_avx2_available()) {
    MESSAGE("this CPU has no AVX2: the portable loop is the only one");
    return;
  }
  for (std::size_t dims : {7, 37})
    for (int C : {3, 10, 13}) {
      auto d = test::synthetic_rows(301, dims, 0.4);
      for (std::size_t i = 0; i < d.labels.size(); ++i) d.labels[i] = static_cast<float>((i * 7) % C);
      const auto dense_vals = data::to_dense(d);
      const kernel::dense_view dense{dense_vals.data(), d.rows(), d.dims};
      const kernel::csr_view csr = d.csr();
      const auto inv = data::inverse_column_counts(d);
      const auto perm = shuffled_order(d.rows(), 5);
      for (std::size_t batch : {1, 2, 7}) {
        check_multi_avx2_matches_portable<models::multiclass_svm, double>(csr, d.labels, inv.data(), perm, C, batch);
        check_multi_avx2_matches_portable<models::multiclass_svm, float>(csr, d.labels, inv.data(), perm, C, batch);
        check_multi_avx2_matches_portable<models::softmax, double>(csr, d.labels, inv.data(), perm, C, batch);
        check_multi_avx2_matches_portable<models::softmax, float>(dense, d.labels, inv.data(), perm, C, batch);
        check_multi_avx2_matches_portable<models::multiclass_svm, float>(dense, d.labels, inv.data(), perm, C, batch);
      }
    }
}

TEST_CASE("CSR explicit zeros are untouched and the precomputed shrink factors give the inline bits") {
  const auto d = small_train_set(1000);
  const auto inv = data::inverse_column_counts(d);
  // The same rows with an explicit 0 stored in every column divisible by 7 that the row lacks.
  std::vector<std::uint64_t> zrow_ptr{0};
  std::vector<std::uint32_t> zidx;
  std::vector<float> zval;
  for (std::size_t r = 0; r < d.rows(); ++r) {
    std::uint64_t k = d.row_ptr[r];
    for (std::uint32_t j = 0; j < d.dims; ++j) {
      if (k < d.row_ptr[r + 1] && d.idx[k] == j) {
        zidx.push_back(j);
        zval.push_back(d.val[k++]);
      } else if (j % 7 == 0) {
        zidx.push_back(j);
        zval.push_back(0.0f);
      }
    }
    zrow_ptr.push_back(zidx.size());
  }
  REQUIRE(zidx.size() > d.nnz() + d.rows());
  const kernel::csr_view zeros{zrow_ptr.data(), zidx.data(), zval.data(), d.rows(), d.dims};
  const auto perm = shuffled_order(d.rows(), 5);
  for (std::size_t batch : {1, 2, 5}) {
    CAPTURE(batch);
    const kernel::step_params p{0.05, 0.5, batch, 1};
    std::vector<double> whole(d.dims, 0.0), with_zeros(d.dims, 0.0), pieces(d.dims, 0.0);
    for (int epoch = 0; epoch < 2; ++epoch) {
      // One call over the whole permutation: the factor path (40 columns <= the range's nonzeros).
      kernel::sgd_range<models::svm, kernel::plain_access>(d.csr(), d.labels.data(), whole.data(), inv.data(),
                                                             perm.data(), 0, perm.size(), p);
      kernel::sgd_range<models::svm, kernel::plain_access>(zeros, d.labels.data(), with_zeros.data(), inv.data(),
                                                             perm.data(), 0, perm.size(), p);
      // One call per batch: each range has fewer nonzeros than columns, so the inline path.
      for (std::size_t b = 0; b < perm.size(); b += batch)
        kernel::sgd_range<models::svm, kernel::plain_access>(d.csr(), d.labels.data(), pieces.data(), inv.data(),
                                                               perm.data(), b, std::min(perm.size(), b + batch), p);
    }
    for (std::size_t j = 0; j < d.dims; ++j) {
      CAPTURE(j);
      CHECK(whole[j] == with_zeros[j]);
      CHECK(whole[j] == pieces[j]);
    }
    CHECK(std::abs(whole[0]) + std::abs(whole[1]) > 0.0);
  }
}

TEST_CASE("a batch uses the model as it was when the batch started") {
  // Two identical examples in one batch: with batch 2 both see w = 0, so both violate the margin
  // and the loss step is twice the single-example one, divided by the batch size.
  std::vector<std::uint64_t> row_ptr{0, 1, 2};
  std::vector<std::uint32_t> idx{0, 0};
  std::vector<float> val{1.0f, 1.0f}, labels{1.0f, 1.0f};
  const kernel::csr_view v{row_ptr.data(), idx.data(), val.data(), 2, 1};
  const double inv[] = {0.5};
  const std::uint32_t perm[] = {0, 1};
  double w = 0.0;
  kernel::sgd_range<models::svm, kernel::plain_access>(v, labels.data(), &w, inv, perm, 0, 2, {1.0, 0.0, 2, 1});
  CHECK(w == doctest::Approx(1.0));  // (1/2)(1 + 1)
  w = 0.0;  // batch 1: the second example sees w = 1 and no longer violates the margin... exactly at 1
  kernel::sgd_range<models::svm, kernel::plain_access>(v, labels.data(), &w, inv, perm, 0, 2, {1.0, 0.0, 1, 1});
  CHECK(w == doctest::Approx(1.0));
  w = 0.0;
  kernel::sgd_range<models::svm, kernel::plain_access>(v, labels.data(), &w, inv, perm, 0, 2, {0.5, 0.0, 1, 1});
  CHECK(w == doctest::Approx(1.0));  // 0.5 then 0.5 more (margin 0.5 < 1)
}

TEST_CASE("an example outside the margin leaves the model alone without L2 and shrinks it with L2") {
  // One row x = (1, 1, 0) with label +1 and w = (2, 3, 5): score 5, outside the margin, so the
  // hinge coefficient is 0. Column 2 lets the model have more columns than the row has nonzeros.
  const float label = 1.0f;
  const double inv[] = {0.5, 0.25, 1.0};
  const std::uint32_t perm[] = {0};
  for (std::uint32_t dims : {2u, 3u}) {  // 2: precomputed shrink factors; 3: factors inline
    CAPTURE(dims);
    const std::uint64_t row_ptr[] = {0, 2};
    const std::uint32_t idx[] = {0, 1};
    const float val[] = {1.0f, 1.0f, 0.0f};
    const kernel::csr_view csr{row_ptr, idx, val, 1, dims};
    const kernel::dense_view dense{val, 1, dims};
    for (double lambda : {0.0, 0.5}) {
      CAPTURE(lambda);
      const kernel::step_params p{0.1, lambda, 1, 1};
      // Without L2 the update is the identity (and is skipped); with it each touched coordinate
      // is multiplied by 1 − γλ/d_u and the untouched one keeps its value.
      const double expect0 = lambda == 0.0 ? 2.0 : 2.0 * (1.0 - 0.1 * lambda * 0.5);
      const double expect1 = lambda == 0.0 ? 3.0 : 3.0 * (1.0 - 0.1 * lambda * 0.25);
      std::vector<double> w_csr{2.0, 3.0, 5.0}, w_dense{2.0, 3.0, 5.0};
      kernel::sgd_range<models::svm, kernel::plain_access>(csr, &label, w_csr.data(), inv, perm, 0, 1, p);
      kernel::sgd_range<models::svm, kernel::plain_access>(dense, &label, w_dense.data(), inv, perm, 0, 1, p);
      for (const auto* w : {&w_csr, &w_dense}) {
        CHECK((*w)[0] == doctest::Approx(expect0).epsilon(1e-15));
        CHECK((*w)[1] == doctest::Approx(expect1).epsilon(1e-15));
        CHECK((*w)[2] == 5.0);
      }
    }
  }
}

TEST_CASE("partition covers 0..n with near-equal contiguous ranges") {
  for (std::size_t n : {1u, 7u, 10000u}) {
    for (std::size_t workers : {1u, 2u, 3u, 8u}) {
      if (workers > n) continue;
      std::size_t expect = 0, smallest = n, largest = 0;
      for (std::size_t w = 0; w < workers; ++w) {
        const auto r = partition(n, workers, w);
        CHECK(r.begin == expect);
        expect = r.end;
        smallest = std::min(smallest, r.size());
        largest = std::max(largest, r.size());
      }
      CHECK(expect == n);
      CHECK(largest - smallest <= 1);
    }
  }
}

TEST_CASE("rng and shuffle are deterministic and uniform enough") {
  rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) CHECK(a.next() == b.next());
  CHECK(a.next() != c.next());
  // Known first value: guards against accidental changes of the generator (data would change).
  rng k(1);
  CHECK(k.next() == 0xb3f2af6d0fc710c5ULL);
  std::vector<std::uint32_t> v(1000);
  std::iota(v.begin(), v.end(), 0u);
  rng s(5);
  shuffle(std::span<std::uint32_t>(v), s);
  std::vector<std::uint32_t> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (std::uint32_t i = 0; i < 1000; ++i) CHECK(sorted[i] == i);
  int fixed_points = 0;
  for (std::uint32_t i = 0; i < 1000; ++i) fixed_points += v[i] == i;
  CHECK(fixed_points < 10);
  rng u(9);
  std::vector<int> hist(4, 0);
  for (int i = 0; i < 40000; ++i) ++hist[u.below(4)];
  for (int h : hist) CHECK(std::abs(h - 10000) < 400);
}

TEST_CASE("synthetic data matches the seed's recipe") {
  data::synthetic_spec spec;  // Experiment 1 defaults
  const auto d = data::make_synthetic(spec);
  CHECK(d.train.rows() == 10000);
  CHECK(d.test.rows() == 1000);
  CHECK(d.train.dims == 100);
  const double density = static_cast<double>(d.train.nnz()) / (10000.0 * 100.0);
  CHECK(density == doctest::Approx(0.2).epsilon(0.02));
  for (float y : d.train.labels) CHECK((y == 1.0f || y == -1.0f));
  for (double w : d.true_weights) CHECK((w >= -0.5 && w < 0.5));
  // Same seed, same data; another seed, other data.
  const auto again = data::make_synthetic(spec);
  CHECK(again.train.val == d.train.val);
  spec.seed = 2;
  CHECK(data::make_synthetic(spec).train.val != d.train.val);
}
