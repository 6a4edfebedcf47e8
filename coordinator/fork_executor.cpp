// fork executor: one fork()ed child per worker per epoch; the child calls worker_main() (which
// maps the segment by name and checks its header) or, with --attach inherit, runs on the mapping
// it inherited from the coordinator (`view`: the segment, or with a private data copy the view
// the trainer made of it, coordinator/private_data.hpp), and _exit()s with its code.
#include "coordinator/executor.hpp"
#include "coordinator/process_set.hpp"
#include "coordinator/signals.hpp"

namespace hogwild {
namespace {

class fork_executor final : public executor {
 public:
  explicit fork_executor(const executor_setup& s) : view_(s.view), attach_(resolve_attach(s.attach, s.kind)) {
    signals::block();  // SIGCHLD must be blocked for signals::wait to see it
  }
  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                 const epoch_monitor& monitor) override {
    usage.assign(tasks.size(), {});
    const std::uint32_t epoch = tasks.empty() ? 0 : tasks[0].epoch + 1;
    process_set procs;
    const bool inherit = attach_ == worker::attach_mode::inherit || attach_ == worker::attach_mode::inherit_populate;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const worker::worker_args& t = tasks[i];
      procs.add(i, fork_worker(i, epoch, [&] {
                  return inherit && view_ ? worker::worker_main_inherited(*view_, t, attach_)
                                          : worker::worker_main(t, attach_);
                }));
    }
    procs.wait_all(epoch, &usage, std::chrono::steady_clock::time_point::max(), monitor);
  }

 private:
  const shm::segment_view* view_;
  worker::attach_mode attach_;
};

}  // namespace

std::unique_ptr<executor> make_fork_executor(const executor_setup& s) { return std::make_unique<fork_executor>(s); }

}  // namespace hogwild
