// The epoch loop: builds the data, creates the run's segment, and per epoch shuffles the
// permutation, runs the mode's runner, evaluates and reports. The segment is removed on every
// way out of train() (return, usage error, worker failure, interruption).
#pragma once
#include <cstdio>
#include <vector>

#include "coordinator/config.hpp"
#include "coordinator/metrics.hpp"

namespace hogwild {

struct run_result {
  std::vector<double> weights;  // dims × outputs, w[j*outputs + c]
  std::vector<epoch_metrics> history;
  std::vector<double> true_weights;  // of the synthetic generator
};

class cluster;

// `out` receives the human-readable report (nullptr = silent).
run_result train(const config& c, std::FILE* out);
// One rank of a --distributed run (`net` = nullptr: the same as above).
run_result train(const config& c, std::FILE* out, cluster* net);

}  // namespace hogwild
