#include "coordinator/signals.hpp"

#include <signal.h>
#include <sys/prctl.h>

#include <cerrno>

namespace hogwild::signals {
namespace {

int g_stop_signal = 0;

sigset_t watched() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGHUP);  // the terminal closed: stop as on SIGTERM (checkpoint, clean up, 130)
  sigaddset(&s, SIGCHLD);
  return s;
}

event take(std::chrono::milliseconds timeout) {
  const sigset_t s = watched();
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1'000'000};
  for (;;) {
    const int sig = ::sigtimedwait(&s, nullptr, &ts);
    if (sig == SIGCHLD) return event::child;
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
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

void reset_in_child() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &dfl, nullptr);
  ::sigaction(SIGTERM, &dfl, nullptr);
  ::sigaction(SIGHUP, &dfl, nullptr);
  ::sigaction(SIGCHLD, &dfl, nullptr);
  const sigset_t s = watched();
  ::pthread_sigmask(SIG_UNBLOCK, &s, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

event wait(std::chrono::milliseconds timeout) {
  if (g_stop_signal) return event::stop;
  return take(timeout);
}

bool stop_requested() {
  if (g_stop_signal) return true;
  // Drain pending signals without blocking; a pending SIGCHLD is harmless to consume here
  // because executors reap with waitpid(WNOHANG) after every wake-up anyway.
  return take(std::chrono::milliseconds(0)) == event::stop || g_stop_signal != 0;
}

int stop_signal() { return g_stop_signal; }

}  // namespace hogwild::signals
