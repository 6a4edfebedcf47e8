#include "shared/stop_signals.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

namespace hogwild {
namespace {

extern "C" void die_without_core(int sig) { die_of_signal(sig); }

bool dumps_core(int sig) { return sig == SIGQUIT || sig == SIGXCPU; }

}  // namespace

void restore_stop_signal_defaults() {
  for (int sig : stop_signals) {
    struct sigaction sa {};
    sa.sa_handler = dumps_core(sig) ? die_without_core : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

void die_of_signal(int sig) {
  if (dumps_core(sig)) {
    // 1, not 0: with a core_pattern that pipes to a helper (apport, systemd-coredump) the kernel
    // ignores the limit except for the value 1, which it takes as "no core" (fs/coredump.c); for
    // a file pattern 1 byte is below any core's size, so no file is written either.
    const rlimit one_byte{1, 1};
    ::setrlimit(RLIMIT_CORE, &one_byte);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  ::sigprocmask(SIG_UNBLOCK, &s, nullptr);
  ::raise(sig);
  ::_exit(128 + sig);
}

}  // namespace hogwild
