// --precision float32 at the kernel and segment level: the float kernel trains the same model as
// the double one to float accuracy, its CSR and dense paths agree, and a float32 segment holds
// 4-byte weights that only float accessors reach.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "datasets/synthetic.hpp"
#include "shared/error.hpp"
#include "shared/kernel.hpp"
#include "shared/models/registry.hpp"
#include "shared/rng.hpp"
#include "shared/segment.hpp"

using namespace hogwild;

namespace {

struct small_problem {
  data::dataset d;
  std::vector<float> dense_vals;
  std::vector<double> inv;
  std::vector<std::uint32_t> perm;
  small_problem() {
    data::synthetic_spec spec;
    spec.rows = 2000;
    spec.test_rows = 0;
    spec.dims = 40;
    spec.density = 0.3;
    d = data::make_synthetic(spec).train;
    dense_vals = data::to_dense(d);
    inv = data::inverse_column_counts(d);
    perm.resize(d.rows());
    std::iota(perm.begin(), perm.end(), 0u);
    rng g(3);
    shuffle(std::span<std::uint32_t>(perm), g);
  }
  kernel::dense_view dense() const { return {dense_vals.data(), d.rows(), d.dims}; }
  // Three epochs of `Access` SGD on `view` into a fresh model of type T.
  template <class T, class Access = kernel::plain_access, class View>
  std::vector<T> train(const View& view, std::size_t batch) const {
    std::vector<T> w(d.dims, T(0));
    const kernel::step_params p{0.05, 0.5, batch, 1};
    for (int epoch = 0; epoch < 3; ++epoch)
      kernel::sgd_range<models::svm, Access>(view, d.labels.data(), w.data(), inv.data(), perm.data(), 0, perm.size(), p);
    return w;
  }
};

}  // namespace

TEST_CASE("float kernel: CSR and dense paths and the double kernel agree to float accuracy") {
  const small_problem s;
  for (std::size_t batch : {1, 2, 7}) {
    CAPTURE(batch);
    const auto f_csr = s.train<float>(s.d.csr(), batch);
    const auto f_dense = s.train<float>(s.dense(), batch);
    const auto d_csr = s.train<double>(s.d.csr(), batch);
    double norm = 0.0;
    for (std::size_t j = 0; j < s.d.dims; ++j) {
      CHECK(f_csr[j] == doctest::Approx(f_dense[j]).epsilon(1e-4));
      CHECK(f_csr[j] == doctest::Approx(d_csr[j]).epsilon(1e-3));
      norm += std::abs(d_csr[j]);
    }
    CHECK(norm > 0.1);
  }
}

TEST_CASE("float kernel: relaxed access with one writer equals plain access bit for bit on CSR") {
  const small_problem s;
  const auto plain = s.train<float, kernel::plain_access>(s.d.csr(), 2);
  const auto relaxed = s.train<float, kernel::relaxed_access>(s.d.csr(), 2);
  CHECK(plain == relaxed);
}

TEST_CASE("float kernel: one update is float arithmetic") {
  // One example x = (0.1), y = +1, w = 0: g = -1, w ← 0 − γ (−0.1 + 0) = γ·0.1 in float.
  std::vector<std::uint64_t> row_ptr{0, 1};
  std::vector<std::uint32_t> idx{0};
  std::vector<float> val{0.1f}, labels{1.0f};
  const kernel::csr_view v{row_ptr.data(), idx.data(), val.data(), 1, 1};
  const double inv[] = {1.0};
  const std::uint32_t perm[] = {0};
  float w = 0.0f;
  kernel::sgd_range<models::svm, kernel::plain_access>(v, labels.data(), &w, inv, perm, 0, 1, {0.3, 0.0, 1, 1});
  CHECK(w == 0.3f * (-(-1.0f * 0.1f)));
}

TEST_CASE("a float32 segment holds 4-byte weights reached only through float accessors") {
  shm::segment_spec spec;
  spec.rows = 10;
  spec.dims = 4;
  spec.nnz = 20;
  spec.outputs = 3;
  spec.workers = 2;
  spec.batch_size = 2;
  spec.weight_precision = precision::float32;
  spec.replicas = true;
  const std::string name = shm::unique_name("hogwild-test");
  shm::owned_segment seg(name, spec);
  const auto& v = seg.view();
  v.row_ptr()[10] = 20;
  CHECK(v.weight_precision() == precision::float32);
  CHECK(v.hdr().weights.bytes == 4 * 3 * sizeof(float));
  CHECK_THROWS_AS(v.weights(), std::logic_error);
  CHECK_THROWS_AS(v.replica_as<double>(0), std::logic_error);
  CHECK(v.weights_for_as<float>(1) == v.replica_as<float>(1));
  const double w[12] = {0.5, -1.25, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0.1};
  shm::set_weights(v, w);
  CHECK(v.weights_as<float>()[11] == 0.1f);
  const auto back = shm::weights_to_double(v);
  CHECK(back[1] == -1.25);
  CHECK(back[11] == static_cast<double>(0.1f));
  SUBCASE("an attaching worker sees the precision and the same floats") {
    shm::attached_segment a(name);
    CHECK(a.view().weight_precision() == precision::float32);
    CHECK(a.view().weights_as<float>()[0] == 0.5f);
  }
  SUBCASE("an unknown precision is refused") {
    v.hdr().weight_precision = static_cast<precision>(2);
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("weight precision"), usage_error);
  }
  SUBCASE("a precision that does not match the model's section size is refused") {
    v.hdr().weight_precision = precision::float64;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("section sizes"), usage_error);
  }
}

TEST_CASE("--precision names parse and print") {
  CHECK(parse_precision("float32") == precision::float32);
  CHECK(parse_precision("float64") == precision::float64);
  CHECK_FALSE(parse_precision("float16").has_value());
  CHECK(std::string(name_of(precision::float32)) == "float32");
}
