// The thread executor (labelled "thread": CI runs these under TSan).
#include "tests/executors/common.hpp"

#include <atomic>
#include <vector>

#include "coordinator/eval_pool.hpp"

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

TEST_CASE("thread executor: model replicas per worker, both lifetimes") { check_replicas(executor_kind::thread); }

// The coordinator's evaluation helpers (coordinator/eval_pool.hpp) are threads too.
TEST_CASE("the evaluation pool runs every index exactly once and can be used again and again") {
  for (unsigned helpers : {0u, 1u, 3u}) {
    CAPTURE(helpers);
    eval_pool pool(helpers);
    CHECK(pool.helpers() == helpers);
    for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{97}}) {
      for (int round = 0; round < 50; ++round) {
        std::vector<std::atomic<int>> hits(count);
        pool.run(count, [&](std::size_t k) { hits[k].fetch_add(1); });
        for (std::size_t k = 0; k < count; ++k) CHECK(hits[k].load() == 1);
      }
    }
  }
}
