#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "coordinator/cli.hpp"
#include "coordinator/data_setup.hpp"
#include "shared/error.hpp"
#include "tests/unit/synthetic_rows.hpp"

using namespace hogwild;

namespace {

config parse(std::vector<std::string> args) {
  args.insert(args.begin(), "hogwild-coordinator");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  config c;
  REQUIRE(parse_cli(static_cast<int>(argv.size()), argv.data(), c));
  return c;
}

// The command line is refused (usage_error) with a message containing `text`.
void fails(std::vector<std::string> args, const char* text) {
  args.insert(args.begin(), "hogwild-coordinator");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  config c;
  CHECK_THROWS_WITH_AS(parse_cli(static_cast<int>(argv.size()), argv.data(), c), doctest::Contains(text), usage_error);
}

}  // namespace

TEST_CASE("defaults reproduce the course project's Experiment 1") {
  const config c = parse({});
  CHECK(c.mode == run_mode::async);
  CHECK(c.model == models::model_kind::svm);
  CHECK(c.synthetic.kind == data::synthetic_kind::svm);
  CHECK(c.synthetic.dims == 100);
  CHECK(c.synthetic.density == 0.2);
  CHECK(c.synthetic.rows == 10000);
  CHECK(c.synthetic.test_rows == 1000);
  CHECK(c.epochs == 200);
  CHECK(c.learning_rate == 0.001);
  CHECK(c.decay == 0.99);
  CHECK(c.batch_size == 2);
  CHECK(c.lambda == 1.0);
  CHECK(c.workers >= 1);
}

TEST_CASE("least-squares defaults to the course project's Experiment 3") {
  const config c = parse({"--model", "least-squares"});
  CHECK(c.synthetic.kind == data::synthetic_kind::regression);
  CHECK(c.synthetic.dims == 5);
  CHECK(c.synthetic.rows == 5000);
  CHECK(c.epochs == 100);
  CHECK(c.lambda == 0.0);
}

TEST_CASE("explicit flags win") {
  const config c = parse({"--mode", "serial", "--workers", "1", "--epochs", "7", "--lambda", "0.5",
                          "--density", "0.05"});
  CHECK(c.mode == run_mode::serial);
  CHECK(c.workers == 1);  // serial is one process
  CHECK(parse({"--mode", "sync", "--workers", "4"}).workers == 4);
  CHECK(c.epochs == 7);
  CHECK(c.lambda == 0.5);
  CHECK(c.synthetic.density == 0.05);
}

TEST_CASE("bad values name the flag") {
  fails({"--workers", "0"}, "--workers");
  fails({"--batch-size", "0"}, "--batch-size");
  fails({"--decay", "1.5"}, "--decay");
  fails({"--lambda", "-1"}, "--lambda");
  fails({"--inject-fault", "0:0:kill"}, "--inject-fault");
  fails({"--inject-fault", "5:1:kill", "--workers", "2"}, "--inject-fault");
  fails({"--inject-fault", "0:1:explode"}, "explode");
}

