// Binary logistic regression: loss log(1 + exp(-y s)), labels y in {-1, +1}; L2 added by the kernel.
#pragma once
#include <cmath>

namespace hogwild::models {

struct logistic {
  static constexpr const char* name = "logistic";
  static constexpr bool binary_labels = true;
  static constexpr int fixed_outputs = 1;
  static double loss(const double* s, float y, int) {
    const double z = y * s[0];  // log1p(exp(-z)) without overflow
    return z > 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z));
  }
  static void dloss(const double* s, float y, int, double* g) { g[0] = -y / (1.0 + std::exp(y * s[0])); }
  static double predict(const double* s, int) { return s[0] >= 0 ? 1.0 : -1.0; }
  static double error(const double* s, float y, int c) { return predict(s, c) != y ? 1.0 : 0.0; }
};

}  // namespace hogwild::models
