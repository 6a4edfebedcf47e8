// The worker entry point. A worker receives only the segment name, its [begin, end) range of
// the epoch's permutation, the epoch and the step size (plus its stats slot and, for tests, an
// injected fault). It maps the segment, checks the header, runs the kernel on the shared model
// with no locks (or, in sync and round-robin mode, follows that mode's protocol: see
// worker/sync_worker.hpp), writes its stats slot and returns an exit code.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hogwild::worker {

enum class fault { none, kill, exit, hang };

// What the worker does with its range: Hogwild! updates, its share of each sync step, or its turns
// in round-robin order (see shared/ipc.hpp for the step layout of the last two).
enum class role : std::uint32_t { hogwild = 0, sync = 1, round_robin = 2 };

struct worker_args {
  std::string segment;
  std::uint32_t worker = 0;  // stats slot
  std::uint64_t begin = 0, end = 0;
  std::uint32_t epoch = 0;
  double step = 0.0;
  fault inject = fault::none;
  role mode = role::hogwild;
  std::string ipc;               // sync: base name of the run's message queues
  std::uint32_t timeout_ms = 0;  // sync / round-robin: give up after this long without progress
};

// Exit codes: 0 done; 2 bad arguments or a missing/foreign/corrupt segment (nothing touched);
// 1 runtime failure; 3 an injected `exit` fault.
int worker_main(const worker_args& args) noexcept;

// Parses the hogwild-worker command line (flags named as in worker_args); throws usage_error.
worker_args parse_worker_args(const std::vector<std::string>& argv);

// The command line that parse_worker_args reads back (used by the spawn executor).
std::vector<std::string> format_worker_args(const worker_args& args);

}  // namespace hogwild::worker
