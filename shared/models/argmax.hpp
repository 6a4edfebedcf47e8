// Shared by the multiclass models: the class with the highest score (the first one on ties).
#pragma once

namespace hogwild::models {

inline int argmax(const double* s, int C) {
  int best = 0;
  for (int c = 1; c < C; ++c)
    if (s[c] > s[best]) best = c;
  return best;
}

}  // namespace hogwild::models
