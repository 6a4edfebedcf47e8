// Linear regression: loss (s - y)² / 2 on real targets y; the error metric is the squared error,
// so "train_error"/"test_error" are mean squared errors for this model. L2 added by the kernel.
#pragma once

namespace hogwild::models {

struct least_squares {
  static constexpr const char* name = "least-squares";
  static constexpr bool binary_labels = false;
  static constexpr int fixed_outputs = 1;
  static double loss(const double* s, float y, int) {
    const double r = s[0] - y;
    return 0.5 * r * r;
  }
  static void dloss(const double* s, float y, int, double* g) { g[0] = s[0] - y; }
  static double predict(const double* s, int) { return s[0]; }
  static double error(const double* s, float y, int) {
    const double r = s[0] - y;
    return r * r;
  }
};

}  // namespace hogwild::models
