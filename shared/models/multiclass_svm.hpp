// Multiclass linear SVM, Crammer–Singer hinge: one weight vector per class (scores s_c), label y a
// class index 0..C-1, loss max(0, 1 + max_{c≠y} s_c − s_y). Its (sub)gradient touches only two
// outputs: +1 for the most-violating class c*, −1 for y, when the margin is violated.
// L2 added by the kernel (paper's sparse form, on every output of a touched coordinate).
#pragma once

#include "shared/models/argmax.hpp"

namespace hogwild::models {

struct multiclass_svm {
  static constexpr const char* name = "multiclass-svm";
  static constexpr bool binary_labels = false;
  static constexpr bool class_labels = true;  // labels are class indices 0..C-1
  static constexpr int fixed_outputs = 0;     // C comes from the data
  static int rival(const double* s, int y, int C) {
    int best = y == 0 ? 1 : 0;
    for (int c = 0; c < C; ++c)
      if (c != y && s[c] > s[best]) best = c;
    return best;
  }
  static double loss(const double* s, float yf, int C) {
    const int y = static_cast<int>(yf);
    const double m = 1.0 + s[rival(s, y, C)] - s[y];
    return m > 0 ? m : 0.0;
  }
  static void dloss(const double* s, float yf, int C, double* g) {
    const int y = static_cast<int>(yf);
    for (int c = 0; c < C; ++c) g[c] = 0.0;
    const int r = rival(s, y, C);
    if (1.0 + s[r] - s[y] > 0) {
      g[r] = 1.0;
      g[y] = -1.0;
    }
  }
  static double predict(const double* s, int C) { return argmax(s, C); }
  static double error(const double* s, float y, int C) { return predict(s, C) != y ? 1.0 : 0.0; }
};

}  // namespace hogwild::models
