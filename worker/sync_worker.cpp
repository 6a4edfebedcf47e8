#include "worker/sync_worker.hpp"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <iterator>

#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <chrono>
#include <fmt/format.h>

#include "shared/batch_phases.hpp"
#include "shared/error.hpp"
#include "shared/ipc.hpp"
#include "shared/stop_signals.hpp"
#include "shared/train_range.hpp"

namespace bip = boost::interprocess;

namespace hogwild::worker {
namespace {

using clock_type = std::chrono::steady_clock;

// Workers do not own the timeouts (the coordinator reports a stalled worker by name); this is a
// backstop for a coordinator that is alive but stuck, and the parent check catches one that died.
class liveness {
 public:
  explicit liveness(const worker_args& a)
      : a_(a), parent_(::getppid()),
        backstop_(std::chrono::milliseconds(4 * static_cast<std::int64_t>(a.timeout_ms) + 1000)) {
    progress();
  }
  void progress() { last_ = clock_type::now(); }
  void check(const char* waiting_for) const {
    if (::getppid() != parent_)
      throw runtime_failure(fmt::format("coordinator (pid {}) vanished while waiting for {}", parent_, waiting_for));
    if (clock_type::now() - last_ > backstop_)
      throw runtime_failure(fmt::format("no progress for {} ms while waiting for {} in epoch {}",
                                        std::chrono::duration_cast<std::chrono::milliseconds>(backstop_).count(),
                                        waiting_for, a_.epoch + 1));
  }

 private:
  const worker_args& a_;
  pid_t parent_;
  clock_type::duration backstop_;
  clock_type::time_point last_;
};

// The stop signals (shared/stop_signals.hpp; Ctrl-C, Ctrl-\ or a closed terminal: the whole process group) deferred
// to the points where the worker holds no lock. A worker killed inside a send on the ready queue
// would leave the queue's mutex locked, and the coordinator's next receive would wait on it for
// ever: Boost's message_queue locks it with no timeout. The lock is held only for a copy, but a
// worker preempted there (three busy processes on two CPUs) dies there when the signal comes:
// a group SIGHUP hung 2 runs in 40. While an object of this class lives, such a signal only sets
// a flag; `die_if_signalled()`, called outside the queue, then dies of it with its default
// action, as the worker would have. A signal the process ignored stays ignored. Process workers
// only: a thread worker shares the coordinator's dispositions, and those signals are blocked in
// every thread of the coordinator anyway. SIGKILL cannot be deferred (docs/design-sync.md).
volatile std::sig_atomic_t deferred_signal = 0;
extern "C" void note_stop_signal(int sig) { deferred_signal = sig; }

class stop_signals_deferred {
 public:
  explicit stop_signals_deferred(bool in_thread) : active_(!in_thread) {
    if (!active_) return;
    struct sigaction sa {};
    sa.sa_handler = note_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a futex wait returns at once, and the loop looks at the flag
    for (std::size_t i = 0; i < std::size(stop_signals); ++i) {
      ::sigaction(stop_signals[i], &sa, &old_[i]);
      if (old_[i].sa_handler == SIG_IGN) ::sigaction(stop_signals[i], &old_[i], nullptr);
    }
  }
  ~stop_signals_deferred() { release(); }
  stop_signals_deferred(const stop_signals_deferred&) = delete;
  stop_signals_deferred& operator=(const stop_signals_deferred&) = delete;

  void die_if_signalled() const {
    if (!active_ || deferred_signal == 0) return;
    die_of_signal(deferred_signal);  // as the worker's own disposition would (no core file)
  }
  // The dispositions of before, and a signal that came meanwhile acted on. (Before an injected
  // fault: a hanging worker must die of Ctrl-C as before.)
  void release() {
    if (!active_) return;
    for (std::size_t i = 0; i < std::size(stop_signals); ++i) ::sigaction(stop_signals[i], &old_[i], nullptr);
    die_if_signalled();
    active_ = false;
  }

