// The worker entry point. A worker receives only the segment name, its [begin, end) range of
// the epoch's permutation, the epoch and the step size (plus its stats slot and, for tests, an
// injected fault). It maps the segment, checks the header, runs the kernel on the shared model
// with no locks (or, in sync and round-robin mode, follows that mode's protocol: see
// worker/sync_worker.hpp), writes its stats slot and returns an exit code.
#pragma once
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "shared/error.hpp"
#include "shared/segment.hpp"

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

// How a worker process gets at the segment: map it by name with MAP_POPULATE (pre-fault every
// page in one call), map it by name and fault lazily, or (forked workers only) use the mapping
// inherited from the coordinator, optionally pre-faulted with madvise(MADV_POPULATE_WRITE).
enum class attach_mode { populate, lazy, inherit, inherit_populate };

std::int64_t now_ns();  // CLOCK_MONOTONIC

// Thread workers (--executor thread) cannot be killed: when one fails, or a stop signal comes,
// the thread executor asks the epoch's other threads to stop instead, through this process-wide
// flag. A task looks at it after each chunk of the hogwild role (a few milliseconds) and on every
// wake-up of the sync and round-robin roles' waits (at most shared/ipc.hpp's worker_poll), and
// throws task_abandoned when it is set. Process workers never see it set (they are SIGKILLed).
struct task_abandoned : runtime_failure {
  task_abandoned() : runtime_failure("stopped by the coordinator: another worker failed or a stop signal came") {}
};
void set_tasks_abandoned(bool abandoned);
void throw_if_abandoned();  // throws task_abandoned while the flag is set

// Exit codes: 0 done; 2 bad arguments or a missing/foreign/corrupt segment (nothing touched);
// 1 runtime failure; 3 an injected `exit` fault.
int worker_main(const worker_args& args, attach_mode mode = attach_mode::populate) noexcept;
// A forked worker using the coordinator's mapping `v` (attach_mode inherit / inherit_populate).
int worker_main_inherited(const shm::segment_view& v, const worker_args& args, attach_mode mode) noexcept;

// Runs one task on a mapped segment and fills its stats slot. Throws usage_error for a range
// outside the segment. An injected fault kills/exits/hangs the process, or — when `in_thread`
// — throws runtime_failure (a thread cannot be killed on its own).
void run_task(const shm::segment_view& v, const worker_args& args, std::int64_t entered_ns,
              std::int64_t attached_ns, bool in_thread);

// Workers kept for the whole run (--worker-lifetime run): serve commands from slot `worker` of the
// segment's control area until a stop command. Processes also leave when their parent dies.
// Exit codes as worker_main.
int serve_main(const std::string& segment, std::uint32_t worker, attach_mode mode) noexcept;
int serve_inherited(const shm::segment_view& v, std::uint32_t worker, attach_mode mode) noexcept;
// The thread version: a failed task is recorded in the slot (failed = 1) and handed to `on_error`.
void serve_thread(const shm::segment_view& v, std::uint32_t worker,
                  void (*on_error)(void* ctx, std::exception_ptr), void* ctx);

// Parses the hogwild-worker command line (flags named as in worker_args); throws usage_error.
worker_args parse_worker_args(const std::vector<std::string>& argv);

// The command line that parse_worker_args reads back (used by the spawn executor).
std::vector<std::string> format_worker_args(const worker_args& args);

// hogwild-worker --serve: `--segment NAME --worker W --serve` (serve_main).
struct serve_args {
  std::string segment;
  std::uint32_t worker = 0;
  bool lazy = false;
};
std::vector<std::string> format_serve_args(const serve_args& args);
// Parses what format_serve_args writes (argv without the leading "--serve"); throws usage_error.
serve_args parse_serve_args(const std::vector<std::string>& argv);

}  // namespace hogwild::worker
