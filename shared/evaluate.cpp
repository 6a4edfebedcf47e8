#include "shared/evaluate.hpp"

#include "shared/kernel.hpp"

namespace hogwild {
namespace {

template <class View, class T>
evaluation evaluate_view(models::model_kind kind, const View& data, const float* labels,
                         const T* w, int C, double lambda) {
  return models::dispatch(kind, [&](auto m) {
    using M = decltype(m);
    double s[256];
    double loss = 0.0, err = 0.0;
    for (std::size_t i = 0; i < data.rows; ++i) {
      kernel::scores<kernel::plain_access, M::fixed_outputs>(data.row(i), w, C, s);
      loss += M::loss(s, labels[i], C);
      err += M::error(s, labels[i], C);
    }
    double norm2 = 0.0;
    for (std::size_t j = 0; j < data.dims * static_cast<std::size_t>(C); ++j) {
      const double wj = w[j];
      norm2 += wj * wj;
    }
    const double n = data.rows ? static_cast<double>(data.rows) : 1.0;
    return evaluation{(loss + 0.5 * lambda * norm2) / n, err / n};
  });
}

}  // namespace

evaluation evaluate(models::model_kind model, const kernel::csr_view& data, const float* labels,
                    const double* w, int outputs, double lambda) {
  return evaluate_view(model, data, labels, w, outputs, lambda);
}
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const double* w, int outputs, double lambda) {
  return evaluate_view(model, data, labels, w, outputs, lambda);
}

evaluation evaluate(models::model_kind model, const kernel::csr_view& data, const float* labels,
                    const float* w, int outputs, double lambda) {
  return evaluate_view(model, data, labels, w, outputs, lambda);
}
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const float* w, int outputs, double lambda) {
  return evaluate_view(model, data, labels, w, outputs, lambda);
}

void predict(models::model_kind kind, const kernel::csr_view& data, const double* w, int C, double* out) {
  models::dispatch(kind, [&](auto m) {
    using M = decltype(m);
    double s[256];
    for (std::size_t i = 0; i < data.rows; ++i) {
      kernel::scores<kernel::plain_access, M::fixed_outputs>(data.row(i), w, C, s);
      out[i] = M::predict(s, C);
    }
  });
}

}  // namespace hogwild
