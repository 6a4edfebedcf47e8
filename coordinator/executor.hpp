// Executors start one epoch's workers and wait for all of them. A failed worker makes the
// executor stop the others and throw runtime_failure naming the worker, epoch and cause; a
// SIGINT/SIGTERM makes it stop them all and throw interrupted.
#pragma once
#include <sys/resource.h>

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
  // Runs every task to completion (or throws); usage[i] receives worker i's resource use.
  virtual void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage) = 0;
};

std::unique_ptr<executor> make_executor(executor_kind kind);

}  // namespace hogwild
