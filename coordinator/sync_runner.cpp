// Sync mode, coordinator side. Per step: receive one ready message per worker from the shared
// ready queue, run phase 2 over the whole global batch (coefficients in worker order in the sync
// area), then release the next step (futex word in the sync area). See docs/design-sync.md.
#include <unistd.h>

#include <boost/interprocess/ipc/message_queue.hpp>
#include <algorithm>
#include <limits>
#include <type_traits>
#include <chrono>
#include <fmt/format.h>
#include <memory>
#include <optional>

#include "coordinator/cluster.hpp"
#include "coordinator/protocol.hpp"
#include "coordinator/stall_watchdog.hpp"
#include "shared/batch_phases.hpp"
#include "shared/kernel.hpp"
#include "shared/error.hpp"
#include "shared/ipc.hpp"

namespace bip = boost::interprocess;

namespace hogwild {
namespace {

using clock_type = std::chrono::steady_clock;

// A message queue created exclusively (0600) and removed by its creator on destruction (a forked
// child that unwinds never removes it).
class owned_queue {
 public:
  owned_queue(std::string name, std::size_t capacity, std::size_t message_bytes)
      : name_(std::move(name)), owner_(::getpid()) {
    bip::permissions perm;
    perm.set_permissions(0600);
    try {
      q_.emplace(bip::create_only, name_.c_str(), capacity, message_bytes, perm);
    } catch (const bip::interprocess_exception& e) {
      throw runtime_failure(fmt::format("cannot create message queue /dev/shm/{}: {}", name_, e.what()));
    }
  }
  ~owned_queue() {
    if (q_ && ::getpid() == owner_) bip::message_queue::remove(name_.c_str());
  }
  owned_queue(const owned_queue&) = delete;
  owned_queue& operator=(const owned_queue&) = delete;
  bip::message_queue& get() { return *q_; }

