// Each model's gradient, as the kernel applies it, against central finite differences of the
// per-example objective f_i(w) = loss(s(x_i), y_i) + (λ/2) Σ_{u ∈ nz(x_i)} w_u² / d_u.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "shared/kernel.hpp"
#include "shared/models/registry.hpp"
#include "shared/rng.hpp"

using namespace hogwild;

namespace {

struct example {
  std::vector<std::uint64_t> row_ptr{0};
  std::vector<std::uint32_t> idx;
  std::vector<float> val;
  std::vector<float> labels;
  std::size_t dims = 0;
  kernel::csr_view view() const { return {row_ptr.data(), idx.data(), val.data(), labels.size(), dims}; }
};

template <class M>
double objective_i(const example& ex, const std::vector<double>& w, const std::vector<double>& inv_du, double lambda) {
  double s = 0.0;
  auto row = ex.view().row(0);
  kernel::scores<kernel::plain_access, 1>(row, w.data(), 1, &s);
  double reg = 0.0;
  for (std::uint32_t k = 0; k < row.nnz; ++k) reg += w[row.idx[k]] * w[row.idx[k]] * inv_du[row.idx[k]];
  return M::loss(&s, ex.labels[0], 1) + 0.5 * lambda * reg;
}

template <class M>
void check_gradient(float label) {
  rng g(7);
  example ex;
  ex.dims = 12;
  for (std::uint32_t j = 0; j < ex.dims; j += 2) {  // every other column nonzero
    ex.idx.push_back(j);
    ex.val.push_back(static_cast<float>(g.uniform(-1, 1)));
  }
  ex.row_ptr.push_back(ex.idx.size());
  ex.labels.push_back(label);
  std::vector<double> w(ex.dims), inv_du(ex.dims);
  for (auto& x : w) x = g.uniform(-0.3, 0.3);
  for (auto& x : inv_du) x = 1.0 / static_cast<double>(1 + g.below(5));
  const double lambda = 0.7, gamma = 1e-3;
  std::vector<double> updated = w;
  const std::uint32_t perm[] = {0};
  const kernel::step_params p{gamma, lambda, 1, 1};
  kernel::sgd_range<M, kernel::plain_access>(ex.view(), ex.labels.data(), updated.data(), inv_du.data(), perm, 0, 1, p);
  for (std::size_t u = 0; u < ex.dims; ++u) {
    const double h = 1e-6;
    auto plus = w, minus = w;
    plus[u] += h;
    minus[u] -= h;
    const double numeric = (objective_i<M>(ex, plus, inv_du, lambda) - objective_i<M>(ex, minus, inv_du, lambda)) / (2 * h);
    const double applied = (w[u] - updated[u]) / gamma;  // the kernel's gradient
    CAPTURE(u);
    CHECK(applied == doctest::Approx(numeric).epsilon(1e-5));
  }
}

}  // namespace

TEST_CASE("model gradients match central finite differences") {
  SUBCASE("svm, margin violated") { check_gradient<models::svm>(1.0f); }
  SUBCASE("svm, other label") { check_gradient<models::svm>(-1.0f); }
  SUBCASE("logistic") {
    check_gradient<models::logistic>(1.0f);
    check_gradient<models::logistic>(-1.0f);
  }
  SUBCASE("least-squares") { check_gradient<models::least_squares>(0.37f); }
}

TEST_CASE("model losses and errors on known scores") {
  const double s_pos = 2.0, s_small = 0.25, s_neg = -0.5;
  CHECK(models::svm::loss(&s_pos, 1, 1) == 0.0);
  CHECK(models::svm::loss(&s_small, 1, 1) == doctest::Approx(0.75));
  CHECK(models::svm::loss(&s_neg, 1, 1) == doctest::Approx(1.5));
  CHECK(models::svm::error(&s_neg, 1, 1) == 1.0);
  CHECK(models::svm::error(&s_neg, -1, 1) == 0.0);
  CHECK(models::logistic::loss(&s_neg, -1, 1) == doctest::Approx(std::log1p(std::exp(-0.5))));
  const double big = 800.0;  // no overflow
  CHECK(models::logistic::loss(&big, -1, 1) == doctest::Approx(800.0));
  CHECK(models::least_squares::error(&s_neg, 1.5f, 1) == doctest::Approx(4.0));
}

