// --on-worker-failure retry: an executor decorator, so the policy applies to every executor. When
// an epoch fails (a worker died, exited non-zero, or a sync/round-robin step timed out), the inner
// executor has already stopped and reaped the other workers; the decorator then calls the
// before_retry hook (the trainer restores the model to its copy from the epoch start and re-prepares
// the mode's protocol) and runs the epoch again, up to max_retries times per epoch. Interruptions
// (SIGINT/SIGTERM) are never retried. Injected test faults apply to the first attempt only.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/executor.hpp"

namespace hogwild {

// Called before attempt `attempt` (2, 3, ...) with the tasks to run and the previous failure.
using before_retry_hook =
    std::function<void(std::vector<worker::worker_args>& tasks, unsigned attempt, const std::string& cause)>;

std::unique_ptr<executor> make_retrying_executor(std::unique_ptr<executor> inner, unsigned max_retries,
                                                 before_retry_hook hook);

}  // namespace hogwild
