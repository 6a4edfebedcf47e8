// A way out of a wait that a dead process can make endless. Sync mode's coordinator receives on a
// Boost.Interprocess message_queue whose lock is a plain process-shared mutex: a worker killed
// (kill -9, the OOM killer) while it holds that lock, inside its send, leaves it locked for ever,
// and the coordinator's next receive blocks in the mutex, where neither its timeout nor a signal
// (the coordinator collects signals synchronously, docs/reliability.md) reaches it.
//
// The coordinator's thread marks the blocking call (enter/leave). A helper thread looks four
// times a second: when the call has lasted longer than `limit` (the receive itself gives up after
// 20 ms) and a worker process (process_set) lies killed by a signal and unreaped, at two looks in
// a row, the run can never go on (a worker cannot exit normally in the middle of a send, so only
// a signal can have ended one there). The helper then reports that worker, removes this
// process's /dev/shm entries, renames the outputs being written (the metrics rows so far) into
// place and ends the process with exit code 1; the worker processes die of their PDEATHSIG
// (SIGKILL). Neither --on-worker-failure retry nor the checkpoint's last write can happen then:
// the coordinator's thread is stuck.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace hogwild {

class stall_watchdog {
 public:
  // `what`: the call watched, for the report (a string literal, e.g. "the sync ready queue").
  stall_watchdog(const char* what, std::chrono::milliseconds limit);
  ~stall_watchdog();
  stall_watchdog(const stall_watchdog&) = delete;
  stall_watchdog& operator=(const stall_watchdog&) = delete;

  // Marks the calling thread inside / outside the watched call; `epoch` (1-based) goes into the
  // report.
  void enter(std::uint32_t epoch) noexcept;
  void leave() noexcept;

  // enter() now, leave() at the end of the scope; nothing when `w` is null (no watchdog).
  class scope {
   public:
    scope(stall_watchdog* w, std::uint32_t epoch) noexcept : w_(w) {
      if (w_) w_->enter(epoch);
    }
    ~scope() {
      if (w_) w_->leave();
    }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

   private:
    stall_watchdog* w_;
  };

 private:
  void watch();
  [[noreturn]] void end_run(int pid, std::size_t worker, int signal, std::size_t others) noexcept;

  const char* what_;
  std::chrono::steady_clock::duration limit_;
  std::atomic<std::int64_t> entered_{0};  // steady_clock ticks at enter(), 0 outside
  std::atomic<std::uint32_t> epoch_{0};
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace hogwild
