// What the sync and round-robin modes share between coordinator and workers: the layout of a
// step, the messages of the sync protocol, the queue names, and the layout of the segment's sync
// area for each mode.
//
// Step layout (both modes). With W workers and batch size K, let G = K·W. Step s of an epoch covers
// perm[s·G, min(n, (s+1)·G)); worker w's share of it is the w-th K-chunk
//     perm[s·G + w·K, min(n, s·G + (w+1)·K))   (possibly empty in the last step).
// A worker is told begin = w·K, end = n; its chunks are [begin + s·G, begin + s·G + K) ∩ [0, n).
// Because the chunks of a step are contiguous and in worker order, the concatenation of the
// workers' coefficient slots is exactly the coefficient array of the global batch:
//   - sync:        phase 2 over the step with those coefficients = serial SGD with batch G;
//   - round-robin: turns taken in the order (s, w) visit perm in order, batch K = serial, batch K.
#pragma once
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace hogwild::ipc {

struct step_layout {
  std::uint64_t rows = 0;     // n
  std::uint32_t workers = 1;  // W
  std::uint32_t batch = 1;    // K
  std::uint64_t global() const { return static_cast<std::uint64_t>(batch) * workers; }
  std::uint64_t steps() const { return (rows + global() - 1) / global(); }
  std::uint64_t step_begin(std::uint64_t s) const { return s * global(); }
  std::uint64_t step_end(std::uint64_t s) const { return clip(step_begin(s) + global()); }
  std::uint64_t chunk_begin(std::uint64_t s, std::uint32_t w) const {
    return clip(step_begin(s) + static_cast<std::uint64_t>(w) * batch);
  }
  std::uint64_t chunk_end(std::uint64_t s, std::uint32_t w) const {
    return clip(step_begin(s) + static_cast<std::uint64_t>(w + 1) * batch);
  }

 private:
  std::uint64_t clip(std::uint64_t i) const { return i < rows ? i : rows; }
};

// ---- sync mode -------------------------------------------------------------------------------
// Fixed-size PODs: a message_queue copies raw bytes, and both sides are the same build.
enum class ready_status : std::uint32_t { ok = 0, failed = 1 };

// Worker → coordinator, one per worker per step: "my coefficients for `step` are in my slot".
struct ready_message {
  std::uint32_t worker;
  std::uint32_t epoch;
  std::uint64_t step;
  ready_status status;
  std::uint32_t reserved;
};
static_assert(sizeof(ready_message) == 24);

inline std::string ready_queue_name(const std::string& base) { return base + "-q-ready"; }

// Coordinator → all workers: `released` = s means "the model includes steps < s; compute step s"
// (s == steps of the epoch: done, exit). A 32-bit futex word: the coordinator stores it and wakes
// every waiter with one FUTEX_WAKE; workers sleep in FUTEX_WAIT with a timeout. No lock is involved,
// so a worker that dies at any instant cannot block the coordinator's release (see
// docs/design-sync.md for why this beat a go queue per worker).
struct alignas(64) sync_control {
  std::atomic<std::uint32_t> released;
  std::uint32_t epoch;
};
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
              std::atomic<std::uint32_t>::is_always_lock_free, "the futex word must be a plain 32-bit integer");

// Sync area in sync mode: the control block, then W slots of K·C doubles (slot w = coefficients
// of worker w's chunk; together, in order, the coefficients of the global batch).
inline constexpr std::uint64_t sync_slots_offset = sizeof(sync_control);
inline std::uint64_t sync_slot_doubles(std::uint32_t batch, std::uint32_t outputs) {
  return static_cast<std::uint64_t>(batch) * outputs;
}
inline std::uint64_t sync_area_bytes(std::uint32_t workers, std::uint32_t batch, std::uint32_t outputs) {
  return sync_slots_offset + workers * sync_slot_doubles(batch, outputs) * sizeof(double);
}
inline sync_control& sync_control_of(std::byte* area) { return *reinterpret_cast<sync_control*>(area); }
inline double* sync_slots_of(std::byte* area) { return reinterpret_cast<double*>(area + sync_slots_offset); }

// Shared (not FUTEX_PRIVATE) futex operations on a word in the segment.
inline void futex_wake_all(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}
// Sleeps while word == expected, at most `timeout` (returns early on a wake, a change or a signal).
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, std::chrono::milliseconds timeout) {
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1'000'000};
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

// ---- round-robin mode ------------------------------------------------------------------------
// One record per turn: who held the lock for which step (checked by tests and by the coordinator).
struct turn_record {
  std::uint32_t worker;
  std::uint32_t step;
};

// Turn t = s·W + w belongs to worker w. `turn` is the next turn to be taken; it only changes under
// `mutex`, but the coordinator reads it without the lock to watch progress, hence atomic.
// Each worker waits on its own condition, so a release wakes exactly the next worker.
struct round_robin_control {
  boost::interprocess::interprocess_mutex mutex;
  std::atomic<std::uint64_t> turn;
  std::atomic<std::uint32_t> holders;      // workers inside the critical section right now
  std::atomic<std::uint32_t> max_holders;  // the most ever seen at once (1 if the lock works)
  std::uint32_t workers;
  std::uint32_t epoch;
  std::uint64_t log_capacity;  // turn_record entries after the conditions
  // followed by: interprocess_condition[workers], then turn_record[log_capacity]
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "atomics in shared memory must be address-free");

// The first turns of each epoch are logged (bounded so that huge data does not need a huge log).
inline constexpr std::uint64_t max_logged_turns = 1u << 16;

inline std::size_t round_robin_conditions_offset() {
  const std::size_t a = alignof(boost::interprocess::interprocess_condition);
  return (sizeof(round_robin_control) + a - 1) / a * a;
}
inline std::size_t round_robin_log_offset(std::uint32_t workers) {
  const std::size_t end = round_robin_conditions_offset() + workers * sizeof(boost::interprocess::interprocess_condition);
  return (end + 7) / 8 * 8;
}
inline std::uint64_t round_robin_area_bytes(std::uint32_t workers, std::uint64_t turns) {
  const std::uint64_t logged = turns < max_logged_turns ? turns : max_logged_turns;
  return round_robin_log_offset(workers) + logged * sizeof(turn_record);
}

struct round_robin_view {
  round_robin_control* control;
  boost::interprocess::interprocess_condition* conditions;
  turn_record* log;
};
inline round_robin_view view_round_robin(std::byte* area) {
  auto* c = reinterpret_cast<round_robin_control*>(area);
  return {c, reinterpret_cast<boost::interprocess::interprocess_condition*>(area + round_robin_conditions_offset()),
          reinterpret_cast<turn_record*>(area + round_robin_log_offset(c->workers))};
}

// Absolute deadline for Boost.Interprocess timed waits (UTC ptime in Boost 1.74).
inline boost::posix_time::ptime deadline_in(std::chrono::milliseconds d) {
  return boost::posix_time::microsec_clock::universal_time() + boost::posix_time::milliseconds(d.count());
}

// How long a worker blocks in one wait before it checks that its coordinator is still there.
inline constexpr std::chrono::milliseconds worker_poll{100};

}  // namespace hogwild::ipc
