// Checkpoint/resume and retry through train(): a resumed serial or sync run ends bit-identical to
// an uninterrupted one; a checkpoint of another run is refused; a killed worker with
// --on-worker-failure retry lets the run finish (exactly as without the fault in sync and
// round-robin), with abort it fails; nothing is left in /dev/shm; a kill is noticed at once.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "coordinator/atomic_file.hpp"
#include "coordinator/trainer.hpp"
#include "shared/error.hpp"

using namespace hogwild;
namespace fs = std::filesystem;

namespace {

config small(run_mode mode, unsigned workers) {
  config c;
  c.lambda = 1.0;
  c.mode = mode;
  c.workers = mode == run_mode::serial ? 1 : workers;
  c.synthetic.rows = 2000;
  c.synthetic.test_rows = 200;
  c.epochs = 8;
  return c;
}

std::vector<std::string> own_shm_entries() {
  const std::string prefix = "hogwild-" + std::to_string(::getpid()) + "-";
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator("/dev/shm"))
    if (e.path().filename().string().starts_with(prefix)) out.push_back(e.path().filename().string());
  return out;
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("hw-relint-" + std::to_string(::getpid()));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
};

void resume_is_bit_identical(run_mode mode) {
  temp_dir d;
  const config full = small(mode, 3);
  const auto uninterrupted = train(full, nullptr);
  for (unsigned stop : {1u, 3u, 7u}) {
    CAPTURE(stop);
    config first = full;
    first.epochs = stop;  // the run "dies" after epoch `stop`
    first.checkpoint_path = (d.path / "run.ckpt").string();
    first.checkpoint_every = 1;
    train(first, nullptr);
    config second = full;
    second.resume_path = first.checkpoint_path;
    const auto resumed = train(second, nullptr);
    CHECK(same_bytes(resumed.weights, uninterrupted.weights));
    REQUIRE(resumed.history.size() == full.epochs - stop);
    CHECK(resumed.history.front().epoch == stop + 1);
    CHECK(resumed.history.back().train_objective == uninterrupted.history.back().train_objective);
  }
  CHECK(own_shm_entries().empty());
}

}  // namespace

TEST_CASE("serial: a run resumed from a checkpoint ends bit-identical to an uninterrupted one") {
  resume_is_bit_identical(run_mode::serial);
}

TEST_CASE("sync: a run resumed from a checkpoint ends bit-identical to an uninterrupted one") {
  resume_is_bit_identical(run_mode::sync);
}

TEST_CASE("--checkpoint-every N writes after every N-th and the last epoch; resuming from it is exact") {
  temp_dir d;
  config c = small(run_mode::serial, 1);
  c.epochs = 5;
  c.checkpoint_path = (d.path / "k.ckpt").string();
  c.checkpoint_every = 2;
  const auto full = train(c, nullptr);
  // The last checkpoint is the end of epoch 5: resuming with --epochs 7 trains epochs 6 and 7.
  config more = small(run_mode::serial, 1);
  more.epochs = 7;
  more.resume_path = c.checkpoint_path;
  const auto extended = train(more, nullptr);
  config direct = small(run_mode::serial, 1);
  direct.epochs = 7;
  CHECK(same_bytes(extended.weights, train(direct, nullptr).weights));
  CHECK(extended.history.size() == 2);
}

