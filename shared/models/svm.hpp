// Linear SVM: hinge loss max(0, 1 - y s) on the score s = w·x, labels y in {-1, +1}.
// The L2 term is added by the kernel in the Hogwild! paper's sparse form (Niu et al. 2011, §5):
// example α carries (λ/2) Σ_{u ∈ e_α} w_u² / d_u, so the per-example terms sum to (λ/2)‖w‖².
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace hogwild::models {

struct svm {
  static constexpr const char* name = "svm";
  static constexpr bool binary_labels = true;  // labels must be -1 or +1
  static constexpr int fixed_outputs = 1;      // one score per example
  // max(m, 0) as (m + |m|)/2, which is exact for every finite m: GCC compiles `m > 0 ? m : 0`
  // into a branch here, and whether an example is inside the margin is data-dependent (a
  // misprediction per such example in every evaluation pass).
  static double loss(const double* s, float y, int) {
    const double m = 1.0 - y * s[0];
    return 0.5 * (m + std::fabs(m));
  }
  // d loss / d s: −y inside the margin (y s < 1), +0 outside, as `y s < 1 ? −y : 0` gives it, but
  // computed without a branch: GCC compiles that select into a conditional jump, and which side an
  // example falls on is data-dependent. The misprediction cost 10 ns of the 43 ns a float32 dense
  // example took on an Intel Xeon (serial kernel, default data; CSR float64 61 → 51 ns;
  // docs/performance-log.md). The result keeps −y's bits or is +0.0, exactly the select's.
  static void dloss(const double* s, float y, int, double* g) {
    const double minus_y = -static_cast<double>(y);
    std::uint64_t bits;
    std::memcpy(&bits, &minus_y, sizeof bits);
    bits &= std::uint64_t{0} - static_cast<std::uint64_t>(y * s[0] < 1.0);  // all ones or zero
    std::memcpy(g, &bits, sizeof bits);
  }
  static double predict(const double* s, int) { return s[0] >= 0 ? 1.0 : -1.0; }
  // Misclassification (0 or 1).
  static double error(const double* s, float y, int c) { return predict(s, c) != y ? 1.0 : 0.0; }
};

}  // namespace hogwild::models
