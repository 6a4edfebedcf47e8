// spawn executor: one hogwild-worker process per worker per epoch, started with Boost.Process
// (fork + exec), which maps the segment by name. Reaped like forked workers (process_set).
#include "coordinator/executor.hpp"
#include "coordinator/process_set.hpp"
#include "coordinator/signals.hpp"

namespace hogwild {
namespace {

class spawn_executor final : public executor {
 public:
  explicit spawn_executor(const executor_setup& s) : lazy_(resolve_attach(s.attach, s.kind) == worker::attach_mode::lazy) {
    signals::block();
  }
  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                 const epoch_monitor& monitor) override {
    usage.assign(tasks.size(), {});
    const std::uint32_t epoch = tasks.empty() ? 0 : tasks[0].epoch + 1;
    process_set procs;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      auto args = worker::format_worker_args(tasks[i]);
      if (lazy_) args.insert(args.end(), {"--attach", "lazy"});
      procs.add(i, spawn_worker(i, epoch, args));
    }
    procs.wait_all(epoch, &usage, std::chrono::steady_clock::time_point::max(), monitor);
  }

 private:
  bool lazy_;
};

}  // namespace

std::unique_ptr<executor> make_spawn_executor(const executor_setup& s) { return std::make_unique<spawn_executor>(s); }

}  // namespace hogwild
