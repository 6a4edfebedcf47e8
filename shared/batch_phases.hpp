// The kernel's two phases over a slice of a mapped segment's permutation, dispatched on the
// segment's model, data layout and weight type (train_range does both phases together; sync mode splits them
// between processes). Plain (non-atomic) weight access: callers guarantee that no one writes the
// model meanwhile, which also keeps the arithmetic identical to the serial runner's.
#pragma once
#include <cstddef>

#include "shared/segment.hpp"

namespace hogwild {

// Phase 1: g[(i-b)*C + c] for perm[b..e) at the current model. Returns the summed data loss.
double batch_coefficients(const shm::segment_view& seg, std::size_t b, std::size_t e, double* g);

// Phase 2: applies g for perm[b..e) with scale = step / (e - b) (one update of the batch).
void apply_batch(const shm::segment_view& seg, std::size_t b, std::size_t e, const double* g, double step);

}  // namespace hogwild
