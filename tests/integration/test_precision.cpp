// --precision float32 through train(): fixed-seed repeatability, sync with W workers equal to
// serial with batch K·W bit for bit (every executor, dense and CSR, binary and multiclass models),
// round-robin equal to serial, async accuracy against float64 serial, the saved model file and
// checkpoint/resume. The float64 versions of these properties are tested in test_training.cpp,
// test_sync.cpp and test_reliability.cpp.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "coordinator/model_io.hpp"
#include "coordinator/trainer.hpp"
#include "shared/error.hpp"

using namespace hogwild;
namespace fs = std::filesystem;

namespace {

config defaults(precision p = precision::float32) {
  config c;  // Experiment 1 as parsed from no flags
  c.lambda = 1.0;
  c.weight_precision = p;
  return c;
}

run_result run(config c, run_mode mode, unsigned workers, unsigned batch) {
  c.mode = mode;
  c.workers = mode == run_mode::serial ? 1 : workers;
  c.batch_size = batch;
  return train(c, nullptr);
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// run_result::weights are doubles in both precisions; a float32 model's are floats widened.
bool all_floats(const std::vector<double>& w) {
  for (double x : w)
    if (static_cast<double>(static_cast<float>(x)) != x) return false;
  return true;
}

int leftovers() {
  const std::string prefix = "hogwild-" + std::to_string(::getpid()) + "-";
  int n = 0;
  for (const auto& e : fs::directory_iterator("/dev/shm")) n += e.path().filename().string().starts_with(prefix);
  return n;
}

struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("hw-precision-" + std::to_string(::getpid()));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
};

// A LIBSVM file of 3 classes in 20 dims: label = argmax of three fixed linear scores (seeded).
void write_three_classes(const fs::path& path) {
  std::mt19937 g(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  float centre[3][20];
  for (auto& c : centre)
    for (float& x : c) x = u(g);
  std::FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f);
  for (int i = 0; i < 600; ++i) {
    float x[20];
    for (float& v : x) v = u(g);
    int best = 0;
    float best_s = -1e30f;
    for (int c = 0; c < 3; ++c) {
      float s = 0;
      for (int j = 0; j < 20; ++j) s += centre[c][j] * x[j];
      if (s > best_s) best_s = s, best = c;
    }
    std::fprintf(f, "%d", best + 1);
    for (int j = 0; j < 20; ++j)
      if (j % 3 != i % 3) std::fprintf(f, " %d:%.4f", j + 1, static_cast<double>(x[j]));  // about 2/3 dense
    std::fprintf(f, "\n");
  }
  std::fclose(f);
}

}  // namespace

TEST_CASE("float32: serial with a fixed seed is bit-for-bit repeatable and trains a float model") {
  config c = defaults();
  c.epochs = 20;
  const auto a = run(c, run_mode::serial, 1, 2);
  const auto b = run(c, run_mode::serial, 1, 2);
  CHECK(same_bytes(a.weights, b.weights));
  for (std::size_t e = 0; e < a.history.size(); ++e) CHECK(a.history[e].train_objective == b.history[e].train_objective);
  CHECK(all_floats(a.weights));
  const auto f64 = run(defaults(precision::float64), run_mode::serial, 1, 2);
  CHECK_FALSE(all_floats(f64.weights));  // the two precisions really differ
  CHECK(leftovers() == 0);
}

TEST_CASE("float32: sync with W workers equals serial with batch K*W bit for bit") {
  config c = defaults();
  c.epochs = 4;
  for (auto [w, k] : {std::pair{2u, 2u}, {3u, 2u}, {4u, 2u}, {3u, 3u}, {8u, 1u}}) {
    CAPTURE(w);
    CAPTURE(k);
    CHECK(same_bytes(run(c, run_mode::sync, w, k).weights, run(c, run_mode::serial, 1, k * w).weights));
  }
  SUBCASE("every executor") {
    const auto serial = run(c, run_mode::serial, 1, 4);
    for (executor_kind e : {executor_kind::fork, executor_kind::spawn, executor_kind::thread}) {
      CAPTURE(name_of(e));
      c.executor = e;
      CHECK(same_bytes(run(c, run_mode::sync, 2, 2).weights, serial.weights));
    }
  }
  SUBCASE("dense layout and logistic model") {
    c.layout = layout_choice::dense;
    c.model = models::model_kind::logistic;
    CHECK(same_bytes(run(c, run_mode::sync, 3, 3).weights, run(c, run_mode::serial, 1, 9).weights));
  }
  CHECK(leftovers() == 0);
}

TEST_CASE("float32: round-robin with batch K equals serial with batch K under every executor") {
  config c = defaults();
  c.epochs = 4;
  const auto serial = run(c, run_mode::serial, 1, 2);
  for (executor_kind e : {executor_kind::fork, executor_kind::spawn, executor_kind::thread}) {
    CAPTURE(name_of(e));
    c.executor = e;
    CHECK(same_bytes(run(c, run_mode::round_robin, 3, 2).weights, serial.weights));
  }
  CHECK(leftovers() == 0);
}

