// thread executor: one std::thread per worker per epoch in the coordinator, on the coordinator's
// own mapping of the segment, running the very same task code (run_task → train_range with
// concurrent = true). A thread's exception is carried out through an exception_ptr.
//
// A thread cannot be stopped from outside: on SIGINT/SIGTERM the epoch's threads finish their
// ranges (signals stay blocked in them and are collected by the coordinator afterwards).
#include <atomic>
#include <exception>
#include <fmt/format.h>
#include <system_error>
#include <thread>

#include "coordinator/executor.hpp"
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
    std::atomic<std::size_t> finished{0};
    threads.reserve(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      try {
        threads.emplace_back([&, i] {
          try {
            const std::int64_t t = worker::now_ns();
            worker::run_task(view_, tasks[i], t, t, true);
          } catch (...) {
            errors[i] = std::current_exception();
          }
          finished.fetch_add(1, std::memory_order_release);
        });
      } catch (const std::system_error& e) {
        for (auto& t : threads) t.join();
        throw runtime_failure(fmt::format("cannot start worker {} in epoch {}: {}", i, tasks[i].epoch + 1, e.what()));
      }
    }
    try {
      if (monitor)
        while (finished.load(std::memory_order_acquire) < tasks.size())
          if (!monitor()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } catch (...) {
      for (auto& t : threads) t.join();  // a thread cannot be abandoned; its range is short
      throw;
    }
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < tasks.size(); ++i)
      if (errors[i]) throw runtime_failure(thread_failure(i, tasks[i].epoch + 1, errors[i]));
  }

 private:
  const shm::segment_view& view_;
};

}  // namespace

std::unique_ptr<executor> make_thread_executor(const executor_setup& s) { return std::make_unique<thread_executor>(s); }

}  // namespace hogwild
