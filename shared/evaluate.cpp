#include "shared/evaluate.hpp"

#include <algorithm>
#include <vector>

#include "shared/kernel.hpp"

namespace hogwild {
namespace {

struct chunk_sums {
  double loss = 0.0, err = 0.0;
};

// Loss and errors of rows [b, e).
template <class M, class View, class T>
chunk_sums sum_rows(const View& data, const float* labels, const T* w, int C, std::size_t b, std::size_t e) {
  double s[256];
  chunk_sums p;
  for (std::size_t i = b; i < e; ++i) {
    kernel::scores<kernel::plain_access, M::fixed_outputs>(data.row(i), w, C, s);
    p.loss += M::loss(s, labels[i], C);
    p.err += M::error(s, labels[i], C);
  }
  return p;
}
#if HOGWILD_DENSE_AVX2
// The same compiled for AVX2, for multi-output models (kernel.hpp, sgd_range_multi_avx2: the
// loops over the C outputs vectorise 4 doubles wide; the same bits).
template <class M, class View, class T>
[[gnu::target("avx2"), gnu::flatten]] chunk_sums sum_rows_avx2(const View& data, const float* labels, const T* w,
                                                              int C, std::size_t b, std::size_t e) {
  return sum_rows<M>(data, labels, w, C, b, e);
}
#endif

template <class View, class T>
evaluation evaluate_view(models::model_kind kind, const View& data, const float* labels,
                         const T* w, int C, double lambda, const chunk_runner* run) {
  return models::dispatch(kind, [&](auto m) {
    using M = decltype(m);
    const std::size_t chunks = (data.rows + eval_chunk_rows - 1) / eval_chunk_rows;
    std::vector<chunk_sums> part(chunks);
    const std::function<void(std::size_t)> sum_chunk = [&](std::size_t k) {
      const std::size_t begin = k * eval_chunk_rows, end = std::min(data.rows, (k + 1) * eval_chunk_rows);
#if HOGWILD_DENSE_AVX2
      if constexpr (M::fixed_outputs != 1) {
        if (kernel::dense_avx2_switch().load(std::memory_order_relaxed)) {
          part[k] = sum_rows_avx2<M>(data, labels, w, C, begin, end);
          return;
        }
      }
#endif
      part[k] = sum_rows<M>(data, labels, w, C, begin, end);
    };
    if (run && chunks > 1)
      (*run)(chunks, sum_chunk);
    else
      for (std::size_t k = 0; k < chunks; ++k) sum_chunk(k);
    double loss = 0.0, err = 0.0;
    for (const chunk_sums& p : part) {
      loss += p.loss;
      err += p.err;
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
                    const double* w, int outputs, double lambda, const chunk_runner* run) {
  return evaluate_view(model, data, labels, w, outputs, lambda, run);
}
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const double* w, int outputs, double lambda, const chunk_runner* run) {
  return evaluate_view(model, data, labels, w, outputs, lambda, run);
}

evaluation evaluate(models::model_kind model, const kernel::csr_view& data, const float* labels,
                    const float* w, int outputs, double lambda, const chunk_runner* run) {
  return evaluate_view(model, data, labels, w, outputs, lambda, run);
}
evaluation evaluate(models::model_kind model, const kernel::dense_view& data, const float* labels,
                    const float* w, int outputs, double lambda, const chunk_runner* run) {
  return evaluate_view(model, data, labels, w, outputs, lambda, run);
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
