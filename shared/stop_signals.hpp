// The signals that stop a run: Ctrl-C (SIGINT), Ctrl-\ (SIGQUIT), kill's default (SIGTERM), a closed
// terminal (SIGHUP), and the others whose default action ends a process that a user or a batch
// system sends (SIGUSR1/2, SIGALRM, the CPU-time limit's SIGXCPU). The coordinator
// takes each as a request to stop — checkpoint, clean up, exit 130 — instead of dying with its
// segment left in /dev/shm; workers restore their default actions. SIGPIPE is not here: a closed
// standard output is ignored and the run goes on (docs/reliability.md); neither is SIGXFSZ, ignored
// so that a write past `ulimit -f` fails with a message naming the file. SIGPROF and SIGVTALRM
// belong to profilers and are left alone.
#pragma once
#include <algorithm>
#include <csignal>
#include <iterator>

namespace hogwild {

inline constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU};

inline bool is_stop_signal(int sig) {
  return std::find(std::begin(stop_signals), std::end(stop_signals), sig) != std::end(stop_signals);
}

}  // namespace hogwild
