// Objective and error of a model on a data view (read with plain loads: callers evaluate only
// while no worker is writing the model).
#pragma once
#include <cstddef>

#include "shared/data_view.hpp"
#include "shared/models/registry.hpp"

namespace hogwild {

struct evaluation {
  double objective = 0.0;  // (1/n) Σ loss_i + (λ/2n) ‖w‖²
  double error = 0.0;      // misclassification rate, or mean squared error for least-squares
};

// w is float for a --precision float32 model: the scores are then summed in float, as the kernel
// sums them in training; the loss, error and ‖w‖² are accumulated in double in both precisions.
evaluation evaluate(models::model_kind model, const kernel::csr_view& data, const float* labels,
                    const double* w, int outputs, double lambda);
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const double* w, int outputs, double lambda);
evaluation evaluate(models::model_kind model, const kernel::csr_view& data, const float* labels,
                    const float* w, int outputs, double lambda);
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const float* w, int outputs, double lambda);

// Model predictions (class label or regression value) for each row.
void predict(models::model_kind model, const kernel::csr_view& data, const double* w, int outputs,
             double* out);

}  // namespace hogwild
