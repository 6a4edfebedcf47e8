// --worker-lifetime run: workers (forked, spawned or threads) are started once, before the first
// epoch, and each epoch's range is handed to them through their command slot in the segment's
// control area (shared/control.hpp). The coordinator sleeps on the `done_count` futex word with
// a short timeout, so a dead worker process or a SIGINT/SIGTERM is noticed within milliseconds.
#include <exception>
#include <fmt/format.h>
#include <mutex>
#include <system_error>
#include <thread>

#include "coordinator/executor.hpp"
#include "coordinator/process_set.hpp"
#include "coordinator/signals.hpp"
#include "shared/control.hpp"
#include "shared/error.hpp"

namespace hogwild {

std::string thread_failure(std::size_t worker, std::uint32_t epoch, const std::exception_ptr& e);

namespace {

struct thread_error_box {
  std::mutex m;
  std::exception_ptr error;
};

void record_error(void* ctx, std::exception_ptr e) {
  auto* box = static_cast<thread_error_box*>(ctx);
  const std::lock_guard lock(box->m);
  box->error = std::move(e);
}

class run_executor final : public executor {
 public:
  explicit run_executor(const executor_setup& s)
      : kind_(s.kind), view_(*s.view), workers_(s.workers), attach_(resolve_attach(s.attach, s.kind)), boxes_(s.workers) {
    signals::block();
    // No worker serves this segment yet: mark every slot idle, so that a command left unanswered
    // by a previous executor on the same segment (a killed worker) is not taken as new.
    for (std::uint32_t w = 0; w < workers_; ++w) {
      auto& slot = view_.commands()[w];
      control::store(slot.acked, control::load(slot.seq));
    }
    control::store(view_.control()->done_count, 0);
    try {
      for (std::uint32_t w = 0; w < workers_; ++w) start(w, s.segment);
    } catch (...) {
      shutdown();
      throw;
    }
  }
  ~run_executor() override { shutdown(); }

  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                 const epoch_monitor& monitor) override {
    try {
      run_epoch_or_throw(tasks, usage, monitor);
    } catch (...) {
      abandoned_ = true;  // a failure or a stop signal: shutdown() does not wait for the others
      throw;
    }
  }

 private:
  void run_epoch_or_throw(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                          const epoch_monitor& monitor) {
    usage.assign(tasks.size(), {});
    const std::uint32_t epoch = tasks.empty() ? 0 : tasks[0].epoch + 1;
    auto& done = view_.control()->done_count;
    control::store(done, 0);
    for (std::uint32_t w = 0; w < tasks.size(); ++w) {
      shm::command_slot cmd;
      cmd.op = shm::command_op::run;
      cmd.epoch = tasks[w].epoch;
      cmd.begin = tasks[w].begin;
      cmd.end = tasks[w].end;
      cmd.step = tasks[w].step;
      cmd.inject = static_cast<std::uint32_t>(tasks[w].inject);
      control::post(view_, w, cmd);
    }
    const auto n = static_cast<std::uint32_t>(tasks.size());
    for (std::uint32_t seen; (seen = control::load(done)) < n;) {
      if (!monitor || !monitor()) control::wait(done, seen, std::chrono::milliseconds(20));
      if (kind_ != executor_kind::thread) procs_.reap(epoch, nullptr, true);
      if (signals::stop_requested())
        throw signals::interruption(epoch);
    }
    for (std::uint32_t w = 0; w < n; ++w)
      if (view_.commands()[w].failed) {
        const std::lock_guard lock(boxes_[w].m);
        throw runtime_failure(thread_failure(w, epoch, boxes_[w].error));
      }
  }

  void start(std::uint32_t w, const std::string& segment) {
    switch (kind_) {
      case executor_kind::fork: {
        const bool inherit = attach_ == worker::attach_mode::inherit || attach_ == worker::attach_mode::inherit_populate;
        procs_.add(w, fork_worker(w, 1, [&] {
                     return inherit ? worker::serve_inherited(view_, w, attach_) : worker::serve_main(segment, w, attach_);
                   }));
        break;
      }
      case executor_kind::spawn:
        procs_.add(w, spawn_worker(w, 1, worker::format_serve_args({segment, w, attach_ == worker::attach_mode::lazy})));
        break;
      case executor_kind::thread:
        try {
          threads_.emplace_back([this, w] {
            try {
              worker::serve_thread(view_, w, record_error, &boxes_[w]);
            } catch (...) {  // only a bad slot can get here; the epoch loop would wait for it
              record_error(&boxes_[w], std::current_exception());
            }
          });
        } catch (const std::system_error& e) {
          throw runtime_failure(fmt::format("cannot start worker {} in epoch 1: {}", w, e.what()));
        }
        break;
    }
  }

  // Asks every worker to stop, gives processes a moment to leave, then kills what is left. After a
  // failed or interrupted epoch processes are killed at once (before, the wait for the acks of the
  // dead or still-busy ones took its full 2 s after every failure and every Ctrl-C), and threads
  // are asked to leave their task (worker::set_tasks_abandoned).
  void shutdown() noexcept {
    try {
      if (abandoned_ && kind_ != executor_kind::thread) {
        procs_.stop_all();
        return;
      }
      if (abandoned_) worker::set_tasks_abandoned(true);
      // A slot is rewritten only once its worker has finished the previous command (after an
      // interruption or a failure some may still be running theirs). Threads always finish;
      // a process that does not is killed below.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      for (std::uint32_t w = 0; w < workers_; ++w) {
        auto& slot = view_.commands()[w];
        for (std::uint32_t a; (a = control::load(slot.acked)) != control::load(slot.seq);) {
          if (kind_ != executor_kind::thread && std::chrono::steady_clock::now() > deadline) break;
          control::wait(slot.acked, a, std::chrono::milliseconds(10));
        }
      }
      for (std::uint32_t w = 0; w < workers_; ++w) {
        shm::command_slot cmd;
        cmd.op = shm::command_op::stop;
        control::post(view_, w, cmd);
      }
      for (auto& t : threads_) t.join();
      threads_.clear();
      worker::set_tasks_abandoned(false);
      if (procs_.running() > 0)
        procs_.wait_all(0, nullptr, std::chrono::steady_clock::now() + std::chrono::seconds(2));
    } catch (...) {
    }
    procs_.stop_all();
  }

  executor_kind kind_;
  const shm::segment_view& view_;
  std::uint32_t workers_;
  worker::attach_mode attach_;
  process_set procs_;
  std::vector<std::thread> threads_;
  std::vector<thread_error_box> boxes_;
  bool abandoned_ = false;
};

}  // namespace

std::unique_ptr<executor> make_run_executor(const executor_setup& s) { return std::make_unique<run_executor>(s); }

}  // namespace hogwild
