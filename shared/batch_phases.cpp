#include "shared/batch_phases.hpp"

#include <vector>

#include "shared/kernel.hpp"

namespace hogwild {
namespace {

template <class F>
decltype(auto) with_view(const shm::segment_view& seg, F&& f) {
  return seg.hdr().data_layout == kernel::layout::csr ? f(seg.csr()) : f(seg.dense());
}

}  // namespace

double batch_coefficients(const shm::segment_view& seg, std::size_t b, std::size_t e, double* g) {
  if (b >= e) return 0.0;
  const shm::header& h = seg.hdr();
  return models::dispatch(h.model, [&](auto m) {
    using M = decltype(m);
    return with_view(seg, [&](const auto& view) {
      return dispatch_precision(seg.weight_precision(), [&](auto t) {
        return kernel::batch_coefficients<M, kernel::plain_access>(view, seg.labels(), seg.weights_as<decltype(t)>(),
                                                                   seg.perm(), b, e, static_cast<int>(h.outputs), g);
      });
    });
  });
}

void apply_batch(const shm::segment_view& seg, std::size_t b, std::size_t e, const double* g, double step) {
  if (b >= e) return;
  const shm::header& h = seg.hdr();
  models::dispatch(h.model, [&](auto m) {
    using M = decltype(m);
    with_view(seg, [&](const auto& view) {
      dispatch_precision(seg.weight_precision(), [&](auto t) {
        kernel::apply_batch<kernel::plain_access, M::fixed_outputs>(view, seg.weights_as<decltype(t)>(), seg.inv_du(),
                                                                    seg.perm(), b, e, static_cast<int>(h.outputs), g,
                                                                    step / static_cast<double>(e - b), h.lambda);
      });
    });
  });
}

void compose_batch(const shm::segment_view& seg, std::size_t b, std::size_t e, const double* g, double scale,
                   double* maps) {
  if (b >= e) return;
  const shm::header& h = seg.hdr();
  with_view(seg, [&](const auto& view) {
    kernel::compose_batch(view, seg.inv_du(), seg.perm(), b, e, static_cast<int>(h.outputs), g, scale, h.lambda, maps);
  });
}

void apply_batch_rows(const shm::segment_view& seg, const kernel::csr_view& rows, const double* g, double scale) {
  const shm::header& h = seg.hdr();
  // Identity order: perm[i] = i (at most K·W entries, the batch size bound keeps this small).
  std::vector<std::uint32_t> order(rows.rows);
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  models::dispatch(h.model, [&](auto m) {
    using M = decltype(m);
    kernel::apply_batch<kernel::plain_access, M::fixed_outputs>(rows, seg.weights(), seg.inv_du(), order.data(), 0,
                                                                rows.rows, static_cast<int>(h.outputs), g, scale,
                                                                h.lambda);
  });
}

void apply_maps(const shm::segment_view& seg, const double* maps) {
  const std::size_t C = seg.hdr().outputs, width = 1 + C, dims = seg.hdr().dims;
  double* w = seg.weights();
  for (std::size_t j = 0; j < dims; ++j) {
    const double* m = maps + j * width;
    if (m[0] == 1.0) {
      bool identity = true;
      for (std::size_t c = 0; c < C; ++c) identity = identity && m[1 + c] == 0.0;
      if (identity) continue;  // untouched by the global batch: w stays bit for bit
    }
    for (std::size_t c = 0; c < C; ++c) w[j * C + c] = m[0] * w[j * C + c] - m[1 + c];
  }
}

}  // namespace hogwild