TEST_CASE("a flag that would do nothing is refused naming what it needs") {
  fails({"--executor", "thread", "--step-timeout", "2"}, "--step-timeout: async: only worker processes are watched");
  fails({"--sync-exchange", "maps"}, "--sync-exchange: needs --distributed --mode sync");
  fails({"--max-retries", "5"}, "--max-retries: needs --on-worker-failure retry");
  fails({"--average-every", "3"}, "--average-every: needs --replicas worker");
  fails({"--checkpoint-every", "3"}, "--checkpoint-every: needs --checkpoint FILE");
  fails({"--scale", "unit"}, "--scale: is about data files");
  fails({"--no-cache"}, "--no-cache: is about data files");
  fails({"--train", "x.svm", "--rows", "5"}, "--rows: sets up synthetic data");
  fails({"--metrics", ""}, "--metrics: expected a file name, got ''");
  fails({"--epochs", "abc"}, "--epochs: abc is not valid; expected a decimal integer");
  fails({"--train", ""}, "--train: expected a file name, got ''");
  fails({"--test", ""}, "--test: expected a file name, got ''");
  fails({"--epochs", "2", "--epochs", "3"}, "--epochs: given 2 times; expected once");
  fails({"--seed", "-1"}, "--seed: '-1' is not valid");
  fails({"--load-model", "m.txt", "--test", "t.svm", "--epochs", "5"}, "--epochs: --load-model only scores --test");
  fails({"--load-model", "m.txt", "--test", "t.svm", "--train", "x.svm"}, "--train: --load-model only scores --test");
  // The same flags where they do something are accepted.
  CHECK(parse({"--on-worker-failure", "retry", "--max-retries", "5"}).max_retries == 5);
  CHECK(parse({"--replicas", "worker", "--average-every", "3"}).average_every == 3);
  CHECK(parse({"--mode", "serial", "--workers", "1"}).workers == 1);
  // Serial takes the worker flags of a sweep over the modes (a note on stderr says they are ignored).
  CHECK(parse({"--mode", "serial", "--workers", "4", "--executor", "spawn"}).workers == 1);
  CHECK(parse({"--train", "x.svm", "--scale", "unit", "--no-cache"}).files.cache.enabled == false);
  CHECK(parse({"--seed", "18446744073709551615"}).synthetic.seed == 18446744073709551615ULL);
  CHECK(parse({"--load-model", "m.txt", "--test", "t.svm", "--format", "libsvm", "--predictions", "p.txt", "--quiet"})
            .load_model_path == "m.txt");
  // A device is no file that one output could overwrite for another.
  CHECK(parse({"--train", "x.svm", "--test", "y.svm", "--save-model", "/dev/null", "--predictions", "/dev/null"})
            .predictions_path == "/dev/null");
}

