// Executors start one epoch's workers and wait for all of them. A failed worker makes the
// executor stop the others and throw runtime_failure naming the worker, epoch and cause; a
// SIGINT/SIGTERM makes it stop them all and throw interrupted.
#pragma once
#include <sys/resource.h>

#include <functional>
#include <memory>
#include <vector>

#include "coordinator/config.hpp"
#include "worker/worker.hpp"

namespace hogwild {

struct worker_usage {
  rusage usage{};  // of the reaped worker process (page faults, context switches, CPU)
};

class executor {
 public:
  virtual ~executor() = default;
  // Called repeatedly while the workers run, between the executor's checks for dead workers and
  // stop signals; it blocks for a short slice and returns false once it has nothing more to do
  // (the executor then just waits). An exception from it stops the workers and propagates.
  using epoch_monitor = std::function<bool()>;
  // Runs every task to completion (or throws); usage[i] receives worker i's resource use.
  virtual void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                         const epoch_monitor& monitor = {}) = 0;
};

std::unique_ptr<executor> make_executor(executor_kind kind);

}  // namespace hogwild
