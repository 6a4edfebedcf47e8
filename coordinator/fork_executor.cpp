// fork executor: one fork()ed child per worker per epoch; the child calls worker_main() (which
// maps the segment by name and checks its header) and _exit()s with its code.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fmt/format.h>

#include "coordinator/executor.hpp"
#include "coordinator/signals.hpp"
#include "shared/error.hpp"

namespace hogwild {
namespace {

std::string describe(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("exited with code {}", WEXITSTATUS(status));
}

class fork_executor final : public executor {
 public:
  fork_executor() { signals::block(); }  // SIGCHLD must be blocked for signals::wait to see it
  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                 const epoch_monitor& monitor) override {
    usage.assign(tasks.size(), {});
    std::vector<pid_t> pids(tasks.size(), -1);
    std::size_t running = 0;
    auto stop_all = [&] {
      for (pid_t p : pids)
        if (p > 0) ::kill(p, SIGKILL);
      for (pid_t& p : pids)
        if (p > 0) {
          while (::waitpid(p, nullptr, 0) < 0 && errno == EINTR) {
          }
          p = -1;
        }
    };
    std::fflush(nullptr);  // a child must not flush the parent's buffered output again
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const pid_t pid = ::fork();
      if (pid < 0) {
        const int err = errno;
        stop_all();
        throw runtime_failure(fmt::format("cannot start worker {} in epoch {}: fork failed: {}", i,
                                          tasks[i].epoch + 1, std::strerror(err)));
      }
      if (pid == 0) {
        signals::reset_in_child();
        ::_exit(worker::worker_main(tasks[i]));
      }
      pids[i] = pid;
      ++running;
    }
    while (running > 0) {
      // Reap everything that has finished.
      for (std::size_t i = 0; i < pids.size(); ++i) {
        if (pids[i] <= 0) continue;
        int status = 0;
        rusage ru{};
        const pid_t r = ::wait4(pids[i], &status, WNOHANG, &ru);
        if (r != pids[i]) continue;
        pids[i] = -1;
        --running;
        usage[i].usage = ru;
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
          stop_all();
          throw runtime_failure(fmt::format("worker {} (pid {}) in epoch {} {}", i, r, tasks[i].epoch + 1, describe(status)));
        }
      }
      if (running == 0) break;
      if (monitor) {
        if (signals::stop_requested()) {
          stop_all();
          throw interrupted(fmt::format("interrupted by signal {} in epoch {}", signals::stop_signal(), tasks[0].epoch + 1));
        }
        bool busy = false;
        try {
          busy = monitor();
        } catch (...) {
          stop_all();
          throw;
        }
        if (busy) continue;
      }
      if (signals::wait(std::chrono::milliseconds(200)) == signals::event::stop) {
        stop_all();
        throw interrupted(fmt::format("interrupted by signal {} in epoch {}", signals::stop_signal(), tasks[0].epoch + 1));
      }
    }
  }
};

}  // namespace

std::unique_ptr<executor> make_executor(executor_kind) { return std::make_unique<fork_executor>(); }

}  // namespace hogwild
