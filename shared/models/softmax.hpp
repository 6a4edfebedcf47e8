// Multinomial logistic regression (softmax): scores s_c, label y a class index 0..C-1,
// loss log Σ_c exp(s_c) − s_y, gradient p_c − [c = y] with p = softmax(s). L2 added by the kernel.
#pragma once

#include <cmath>

#include "shared/models/argmax.hpp"

namespace hogwild::models {

struct softmax {
  static constexpr const char* name = "softmax";
  static constexpr bool binary_labels = false;
  static constexpr bool class_labels = true;
  static constexpr int fixed_outputs = 0;
  static double log_sum_exp(const double* s, int C) {
    double m = s[0];
    for (int c = 1; c < C; ++c) m = s[c] > m ? s[c] : m;
    double z = 0.0;
    for (int c = 0; c < C; ++c) z += std::exp(s[c] - m);
    return m + std::log(z);
  }
  static double loss(const double* s, float y, int C) { return log_sum_exp(s, C) - s[static_cast<int>(y)]; }
  static void dloss(const double* s, float yf, int C, double* g) {
    const double lse = log_sum_exp(s, C);
    for (int c = 0; c < C; ++c) g[c] = std::exp(s[c] - lse);
    g[static_cast<int>(yf)] -= 1.0;
  }
  static double predict(const double* s, int C) { return argmax(s, C); }
  static double error(const double* s, float y, int C) { return predict(s, C) != y ? 1.0 : 0.0; }
};

}  // namespace hogwild::models
