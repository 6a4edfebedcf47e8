// Mode-specific coordinator work that runs while an epoch's workers are alive (sync: collect the
// workers' coefficients and apply each step; round-robin: watch the turns). The executor calls
// poll() repeatedly between its own checks for dead workers and stop signals, so a protocol never
// has to know about processes, and a dead worker or a signal is noticed within one poll slice.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "coordinator/config.hpp"
#include "shared/segment.hpp"
#include "worker/worker.hpp"

namespace hogwild {

class cluster;

// --distributed sync (docs/distributed.md): each step's global batch is the concatenation, in rank
// order, of every rank's K·W-example piece; the sync protocol composes the pieces across ranks.
struct rank_plan {
  cluster* net = nullptr;
  std::vector<std::uint64_t> shard_rows;  // training rows of every rank, in rank order
  std::uint64_t max_row_entries = 0;      // the longest training row (stored entries), over all shards
};

class epoch_protocol {
 public:
  virtual ~epoch_protocol() = default;
  // Before the workers start: reset shared state, fill each task's range and mode-specific handles.
  virtual void prepare_epoch(std::vector<worker::worker_args>& tasks, unsigned epoch, double step) = 0;
  // Does a slice of work (blocks ~50 ms at most). Returns false once the epoch needs nothing more
  // from the coordinator. Throws runtime_failure on a timeout (naming the worker) or a protocol error.
  virtual bool poll() = 0;
  // After every worker exited cleanly: checks that the epoch really completed.
  virtual void finish_epoch() = 0;
};

// Bytes the segment's sync area needs for config `c` (0 for async and serial).
std::uint64_t protocol_sync_bytes(const config& c, std::uint64_t rows, std::uint32_t outputs);

// nullptr for async and serial. The sync protocol creates the run's message queues (removed when
// it is destroyed, on every exit path).
// `plan`: a --distributed run's ranks (sync mode only); nullptr on one machine.
std::unique_ptr<epoch_protocol> make_protocol(const config& c, const shm::segment_view& v,
                                              const rank_plan* plan = nullptr);

std::unique_ptr<epoch_protocol> make_sync_protocol(const config& c, const shm::segment_view& v,
                                                   const rank_plan* plan = nullptr);
std::unique_ptr<epoch_protocol> make_round_robin_protocol(const config& c, const shm::segment_view& v);

}  // namespace hogwild