// svm::dloss is computed from bits (no branch): it must give what `y s < 1 ? -y : 0` gives,
// sign of zero included, on both sides of the margin, on it, and for a NaN score.
TEST_CASE("svm hinge coefficient is -y inside the margin and +0 elsewhere, bit for bit") {
  const auto bits = [](double v) {
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
  };
  const double scores[] = {-3.0, -1.0, -0.0, 0.0, 0.5, 0.999999, 1.0, 1.5, 1e300, std::nan("")};
  for (const float y : {1.0f, -1.0f})
    for (const double s : scores) {
      double g = 12345.0;
      models::svm::dloss(&s, y, 1, &g);
      const double want = (y * s < 1.0) ? -static_cast<double>(y) : 0.0;
      CAPTURE(s);
      CAPTURE(y);
      CHECK(bits(g) == bits(want));
    }
  const double on_margin = 1.0, inside = 0.25;
  double g = 1.0;
  models::svm::dloss(&on_margin, 1.0f, 1, &g);
  CHECK(bits(g) == bits(0.0));  // +0, not -0
  models::svm::dloss(&inside, -1.0f, 1, &g);
  CHECK(g == 1.0);
}

TEST_CASE("model registry round-trips names") {
  for (auto k : models::all_models) CHECK(models::parse_model(models::name_of(k)) == k);
  CHECK_FALSE(models::parse_model("bogus").has_value());
}

// Every model in the registry, including one added later, gets this check: the kernel's update for
// one example equals −γ times the central finite difference of
// loss(s(x), y) + (λ/2) Σ_{u ∈ nz(x)} Σ_c w_uc² / d_u.
TEST_CASE("every registered model's gradient matches central finite differences") {
  for (auto kind : models::all_models) {
    models::dispatch(kind, [&](auto m) {
      using M = decltype(m);
      CAPTURE(M::name);
      const auto labels_of = models::label_type_of(kind);
      const int C = labels_of == models::label_type::classes ? 3 : 1;
      std::vector<float> ys;
      if (labels_of == models::label_type::classes) ys = {0.0f, 1.0f, 2.0f};
      else if (labels_of == models::label_type::binary) ys = {1.0f, -1.0f};
      else ys = {0.37f, -1.2f};
      rng g(11);
      for (float y : ys) {
        CAPTURE(y);
        const std::size_t dims = 9;
        std::vector<std::uint64_t> row_ptr{0};
        std::vector<std::uint32_t> idx;
        std::vector<float> val;
        for (std::uint32_t j = 1; j < dims; j += 2) {
          idx.push_back(j);
          val.push_back(static_cast<float>(g.uniform(-1, 1)));
        }
        row_ptr.push_back(idx.size());
        const std::vector<float> labels{y};
        const kernel::csr_view view{row_ptr.data(), idx.data(), val.data(), 1, dims};
        std::vector<double> w(dims * C), inv(dims);
        for (auto& x : w) x = g.uniform(-0.4, 0.4);
        for (auto& x : inv) x = 1.0 / static_cast<double>(1 + g.below(4));
        const double lambda = 0.3, gamma = 1e-3;
        auto objective = [&](const std::vector<double>& wv) {
          double s[8];
          kernel::scores<kernel::plain_access, M::fixed_outputs>(view.row(0), wv.data(), C, s);
          double reg = 0.0;
          for (auto u : idx)
            for (int c = 0; c < C; ++c) reg += wv[u * C + c] * wv[u * C + c] * inv[u];
          return M::loss(s, y, C) + 0.5 * lambda * reg;
        };
        std::vector<double> updated = w;
        const std::uint32_t perm[] = {0};
        kernel::sgd_range<M, kernel::plain_access>(view, labels.data(), updated.data(), inv.data(), perm, 0, 1,
                                                   {gamma, lambda, 1, C});
        for (std::size_t k = 0; k < w.size(); ++k) {
          auto plus = w, minus = w;
          plus[k] += 1e-6;
          minus[k] -= 1e-6;
          const double numeric = (objective(plus) - objective(minus)) / 2e-6;
          CAPTURE(k);
          CHECK((w[k] - updated[k]) / gamma == doctest::Approx(numeric).epsilon(1e-5).scale(1e-6));
        }
      }
    });
  }
}
