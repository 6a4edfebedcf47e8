#include "coordinator/stall_watchdog.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <string>

#include "coordinator/atomic_file.hpp"
#include "coordinator/cleanup.hpp"
#include "coordinator/process_set.hpp"
#include "shared/error.hpp"

namespace hogwild {
namespace {

std::int64_t now_ticks() {
  // Never 0, which means "outside the call".
  const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
  return t == 0 ? 1 : static_cast<std::int64_t>(t);
}

}  // namespace

stall_watchdog::stall_watchdog(const char* what, std::chrono::milliseconds limit)
    : what_(what), limit_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(limit)) {
  thread_ = std::thread([this] { watch(); });
}

stall_watchdog::~stall_watchdog() {
  {
    const std::lock_guard lock(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void stall_watchdog::enter(std::uint32_t epoch) noexcept {
  epoch_.store(epoch, std::memory_order_relaxed);
  entered_.store(now_ticks(), std::memory_order_release);
}

void stall_watchdog::leave() noexcept { entered_.store(0, std::memory_order_release); }

void stall_watchdog::watch() {
  std::unique_lock lock(m_);
  std::int64_t suspect = 0;  // the enter() time of a call found stuck, with a child dead, at the last look
  while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_; })) {
    const std::int64_t since = entered_.load(std::memory_order_acquire);
    if (since == 0 || now_ticks() - since < static_cast<std::int64_t>(limit_.count())) {
      suspect = 0;
      continue;
    }
    // Inside the same call for too long. Only a child that has ended (and cannot be reaped, since
    // the coordinator's thread is the reaper) makes that permanent; WNOWAIT leaves it unreaped.
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) {
      suspect = 0;
      continue;
    }
    // Seen twice, 250 ms apart, in the same call: not a pause of the whole machine (a stopped VM,
    // SIGSTOP to the group) that the coordinator's thread is about to leave.
    if (suspect != since) {
      suspect = since;
      continue;
    }
    end_run(info.si_pid, info.si_code, info.si_status);
  }
}

void stall_watchdog::end_run(int child_pid, int code, int status) noexcept {
  const double waited = std::chrono::duration<double>(limit_).count();
  try {
    const auto worker = worker_of(child_pid);
    const std::string who =
        worker ? fmt::format("worker {} (pid {})", *worker, child_pid) : fmt::format("child process {}", child_pid);
    const std::string how = code == CLD_KILLED || code == CLD_DUMPED
                                ? fmt::format("was killed by signal {} ({})", status, ::strsignal(status))
                                : fmt::format("exited with code {}", status);
    std::fflush(stdout);
    commit_outputs_in_flight();
    remove_entries_of(static_cast<int>(::getpid()));
    fmt::print(stderr,
               "hogwild-coordinator: error: {} in epoch {} {} while the coordinator was waiting on {}, and "
               "that wait has not returned for {:g} s: the worker died holding its lock, so the run cannot go "
               "on; metrics so far kept, shared memory removed\n",
               who, epoch_.load(std::memory_order_relaxed), how, what_, waited);
  } catch (...) {
    commit_outputs_in_flight();
    remove_entries_of(static_cast<int>(::getpid()));
    std::fputs("hogwild-coordinator: error: a worker died holding a queue's lock; shared memory removed\n",
               stderr);
  }
  std::fflush(stderr);
  ::_exit(exit_runtime);
}

}  // namespace hogwild
