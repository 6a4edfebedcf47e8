// Synthetic data of the course project (seed) experiments, fixed by a seed:
//  - svm: each feature is nonzero with probability ρ (density), value ~ U(0, 1); the true model
//    w* ~ U(-0.5, 0.5)^D; label y = sign(x·w*) (+1 when x·w* = 0).
//  - regression: same features; target y = x·w* (noiseless).
// The test rows come from the same generator, after the training rows.
#pragma once
#include <cstdint>
#include <vector>

#include "datasets/dataset.hpp"

namespace hogwild::data {

enum class synthetic_kind { svm, regression };

struct synthetic_spec {
  synthetic_kind kind = synthetic_kind::svm;
  std::size_t rows = 10000;
  std::size_t test_rows = 1000;
  std::size_t dims = 100;
  double density = 0.2;
  std::uint64_t seed = 1;
};

struct synthetic_data {
  dataset train, test;
  std::vector<double> true_weights;
};

synthetic_data make_synthetic(const synthetic_spec& spec);

}  // namespace hogwild::data
