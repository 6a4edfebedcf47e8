// The thread executor (labelled "thread": CI runs these under TSan).
#include "tests/executors/common.hpp"

using namespace hogwild;
using namespace hogwild::test;

TEST_CASE("thread executor: every mode and lifetime ends within 1 point of serial") {
  check_matrix(executor_kind::thread);
}

TEST_CASE("thread executor: a worker's exception reaches the coordinator naming worker and epoch") {
  for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run})
    check_failure(executor_kind::thread, life, worker::fault::exit,
                  "worker 1 (thread) in epoch 2 failed: injected fault: exit");
}

TEST_CASE("thread executor: one worker is deterministic and equals the serial run") {
  config c = quick_defaults();
  c.epochs = 5;
  c.mode = run_mode::serial;
  c.workers = 1;
  const auto serial = train(c, nullptr).weights;
  c.mode = run_mode::async;
  c.executor = executor_kind::thread;
  for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run}) {
    c.lifetime = life;
    CHECK(train(c, nullptr).weights == serial);
  }
}