TEST_CASE("a checkpoint of another dataset, model, mode or learning rate is refused with usage_error") {
  temp_dir d;
  config c = small(run_mode::serial, 1);
  c.epochs = 2;
  c.checkpoint_path = (d.path / "k.ckpt").string();
  train(c, nullptr);
  auto resume = [&](config r) {
    r.resume_path = c.checkpoint_path;
    return train(r, nullptr);
  };
  config other_seed = small(run_mode::serial, 1);
  other_seed.synthetic.seed = 2;
  CHECK_THROWS_WITH_AS(resume(other_seed), doctest::Contains("belongs to another run"), usage_error);
  config other_model = small(run_mode::serial, 1);
  other_model.model = models::model_kind::logistic;
  CHECK_THROWS_WITH_AS(resume(other_model), doctest::Contains("belongs to another run"), usage_error);
  config other_mode = small(run_mode::sync, 2);
  CHECK_THROWS_WITH_AS(resume(other_mode), doctest::Contains("belongs to another run"), usage_error);
  config other_rate = small(run_mode::serial, 1);
  other_rate.learning_rate = 0.002;
  CHECK_THROWS_WITH_AS(resume(other_rate), doctest::Contains("--learning-rate"), usage_error);
  config done = small(run_mode::serial, 1);
  done.epochs = 2;
  CHECK_THROWS_WITH_AS(resume(done), doctest::Contains("leaves nothing to train"), usage_error);
  config missing = small(run_mode::serial, 1);
  missing.resume_path = (d.path / "none.ckpt").string();
  CHECK_THROWS_WITH_AS(train(missing, nullptr), doctest::Contains("--resume: cannot read"), usage_error);
  CHECK(own_shm_entries().empty());
}

TEST_CASE("a killed worker with --on-worker-failure retry: the run completes; sync and round-robin exactly") {
  for (run_mode mode : {run_mode::async, run_mode::sync, run_mode::round_robin}) {
    CAPTURE(name_of(mode));
    config c = small(mode, 3);
    c.epochs = 4;
    const auto clean = train(c, nullptr);
    c.on_worker_failure = failure_policy::retry;
    c.fault = fault_plan{1, 2, worker::fault::kill};
    const auto retried = train(c, nullptr);
    CHECK(retried.history.size() == 4);
    if (mode != run_mode::async) CHECK(same_bytes(retried.weights, clean.weights));
    c.on_worker_failure = failure_policy::abort;
    CHECK_THROWS_WITH_AS(train(c, nullptr), doctest::Contains("worker 1"), runtime_failure);
    c.fault = fault_plan{2, 3, worker::fault::exit};
    c.on_worker_failure = failure_policy::retry;
    c.max_retries = 0;
    CHECK_THROWS_WITH_AS(train(c, nullptr), doctest::Contains("exited with code 3"), runtime_failure);
  }
  CHECK(own_shm_entries().empty());
}

TEST_CASE("a SIGKILLed sync worker is noticed by reaping, long before the step timeout") {
  config c = small(run_mode::sync, 2);
  c.epochs = 3;
  c.step_timeout = 60;  // the other worker waits for a release that never comes
  c.fault = fault_plan{0, 1, worker::fault::kill};
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH_AS(train(c, nullptr), doctest::Contains("killed by signal 9"), runtime_failure);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("failed run took " << seconds << " s");
  CHECK(seconds < 10.0);  // loose: the fork executor wakes on SIGCHLD, or within 200 ms anyway
}

TEST_CASE("--metrics appears complete, with no temporary left, and with the rows so far after a failure") {
  temp_dir d;
  config c = small(run_mode::async, 2);
  c.epochs = 3;
  c.metrics_path = (d.path / "m.csv").string();
  train(c, nullptr);
  auto lines = [&] {
    std::ifstream in(c.metrics_path);
    std::string l;
    int n = 0;
    while (std::getline(in, l)) ++n;
    return n;
  };
  CHECK(lines() == 4);
  CHECK(!fs::exists(temporary_name(c.metrics_path)));
  c.fault = fault_plan{0, 3, worker::fault::kill};
  CHECK_THROWS_AS(train(c, nullptr), runtime_failure);
  CHECK(lines() == 3);  // header + epochs 1 and 2
  CHECK(!fs::exists(temporary_name(c.metrics_path)));
}

TEST_CASE("an unwritable output path is a usage_error before anything is created") {
  config c = small(run_mode::serial, 1);
  c.save_model_path = "/nonexistent-dir/model.txt";
  CHECK_THROWS_WITH_AS(train(c, nullptr), doctest::Contains("--save-model: cannot write '/nonexistent-dir/model.txt'"),
                       usage_error);
  c.save_model_path.clear();
  c.checkpoint_path = "/nonexistent-dir/k.ckpt";
  CHECK_THROWS_WITH_AS(train(c, nullptr), doctest::Contains("--checkpoint"), usage_error);
  CHECK(own_shm_entries().empty());
}
