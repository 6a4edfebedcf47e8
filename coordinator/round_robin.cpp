// Round-robin mode, coordinator side: it sets up the turn lock in the sync area before each epoch,
// watches the turn counter while workers run (a turn that does not advance within --step-timeout
// names the worker whose turn it is), and afterwards checks the turn log: strict order, one holder.
#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <new>

#include "coordinator/protocol.hpp"
#include "coordinator/signals.hpp"
#include "shared/error.hpp"
#include "shared/ipc.hpp"

namespace bip = boost::interprocess;

namespace hogwild {
namespace {

using clock_type = std::chrono::steady_clock;

class round_robin_protocol final : public epoch_protocol {
 public:
  round_robin_protocol(const config& c, const shm::segment_view& v)
      : v_(v),
        layout_{v.hdr().rows, c.workers, c.batch_size},
        timeout_(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(c.step_timeout))),
        timeout_seconds_(c.step_timeout) {}

  void prepare_epoch(std::vector<worker::worker_args>& tasks, unsigned epoch, double) override {
    // The lock objects are re-created in place each epoch and never destroyed: a worker killed
    // while waiting would make pthread_cond_destroy wait for it forever, and on Linux these
    // process-shared objects own no resources outside the segment.
    std::byte* area = v_.sync_area();
    const std::uint32_t W = layout_.workers;
    total_turns_ = layout_.steps() * W;
    auto* ctl = ::new (area) ipc::round_robin_control();
    ctl->turn.store(0);
    ctl->holders.store(0);
    ctl->max_holders.store(0);
    ctl->workers = W;
    ctl->epoch = epoch;
    ctl->log_capacity = std::min(total_turns_, ipc::max_logged_turns);
    rr_ = ipc::view_round_robin(area);
    for (std::uint32_t w = 0; w < W; ++w) ::new (&rr_.conditions[w]) bip::interprocess_condition();
    std::fill_n(rr_.log, ctl->log_capacity, ipc::turn_record{~0u, ~0u});
    epoch_ = epoch;
    for (std::uint32_t w = 0; w < tasks.size(); ++w) {
      auto& t = tasks[w];
      t.begin = layout_.chunk_begin(0, w);
      t.end = layout_.rows;
      t.mode = worker::role::round_robin;
      t.timeout_ms = static_cast<std::uint32_t>(timeout_seconds_ * 1000.0);
    }
    last_turn_ = 0;
    last_change_ = clock_type::now();
  }

  bool poll() override {
    const std::uint64_t t = rr_.control->turn.load(std::memory_order_acquire);
    if (t == total_turns_) return false;
    const auto now = clock_type::now();
    if (t != last_turn_) {
      last_turn_ = t;
      last_change_ = now;
    } else if (now - last_change_ > timeout_) {
      throw runtime_failure(fmt::format(
          "worker {} in epoch {} timed out: its round-robin turn {} (step {} of {}) did not finish within {:g} s "
          "(--step-timeout)",
          t % layout_.workers, epoch_ + 1, t, t / layout_.workers + 1, layout_.steps(), timeout_seconds_));
    }
    signals::wait(std::chrono::milliseconds(20));  // wakes early for a child exit or a stop signal
    return true;
  }

  void finish_epoch() override {
    const auto& ctl = *rr_.control;
    if (ctl.turn.load() != total_turns_)
      throw runtime_failure(fmt::format("round-robin epoch {} ended after {} of {} turns", epoch_ + 1,
                                        ctl.turn.load(), total_turns_));
    if (ctl.max_holders.load() != 1)
      throw runtime_failure(fmt::format("round-robin lock admitted {} workers at once in epoch {}",
                                        ctl.max_holders.load(), epoch_ + 1));
    for (std::uint64_t t = 0; t < ctl.log_capacity; ++t) {
      const auto& r = rr_.log[t];
      if (r.worker != t % layout_.workers || r.step != t / layout_.workers)
        throw runtime_failure(fmt::format("round-robin turn {} of epoch {} was taken by worker {} at step {}, "
                                          "expected worker {} at step {}",
                                          t, epoch_ + 1, r.worker, r.step, t % layout_.workers, t / layout_.workers));
    }
  }

 private:
  shm::segment_view v_;
  ipc::step_layout layout_;
  clock_type::duration timeout_;
  double timeout_seconds_;
  ipc::round_robin_view rr_{};
  std::uint32_t epoch_ = 0;
  std::uint64_t total_turns_ = 0, last_turn_ = 0;
  clock_type::time_point last_change_;
};

}  // namespace

std::unique_ptr<epoch_protocol> make_round_robin_protocol(const config& c, const shm::segment_view& v) {
  return std::make_unique<round_robin_protocol>(c, v);
}

}  // namespace hogwild
