// One call that every runner uses to run the kernel over a slice of the epoch's permutation in
// a mapped segment: it picks the model, the data layout, the weight type (--precision) and the
// weight-access policy.
#pragma once
#include <cstddef>
#include <cstdint>

#include "shared/kernel.hpp"
#include "shared/segment.hpp"

namespace hogwild {

// concurrent = other writers may touch the model at the same time (relaxed atomic access).
kernel::range_result train_range(const shm::segment_view& seg, std::size_t begin, std::size_t end,
                                 double step, bool concurrent);
// The same on the model that worker `worker` trains (its replica, or the shared model:
// seg.weights_for_as<T>(worker)).
kernel::range_result train_range_for(const shm::segment_view& seg, std::uint32_t worker, std::size_t begin,
                                     std::size_t end, double step, bool concurrent);

}  // namespace hogwild
