#include "coordinator/executor.hpp"

#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild {
namespace {

// After an epoch, every task's stats slot must say that it finished that epoch. A worker that
// exits 0 without doing its task (HOGWILD_WORKER pointing at another program, a binary of another
// version) would otherwise count as success and leave its share of the epoch untrained.
class checked_executor final : public executor {
 public:
  checked_executor(std::unique_ptr<executor> inner, const shm::segment_view* view)
      : inner_(std::move(inner)), view_(view) {}

  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                 const epoch_monitor& monitor) override {
    inner_->run_epoch(tasks, usage, monitor);
    for (const auto& t : tasks) {
      const shm::worker_stats& s = view_->stats()[t.worker];
      if (s.done == 1 && s.epoch == t.epoch) continue;
      throw runtime_failure(fmt::format(
          "worker {} ended epoch {} without finishing its task (its stats slot {}); is the worker executable a "
          "hogwild-worker of this build?", t.worker, t.epoch + 1,
          s.done == 1 ? fmt::format("was last written in epoch {}", s.epoch + 1) : std::string("was never completed")));
    }
  }

 private:
  std::unique_ptr<executor> inner_;
  const shm::segment_view* view_;
};

std::unique_ptr<executor> make_unchecked_executor(const executor_setup& s) {
  if (s.lifetime == worker_lifetime::run) return make_run_executor(s);
  switch (s.kind) {
    case executor_kind::spawn: return make_spawn_executor(s);
    case executor_kind::thread: return make_thread_executor(s);
    case executor_kind::fork: break;
  }
  return make_fork_executor(s);
}

}  // namespace

worker::attach_mode resolve_attach(attach_choice choice, executor_kind kind) {
  switch (choice) {
    case attach_choice::populate: return worker::attach_mode::populate;
    case attach_choice::lazy: return worker::attach_mode::lazy;
    case attach_choice::inherit: return worker::attach_mode::inherit;
    case attach_choice::inherit_populate: return worker::attach_mode::inherit_populate;
    // To the worker the private data copy is plain inheritance: the trainer makes the copy and
    // hands the executor a view of it (coordinator/private_data.hpp).
    case attach_choice::inherit_private: return worker::attach_mode::inherit;
    case attach_choice::automatic: break;
  }
  // Measured in docs/overheads.md: a forked worker that keeps the coordinator's mapping pays
  // neither the mmap nor MAP_POPULATE's walk over the whole segment, and faults in only the
  // pages it touches (with --attach auto the trainer also hands the executor a view whose data
  // comes from a private huge-page copy when that is small enough: wants_private_copy). Spawned
  // workers must map by name; MAP_POPULATE beats lazy faulting there.
  return kind == executor_kind::fork ? worker::attach_mode::inherit : worker::attach_mode::populate;
}

std::unique_ptr<executor> make_executor(const executor_setup& s) {
  auto e = make_unchecked_executor(s);
  if (!s.view) return e;
  return std::make_unique<checked_executor>(std::move(e), s.view);
}

}  // namespace hogwild
