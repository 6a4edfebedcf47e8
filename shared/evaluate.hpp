// Objective and error of a model on a data view (read with plain loads: callers evaluate only
// while no worker is writing the model).
#pragma once
#include <cstddef>
#include <functional>

#include "shared/data_view.hpp"
#include "shared/models/registry.hpp"

namespace hogwild {

struct evaluation {
  double objective = 0.0;  // (1/n) Σ loss_i + (λ/2n) ‖w‖²
  double error = 0.0;      // misclassification rate, or mean squared error for least-squares
};

// Calls fn(0), ..., fn(count - 1), on as many threads as it has, and returns when all returned.
using chunk_runner = std::function<void(std::size_t count, const std::function<void(std::size_t)>& fn)>;

// Rows are summed in chunks of this many, each chunk from zero, and the chunks' sums are added in
// chunk order: the result is the same bits whether the chunks run on one thread or many. A set
// of at most this many rows is one chunk, summed row by row from zero.
inline constexpr std::size_t eval_chunk_rows = 1024;

// w is float for a --precision float32 model: the scores are then summed in float, as the kernel
// sums them in training; the loss, error and ‖w‖² are accumulated in double in both precisions.
// `run` (optional) spreads the chunks over threads.
evaluation evaluate(models::model_kind model, const kernel::csr_view& data, const float* labels,
                    const double* w, int outputs, double lambda, const chunk_runner* run = nullptr);
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const double* w, int outputs, double lambda, const chunk_runner* run = nullptr);
evaluation evaluate(models::model_kind model, const kernel::csr_view& data, const float* labels,
                    const float* w, int outputs, double lambda, const chunk_runner* run = nullptr);
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const float* w, int outputs, double lambda, const chunk_runner* run = nullptr);

// Model predictions (class label or regression value) for each row.
void predict(models::model_kind model, const kernel::csr_view& data, const double* w, int outputs,
             double* out);

}  // namespace hogwild
