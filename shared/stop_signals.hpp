// The signals that stop a run: Ctrl-C (SIGINT), Ctrl-\ (SIGQUIT), kill's default (SIGTERM), a closed
// terminal (SIGHUP), and the others whose default action ends a process that a user or a batch
// system sends (SIGUSR1/2, SIGALRM, the CPU-time limit's SIGXCPU). The coordinator
// takes each as a request to stop — checkpoint, clean up, exit 130 — instead of dying with its
// segment left in /dev/shm; workers restore their default actions (restore_stop_signal_defaults),
// except that none leaves a core file. SIGPIPE is not here: a closed
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

// For a worker process: each stop signal ends it as its default action does ("killed by signal N",
// which the coordinator reports), but without a core file. SIGQUIT and SIGXCPU dump core by
// default, so a Ctrl-\ that reaches the whole process group, where `ulimit -c` allows cores, left
// one core file per worker in their working directory although the coordinator takes that signal
// as a request to stop. Those two get a handler that calls die_of_signal(); the others SIG_DFL.
// Unblocks none of them (the caller does). Core files of other deaths (SIGSEGV, SIGABRT) stay.
void restore_stop_signal_defaults();

// Ends the process of signal `sig` as its default action would, without a core file: lowers
// RLIMIT_CORE to 1 (the kernel's "no core" for piped core patterns too), restores SIG_DFL,
// unblocks and raises it (_exit(128 + sig) if it does not end the process, as for a signal whose
// default is to be ignored). Only system calls, so usable in a signal handler on Linux (setrlimit
// is not on POSIX's async-signal-safe list, but glibc's is the bare system call).
[[noreturn]] void die_of_signal(int sig);

}  // namespace hogwild
