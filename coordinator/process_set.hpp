// The worker processes of the fork and spawn executors and the loop that reaps them: wait4 with
// WNOHANG (collecting rusage) after every SIGCHLD or timeout, so SIGINT/SIGTERM stay responsive.
// Whatever is still running when the set is destroyed is SIGKILLed and reaped.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/executor.hpp"

namespace hogwild {

class process_set {
 public:
  process_set() = default;
  ~process_set();
  process_set(const process_set&) = delete;
  process_set& operator=(const process_set&) = delete;

  void add(std::size_t worker, pid_t pid);
  std::size_t running() const { return running_; }

  // Reaps what has finished, without blocking. A child that did not exit with 0 — or any child
  // at all when `any_exit_fails` (workers that should still be serving) — stops the rest and
  // throws runtime_failure "worker W (pid P) in epoch E ...". `epoch` is 1-based.
  void reap(std::uint32_t epoch, std::vector<worker_usage>* usage, bool any_exit_fails);
  // Reaps until every child has exited successfully; SIGINT/SIGTERM stop them all and throw
  // interrupted. Returns false if `deadline` passed first (max() = no deadline). A non-empty
  // `monitor` runs between checks (executor::epoch_monitor); while it returns true the loop does
  // not sleep.
  bool wait_all(std::uint32_t epoch, std::vector<worker_usage>* usage,
                std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max(),
                const executor::epoch_monitor& monitor = {});
  void stop_all();  // SIGKILL + reap

 private:
  struct entry {
    std::size_t worker;
    pid_t pid;
  };
  std::vector<entry> procs_;
  std::size_t running_ = 0;
};

// Starts a worker process running `body` in a fork()ed child, which _exit()s with its result.
// Throws runtime_failure naming worker and epoch (1-based) if fork fails.
pid_t fork_worker(std::size_t worker, std::uint32_t epoch, const std::function<int()>& body);

// Starts the hogwild-worker executable with `args` (Boost.Process). The child gets the default
// signal mask and dispositions and SIGKILL on coordinator death. Throws runtime_failure.
pid_t spawn_worker(std::size_t worker, std::uint32_t epoch, const std::vector<std::string>& args);

// Every child that a process_set started and has not reaped yet, as (pid, worker index). Safe from
// any thread (the stall watchdog looks for a killed worker among them).
std::vector<std::pair<pid_t, std::size_t>> started_workers();

// Path of hogwild-worker: $HOGWILD_WORKER, else next to this executable, else the build tree's.
std::string worker_executable();

}  // namespace hogwild
