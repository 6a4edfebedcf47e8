// One call that every runner uses to run the kernel over a slice of the epoch's permutation in
// a mapped segment: it picks the model, the data layout and the weight-access policy.
#pragma once
#include <cstddef>

#include "shared/kernel.hpp"
#include "shared/segment.hpp"

namespace hogwild {

// concurrent = other writers may touch the model at the same time (relaxed atomic access).
kernel::range_result train_range(const shm::segment_view& seg, std::size_t begin, std::size_t end,
                                 double step, bool concurrent);
// The same on a given model array in the segment (a worker's replica: seg.weights_for(worker)).
kernel::range_result train_range(const shm::segment_view& seg, double* weights, std::size_t begin, std::size_t end,
                                 double step, bool concurrent);

}  // namespace hogwild