TEST_CASE("float32: multiclass-svm and softmax learn and sync equals serial with batch K*W") {
  temp_dir d;
  const fs::path file = d.path / "three.svm";
  write_three_classes(file);
  for (auto model : {models::model_kind::multiclass_svm, models::model_kind::softmax}) {
    for (auto layout : {layout_choice::csr, layout_choice::dense}) {
      CAPTURE(models::name_of(model));
      CAPTURE(layout == layout_choice::csr);
      config c = defaults();
      c.model = model;
      c.layout = layout;
      c.files.train = {file.string()};
      c.files.cache.enabled = false;
      c.epochs = 10;
      const auto serial = run(c, run_mode::serial, 1, 4);
      CHECK(all_floats(serial.weights));
      CHECK(serial.weights.size() == 20 * 3);
      CHECK(serial.history.back().train_error < 0.25);  // chance is 2/3
      CHECK(same_bytes(run(c, run_mode::sync, 2, 2).weights, serial.weights));
      c.executor = executor_kind::thread;
      CHECK(same_bytes(run(c, run_mode::sync, 2, 2).weights, serial.weights));
    }
  }
  CHECK(leftovers() == 0);
}

TEST_CASE("float32: async with 2 workers ends within 1 point of float64 serial on the default data") {
  const double serial_err = run(defaults(precision::float64), run_mode::serial, 1, 2).history.back().test_error;
  CHECK(serial_err < 0.05);
  for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run}) {
    CAPTURE(name_of(life));
    config c = defaults();
    c.lifetime = life;
    const auto r = run(c, run_mode::async, 2, 2);
    CHECK(std::abs(r.history.back().test_error - serial_err) <= 0.01);
    CHECK(r.history.back().train_objective < 0.5 * r.history.front().train_objective);
    CHECK(all_floats(r.weights));
  }
  CHECK(leftovers() == 0);
}

TEST_CASE("float32: async under every executor and worker lifetime ends within 1 point of float32 serial") {
  config c = defaults();
  c.epochs = 40;
  const auto serial = run(c, run_mode::serial, 1, 2);
  for (executor_kind e : {executor_kind::fork, executor_kind::spawn, executor_kind::thread})
    for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run}) {
      CAPTURE(name_of(e));
      CAPTURE(name_of(life));
      c.executor = e;
      c.lifetime = life;
      const auto r = run(c, run_mode::async, 2, 2);
      CHECK(std::abs(r.history.back().test_error - serial.history.back().test_error) <= 0.01);
      CHECK(all_floats(r.weights));
    }
  CHECK(leftovers() == 0);
}

TEST_CASE("float32: a model replica per worker with 1 worker equals the shared model bit for bit") {
  config c = defaults();
  c.epochs = 10;
  const auto shared = run(c, run_mode::async, 1, 2);
  c.replicas = replica_mode::worker;
  c.average_every = 3;
  CHECK(same_bytes(run(c, run_mode::async, 1, 2).weights, shared.weights));
  c.epochs = 40;
  const auto two = run(c, run_mode::async, 2, 2);
  CHECK(all_floats(two.weights));
  CHECK(two.history.back().train_objective < 0.6 * two.history.front().train_objective);
}

TEST_CASE("float32: the saved model file round-trips the float weights exactly") {
  temp_dir d;
  config c = defaults();
  c.mode = run_mode::serial;
  c.epochs = 5;
  c.save_model_path = (d.path / "f32.model").string();
  const auto r = train(c, nullptr);
  const saved_model m = read_model(c.save_model_path);
  CHECK(m.weights == r.weights);
  CHECK(all_floats(m.weights));
  // Written as float64 text in both precisions: the file is the same format as a float64 run's.
  config c64 = c;
  c64.weight_precision = precision::float64;
  c64.save_model_path = (d.path / "f64.model").string();
  train(c64, nullptr);
  const saved_model m64 = read_model(c64.save_model_path);
  CHECK(m64.weights.size() == m.weights.size());
  CHECK(m64.dims == m.dims);
}

TEST_CASE("float32: a resumed run ends bit-identical and a checkpoint of the other precision is refused") {
  temp_dir d;
  for (run_mode mode : {run_mode::serial, run_mode::sync}) {
    CAPTURE(name_of(mode));
    config full = defaults();
    full.synthetic.rows = 2000;
    full.synthetic.test_rows = 200;
    full.epochs = 6;
    full.mode = mode;
    full.workers = mode == run_mode::serial ? 1 : 3;
    const auto uninterrupted = train(full, nullptr);
    config first = full;
    first.epochs = 3;
    first.checkpoint_path = (d.path / "run.ckpt").string();
    train(first, nullptr);
    config second = full;
    second.resume_path = first.checkpoint_path;
    const auto resumed = train(second, nullptr);
    CHECK(same_bytes(resumed.weights, uninterrupted.weights));
    CHECK(resumed.history.back().train_objective == uninterrupted.history.back().train_objective);
    // The same run in the other precision does not take this checkpoint, in either direction.
    config other = second;
    other.weight_precision = precision::float64;
    CHECK_THROWS_WITH_AS(train(other, nullptr), doctest::Contains("belongs to another run"), usage_error);
    first.weight_precision = precision::float64;
    train(first, nullptr);
    CHECK_THROWS_WITH_AS(train(second, nullptr), doctest::Contains("belongs to another run"), usage_error);
  }
  CHECK(leftovers() == 0);
}
