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

// Distributed sync: composes the affine map of perm[b..e) with coefficients g onto `maps`
// (kernel::compose_batch; dims records of 1 + outputs doubles) with the given scale (= step / the
// size of the whole global batch, of which [b, e) is this rank's piece).
void compose_batch(const shm::segment_view& seg, std::size_t b, std::size_t e, const double* g, double scale,
                   double* maps);

// Phase 2 for rows that are not in the segment (another rank's examples): rows 0..rows.rows-1 in
// order, coefficients g, the given scale; the segment's model, d_u and λ. The same arithmetic as
// apply_batch on the same rows.
void apply_batch_rows(const shm::segment_view& seg, const kernel::csr_view& rows, const double* g, double scale);

// w <- A·w - B for every coordinate and output (the composed map of a global batch).
void apply_maps(const shm::segment_view& seg, const double* maps);

}  // namespace hogwild
