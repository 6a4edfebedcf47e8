#include "shared/batch_phases.hpp"

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

}  // namespace hogwild
