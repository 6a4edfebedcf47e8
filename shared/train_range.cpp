#include "shared/train_range.hpp"

namespace hogwild {
namespace {

template <class T>
kernel::range_result train_range_on(const shm::segment_view& seg, T* weights, std::size_t begin, std::size_t end,
                                    double step, bool concurrent) {
  const shm::header& h = seg.hdr();
  const kernel::step_params p{step, h.lambda, h.batch_size, static_cast<int>(h.outputs)};
  return models::dispatch(h.model, [&](auto m) {
    using M = decltype(m);
    auto run = [&](auto access, const auto& view) {
      using A = decltype(access);
      return kernel::sgd_range<M, A>(view, seg.labels(), weights, seg.inv_du(), seg.perm(),
                                     begin, end, p);
    };
    auto with_layout = [&](auto access) {
      return h.data_layout == kernel::layout::csr ? run(access, seg.csr()) : run(access, seg.dense());
    };
    return concurrent ? with_layout(kernel::relaxed_access{}) : with_layout(kernel::plain_access{});
  });
}

}  // namespace

kernel::range_result train_range(const shm::segment_view& seg, std::size_t begin, std::size_t end,
                                 double step, bool concurrent) {
  return dispatch_precision(seg.weight_precision(), [&](auto t) {
    return train_range_on(seg, seg.weights_as<decltype(t)>(), begin, end, step, concurrent);
  });
}

kernel::range_result train_range_for(const shm::segment_view& seg, std::uint32_t worker, std::size_t begin,
                                     std::size_t end, double step, bool concurrent) {
  return dispatch_precision(seg.weight_precision(), [&](auto t) {
    return train_range_on(seg, seg.weights_for_as<decltype(t)>(worker), begin, end, step, concurrent);
  });
}

}  // namespace hogwild
