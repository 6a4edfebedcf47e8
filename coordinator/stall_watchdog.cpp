#include "coordinator/stall_watchdog.hpp"

#include <pthread.h>
#include <signal.h>
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
  // The helper starts with every signal blocked: SIGINT/SIGTERM/SIGHUP/SIGCHLD are for the
  // coordinator's thread (signals.hpp), also when train() runs inside a test that did not block them.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &old);
  try {
    thread_ = std::thread([this] { watch(); });
  } catch (...) {
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    throw;
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
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
  std::int64_t suspect = 0;  // the enter() time of a call found stuck, with a worker killed, at the last look
  while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_; })) {
    const std::int64_t since = entered_.load(std::memory_order_acquire);
    if (since == 0 || now_ticks() - since < static_cast<std::int64_t>(limit_.count())) {
      suspect = 0;
      continue;
    }
    // Inside the same call for too long. Only a worker killed by a signal, and not reaped (the
    // coordinator's thread is the reaper; WNOWAIT leaves it so), makes that permanent.
    pid_t pid = 0;
    std::size_t worker = 0, killed = 0;
    int signal = 0;
    for (const auto& [p, w] : started_workers()) {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(p), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != p) continue;
      if (info.si_code != CLD_KILLED && info.si_code != CLD_DUMPED) continue;
      if (killed++ == 0) {
        pid = p;
        worker = w;
        signal = info.si_status;
      }
    }
    if (killed == 0) {
      suspect = 0;
      continue;
    }
    // Seen twice, 250 ms apart, in the same call: not a pause of the whole machine (a stopped VM,
    // SIGSTOP to the group) that the coordinator's thread is about to leave.
    if (suspect != since) {
      suspect = since;
      continue;
    }
    end_run(pid, worker, signal, killed - 1);
  }
}

void stall_watchdog::end_run(int pid, std::size_t worker, int signal, std::size_t others) noexcept {
  // Cleaning first: nothing below may keep the shared memory alive if it fails.
  remove_entries_of(static_cast<int>(::getpid()));
  std::fflush(stdout);
  commit_outputs_in_flight();
  try {
    fmt::print(stderr,
               "hogwild-coordinator: error: worker {} (pid {}) in epoch {} was killed by signal {} ({}){} while the "
               "coordinator was waiting on {}, and that wait has not returned for {:g} s: the worker died holding "
               "its lock, so the run cannot go on; metrics so far kept, shared memory removed\n",
               worker, pid, epoch_.load(std::memory_order_relaxed), signal, ::strsignal(signal),
               others == 0 ? std::string() : fmt::format(" (and {} other worker{} killed)", others, others > 1 ? "s" : ""),
               what_, std::chrono::duration<double>(limit_).count());
  } catch (...) {
    std::fputs("hogwild-coordinator: error: a worker died holding a queue's lock; shared memory removed\n", stderr);
  }
  std::fflush(stderr);
  ::_exit(exit_runtime);
}

}  // namespace hogwild
