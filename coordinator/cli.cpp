#include "coordinator/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <thread>

#include "shared/error.hpp"
#include "shared/kernel.hpp"

namespace hogwild {

const char* name_of(run_mode m) {
  switch (m) {
    case run_mode::async: return "async";
    case run_mode::serial: return "serial";
    case run_mode::sync: return "sync";
    case run_mode::round_robin: return "round-robin";
  }
  return "?";
}

namespace {

struct raw_options {
  std::string mode = "async";
  unsigned workers = 0;  // 0 = one per core
  std::string executor = "fork";
  std::string model = "svm";
  std::string synthetic;  // "" = svm for classifiers, regression for least-squares
  std::string layout = "auto";
  std::optional<std::size_t> rows, test_rows, dims;
  std::optional<double> density;
  std::uint64_t seed = 1;
  std::optional<long long> epochs;
  double learning_rate = 0.001;
  double decay = 0.99;
  long long batch_size = 2;
  std::optional<double> lambda;
  std::string metrics, save_model, fault;
  bool quiet = false;
  double step_timeout = 10.0;
  bool cleanup = false;
  std::string checkpoint, resume, on_worker_failure = "abort";
  long long checkpoint_every = 1, max_retries = 3;
};

void build(CLI::App& app, raw_options& o) {
  app.name("hogwild-coordinator");
  app.description(
      "hogwild-coordinator: SGD on one machine with worker processes sharing the data and the model\n"
      "through POSIX shared memory (Hogwild!, Niu et al. 2011). With no flags: the course project's\n"
      "Experiment 1 (synthetic SVM data, 100 dims, density 0.2, 10,000/1,000 rows, 200 epochs).");
  app.option_defaults()->always_capture_default();
  app.add_option("--mode", o.mode,
                 "async (Hogwild!, lock-free) | sync (one global batch of batch-size x workers per step, "
                 "collected through a message queue; deterministic) | round-robin (workers take turns under a "
                 "lock, Langford et al. 2009) | serial (one process, plain SGD)")
      ->check(CLI::IsMember({"async", "sync", "round-robin", "serial"}));
  app.add_option("--workers", o.workers, "worker processes (default: one per core)")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--executor", o.executor, "how workers run: fork (a fork()ed process per worker per epoch)")
      ->check(CLI::IsMember({"fork"}));
  app.add_option("--model", o.model, "svm | logistic | least-squares")
      ->check(CLI::IsMember({"svm", "logistic", "least-squares"}));
  app.add_option("--synthetic", o.synthetic,
                 "synthetic data: svm (labels ±1) | regression (y = x·w*); default: regression for "
                 "least-squares, svm otherwise")
      ->check(CLI::IsMember({"svm", "regression"}));
  app.add_option("--rows", o.rows, "training rows (default 10000; 5000 for regression)")->check(CLI::Range(std::size_t{1}, std::size_t{1} << 31));
  app.add_option("--test-rows", o.test_rows, "test rows (default 1000)")->check(CLI::Range(std::size_t{0}, std::size_t{1} << 31));
  app.add_option("--dims", o.dims, "features (default 100; 5 for regression)")->check(CLI::Range(std::size_t{1}, std::size_t{1} << 28));
  app.add_option("--density", o.density, "probability that a feature is nonzero, in (0, 1] (default 0.2; 1 for regression)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", o.seed, "random seed (data, initial permutation, shuffles)");
  app.add_option("--layout", o.layout, "data layout in the segment: auto (CSR below density 0.5) | dense | csr")
      ->check(CLI::IsMember({"auto", "dense", "csr"}));
  app.add_option("--epochs", o.epochs, "passes over the training data (default 200; 100 for regression)");
  app.add_option("--learning-rate", o.learning_rate, "step size γ of the first epoch");
  app.add_option("--decay", o.decay, "step size multiplier β applied after each epoch, in (0, 1]");
  app.add_option("--batch-size", o.batch_size, "examples per update (gradient averaged over the batch)");
  app.add_option("--lambda", o.lambda, "L2 strength λ: objective (1/n)[Σ loss + (λ/2)‖w‖²], applied in the paper's sparse form (default 1, like LIBLINEAR's C = 1; 0 for least-squares)");
  app.add_option("--metrics", o.metrics, "write one row per epoch to FILE.csv or FILE.jsonl");
  app.add_option("--save-model", o.save_model, "write the final weights to FILE (text format, see docs/usage.md)");
  app.add_flag("--quiet", o.quiet, "no per-epoch lines on stdout");
  app.add_option("--step-timeout", o.step_timeout,
                 "sync and round-robin: seconds a step (or a turn) may take before the run fails naming the "
                 "worker it waits for");
  app.add_flag("--cleanup", o.cleanup,
               "remove what killed runs of this user left in /dev/shm (segments, queues, semaphores whose "
               "creator process is gone), print what was removed, and exit")
      ->group("Reliability");
  app.add_option("--checkpoint", o.checkpoint,
                 "write a checkpoint (model, epoch, shuffler state, run identity) to FILE every "
                 "--checkpoint-every epochs, after the last epoch, and on SIGINT/SIGTERM")
      ->group("Reliability");
  app.add_option("--checkpoint-every", o.checkpoint_every, "epochs between checkpoints")->group("Reliability");
  app.add_option("--resume", o.resume,
                 "continue from a checkpoint FILE of the same data, model and settings (refused otherwise)")
      ->group("Reliability");
  app.add_option("--on-worker-failure", o.on_worker_failure,
                 "abort (exit 1) | retry (run the failed epoch again from the model as it was at the epoch's start)")
      ->check(CLI::IsMember({"abort", "retry"}))
      ->group("Reliability");
  app.add_option("--max-retries", o.max_retries, "with --on-worker-failure retry: retries per epoch")
      ->group("Reliability");
  app.add_option("--inject-fault", o.fault,
                 "testing: WORKER:EPOCH:ACTION makes worker WORKER (0-based) fail half-way through epoch "
                 "EPOCH (1-based, as printed); ACTION kill | exit | hang")
      ->group("Testing");
}

template <class T>
void require(bool ok, const char* flag, const T& value, const char* expected) {
  if (!ok) throw usage_error(fmt::format("{}: {} is not valid; expected {}", flag, value, expected));
}

fault_plan parse_fault(const std::string& s) {
  fault_plan f;
  char action[16] = {};
  unsigned w = 0, e = 0;
  if (std::sscanf(s.c_str(), "%u:%u:%15s", &w, &e, action) != 3)
    throw usage_error(fmt::format("--inject-fault: '{}' is not WORKER:EPOCH:ACTION", s));
  f.worker = w;
  f.epoch = e;
  const std::string a = action;
  if (a == "kill") f.action = worker::fault::kill;
  else if (a == "exit") f.action = worker::fault::exit;
  else if (a == "hang") f.action = worker::fault::hang;
  else throw usage_error(fmt::format("--inject-fault: action '{}' is not kill, exit or hang", a));
  return f;
}

void finish(const raw_options& o, config& c) {
  c.mode = o.mode == "serial" ? run_mode::serial
           : o.mode == "sync"  ? run_mode::sync
           : o.mode == "round-robin" ? run_mode::round_robin
                                     : run_mode::async;
  c.model = *models::parse_model(o.model);
  const bool regression = o.synthetic.empty() ? c.model == models::model_kind::least_squares
                                              : o.synthetic == "regression";
  auto& s = c.synthetic;
  s.kind = regression ? data::synthetic_kind::regression : data::synthetic_kind::svm;
  // Defaults: Experiment 1 (svm) or Experiment 3 (regression) of the course project.
  s.rows = o.rows.value_or(regression ? 5000 : 10000);
  s.test_rows = o.test_rows.value_or(1000);
  s.dims = o.dims.value_or(regression ? 5 : 100);
  s.density = o.density.value_or(regression ? 1.0 : 0.2);
  s.seed = o.seed;
  require(s.density > 0.0, "--density", s.density, "a value in (0, 1]");
  const long long epochs = o.epochs.value_or(regression ? 100 : 200);
  require(epochs >= 1 && epochs <= 1'000'000, "--epochs", epochs, "an integer in [1, 1000000]");
  c.epochs = static_cast<unsigned>(epochs);
  require(std::isfinite(o.learning_rate) && o.learning_rate > 0, "--learning-rate", o.learning_rate, "a number > 0");
  c.learning_rate = o.learning_rate;
  require(std::isfinite(o.decay) && o.decay > 0 && o.decay <= 1, "--decay", o.decay, "a number in (0, 1]");
  c.decay = o.decay;
  require(o.batch_size >= 1 && static_cast<std::size_t>(o.batch_size) <= kernel::max_batch_coefficients,
          "--batch-size", o.batch_size, fmt::format("an integer in [1, {}]", kernel::max_batch_coefficients).c_str());
  c.batch_size = static_cast<unsigned>(o.batch_size);
  c.lambda = o.lambda.value_or(c.model == models::model_kind::least_squares ? 0.0 : 1.0);
  require(std::isfinite(c.lambda) && c.lambda >= 0, "--lambda", c.lambda, "a number >= 0");
  c.layout = o.layout == "dense" ? layout_choice::dense : o.layout == "csr" ? layout_choice::csr : layout_choice::automatic;
  c.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  if (c.mode == run_mode::serial) c.workers = 1;
  if (c.workers > s.rows)
    throw usage_error(fmt::format("--workers: {} workers but only {} training rows; expected at most one worker per row",
                                  c.workers, s.rows));
  if (regression && c.model != models::model_kind::least_squares)
    throw usage_error(fmt::format("--model {} needs labels -1/+1, but --synthetic regression gives real targets; "
                                  "use --model least-squares", o.model));
  c.metrics_path = o.metrics;
  if (!c.metrics_path.empty() && !c.metrics_path.ends_with(".csv") && !c.metrics_path.ends_with(".jsonl"))
    throw usage_error(fmt::format("--metrics: '{}' must end in .csv or .jsonl", c.metrics_path));
  c.save_model_path = o.save_model;
  c.quiet = o.quiet;
  require(std::isfinite(o.step_timeout) && o.step_timeout >= 0.001 && o.step_timeout <= 86400, "--step-timeout",
          o.step_timeout, "a number of seconds in [0.001, 86400]");
  c.step_timeout = o.step_timeout;
  c.cleanup_only = o.cleanup;
  c.checkpoint_path = o.checkpoint;
  c.resume_path = o.resume;
  require(o.checkpoint_every >= 1 && o.checkpoint_every <= 1'000'000, "--checkpoint-every", o.checkpoint_every,
          "an integer in [1, 1000000]");
  c.checkpoint_every = static_cast<unsigned>(o.checkpoint_every);
  require(o.max_retries >= 0 && o.max_retries <= 1000, "--max-retries", o.max_retries, "an integer in [0, 1000]");
  c.max_retries = static_cast<unsigned>(o.max_retries);
  c.on_worker_failure = o.on_worker_failure == "retry" ? failure_policy::retry : failure_policy::abort;
  for (const auto* p : {&c.metrics_path, &c.save_model_path, &c.checkpoint_path})
    for (const auto* q : {&c.metrics_path, &c.save_model_path, &c.checkpoint_path})
      if (p < q && !p->empty() && *p == *q)
        throw usage_error(fmt::format("'{}' is given to two of --metrics, --save-model and --checkpoint", *p));
  if (!o.fault.empty()) {
    c.fault = parse_fault(o.fault);
    require(c.fault->worker < c.workers, "--inject-fault", c.fault->worker, "a worker index below --workers");
    require(c.fault->epoch >= 1 && c.fault->epoch <= c.epochs, "--inject-fault", c.fault->epoch, "an epoch in [1, --epochs]");
    if (c.mode == run_mode::serial) throw usage_error("--inject-fault: serial mode has no worker processes");
  }
}

}  // namespace

std::string help_text() {
  CLI::App app;
  raw_options o;
  build(app, o);
  return app.help();
}

bool parse_cli(int argc, char** argv, config& out) {
  CLI::App app;
  raw_options o;
  build(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return false;
  } catch (const CLI::ParseError& e) {
    throw usage_error(e.what());
  }
  finish(o, out);
  return true;
}

}  // namespace hogwild
