// --profile: turns the workers' stats slots and rusage into an epoch_profile.
#pragma once
#include <cstdint>
#include <vector>

#include "coordinator/executor.hpp"
#include "coordinator/metrics.hpp"
#include "shared/segment.hpp"

namespace hogwild {

// launch_ns/joined_ns: CLOCK_MONOTONIC just before the executor started the epoch and just after
// it returned. Evaluation time is filled in by the caller.
epoch_profile profile_epoch(const shm::segment_view& v, unsigned workers, std::int64_t launch_ns,
                            std::int64_t joined_ns, const std::vector<worker_usage>& usage);

}  // namespace hogwild
