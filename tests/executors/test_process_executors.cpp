// fork and spawn executors, per-epoch and run-long workers: accuracy against serial, failures,
// profiling columns.
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

#include <thread>

#include "coordinator/cli.hpp"
#include "coordinator/executor.hpp"
#include "tests/executors/common.hpp"

using namespace hogwild;
using namespace hogwild::test;

TEST_CASE("fork executor: every mode and lifetime ends within 1 point of serial") { check_matrix(executor_kind::fork); }

TEST_CASE("spawn executor: every mode and lifetime ends within 1 point of serial") { check_matrix(executor_kind::spawn); }

TEST_CASE("fork executor: every --attach mode gives the same training") {
  config c = quick_defaults();
  c.epochs = 10;
  c.workers = 1;  // one worker: deterministic, so the attach mode must not change a bit
  c.attach = attach_choice::populate;
  const auto ref = train(c, nullptr).weights;
  for (attach_choice a : {attach_choice::lazy, attach_choice::inherit, attach_choice::inherit_populate,
                          attach_choice::inherit_private}) {
    for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run}) {
      c.attach = a;
      c.lifetime = life;
      CHECK(train(c, nullptr).weights == ref);
    }
  }
  CHECK(leftovers() == 0);
}

TEST_CASE("a killed or exiting worker process is reported under every process executor and lifetime") {
  for (executor_kind kind : {executor_kind::fork, executor_kind::spawn})
    for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run}) {
      CAPTURE(name_of(kind));
      check_failure(kind, life, worker::fault::kill, "worker 1 (pid");
      check_failure(kind, life, worker::fault::kill, "in epoch 2 was killed by signal 9");
      check_failure(kind, life, worker::fault::exit, "in epoch 2 exited with code 3");
    }
}

TEST_CASE("run-long workers leave when the run ends: no child processes remain") {
  config c = quick_defaults();
  c.epochs = 3;
  c.workers = 4;
  c.lifetime = worker_lifetime::run;
  for (executor_kind kind : {executor_kind::fork, executor_kind::spawn}) {
    c.executor = kind;
    train(c, nullptr);
    CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);  // ECHILD: nothing left to reap
    CHECK(errno == ECHILD);
  }
}

TEST_CASE("--profile adds the breakdown columns to the metrics file") {
  config c = quick_defaults();
  c.epochs = 2;
  c.workers = 2;
  c.profile = true;
  c.metrics_path = (std::filesystem::temp_directory_path() / ("hw-prof-" + std::to_string(::getpid()) + ".csv")).string();
  const auto r = train(c, nullptr);
  std::ifstream in(c.metrics_path);
  std::string head, row;
  std::getline(in, head);
  std::getline(in, row);
  CHECK(head.ends_with(",launch_seconds,attach_seconds,compute_seconds,join_seconds,evaluation_seconds,"
                       "minor_faults,major_faults,voluntary_switches,involuntary_switches"));
  CHECK(std::count(row.begin(), row.end(), ',') == std::count(head.begin(), head.end(), ','));
  const auto& p = r.history.back().profile;
  CHECK(p.compute_seconds > 0);
  CHECK(p.launch_seconds >= 0);
  CHECK(p.evaluation_seconds > 0);
  CHECK(p.minor_faults > 0);  // a fresh process faults at least on its own stack and the segment
  std::filesystem::remove(c.metrics_path);
}

TEST_CASE("the idle hook runs while workers are alive, and its exception stops them") {
  // A segment with empty rows is all a worker needs; the injected hang keeps worker 1 alive.
  shm::segment_spec spec;
  spec.rows = 100;
  spec.dims = 4;
  spec.workers = 2;
  shm::owned_segment seg(shm::unique_name(), spec);
  for (executor_kind kind : {executor_kind::fork, executor_kind::spawn})
    for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run}) {
      CAPTURE(name_of(kind));
      CAPTURE(name_of(life));
      auto exec = make_executor({kind, life, attach_choice::automatic, seg.name(), &seg.view(), 2});
      std::vector<worker::worker_args> tasks{{seg.name(), 0, 0, 50, 0, 0.1, worker::fault::none},
                                             {seg.name(), 1, 50, 100, 0, 0.1, worker::fault::hang}};
      std::vector<worker_usage> usage;
      int calls = 0;
      auto monitor = [&] {
        if (++calls == 20) throw std::runtime_error("collector gave up");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return true;
      };
      CHECK_THROWS_WITH(exec->run_epoch(tasks, usage, monitor), "collector gave up");
      CHECK(calls == 20);
      exec.reset();
      CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);  // the hung worker was killed and reaped
    }
}

TEST_CASE("fork and spawn executors: model replicas per worker, both lifetimes") {
  for (executor_kind kind : {executor_kind::fork, executor_kind::spawn}) {
    CAPTURE(name_of(kind));
    check_replicas(kind);
  }
}
