// The worker side of the sync and round-robin modes (protocols described in shared/ipc.hpp).
#pragma once
#include <functional>

#include "shared/kernel.hpp"
#include "shared/segment.hpp"
#include "worker/worker.hpp"

namespace hogwild::worker {

// `fail` is called half-way through the epoch when a fault is injected (it does not return for
// kill, exit and hang). Both throw runtime_failure when the coordinator vanishes or the protocol
// is violated.
// in_thread: a thread worker of the coordinator (stop signals are then left alone; see sync_worker.cpp).
kernel::range_result run_sync(const worker_args& a, const shm::segment_view& v, const std::function<void()>& fail,
                              bool in_thread);
kernel::range_result run_round_robin(const worker_args& a, const shm::segment_view& v,
                                     const std::function<void()>& fail);

}  // namespace hogwild::worker
