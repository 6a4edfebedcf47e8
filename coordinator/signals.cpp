#include "coordinator/signals.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <fmt/format.h>

#include "shared/stop_signals.hpp"

namespace hogwild::signals {
namespace {

int g_stop_signal = 0;

sigset_t watched() {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : stop_signals) sigaddset(&s, sig);  // each: checkpoint, clean up, 130
  sigaddset(&s, SIGCHLD);
  return s;
}

event take(std::chrono::milliseconds timeout) {
  const sigset_t s = watched();
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1'000'000};
  for (;;) {
    const int sig = ::sigtimedwait(&s, nullptr, &ts);
    if (sig == SIGCHLD) return event::child;
    if (sig > 0 && is_stop_signal(sig)) {
      g_stop_signal = sig;
      return event::stop;
    }
    if (sig < 0 && errno == EINTR) continue;
    return event::none;
  }
}

}  // namespace

void block() {
  const sigset_t s = watched();
  ::pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

void reset_in_child(pid_t parent) {
  restore_stop_signal_defaults();
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &dfl, nullptr);
  const sigset_t s = watched();
  ::pthread_sigmask(SIG_UNBLOCK, &s, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);  // the coordinator died before the prctl: nobody to work for
}

event wait(std::chrono::milliseconds timeout) {
  if (g_stop_signal) return event::stop;
  return take(timeout);
}

bool stop_requested() {
  // Drain pending signals without blocking, all of them: sigtimedwait hands out the lowest-numbered
  // first, so a pending SIGCHLD (17) comes before SIGXCPU (24). A SIGCHLD is
  // harmless to consume here because executors reap with waitpid(WNOHANG) after every wake-up anyway.
  while (g_stop_signal == 0 && take(std::chrono::milliseconds(0)) != event::none) {
  }
  return g_stop_signal != 0;
}

int stop_signal() { return g_stop_signal; }

interrupted interruption(unsigned epoch) {
  return interrupted(fmt::format("interrupted by signal {} in epoch {}", g_stop_signal, epoch));
}

}  // namespace hogwild::signals