 private:
  std::string name_;
  pid_t owner_;
  std::optional<bip::message_queue> q_;
};

class sync_protocol final : public epoch_protocol {
 public:
  sync_protocol(const config& c, const shm::segment_view& v, const rank_plan* plan)
      : v_(v),
        layout_{v.hdr().rows, c.workers, c.batch_size},
        timeout_(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(c.step_timeout))),
        timeout_seconds_(c.step_timeout),
        base_(shm::unique_name()),
        seen_(c.workers, 0) {
    if (c.executor != executor_kind::thread) watchdog_.emplace("the sync ready queue", std::chrono::seconds(2));
    ready_.emplace(ipc::ready_queue_name(base_), c.workers, sizeof(ipc::ready_message));
    if (plan && plan->net) {
      net_ = plan->net;
      shard_rows_ = plan->shard_rows;
      for (auto rows : shard_rows_) {
        const ipc::step_layout L{rows, c.workers, c.batch_size};
        global_steps_ = std::max(global_steps_, L.steps());
      }
      exchange_ = c.exchange;
      if (exchange_ == config::sync_exchange::maps) {
        maps_.resize(v.hdr().dims * (1 + static_cast<std::size_t>(v.hdr().outputs)));
      } else {
        piece_ = piece_layout(c.batch_size * std::uint64_t{c.workers}, v.hdr().outputs, plan->max_row_entries);
        if (piece_.bytes > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
          throw usage_error(fmt::format(
              "--sync-exchange rows: a rank's share of a step is {} bytes, over MPI's 2 GiB per message; use a "
              "smaller --batch-size or fewer --workers per rank", piece_.bytes));
        mine_.resize(piece_.bytes / 8);
        all_.resize(piece_.bytes / 8 * shard_rows_.size());
      }
    }
  }

  void prepare_epoch(std::vector<worker::worker_args>& tasks, unsigned epoch, double step) override {
    const bool retry = prepared_ && epoch == epoch_;
    epoch_ = epoch;
    step_size_ = step;
    step_ = 0;
    combined_ = 0;
    steps_ = layout_.steps();
    arrived_ = 0;
    std::fill(seen_.begin(), seen_.end(), 0);
    // A retried epoch gets a new, empty queue under the same name (the failed attempt's workers
    // are all reaped by now). Not the old one drained: the executor SIGKILLed those workers, and
    // one killed inside its send leaves the queue's mutex locked, so that any later call on that
    // queue (a drain included) would wait for ever.
    if (retry) {
      ready_.reset();
      ready_.emplace(ipc::ready_queue_name(base_), seen_.size(), sizeof(ipc::ready_message));
    }
    prepared_ = true;
    ipc::sync_control& ctl = ipc::sync_control_of(v_.sync_area());
    ctl.epoch = epoch;
    ctl.released.store(0, std::memory_order_relaxed);  // workers start after fork(): no race
    for (std::uint32_t w = 0; w < tasks.size(); ++w) {
      auto& t = tasks[w];
      t.begin = layout_.chunk_begin(0, w);
      t.end = layout_.rows;
      t.mode = worker::role::sync;
      t.ipc = base_;
      t.timeout_ms = static_cast<std::uint32_t>(timeout_seconds_ * 1000.0);
    }
    step_started_ = clock_type::now();
  }

  bool poll() override {
    if (step_ == steps_) return false;
    const auto slice_end = clock_type::now() + std::chrono::milliseconds(50);
    auto& ready = ready_->get();
    for (;;) {
      ipc::ready_message m{};
      std::size_t got = 0;
      unsigned prio = 0;
      bool received = false;
      {
        const stall_watchdog::scope inside(watchdog_ ? &*watchdog_ : nullptr, epoch_ + 1);
        received = ready.timed_receive(&m, sizeof m, got, prio, ipc::deadline_in(std::chrono::milliseconds(20)));
      }
      if (!received) {
        if (clock_type::now() - step_started_ > timeout_) throw timed_out();
        return true;
      }
      if (got != sizeof m || m.worker >= seen_.size() || m.epoch != epoch_ || m.step != step_ || seen_[m.worker])
        throw runtime_failure(fmt::format(
            "sync protocol error in epoch {}: unexpected ready message (worker {}, epoch {}, step {}) at step {}",
            epoch_ + 1, m.worker, m.epoch + 1, m.step, step_));
      if (m.status != ipc::ready_status::ok)
        throw runtime_failure(fmt::format("worker {} in epoch {} failed computing step {}", m.worker, epoch_ + 1, step_));
      seen_[m.worker] = 1;
      if (++arrived_ == seen_.size()) {
        finish_step();
        if (step_ == steps_) return false;
      }
      if (clock_type::now() >= slice_end) return true;
    }
  }

  void finish_epoch() override {
    // Distributed: a rank with one K·W piece fewer than the largest shard still takes part in the
    // last global step (with the identity map).
    while (net_ && step_ == steps_ && combined_ < global_steps_) combine_step(combined_, 0, 0);
    if (step_ != steps_ || (net_ && combined_ != global_steps_))
      throw runtime_failure(fmt::format("sync epoch {} ended after {} of {} steps", epoch_ + 1, step_, steps_));
  }

 private:
  // All coefficients of step_ are in the sync area, in worker order = global batch order.
  void finish_step() {
    if (net_)
      combine_step(step_, layout_.step_begin(step_), layout_.step_end(step_));
    else
      apply_batch(v_, layout_.step_begin(step_), layout_.step_end(step_), ipc::sync_slots_of(v_.sync_area()), step_size_);
    ++step_;
    arrived_ = 0;
    std::fill(seen_.begin(), seen_.end(), 0);
    ipc::sync_control& ctl = ipc::sync_control_of(v_.sync_area());
    ctl.released.store(static_cast<std::uint32_t>(step_), std::memory_order_release);
    ipc::futex_wake_all(ctl.released);
    step_started_ = clock_type::now();
  }

  // Distributed: global step s, of which this rank's piece is perm[b, e) (empty when its shard has
  // no step s). --sync-exchange rows: every rank's piece (rows and coefficients) to every rank, each
  // applies them all in rank order (exchange_rows). maps: the piece becomes an affine map per
  // coordinate, the ranks' maps are composed in rank order (MPI_Allreduce with a non-commutative
  // operation), and the composition is applied. Either way: the global batch in global order.
  void combine_step(std::uint64_t s, std::uint64_t b, std::uint64_t e) {
    std::uint64_t global = 0;  // examples in global step s, over all ranks
    for (auto rows : shard_rows_) {
      const ipc::step_layout L{rows, layout_.workers, layout_.batch};
      if (s < L.steps()) global += L.step_end(s) - L.step_begin(s);
    }
    if (exchange_ == config::sync_exchange::rows) {
      exchange_rows(b, e, step_size_ / static_cast<double>(global));
      combined_ = s + 1;
      return;
    }
    const std::size_t width = 1 + static_cast<std::size_t>(v_.hdr().outputs);
    for (std::size_t j = 0; j < maps_.size(); j += width) {
      maps_[j] = 1.0;
      std::fill_n(maps_.begin() + static_cast<std::ptrdiff_t>(j) + 1, width - 1, 0.0);
    }
    compose_batch(v_, b, e, ipc::sync_slots_of(v_.sync_area()), step_size_ / static_cast<double>(global), maps_.data());
    net_->compose_affine(maps_.data(), v_.hdr().dims, static_cast<int>(v_.hdr().outputs), timeout_seconds_);
    apply_maps(v_, maps_.data());
    combined_ = s + 1;
  }

  // --sync-exchange rows. A piece = this rank's examples of one global step, packed as a little CSR
  // block of fixed size (so one MPI_Allgather moves every rank's piece):
  //   [count u64][coefficients: K·W·C f64][row_ptr: K·W+1 u64][columns: cap u32][values: cap f32]
  // with cap = K·W × the longest training row. Every rank applies all pieces in rank order with the
  // kernel's own phase 2: the same operations in the same order as one machine's sync step.
  struct piece_layout {
    std::uint64_t examples = 0, outputs = 1, cap = 0;
    std::uint64_t g = 0, row_ptr = 0, idx = 0, val = 0, bytes = 0;  // byte offsets, total
    piece_layout() = default;
    piece_layout(std::uint64_t kw, std::uint64_t c, std::uint64_t longest)
        : examples(kw), outputs(c), cap(kw * std::max<std::uint64_t>(longest, 1)) {
      g = 8;
      row_ptr = g + kw * c * 8;
      idx = row_ptr + (kw + 1) * 8;
      val = idx + cap * 4;
      bytes = (val + cap * 4 + 7) / 8 * 8;
    }
  };

  void exchange_rows(std::uint64_t b, std::uint64_t e, double scale) {
    auto* base = reinterpret_cast<std::byte*>(mine_.data());
    const std::uint64_t C = piece_.outputs;
    auto* count = reinterpret_cast<std::uint64_t*>(base);
    auto* g = reinterpret_cast<double*>(base + piece_.g);
    auto* row_ptr = reinterpret_cast<std::uint64_t*>(base + piece_.row_ptr);
    auto* idx = reinterpret_cast<std::uint32_t*>(base + piece_.idx);
    auto* val = reinterpret_cast<float*>(base + piece_.val);
    *count = e - b;
    std::copy_n(ipc::sync_slots_of(v_.sync_area()), (e - b) * C, g);
    row_ptr[0] = 0;
    std::uint64_t k = 0;
    const std::uint32_t* perm = v_.perm();
    auto pack = [&](const auto& view) {
      for (std::uint64_t i = b; i < e; ++i) {
        // CSR rows as stored (explicit zeros too); dense rows by their nonzeros, which phase 2
        // treats exactly as the dense row (a zero entry leaves its weight bit for bit unchanged).
        kernel::for_each_entry(view.row(perm[i]), [&](std::uint32_t j, float x) {
          if constexpr (std::is_same_v<std::decay_t<decltype(view)>, kernel::dense_view>)
            if (x == 0.0f) return;
          idx[k] = j;
          val[k] = x;
          ++k;
        });
        row_ptr[i - b + 1] = k;
      }
    };
    if (v_.hdr().data_layout == kernel::layout::csr) pack(v_.csr()); else pack(v_.dense());
    net_->gather_all(mine_.data(), piece_.bytes, all_.data(), timeout_seconds_);
    for (std::size_t r = 0; r < shard_rows_.size(); ++r) {
      const auto* p = reinterpret_cast<const std::byte*>(all_.data()) + r * piece_.bytes;
      const std::uint64_t n = *reinterpret_cast<const std::uint64_t*>(p);
      if (n == 0) continue;
      const kernel::csr_view rows{reinterpret_cast<const std::uint64_t*>(p + piece_.row_ptr),
                                  reinterpret_cast<const std::uint32_t*>(p + piece_.idx),
                                  reinterpret_cast<const float*>(p + piece_.val), n, v_.hdr().dims};
      apply_batch_rows(v_, rows, reinterpret_cast<const double*>(p + piece_.g), scale);
    }
  }

  runtime_failure timed_out() const {
    std::string missing;
    std::size_t count = 0, first = 0;
    for (std::size_t w = 0; w < seen_.size(); ++w)
      if (!seen_[w] && count++ == 0) first = w;
    return runtime_failure(fmt::format(
        "worker {}{} in epoch {} timed out: no result for step {} of {} within {:g} s (--step-timeout)", first,
        count > 1 ? fmt::format(" (and {} other{})", count - 1, count > 2 ? "s" : "") : std::string(), epoch_ + 1,
        step_ + 1, steps_, timeout_seconds_));
  }

  shm::segment_view v_;
  ipc::step_layout layout_;
  clock_type::duration timeout_;
  double timeout_seconds_;
  std::string base_;
  std::optional<owned_queue> ready_;  // a new one for each retried attempt (prepare_epoch)
  // Ends the run when a receive on ready_ is stuck in the lock of a worker process killed inside
  // its send (coordinator/stall_watchdog.hpp); none for threads, which cannot die alone. 2 s: the
  // receive itself returns after 20 ms.
  std::optional<stall_watchdog> watchdog_;
  bool prepared_ = false;
  std::vector<char> seen_;
  std::size_t arrived_ = 0;
  std::uint32_t epoch_ = 0;
  double step_size_ = 0.0;
  std::uint64_t step_ = 0, steps_ = 0;
  clock_type::time_point step_started_;
  cluster* net_ = nullptr;                 // distributed only
  std::vector<std::uint64_t> shard_rows_;  // rows of every rank
  std::uint64_t global_steps_ = 0, combined_ = 0;
  std::vector<double> maps_;
  config::sync_exchange exchange_ = config::sync_exchange::rows;
  piece_layout piece_;
  std::vector<std::uint64_t> mine_, all_;  // 8-byte aligned piece buffers
};

}  // namespace

std::unique_ptr<epoch_protocol> make_sync_protocol(const config& c, const shm::segment_view& v, const rank_plan* plan) {
  return std::make_unique<sync_protocol>(c, v, plan);
}

}  // namespace hogwild
