// Shared by the executor tests: a matrix run and the /dev/shm leftover check.
#pragma once
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "coordinator/trainer.hpp"
#include "shared/error.hpp"

namespace hogwild::test {

inline config quick_defaults() {
  config c;  // Experiment 1, fewer epochs
  c.lambda = 1.0;
  c.epochs = 40;
  return c;
}

inline int leftovers() {
  const std::string prefix = "hogwild-" + std::to_string(::getpid()) + "-";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/dev/shm"))
    n += e.path().filename().string().starts_with(prefix);
  return n;
}

inline double serial_test_error(const config& base) {
  config c = base;
  c.mode = run_mode::serial;
  c.workers = 1;
  return train(c, nullptr).history.back().test_error;
}

// Every mode that runs workers, under `kind` with both lifetimes, ends within 1 point of serial.
inline void check_matrix(executor_kind kind) {
  const config base = quick_defaults();
  const double serial_err = serial_test_error(base);
  CHECK(serial_err < 0.05);
  for (run_mode mode : {run_mode::async, run_mode::serial})
    for (worker_lifetime life : {worker_lifetime::epoch, worker_lifetime::run})
      for (unsigned workers : {1u, 4u}) {
        CAPTURE(name_of(mode));
        CAPTURE(name_of(life));
        CAPTURE(workers);
        config c = base;
        c.mode = mode;
        c.executor = kind;
        c.lifetime = life;
        c.workers = mode == run_mode::serial ? 1 : workers;
        const auto r = train(c, nullptr);
        CHECK(std::abs(r.history.back().test_error - serial_err) <= 0.01);
        CHECK(r.history.back().train_objective < 0.5 * r.history.front().train_objective);
      }
  CHECK(leftovers() == 0);
}

// A failing worker (injected `action` in worker 1, epoch 2) is reported by worker and epoch, and
// nothing is left behind.
inline void check_failure(executor_kind kind, worker_lifetime life, worker::fault action, const char* expected) {
  config c = quick_defaults();
  c.workers = 3;
  c.epochs = 4;
  c.executor = kind;
  c.lifetime = life;
  c.fault = fault_plan{1, 2, action};
  CAPTURE(name_of(life));
  CHECK_THROWS_WITH_AS(train(c, nullptr), doctest::Contains(expected), runtime_failure);
  CHECK(leftovers() == 0);
}

}  // namespace hogwild::test
