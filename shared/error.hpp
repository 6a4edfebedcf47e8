// Error types shared by coordinator and worker, and the exit codes of DESIGN.md they map to.
#pragma once
#include <stdexcept>
#include <string>

namespace hogwild {

enum exit_code : int { exit_ok = 0, exit_runtime = 1, exit_usage = 2, exit_interrupted = 130 };

// Bad flag, bad value, malformed input file: exit 2. The message names the flag/file/line.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The system refused a resource, a worker died: exit 1.
struct runtime_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM reached the coordinator: exit 130 after clean-up.
// `workers_started` is false for a stop while the data is being prepared (before any worker).
struct interrupted : std::runtime_error {
  explicit interrupted(const std::string& what, bool started = true)
      : std::runtime_error(what), workers_started(started) {}
  bool workers_started;
};

// errno turned into a runtime_failure with the call that failed.
[[noreturn]] void throw_errno(const std::string& what);

}  // namespace hogwild
