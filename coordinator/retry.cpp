#include "coordinator/retry.hpp"

#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild {
namespace {

class retrying_executor final : public executor {
 public:
  retrying_executor(std::unique_ptr<executor> inner, unsigned max_retries, before_retry_hook hook)
      : inner_(std::move(inner)), max_retries_(max_retries), hook_(std::move(hook)) {}

  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>& usage,
                 const epoch_monitor& monitor) override {
    try {
      inner_->run_epoch(tasks, usage, monitor);
      return;
    } catch (const runtime_failure& e) {
      if (max_retries_ == 0) throw runtime_failure(fmt::format("{} (gave up after 0 retries, --max-retries 0)", e.what()));
      retry(tasks, usage, monitor, e.what());
    }
  }

 private:
  void retry(const std::vector<worker::worker_args>& original, std::vector<worker_usage>& usage,
             const epoch_monitor& monitor, std::string cause) {
    std::vector<worker::worker_args> tasks = original;
    for (auto& t : tasks) t.inject = worker::fault::none;
    for (unsigned attempt = 2;; ++attempt) {
      if (hook_) hook_(tasks, attempt, cause);
      try {
        inner_->run_epoch(tasks, usage, monitor);
        return;
      } catch (const runtime_failure& e) {
        if (attempt > max_retries_)
          throw runtime_failure(fmt::format("{} (gave up after {} retr{}, --max-retries {})", e.what(), max_retries_,
                                            max_retries_ == 1 ? "y" : "ies", max_retries_));
        cause = e.what();
      }
    }
  }

  std::unique_ptr<executor> inner_;
  unsigned max_retries_;
  before_retry_hook hook_;
};

}  // namespace

std::unique_ptr<executor> make_retrying_executor(std::unique_ptr<executor> inner, unsigned max_retries,
                                                 before_retry_hook hook) {
  return std::make_unique<retrying_executor>(std::move(inner), max_retries, std::move(hook));
}

}  // namespace hogwild
