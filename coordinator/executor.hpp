// Executors run one epoch's worker tasks and wait for all of them. A failed worker makes the
// executor stop the others and throw runtime_failure naming the worker, epoch and cause; a
// SIGINT/SIGTERM makes it stop them all and throw interrupted. The executor is mode-agnostic: it
// runs N workers' tasks (worker_args) and reports failures; what a task computes is the worker's.
#pragma once
#include <sys/resource.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/config.hpp"
#include "shared/segment.hpp"
#include "worker/worker.hpp"

namespace hogwild {

struct worker_usage {
  rusage usage{};            // of the reaped worker process (page faults, context switches, CPU)
  bool has_rusage = false;   // false for threads and run-long workers: see the stats slot instead
};

class executor {
 public:
  virtual ~executor() = default;
  // Coordinator work to do while an epoch's workers are alive (e.g. sync mode's collector).
  // Called repeatedly, between the executor's checks for dead workers and stop signals; it blocks
  // for a short slice (a few milliseconds) and returns false once it has nothing more to do (the
  // executor then just waits). An exception from it stops the workers and propagates.
  using epoch_monitor = std::function<bool()>;
  // Runs every task to completion (or throws); usage[i] receives worker i's resource use.
  virtual void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                         const epoch_monitor& monitor = {}) = 0;
};

struct executor_setup {
  executor_kind kind = executor_kind::fork;
  worker_lifetime lifetime = worker_lifetime::epoch;
  attach_choice attach = attach_choice::automatic;
  std::string segment;                      // name, for workers that map it themselves
  const shm::segment_view* view = nullptr;  // the coordinator's mapping (threads, inherit)
  unsigned workers = 1;
};

std::unique_ptr<executor> make_executor(const executor_setup& setup);

// The attach mode `choice` resolves to for `kind` (automatic = the measured default).
worker::attach_mode resolve_attach(attach_choice choice, executor_kind kind);

// Per-kind factories (fork_executor.cpp, spawn_executor.cpp, thread_executor.cpp,
// run_executor.cpp).
std::unique_ptr<executor> make_fork_executor(const executor_setup& setup);
std::unique_ptr<executor> make_spawn_executor(const executor_setup& setup);
std::unique_ptr<executor> make_thread_executor(const executor_setup& setup);
std::unique_ptr<executor> make_run_executor(const executor_setup& setup);

}  // namespace hogwild
