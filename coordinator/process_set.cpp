#include "coordinator/process_set.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

// Boost.Process 1.74 compiles its vfork launcher (bp::posix::use_vfork) only under this macro,
// and its own test of the feature macros misses glibc, which declares vfork() under _GNU_SOURCE
// (g++'s default).
#ifndef BOOST_POSIX_HAS_VFORK
#define BOOST_POSIX_HAS_VFORK 1
#endif
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <utility>

#include "coordinator/signals.hpp"
#include "shared/stop_signals.hpp"
#include "shared/error.hpp"

namespace hogwild {
namespace {

// A stop signal reached the coordinator: the workers are SIGKILLed and reaped, the epoch is
// reported (1-based) as interrupted.
[[noreturn]] void stop_and_interrupt(process_set& procs, std::uint32_t epoch) {
  procs.stop_all();
  throw signals::interruption(epoch);
}

std::string describe(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("exited with code {}", WEXITSTATUS(status));
}

// pid -> worker index of every child started and not yet reaped, for started_workers().
std::mutex children_mutex;
std::vector<std::pair<pid_t, std::size_t>> children;

void forget_child(pid_t pid) {
  const std::lock_guard lock(children_mutex);
  std::erase_if(children, [&](const auto& c) { return c.first == pid; });
}

}  // namespace

std::vector<std::pair<pid_t, std::size_t>> started_workers() {
  const std::lock_guard lock(children_mutex);
  return children;
}

process_set::~process_set() { stop_all(); }

void process_set::add(std::size_t worker, pid_t pid) {
  procs_.push_back({worker, pid});
  ++running_;
  const std::lock_guard lock(children_mutex);
  children.emplace_back(pid, worker);
}

void process_set::stop_all() {
  for (const entry& e : procs_)
    if (e.pid > 0) ::kill(e.pid, SIGKILL);
  for (entry& e : procs_)
    if (e.pid > 0) {
      while (::waitpid(e.pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      forget_child(e.pid);
      e.pid = -1;
    }
  procs_.clear();
  running_ = 0;
}

void process_set::reap(std::uint32_t epoch, std::vector<worker_usage>* usage, bool any_exit_fails) {
  for (entry& e : procs_) {
    if (e.pid <= 0) continue;
    int status = 0;
    rusage ru{};
    const pid_t r = ::wait4(e.pid, &status, WNOHANG, &ru);
    if (r != e.pid) continue;
    forget_child(r);
    e.pid = -1;
    --running_;
    if (usage) {
      (*usage)[e.worker].usage = ru;
      (*usage)[e.worker].has_rusage = true;
    }
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    // Ctrl-C or a closed terminal signals the whole process group: a worker killed by the same
    // stop signal (SIGINT/SIGTERM/SIGHUP/SIGQUIT...) that is waiting for the coordinator is an interruption (130,
    // checkpoint), not a worker failure.
    if (!ok && WIFSIGNALED(status) &&
        is_stop_signal(WTERMSIG(status)) &&
        signals::stop_requested())
      stop_and_interrupt(*this, epoch);
    if (!ok || any_exit_fails) {
      stop_all();
      throw runtime_failure(fmt::format("worker {} (pid {}) in epoch {} {}{}", e.worker, r, epoch, describe(status),
                                        ok ? " before it was told to stop" : ""));
    }
  }
}

bool process_set::wait_all(std::uint32_t epoch, std::vector<worker_usage>* usage,
                           std::chrono::steady_clock::time_point deadline, const executor::epoch_monitor& monitor) {
  const auto all_reaped = [&] {
    reap(epoch, usage, false);
    if (running_ != 0) return false;
    procs_.clear();
    return true;
  };
  for (;;) {
    if (all_reaped()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (monitor) {
      if (signals::stop_requested()) stop_and_interrupt(*this, epoch);
      try {
        if (monitor()) continue;  // busy: no sleep
      } catch (...) {
        stop_all();
        throw;
      }
      // stop_requested() may have consumed the SIGCHLD of a child that exited after the reap
      // above: reap again before sleeping, or the wait below would sleep its whole slice.
      if (all_reaped()) return true;
    }
    if (signals::wait(std::chrono::milliseconds(200)) == signals::event::stop) stop_and_interrupt(*this, epoch);
  }
}

pid_t fork_worker(std::size_t worker, std::uint32_t epoch, const std::function<int()>& body) {
  std::fflush(nullptr);  // a child must not flush the parent's buffered output again
  const pid_t self = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw runtime_failure(fmt::format("cannot start worker {} in epoch {}: fork failed: {}", worker, epoch,
                                      std::strerror(errno)));
  if (pid == 0) {
    signals::reset_in_child(self);
    ::_exit(body());
  }
  return pid;
}

std::string worker_executable() {
  if (const char* env = std::getenv("HOGWILD_WORKER"); env && *env) return env;
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& p : {self.parent_path() / "hogwild-worker", self.parent_path().parent_path() / "worker" / "hogwild-worker"})
      if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
#ifdef HOGWILD_WORKER_BUILD_PATH
  if (::access(HOGWILD_WORKER_BUILD_PATH, X_OK) == 0) return HOGWILD_WORKER_BUILD_PATH;
#endif
  return (self.parent_path() / "hogwild-worker").string();  // spawn reports it missing
}

pid_t spawn_worker(std::size_t worker, std::uint32_t epoch, const std::vector<std::string>& args) {
  namespace bp = boost::process;
  static const std::string exe = worker_executable();
  std::fflush(nullptr);
  try {
    // vfork: the child borrows the coordinator's address space until exec, so the launch does
    // not copy the coordinator's page tables (a fork would, only for exec to drop them). All the
    // child does before exec is system calls (signals::reset_in_child), which vfork allows.
    const pid_t self = ::getpid();
    bp::child c(bp::exe = exe, bp::args = args, bp::posix::use_vfork, bp::extend::on_exec_setup = [self](auto&) {
      // Between vfork and exec: the mask and PDEATHSIG survive exec (hogwild-worker also resets
      // the mask itself, for when it is started some other way).
      signals::reset_in_child(self);
    });
    const pid_t pid = c.id();
    c.detach();  // reaped by process_set, not by boost
    return pid;
  } catch (const std::exception& e) {
    throw runtime_failure(fmt::format("cannot start worker {} in epoch {}: {}: {}", worker, epoch, exe, e.what()));
  }
}

}  // namespace hogwild
