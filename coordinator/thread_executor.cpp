// thread executor: one std::thread per worker per epoch in the coordinator, on the coordinator's
// own mapping of the segment, running the very same task code (run_task → train_range with
// concurrent = true). A thread's exception is carried out through an exception_ptr.
//
// A thread cannot be killed: when one fails, or a stop signal comes (signals stay blocked in the
// threads and are collected here), the executor sets worker::set_tasks_abandoned and the other
// threads leave their tasks at their next look at it (a few milliseconds into a hogwild range, at
// most worker_poll in a sync or round-robin wait); then it joins them and reports the first
// failure, or throws interrupted. Without that, a sync or round-robin thread whose peer had failed
// waited for its liveness backstop (4 × --step-timeout + 1 s) with Ctrl-C ignored meanwhile.
#include <atomic>
#include <condition_variable>
#include <exception>
#include <fmt/format.h>
#include <mutex>
#include <system_error>
#include <thread>

#include "coordinator/executor.hpp"
#include "coordinator/signals.hpp"
#include "shared/error.hpp"

namespace hogwild {

std::string thread_failure(std::size_t worker, std::uint32_t epoch, const std::exception_ptr& e) {
  std::string why = "unknown exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    why = x.what();
  } catch (...) {
  }
  return fmt::format("worker {} (thread) in epoch {} failed: {}", worker, epoch, why);
}

namespace {

class thread_executor final : public executor {
 public:
  explicit thread_executor(const executor_setup& s) : view_(*s.view) {}
  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                 const epoch_monitor& monitor) override {
    usage.assign(tasks.size(), {});
    std::vector<std::exception_ptr> errors(tasks.size());
    std::vector<std::thread> threads;
    std::mutex m;
    std::condition_variable changed;  // a thread finished
    std::size_t finished = 0;         // guarded by m
    long first_failed = -1;           // guarded by m: the first thread whose task failed on its own
    threads.reserve(tasks.size());
    auto stop_and_join = [&] {
      worker::set_tasks_abandoned(true);
      for (auto& t : threads) t.join();
      worker::set_tasks_abandoned(false);
    };
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      try {
        threads.emplace_back([&, i] {
          bool failed = false;
          try {
            const std::int64_t t = worker::now_ns();
            worker::run_task(view_, tasks[i], t, t, true);
          } catch (const worker::task_abandoned&) {
            // asked to stop: not a failure of its own
          } catch (...) {
            errors[i] = std::current_exception();
            failed = true;
          }
          const std::lock_guard<std::mutex> lock(m);
          ++finished;
          if (failed && first_failed < 0) first_failed = static_cast<long>(i);
          changed.notify_all();
        });
      } catch (const std::system_error& e) {
        stop_and_join();
        throw runtime_failure(fmt::format("cannot start worker {} in epoch {}: {}", i, tasks[i].epoch + 1, e.what()));
      } catch (...) {  // bad_alloc: the threads already started must not be left joinable
        stop_and_join();
        throw;
      }
    }
    // Until every thread is done: the monitor's work (sync mode's collector), a look for a failed
    // thread and for a stop signal between its slices, or without a monitor a wait of at most 10 ms.
    long failed = -1;
    try {
      for (;;) {
        {
          std::unique_lock<std::mutex> lock(m);
          if (finished == tasks.size() || first_failed >= 0) {
            failed = first_failed;
            break;
          }
          if (!monitor) changed.wait_for(lock, std::chrono::milliseconds(10));
        }
        if (signals::stop_requested()) throw signals::interruption(tasks.empty() ? 0 : tasks[0].epoch + 1);
        if (monitor && !monitor()) {
          std::unique_lock<std::mutex> lock(m);
          changed.wait_for(lock, std::chrono::milliseconds(1));
        }
      }
    } catch (...) {
      stop_and_join();
      throw;
    }
    if (failed >= 0) {
      stop_and_join();
      const auto f = static_cast<std::size_t>(failed);
      throw runtime_failure(thread_failure(f, tasks[f].epoch + 1, errors[f]));
    }
    for (auto& t : threads) t.join();
  }

 private:
  const shm::segment_view& view_;
};

}  // namespace

std::unique_ptr<executor> make_thread_executor(const executor_setup& s) { return std::make_unique<thread_executor>(s); }

}  // namespace hogwild
