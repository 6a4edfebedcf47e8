// The class balance of a run's labels, for the report: the "labels:" line says how often the
// largest class occurs and what test error always predicting it gives — the figure an error rate
// must beat. The seed course project's λ = 10 predicted only the majority class, and its 11.9%
// test error was nothing but the class balance (docs/experiments.md). A warning when one class
// fills at least 99% of the training rows: a near-zero error says little there.
#pragma once
#include <string>
#include <vector>

#include "datasets/loader.hpp"
#include "shared/models/registry.hpp"

namespace hogwild {

struct label_balance {
  std::string line;     // the "labels:" line without its prefix; empty for real-valued targets
  std::string warning;  // empty unless the largest class has >= 99% of the training rows
};

// `train` and `test` are model labels (binary: -1/+1; classes: 0..C-1); `names` maps them back
// to the labels as read (an empty map: synthetic data, named -1/+1). `rows` names the rows the
// largest class is taken from ("training"; "test" where a saved model is scored and there are no
// training rows: --load-model passes the test labels as both).
label_balance describe_label_balance(models::label_type type, const data::label_map& names,
                                     const std::vector<float>& train, const std::vector<float>& test,
                                     const char* rows = "training");

}  // namespace hogwild
