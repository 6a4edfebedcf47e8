// The data of a run: synthetic (the course project's generators) or files (datasets/loader.hpp),
// with labels mapped for the model, and the defaults that depend on the data resolved.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "coordinator/config.hpp"
#include "datasets/loader.hpp"

namespace hogwild {

struct run_data {
  data::dataset train, validation, test;
  data::label_map labels;
  data::scaling scale;
  std::vector<double> true_weights;  // synthetic only
  std::string description;           // the "data:" line of the report
  std::string cache_note;            // the "cache:" line (files only)
  bool image_format = false;
};

// Builds the data; throws usage_error for bad files or labels that do not fit the model.
run_data prepare_data(const config& c);

// Fills what the command line left to the data: learning_rate == 0 → 1 / max squared row norm of
// the (scaled) training rows; the default worker count (one per core) capped at the training rows.
// Returns a line describing where the learning rate came from.
std::string resolve_data_defaults(config& c, const run_data& d);

data::label_task label_task_for(models::model_kind m);

// The segment's layout for the rows of `d` (--layout; auto: docs/usage.md). Auto picks dense rows
// from density 0.5 up (they are then no larger than CSR), and from density 1/6 up (dense at most
// 3x the CSR bytes) where the AVX2 dense loop trains them: float32 weights, a one-output model
// (`outputs`), a CPU with AVX2 (`avx2`), at most kernel::max_factor_dims columns, and a runner
// with plain access to its model (serial, round-robin, async with --replicas worker). Measured
// on the 2-core AMD EPYC VM, serial float32: dense rows as fast as CSR at density 0.1 and 2x
// faster at 0.2 and 0.3 (100 columns); at 1,000 columns CSR faster at 0.1, dense ~0.83 ns a
// column (docs/performance-log.md).
kernel::layout choose_layout(const config& c, const data::dataset& d, int outputs, bool avx2);

}  // namespace hogwild