 private:
  bool active_;
  struct sigaction old_[std::size(stop_signals)] {};
};

ipc::step_layout layout_of(const shm::segment_view& v) {
  const auto& h = v.hdr();
  return {h.rows, h.workers, h.batch_size};
}

void check_share(const worker_args& a, const ipc::step_layout& L) {
  if (a.begin != L.chunk_begin(0, a.worker) || a.end != L.rows)
    throw usage_error(fmt::format("range [{}, {}) is not worker {}'s strided share [{}, {}) of {} workers × batch {}",
                                  a.begin, a.end, a.worker, L.chunk_begin(0, a.worker), L.rows, L.workers, L.batch));
}

}  // namespace

kernel::range_result run_sync(const worker_args& a, const shm::segment_view& v, const std::function<void()>& fail,
                              bool in_thread) {
  const ipc::step_layout L = layout_of(v);
  check_share(a, L);
  const auto& h = v.hdr();
  if (h.sync.bytes < ipc::sync_area_bytes(h.workers, h.batch_size, h.outputs))
    throw usage_error("segment's sync area is too small for sync mode");
  ipc::sync_control& ctl = ipc::sync_control_of(v.sync_area());
  if (ctl.epoch != a.epoch)
    throw usage_error(fmt::format("--epoch {}: the segment's sync control is for --epoch {} (0-based, as the "
                                  "coordinator passes it)", a.epoch, ctl.epoch));
  double* slot = ipc::sync_slots_of(v.sync_area()) + a.worker * ipc::sync_slot_doubles(h.batch_size, h.outputs);
  bip::message_queue ready(bip::open_only, ipc::ready_queue_name(a.ipc).c_str());
  stop_signals_deferred stops(in_thread);
  liveness alive(a);
  kernel::range_result r;
  const std::uint64_t steps = L.steps();
  for (std::uint64_t s = 0; s < steps; ++s) {
    if (a.inject != fault::none && s == steps / 2) {
      stops.release();
      fail();
    }
    const std::uint64_t b = L.chunk_begin(s, a.worker), e = L.chunk_end(s, a.worker);
    ipc::ready_message m{a.worker, a.epoch, s, ipc::ready_status::ok, 0};
    try {
      r.loss += batch_coefficients(v, b, e, slot);
    } catch (...) {
      m.status = ipc::ready_status::failed;
      ready.try_send(&m, sizeof m, 0);
      throw;
    }
    r.examples += e - b;
    r.updates += 1;
    // At most one message per worker is ever in flight and the queue holds one per worker.
    if (!ready.try_send(&m, sizeof m, 0))
      throw runtime_failure(fmt::format("ready queue full at step {} (protocol violation)", s));
    stops.die_if_signalled();
    // Acquire pairs with the coordinator's release store: its phase-2 writes to the model are
    // visible before this worker reads the model for the next step.
    alive.progress();
    for (std::uint32_t released; (released = ctl.released.load(std::memory_order_acquire)) <= s;) {
      ipc::futex_wait(ctl.released, released, ipc::worker_poll);
      stops.die_if_signalled();
      throw_if_abandoned();
      if (ctl.released.load(std::memory_order_relaxed) == released) alive.check("the next step");
    }
    if (ctl.released.load(std::memory_order_relaxed) != s + 1)
      throw runtime_failure(fmt::format("released step {} after step {} of epoch {} (protocol violation)",
                                        ctl.released.load(), s, a.epoch + 1));
  }
  return r;
}

kernel::range_result run_round_robin(const worker_args& a, const shm::segment_view& v,
                                     const std::function<void()>& fail) {
  const ipc::step_layout L = layout_of(v);
  check_share(a, L);
  const auto& h = v.hdr();
  const std::uint64_t steps = L.steps();
  if (h.sync.bytes < ipc::round_robin_area_bytes(h.workers, steps * h.workers))
    throw usage_error("segment's sync area is too small for round-robin mode");
  const ipc::round_robin_view rr = ipc::view_round_robin(v.sync_area());
  ipc::round_robin_control& ctl = *rr.control;
  if (ctl.workers != h.workers || ctl.epoch != a.epoch)
    throw usage_error(fmt::format("--epoch {}: the segment's round-robin control is for --epoch {} with {} workers "
                                  "(0-based, as the coordinator passes it)", a.epoch, ctl.epoch, ctl.workers));
  liveness alive(a);
  kernel::range_result r;
  const std::uint32_t next = (a.worker + 1) % h.workers;
  for (std::uint64_t s = 0; s < steps; ++s) {
    const std::uint64_t t = s * h.workers + a.worker;
    {
      bip::scoped_lock<bip::interprocess_mutex> lock(ctl.mutex, bip::defer_lock);
      while (!lock.timed_lock(ipc::deadline_in(ipc::worker_poll))) {
        throw_if_abandoned();
        alive.check("the round-robin lock");
      }
      std::uint64_t seen = ctl.turn.load(std::memory_order_relaxed);
      while (seen != t) {
        if (seen > t) throw runtime_failure(fmt::format("round-robin turn {} passed worker's turn {}", seen, t));
        throw_if_abandoned();  // the lock is released on the way out (scoped_lock)
        if (!rr.conditions[a.worker].timed_wait(lock, ipc::deadline_in(ipc::worker_poll))) {
          const std::uint64_t now_turn = ctl.turn.load(std::memory_order_relaxed);
          if (now_turn == seen) alive.check("its round-robin turn");
        }
        const std::uint64_t now_turn = ctl.turn.load(std::memory_order_relaxed);
        if (now_turn != seen) alive.progress();
        seen = now_turn;
      }
      // Inside the turn. The holder count would exceed 1 if the lock ever admitted two workers.
      const std::uint32_t inside = ctl.holders.fetch_add(1, std::memory_order_relaxed) + 1;
      std::uint32_t most = ctl.max_holders.load(std::memory_order_relaxed);
      while (inside > most && !ctl.max_holders.compare_exchange_weak(most, inside, std::memory_order_relaxed)) {
      }
      if (t < ctl.log_capacity) rr.log[t] = {a.worker, static_cast<std::uint32_t>(s)};
      if (a.inject != fault::none && s == steps / 2) fail();
      const std::uint64_t b = L.chunk_begin(s, a.worker), e = L.chunk_end(s, a.worker);
      // Plain access: the turn excludes every other writer, and the arithmetic matches serial SGD.
      const auto part = train_range(v, b, e, a.step, false);
      r.examples += part.examples;
      r.updates += part.updates;
      r.loss += part.loss;
      ctl.holders.fetch_sub(1, std::memory_order_relaxed);
      ctl.turn.store(t + 1, std::memory_order_release);
    }
    rr.conditions[next].notify_one();
    alive.progress();
  }
  return r;
}

}  // namespace hogwild::worker
