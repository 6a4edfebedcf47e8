// Stop signals (shared/stop_signals.hpp: SIGINT, SIGTERM, SIGHUP, SIGQUIT, ...) and SIGCHLD handled
// without handlers: the coordinator blocks them and
// collects them synchronously (sigtimedwait), so no stop request can slip between a check and a
// blocking wait. Workers restore the default mask and dispositions right after fork (without core
// files: shared/stop_signals.hpp).
#pragma once
#include <sys/types.h>

#include <chrono>

#include "shared/error.hpp"

namespace hogwild::signals {

enum class event { none, child, stop };

// Blocks the stop signals and SIGCHLD in the calling thread (call before starting threads).
void block();
// In a forked child: unblock and restore defaults (restore_stop_signal_defaults); ask for SIGKILL
// when the coordinator (`parent`, its pid taken before the fork) dies — and _exit at once if it
// already has: PDEATHSIG covers only a death after the prctl, and a coordinator SIGKILLed between
// its fork and the child's prctl left the child orphaned, waiting on the segment for the
// workers' own backstop (4 × --step-timeout + 1 s).
void reset_in_child(pid_t parent);
// Waits up to `timeout` for a child exit or a stop request.
event wait(std::chrono::milliseconds timeout);
// True once a stop signal has been received (checked without blocking).
bool stop_requested();
// The stop signal received, 0 if none.
int stop_signal();
// The error that ends a run stopped in `epoch` (1-based): "interrupted by signal N in epoch E".
interrupted interruption(unsigned epoch);

}  // namespace hogwild::signals
