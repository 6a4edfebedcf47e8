// The per-epoch evaluation: chunked sums that give the same bits on any number of threads, and the
// coordinator's pool of helper threads that runs the chunks.
#include <doctest/doctest.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "coordinator/eval_pool.hpp"
#include "datasets/synthetic.hpp"
#include "shared/evaluate.hpp"
#include "shared/kernel.hpp"
#include "tests/unit/synthetic_rows.hpp"

using namespace hogwild;

namespace {

data::dataset rows_of(std::size_t rows) { return test::synthetic_rows(rows, 30, 0.3); }

std::vector<double> some_model(std::size_t dims) {
  std::vector<double> w(dims);
  for (std::size_t j = 0; j < dims; ++j) w[j] = 0.01 * static_cast<double>(j % 7) - 0.02;
  return w;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("evaluation gives the same bits with its chunks in any order and on any number of threads") {
  for (std::size_t rows : {std::size_t{1}, eval_chunk_rows, eval_chunk_rows + 1, 5 * eval_chunk_rows + 17}) {
    CAPTURE(rows);
    const auto d = rows_of(rows);
    const auto w = some_model(d.dims);
    const evaluation one = evaluate(models::model_kind::svm, d.csr(), d.labels.data(), w.data(), 1, 0.5);
    const chunk_runner backwards = [](std::size_t count, const std::function<void(std::size_t)>& fn) {
      for (std::size_t k = count; k-- > 0;) fn(k);
    };
    const evaluation reversed = evaluate(models::model_kind::svm, d.csr(), d.labels.data(), w.data(), 1, 0.5, &backwards);
    CHECK(same_bits(one.objective, reversed.objective));
    CHECK(same_bits(one.error, reversed.error));
    eval_pool pool(3);
    const chunk_runner on_pool = [&pool](std::size_t count, const std::function<void(std::size_t)>& fn) { pool.run(count, fn); };
    for (int again = 0; again < 20; ++again) {
      const evaluation threaded = evaluate(models::model_kind::svm, d.csr(), d.labels.data(), w.data(), 1, 0.5, &on_pool);
      CHECK(same_bits(one.objective, threaded.objective));
      CHECK(same_bits(one.error, threaded.error));
    }
  }
}

TEST_CASE("evaluation of one chunk is the row-by-row sum and of several chunks within rounding of it") {
  for (std::size_t rows : {eval_chunk_rows, 7 * eval_chunk_rows + 5}) {
    CAPTURE(rows);
    const auto d = rows_of(rows);
    const auto w = some_model(d.dims);
    double loss = 0.0, err = 0.0, norm2 = 0.0;
    for (std::size_t i = 0; i < d.rows(); ++i) {
      double s = 0.0;
      const auto r = d.csr().row(i);
      for (std::uint32_t k = 0; k < r.nnz; ++k) s += r.val[k] * w[r.idx[k]];
      loss += std::max(0.0, 1.0 - d.labels[i] * s);
      err += (s >= 0 ? 1.0 : -1.0) != d.labels[i];
    }
    for (double x : w) norm2 += x * x;
    const double n = static_cast<double>(d.rows());
    const evaluation e = evaluate(models::model_kind::svm, d.csr(), d.labels.data(), w.data(), 1, 0.5);
    CHECK(e.objective == doctest::Approx((loss + 0.25 * norm2) / n).epsilon(1e-12));
    CHECK(e.error == err / n);  // counts: exact in any order
  }
}

TEST_CASE("multi-output evaluation gives the same bits with the AVX2 compilation and without") {
  auto d = test::synthetic_rows(700, 30, 0.3);
  for (std::size_t i = 0; i < d.labels.size(); ++i) d.labels[i] = static_cast<float>((i * 5) % 7);
  for (const auto model : {models::model_kind::multiclass_svm, models::model_kind::softmax}) {
    std::vector<double> w(30 * 7);
    for (std::size_t j = 0; j < w.size(); ++j) w[j] = 0.01 * static_cast<double>(j % 11) - 0.05;
    std::vector<float> wf(w.begin(), w.end());
    auto& avx2 = kernel::dense_avx2_switch();
    const bool saved = avx2.load();
    evaluation e[2], ef[2];
    for (const bool on : {false, true}) {
      avx2.store(on && kernel::dense_avx2_available());
      e[on] = evaluate(model, d.csr(), d.labels.data(), w.data(), 7, 0.5);
      ef[on] = evaluate(model, d.csr(), d.labels.data(), wf.data(), 7, 0.5);
    }
    avx2.store(saved);
    CHECK(same_bits(e[0].objective, e[1].objective));
    CHECK(same_bits(e[0].error, e[1].error));
    CHECK(same_bits(ef[0].objective, ef[1].objective));
    CHECK(same_bits(ef[0].error, ef[1].error));
    CHECK(e[0].error > 0.0);
  }
}

TEST_CASE("the evaluation pool uses one helper fewer than the CPUs or the workers") {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(::sched_getaffinity(0, sizeof set, &set) == 0);
  const auto cpus = static_cast<unsigned>(CPU_COUNT(&set));
  CHECK(eval_pool::helpers_for(0) == 0);
  CHECK(eval_pool::helpers_for(1) == 0);
  CHECK(eval_pool::helpers_for(2) == std::min(2u, cpus) - 1);
  CHECK(eval_pool::helpers_for(1024) == cpus - 1);
  // Several --distributed coordinators on one machine share its CPUs.
  CHECK(eval_pool::helpers_for(1024, 2) == std::max(1u, cpus / 2) - 1);
  CHECK(eval_pool::helpers_for(1024, cpus) == 0);
  CHECK(eval_pool::helpers_for(1024, 4 * cpus) == 0);
  CHECK(eval_pool::helpers_for(2, 2) == std::min(2u, std::max(1u, cpus / 2)) - 1);
}
