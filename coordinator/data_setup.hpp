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
// the (scaled) training rows. Returns a line describing where each default came from.
std::string resolve_data_defaults(config& c, const run_data& d);

data::label_task label_task_for(models::model_kind m);

}  // namespace hogwild