TEST_CASE("sync and round-robin modes and --step-timeout") {
  CHECK(parse({"--mode", "sync", "--workers", "3"}).mode == run_mode::sync);
  CHECK(parse({"--mode", "sync", "--workers", "3"}).workers == 3);
  CHECK(parse({"--mode", "round-robin"}).mode == run_mode::round_robin);
  CHECK(std::string(name_of(run_mode::round_robin)) == "round-robin");
  CHECK(parse({}).step_timeout == 10.0);
  CHECK(parse({"--mode", "sync", "--step-timeout", "0.25"}).step_timeout == 0.25);
  CHECK(parse({"--mode", "sync", "--workers", "2", "--inject-fault", "1:1:hang"}).fault->worker == 1);
  config c;
  std::vector<std::string> args{"hogwild-coordinator", "--step-timeout", "-1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  CHECK_THROWS_WITH_AS(parse_cli(3, argv.data(), c), doctest::Contains("--step-timeout"), usage_error);
}

TEST_CASE("--train switches to the file-data defaults; flags still win") {
  const config c = parse({"--train", "x.svm", "--test", "y.svm"});
  CHECK(c.files.train == std::vector<std::string>{"x.svm"});
  CHECK(c.files.test == std::vector<std::string>{"y.svm"});
  CHECK(c.epochs == 20);
  CHECK(c.learning_rate == 0.0);  // resolved from the data: 1 / max squared row norm
  CHECK(c.decay == 0.85);
  CHECK(c.batch_size == 2);
  CHECK(c.lambda == 1.0);
  CHECK(c.files.format == data::file_format::automatic);
  CHECK(c.files.scale == data::scale_kind::automatic);
  CHECK(c.files.cache.enabled);
  const config d = parse({"--train", "x", "--epochs", "3", "--learning-rate", "0.5", "--decay", "1", "--format", "idx",
                          "--scale", "standardize", "--validation-fraction", "0.1", "--no-cache", "--model", "softmax"});
  CHECK(d.epochs == 3);
  CHECK(d.learning_rate == 0.5);
  CHECK(d.decay == 1.0);
  CHECK(d.files.format == data::file_format::idx);
  CHECK(d.files.scale == data::scale_kind::standardize);
  CHECK(d.files.validation_fraction == 0.1);
  CHECK_FALSE(d.files.cache.enabled);
  CHECK(d.model == models::model_kind::softmax);
}

TEST_CASE("--executor, --worker-lifetime, --attach and --profile") {
  const config d = parse({});
  CHECK(d.executor == executor_kind::fork);
  CHECK(d.lifetime == worker_lifetime::epoch);
  CHECK(d.attach == attach_choice::automatic);
  CHECK_FALSE(d.profile);
  const config c = parse({"--executor", "spawn", "--worker-lifetime", "run", "--attach", "lazy", "--profile"});
  CHECK(c.executor == executor_kind::spawn);
  CHECK(c.lifetime == worker_lifetime::run);
  CHECK(c.attach == attach_choice::lazy);
  CHECK(c.profile);
  CHECK(parse({"--executor", "thread", "--inject-fault", "0:1:exit"}).fault->action == worker::fault::exit);
  CHECK(parse({"--attach", "inherit-populate"}).attach == attach_choice::inherit_populate);
  CHECK(parse({"--attach", "inherit-private"}).attach == attach_choice::inherit_private);
  auto raw = [](std::vector<std::string> args) {
    args.insert(args.begin(), "hogwild-coordinator");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    config parsed;
    parse_cli(static_cast<int>(argv.size()), argv.data(), parsed);
  };
  CHECK_THROWS_WITH_AS(raw({"--executor", "thread", "--inject-fault", "0:1:kill"}), doctest::Contains("only 'exit'"),
                       usage_error);
  CHECK_THROWS_WITH_AS(raw({"--executor", "thread", "--attach", "inherit"}),
                       doctest::Contains("--attach: inherit needs --executor fork"), usage_error);
}

TEST_CASE("layout auto picks dense rows where they are smaller or where the AVX2 loop trains them") {
  const auto rows = [](std::size_t dims, double density) { return test::synthetic_rows(400, dims, density); };
  const auto d20 = rows(100, 0.2), d10 = rows(100, 0.1), d60 = rows(100, 0.6);
  const auto dense = kernel::layout::dense, csr = kernel::layout::csr;
  // Density 0.5 and up: dense, whatever the run.
  CHECK(choose_layout(parse({}), d60, 1, false) == dense);
  CHECK(choose_layout(parse({"--layout", "csr"}), d60, 1, true) == csr);
  // Density 0.2: dense only for float32, one output, AVX2 and a runner with plain access.
  const config serial32 = parse({"--mode", "serial", "--precision", "float32"});
  CHECK(choose_layout(serial32, d20, 1, true) == dense);
  CHECK(choose_layout(serial32, d20, 1, false) == csr);   // no AVX2
  CHECK(choose_layout(serial32, d20, 10, true) == csr);   // multi-output model
  CHECK(choose_layout(serial32, d10, 1, true) == csr);    // below density 1/6
  CHECK(choose_layout(parse({"--mode", "serial"}), d20, 1, true) == csr);  // float64
  CHECK(choose_layout(parse({"--mode", "round-robin", "--workers", "2", "--precision", "float32"}), d20, 1, true) ==
        dense);
  CHECK(choose_layout(parse({"--workers", "2", "--replicas", "worker", "--precision", "float32"}), d20, 1, true) ==
        dense);
  CHECK(choose_layout(parse({"--workers", "2", "--precision", "float32"}), d20, 1, true) == csr);  // shared model
  CHECK(choose_layout(parse({"--mode", "sync", "--workers", "2", "--precision", "float32"}), d20, 1, true) == csr);
  CHECK(choose_layout(parse({"--mode", "serial", "--precision", "float32", "--layout", "csr"}), d20, 1, true) == csr);
  CHECK(choose_layout(serial32, rows(5000, 0.2), 1, true) == csr);  // wider than the AVX2 loop takes
}
