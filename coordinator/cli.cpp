#include "coordinator/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <thread>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "coordinator/atomic_file.hpp"
#include "datasets/idx.hpp"
#include "shared/error.hpp"
#include "shared/kernel.hpp"
#include "shared/models/registry.hpp"

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
const char* name_of(executor_kind k) {
  return k == executor_kind::fork ? "fork" : k == executor_kind::spawn ? "spawn" : "thread";
}
const char* name_of(worker_lifetime l) { return l == worker_lifetime::epoch ? "epoch" : "run"; }

namespace {

// Reads all of `text` as a number in decimal, one leading '+' allowed (strtol took "+5"):
// std::errc() on success, result_out_of_range for an integer too large for T, invalid_argument
// for anything else (a word, 1e3 or 0x10 for an integer, trailing characters).
template <class T>
std::errc read_number(std::string_view text, T& v) {
  if (text.starts_with('+')) text.remove_prefix(1);
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc()) return ec;
  return text.empty() || p != text.data() + text.size() ? std::errc::invalid_argument : std::errc();
}

// The bounds check of a numeric flag, with a message in the words of the checks made after
// parsing ("--workers: abc is not valid; expected an integer in [1, 1024]"): CLI11's Range says
// "Value abc not in range" of a word that is no number, and "0 to 1" of (0, 1]. It sees the text
// before conversion, so it also refuses what the conversion would take loosely (1e3 or 0x10 for
// an integer). `shown` is what --help prints after the type, as CLI11's Range printed it.
template <class T>
CLI::Validator number_in(T lo, T hi, bool open_below, std::string shown) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        T v{};
        if (read_number(text, v) == std::errc() && (open_below ? v > lo : v >= lo) && v <= hi) {
          if constexpr (std::is_integral_v<T>) text = std::to_string(v);  // as decimal_integer()
          return "";
        }
        return fmt::format("{} is not valid; expected {} in {}{}, {}]", text,
                           std::is_integral_v<T> ? "an integer" : "a value", open_below ? "(" : "[", lo, hi);
      },
      std::move(shown), "");
}

// An integer flag's text read in decimal only, the same for every flag: CLI11 reads "010" as
// octal 8, and "0x10" as 16 for some integer types but not others. The text is replaced by its
// decimal value (so "010" is 10), which the conversion that follows then reads.
CLI::Validator decimal_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        long long v = 0;
        const std::errc ec = read_number(text, v);
        if (ec == std::errc::result_out_of_range)
          return fmt::format("{} is not valid: too large; expected a decimal integer", text);
        if (ec != std::errc()) return fmt::format("{} is not valid; expected a decimal integer", text);
        text = std::to_string(v);
        return "";
      },
      "", "");
}

struct raw_options {
  std::string mode = "async";
  unsigned workers = 0;  // 0 = one per core
  std::string executor = "fork";
  std::string lifetime = "epoch";
  std::string attach = "auto";
  bool profile = false;
  std::string model = "svm";
  std::string precision = "float64";
  std::string synthetic;  // "" = svm for classifiers, regression for least-squares
  std::string layout = "auto";
  std::optional<std::size_t> rows, test_rows, dims;
  std::optional<double> density;
  std::uint64_t seed = 1;
  std::optional<long long> epochs;
  std::optional<double> learning_rate;
  std::optional<double> decay;
  long long batch_size = 2;
  std::vector<std::string> train, test;
  std::string train_labels, test_labels, format = "auto", scale = "auto", load_model, predictions;
  double validation_fraction = 0.0;
  std::string cache_dir;
  bool no_cache = false;
  std::optional<double> lambda;
  std::optional<double> bias;
  std::string metrics, save_model, fault;
  bool quiet = false;
  double step_timeout = 10.0;
  std::string replicas = "shared";
  long long average_every = 1;
  bool cleanup = false;
  std::string checkpoint, resume, on_worker_failure = "abort";
  long long checkpoint_every = 1, max_retries = 3;
  bool distributed = false;
  long long fault_rank = 0, emulate_ranks = 1;
  std::string sync_exchange = "rows";
  std::vector<std::string> given;  // the flags on the command line (filled after parsing)
  bool was_given(std::string_view flag) const { return std::find(given.begin(), given.end(), flag) != given.end(); }
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
  app.add_option("--workers", o.workers, "worker processes (default: one per core, at most one per training row)")
      ->transform(number_in(1u, 1024u, false, "UINT in [1 - 1024]"))
      ->default_str("");  // (0 is "one per core", outside the range: not shown as the default)
  app.add_option("--executor", o.executor,
                 "how workers run: fork (fork()ed processes) | spawn (the hogwild-worker executable, via "
                 "Boost.Process; HOGWILD_WORKER overrides its path) | thread (std::threads in the coordinator)")
      ->check(CLI::IsMember({"fork", "spawn", "thread"}));
  app.add_option("--worker-lifetime", o.lifetime,
                 "epoch (new workers every epoch) | run (workers started once, handed each epoch's range "
                 "through a command slot in the segment)")
      ->check(CLI::IsMember({"epoch", "run"}));
  app.add_option("--attach", o.attach,
                 "how worker processes reach the segment: auto | populate (map by name, MAP_POPULATE) | lazy "
                 "(map by name, fault on touch) | inherit (fork only: the coordinator's mapping) | "
                 "inherit-populate (inherit + madvise(MADV_POPULATE_WRITE)) | inherit-private (fork only: "
                 "workers read the data from the coordinator's private huge-page copy; the data is held twice)")
      ->check(CLI::IsMember({"auto", "populate", "lazy", "inherit", "inherit-populate", "inherit-private"}));
  app.add_flag("--profile", o.profile,
               "per-epoch breakdown (launch, attach, compute, join, evaluation; page faults and context "
               "switches of the workers) on stdout and as extra metrics columns");
  std::vector<std::string> model_names;
  for (auto k : models::all_models) model_names.emplace_back(models::name_of(k));
  app.add_option("--model", o.model, fmt::format("{}", fmt::join(model_names, " | ")))
      ->check(CLI::IsMember(model_names));
  app.add_option("--precision", o.precision,
                 "float64 | float32: the precision of the model's weights and of the SGD arithmetic on them "
                 "(float32: 4-byte weights, float sums and updates). Data values are float32 in both.");
  app.add_option("--train", o.train, "training data file(s) (LIBSVM text, CIFAR-10 .bin batches, IDX images; raw or "
                 "gzip); without it, synthetic data")->group("Data files");
  app.add_option("--test", o.test, "test data file(s), same format as --train")->group("Data files");
  app.add_option("--format", o.format, "auto (from the content) | libsvm | cifar10 | idx")
      ->check(CLI::IsMember({"auto", "libsvm", "cifar10", "idx"}))->group("Data files");
  app.add_option("--train-labels", o.train_labels, "IDX labels for --train (default: X-labels-idx1-ubyte[.gz] next to "
                 "X-images-idx3-ubyte[.gz])")->group("Data files");
  app.add_option("--test-labels", o.test_labels, "IDX labels for --test (default: as for --train-labels)")->group("Data files");
  app.add_option("--scale", o.scale, "feature scaling fitted on training rows: auto (unit for images, none for "
                 "LIBSVM) | none | unit (images /255, else column / max|x|) | standardize")
      ->check(CLI::IsMember({"auto", "none", "unit", "standardize"}))->group("Data files");
  app.add_option("--validation-fraction", o.validation_fraction, "hold out this fraction of the training rows "
                 "(seeded); reported as validation_error")->transform(number_in(0.0, 0.9, false, "FLOAT in [0 - 0.9]"))->group("Data files");
  app.add_option("--cache-dir", o.cache_dir, "where parsed files are cached (default $XDG_CACHE_HOME/hogwild or "
                 "~/.cache/hogwild)")->group("Data files");
  app.add_flag("--no-cache", o.no_cache, "always parse the files; neither read nor write the binary cache")->group("Data files");
  app.add_option("--load-model", o.load_model, "score --test with a model written by --save-model; no training")
      ->group("Data files");
  app.add_option("--predictions", o.predictions, "write one prediction per --test row (the label as in the file)")
      ->group("Data files");
  app.add_option("--synthetic", o.synthetic,
                 "synthetic data: svm (labels ±1) | regression (y = x·w*); default: regression for "
                 "least-squares, svm otherwise")
      ->check(CLI::IsMember({"svm", "regression"}));
  app.add_option("--rows", o.rows, "training rows (default 10000; 5000 for regression)")->transform(number_in(std::size_t{1}, std::size_t{1} << 31, false, "UINT in [1 - 2147483648]"));
  app.add_option("--test-rows", o.test_rows, "test rows (default 1000)")->transform(number_in(std::size_t{0}, std::size_t{1} << 31, false, "UINT in [0 - 2147483648]"));
  app.add_option("--dims", o.dims, "features (default 100; 5 for regression)")->transform(number_in(std::size_t{1}, std::size_t{1} << 28, false, "UINT in [1 - 268435456]"));
  app.add_option("--density", o.density, "probability that a feature is nonzero, in (0, 1] (default 0.2; 1 for regression)")
      ->transform(number_in(0.0, 1.0, true, "FLOAT in (0 - 1]"));
  // (A validator sees the text before conversion: strtoull would take "-1" as 2^64 - 1, and clamp
  // a number too large, without a word.)
  app.add_option("--seed", o.seed, "random seed (data, initial permutation, shuffles)")
      ->transform(CLI::Validator(
          [](std::string& text) -> std::string {
            std::uint64_t v = 0;
            const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (text.empty() || ec != std::errc() || p != text.data() + text.size())
              return "'" + text + "' is not valid; expected an integer in [0, 18446744073709551615]";
            text = std::to_string(v);  // decimal, as decimal_integer()
            return "";
          },
          "", "UINT64"));
  app.add_option("--layout", o.layout, "data layout in the segment: auto (dense from density 0.5, or 1/6 for float32 runs with one writer per model; docs/usage.md) | dense | csr")
      ->check(CLI::IsMember({"auto", "dense", "csr"}));
  app.add_option("--epochs", o.epochs, "passes over the training data (default 200; 100 for regression; 20 with --train)")
      ->transform(decimal_integer());
  app.add_option("--learning-rate", o.learning_rate, "step size γ of the first epoch (default 0.001; with --train: "
                 "1 / max squared row norm of the scaled training data)");
  app.add_option("--decay", o.decay, "step size multiplier β applied after each epoch, in (0, 1] (default 0.99; 0.85 with --train)");
  app.add_option("--batch-size", o.batch_size, "examples per update (gradient averaged over the batch)")->transform(decimal_integer());
  app.add_option("--lambda", o.lambda, "L2 strength λ: objective (1/n)[Σ loss + (λ/2)‖w‖²], applied in the paper's sparse form (default 1, like LIBLINEAR's C = 1; 0 for least-squares)");
  app.add_option("--bias", o.bias,
                 "B > 0: append a feature of value B to every row (after scaling), so the model learns an intercept "
                 "(its weight; L2-regularised like the others, as LIBLINEAR's -B); default: no intercept");
  app.add_option("--metrics", o.metrics, "write one row per epoch to FILE.csv or FILE.jsonl");
  app.add_option("--save-model", o.save_model, "write the final weights to FILE (text format, see docs/usage.md)");
  app.add_flag("--quiet", o.quiet, "no per-epoch lines on stdout");
  app.add_option("--replicas", o.replicas,
                 "async: shared (all workers update one model) | worker (each worker its own copy, averaged by the "
                 "coordinator every --average-every epochs; W copies learn about W times less per epoch than one "
                 "model: multiply --learning-rate by W, docs/scaling.md)")
      ->check(CLI::IsMember({"shared", "worker"}));
  app.add_option("--average-every", o.average_every,
                 "--replicas worker: average the copies into the model and copy it back every N epochs (default 1; "
                 "the model evaluated after each epoch is always the current average)")
      ->transform(decimal_integer());
  app.add_option("--step-timeout", o.step_timeout,
                 "sync and round-robin: seconds a step (or a turn) may take before the run fails naming the "
                 "worker it waits for; async worker processes: seconds a worker may go without reporting progress");
  app.add_flag("--cleanup", o.cleanup,
               "remove what killed runs of this user left in /dev/shm (segments, queues, semaphores whose "
               "creator process is gone), print what was removed, and exit")
      ->group("Reliability");
  app.add_option("--checkpoint", o.checkpoint,
                 "write a checkpoint (model, epoch, shuffler state, run identity) to FILE every "
                 "--checkpoint-every epochs, after the last epoch, and on a stop signal (SIGINT, SIGTERM, SIGHUP, ...: docs/reliability.md)")
      ->group("Reliability");
  app.add_option("--checkpoint-every", o.checkpoint_every, "epochs between checkpoints")->group("Reliability")->transform(decimal_integer());
  app.add_option("--resume", o.resume,
                 "continue from a checkpoint FILE of the same data, model and settings (refused otherwise)")
      ->group("Reliability");
  app.add_option("--on-worker-failure", o.on_worker_failure,
                 "abort (exit 1) | retry (run the failed epoch again from the model as it was at the epoch's start)")
      ->check(CLI::IsMember({"abort", "retry"}))
      ->group("Reliability");
  app.add_option("--max-retries", o.max_retries, "with --on-worker-failure retry: retries per epoch")
      ->group("Reliability")->transform(decimal_integer());
  app.add_flag("--distributed", o.distributed,
               "one rank of an MPI job (mpirun -np R hogwild-coordinator --distributed ...): each rank trains on "
               "its shard of the rows with its own workers; --mode sync combines every step's global batch of "
               "batch-size x workers x R across ranks, --mode async averages the ranks' models every "
               "--average-every epochs. Rank 0 evaluates, reports and writes the outputs (docs/distributed.md)")
      ->group("Distributed");
  app.add_option("--sync-exchange", o.sync_exchange,
                 "--distributed --mode sync: rows (every rank receives the global batch's examples and "
                 "coefficients and applies them in order: bit-identical to one machine) | maps (each rank's "
                 "piece as a dense affine map per coordinate, composed by MPI_Allreduce: equal to rounding)")
      ->check(CLI::IsMember({"rows", "maps"}))->group("Distributed");
  app.add_option("--emulate-ranks", o.emulate_ranks,
                 "testing, --mode sync without --distributed: visit the examples in the order a --distributed run "
                 "of R ranks with --workers/R workers each does, so the two can be compared (docs/distributed.md)")
      ->group("Testing")->transform(decimal_integer());
  app.add_option("--fault-rank", o.fault_rank, "testing, with --distributed: the rank whose worker --inject-fault hits")
      ->group("Testing")->transform(decimal_integer());
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
  // WORKER:EPOCH:ACTION, the two numbers decimal (sscanf's %u took "-1" as 4294967295)
  const auto c1 = s.find(':'), c2 = c1 == std::string::npos ? c1 : s.find(':', c1 + 1);
  const auto number = [&](std::size_t from, std::size_t to, unsigned& v) {
    const auto [p, ec] = std::from_chars(s.data() + from, s.data() + to, v);
    return from < to && ec == std::errc() && p == s.data() + to;
  };
  unsigned w = 0, e = 0;
  if (c2 == std::string::npos || !number(0, c1, w) || !number(c1 + 1, c2, e) || c2 + 1 == s.size())
    throw usage_error(fmt::format("--inject-fault: '{}' is not WORKER:EPOCH:ACTION (two integers >= 0 and an action)", s));
  f.worker = w;
  f.epoch = e;
  const std::string a = s.substr(c2 + 1);
  if (a == "kill") f.action = worker::fault::kill;
  else if (a == "exit") f.action = worker::fault::exit;
  else if (a == "hang") f.action = worker::fault::hang;
  else throw usage_error(fmt::format("--inject-fault: action '{}' is not kill, exit or hang", a));
  return f;
}

// The data-file flags (datasets/loader.hpp).
void finish_files(const raw_options& o, config& c) {
  auto& f = c.files;
  for (const auto* flag_files : {&o.train, &o.test})
    for (const auto& p : *flag_files)
      if (p.empty())
        throw usage_error(fmt::format("{}: expected a file name, got ''", flag_files == &o.train ? "--train" : "--test"));
  f.train = o.train;
  f.test = o.test;
  f.train_labels = o.train_labels;
  f.test_labels = o.test_labels;
  f.format = o.format == "libsvm" ? data::file_format::libsvm
             : o.format == "cifar10" ? data::file_format::cifar10
             : o.format == "idx"     ? data::file_format::idx
                                     : data::file_format::automatic;
  f.scale = o.scale == "none" ? data::scale_kind::none
            : o.scale == "unit" ? data::scale_kind::unit
            : o.scale == "standardize" ? data::scale_kind::standardize
                                       : data::scale_kind::automatic;
  f.validation_fraction = o.validation_fraction;
  f.seed = o.seed;
  f.cache.enabled = !o.no_cache;
  f.cache.dir = o.cache_dir;
  c.load_model_path = o.load_model;
  c.predictions_path = o.predictions;
  if (!c.load_model_path.empty() && o.test.empty())
    throw usage_error("--load-model: needs --test FILE to score");
  if (c.load_model_path.empty() && o.train.empty()) {
    if (!o.test.empty()) throw usage_error("--test: needs --train (or --load-model); without --train the data is synthetic");
    if (o.validation_fraction > 0) throw usage_error("--validation-fraction: needs --train");
  }
  if (!c.predictions_path.empty() && o.test.empty()) throw usage_error("--predictions: needs --test FILE");
}

// --distributed and its testing companions (docs/distributed.md). Whatever needs state outside one
// rank (checkpoints, retries, scoring a saved model) is refused rather than half-supported.
void finish_distributed(const raw_options& o, config& c) {
  c.distributed = o.distributed;
  require(o.emulate_ranks >= 1 && o.emulate_ranks <= 4096, "--emulate-ranks", o.emulate_ranks,
          "an integer in [1, 4096]");
  require(o.fault_rank >= 0 && o.fault_rank < 65536, "--fault-rank", o.fault_rank, "a rank number >= 0");
  c.emulate_ranks = static_cast<unsigned>(o.emulate_ranks);
  c.exchange = o.sync_exchange == "maps" ? config::sync_exchange::maps : config::sync_exchange::rows;
  c.fault_rank = static_cast<unsigned>(o.fault_rank);
  const bool given_ranks = o.was_given("--emulate-ranks"), given_fault_rank = o.was_given("--fault-rank");
  if (given_ranks) {  // even --emulate-ranks 1: refused wherever it would do nothing
    if (c.distributed) throw usage_error("--emulate-ranks: is for a local run that reproduces a --distributed one");
    if (c.mode != run_mode::sync)
      throw usage_error(fmt::format("--emulate-ranks: needs --mode sync (got --mode {})", name_of(c.mode)));
    // The default (one worker per core) becomes a multiple of the ranks: as many as the cores
    // allow, and at least one per rank.
    if (c.workers_default) c.workers = std::max(c.emulate_ranks, c.workers - c.workers % c.emulate_ranks);
    if (c.workers % c.emulate_ranks != 0)
      throw usage_error(fmt::format("--emulate-ranks: {} ranks must divide --workers {} (workers per rank)",
                                    c.emulate_ranks, c.workers));
  }
  if (!c.distributed) {
    if (given_fault_rank) throw usage_error("--fault-rank: needs --distributed");
    return;
  }
  if (given_fault_rank && o.fault.empty()) throw usage_error("--fault-rank: needs --inject-fault (the fault it places)");
  if (c.mode != run_mode::sync && c.mode != run_mode::async)
    throw usage_error(fmt::format("--distributed: works with --mode sync or async (got --mode {})", name_of(c.mode)));
  if (!c.load_model_path.empty()) throw usage_error("--distributed: --load-model scores on one machine; drop --distributed");
  if (!c.checkpoint_path.empty() || !c.resume_path.empty())
    throw usage_error("--distributed: --checkpoint and --resume are not supported across ranks yet");
  if (c.on_worker_failure == failure_policy::retry)
    throw usage_error("--distributed: --on-worker-failure retry is not supported (a failed rank ends the job)");
  if (c.cleanup_only) throw usage_error("--distributed: --cleanup runs on one machine; drop --distributed");
  if (c.weight_precision != precision::float64)
    throw usage_error("--distributed: --precision float32 is not supported across ranks yet (the exchanged rows "
                      "and averaged models are float64)");
}

// One file given to two outputs, or to an output and an input, however it is spelled (out/a.csv,
// ./out/a.csv, the absolute path, a symlink): the later write would silently replace the earlier
// one, or the data. `--resume F --checkpoint F` (continue and keep checkpointing) is the one
// sharing allowed.
void check_distinct_files(const raw_options& o, const config& c) {
  struct named {
    const char* flag;
    std::string path, typed;
    bool output;
  };
  std::vector<named> files;
  const auto add = [&](const char* flag, const std::string& p, bool output) {
    if (p.empty()) return;
    std::error_code ec;
    // A device (--save-model /dev/null --predictions /dev/null) is no file to overwrite, and
    // /dev/stdout and the like are written to their descriptor (atomic_output).
    if (fd_alias(p) >= 0 || (std::filesystem::exists(p, ec) && !std::filesystem::is_regular_file(p, ec))) return;
    // (follow_symlinks first: weakly_canonical leaves a link to a file not yet written as it is)
    auto canon = std::filesystem::weakly_canonical(std::filesystem::absolute(follow_symlinks(p), ec), ec);
    files.push_back({flag, ec ? p : canon.string(), p, output});
  };
  add("--metrics", c.metrics_path, true);
  add("--save-model", c.save_model_path, true);
  add("--checkpoint", c.checkpoint_path, true);
  add("--predictions", c.predictions_path, true);
  for (const auto& p : o.train) add("--train", p, false);
  for (const auto& p : o.test) add("--test", p, false);
  add("--train-labels", o.train_labels, false);
  add("--test-labels", o.test_labels, false);
  // The IDX labels files read without being named: the conventional name next to the images.
  if (o.train_labels.empty())
    for (const auto& p : o.train) add("--train (its IDX labels file)", data::idx_labels_for(p), false);
  if (o.test_labels.empty())
    for (const auto& p : o.test) add("--test (its IDX labels file)", data::idx_labels_for(p), false);
  add("--load-model", c.load_model_path, false);
  add("--resume", c.resume_path, false);
  for (std::size_t i = 0; i < files.size(); ++i)
    for (std::size_t j = i + 1; j < files.size(); ++j) {
      const named &a = files[i], &b = files[j];
      if (a.path != b.path || !(a.output || b.output)) continue;
      if (std::string_view(a.flag) == "--checkpoint" && std::string_view(b.flag) == "--resume") continue;
      throw usage_error(fmt::format("{}: '{}' is the same file as {} '{}'{}; give each output its own file", b.flag,
                                    b.typed, a.flag, a.typed, a.output && b.output ? "" : " (an input)"));
    }
}

// A flag that the run would silently ignore is refused (exit 2, naming it and what it needs):
// a user who gives it expects it to do something.
void refuse_flags_that_do_nothing(const raw_options& o, const config& c) {
  const auto refuse = [&](std::string_view flag, std::string_view needs) {
    if (o.was_given(flag)) throw usage_error(fmt::format("{}: {}", flag, needs));
  };
  if (c.cleanup_only)  // it removes leftovers and exits: nothing else of the command line is used
    for (const std::string& f : o.given)
      if (f != "--cleanup" && f != "--distributed")  // (--distributed has its own message)
        throw usage_error(fmt::format("{}: --cleanup only removes what killed runs left in /dev/shm and exits; "
                                      "drop {}", f, f));
  if (!c.load_model_path.empty())  // scoring only: the saved model brings its kind, scaling and labels
    for (const std::string& f : o.given)
      if (f != "--load-model" && f != "--test" && f != "--format" && f != "--test-labels" && f != "--predictions" &&
          f != "--quiet")
        throw usage_error(fmt::format("{}: --load-model only scores --test with a saved model (it takes --test, "
                                      "--format, --test-labels, --predictions, --quiet); drop {}", f, f));
  const bool files = !o.train.empty();
  if (files)  // (with --load-model every training flag was refused above)
    for (const char* f : {"--synthetic", "--rows", "--test-rows", "--dims", "--density"})
      refuse(f, "sets up synthetic data; with --train the data comes from the files");
  if (!files && c.load_model_path.empty())
    for (const char* f : {"--train-labels", "--test-labels", "--format", "--scale", "--cache-dir", "--no-cache"})
      refuse(f, "is about data files; without --train the data is synthetic");
  if (c.mode == run_mode::serial) {
    // Not refused: a sweep over the modes with the same flags (docs/tutorial.md) is natural. Said.
    std::string ignored;
    if (o.was_given("--workers") && o.workers != 1) ignored += fmt::format(" --workers {}", o.workers);
    for (const char* f : {"--executor", "--worker-lifetime", "--step-timeout", "--on-worker-failure", "--max-retries"})
      if (o.was_given(f)) ignored += std::string(" ") + f;
    if (!ignored.empty())
      std::fputs(fmt::format("hogwild-coordinator: note: serial mode trains in the coordinator, one worker; "
                             "ignored:{}\n", ignored).c_str(), stderr);
  }
  if (c.mode == run_mode::async && c.executor == executor_kind::thread)
    refuse("--step-timeout", "async: only worker processes are watched (a thread cannot be stopped); use --executor fork or spawn");
  if (!(c.distributed && c.mode == run_mode::sync)) refuse("--sync-exchange", "needs --distributed --mode sync");
  if (c.on_worker_failure != failure_policy::retry) refuse("--max-retries", "needs --on-worker-failure retry");
  if (c.replicas != replica_mode::worker && !(c.distributed && c.mode == run_mode::async))
    refuse("--average-every", "needs --replicas worker (or --distributed --mode async)");
  if (c.checkpoint_path.empty()) refuse("--checkpoint-every", "needs --checkpoint FILE");
  if (o.test.empty()) refuse("--test-labels", "needs --test FILE (the IDX images it labels)");
  if (o.was_given("--no-cache")) refuse("--cache-dir", "does nothing with --no-cache");
  const std::pair<const char*, const std::string*> paths[] = {
      {"--metrics", &o.metrics}, {"--save-model", &o.save_model}, {"--checkpoint", &o.checkpoint},
      {"--predictions", &o.predictions}, {"--resume", &o.resume}, {"--cache-dir", &o.cache_dir},
      {"--load-model", &o.load_model}, {"--train-labels", &o.train_labels}, {"--test-labels", &o.test_labels}};
  for (const auto& [flag, value] : paths)
    if (o.was_given(flag) && value->empty()) throw usage_error(fmt::format("{}: expected a file name, got ''", flag));
}

void finish(const raw_options& o, config& c) {
  c.mode = o.mode == "serial" ? run_mode::serial
           : o.mode == "sync"  ? run_mode::sync
           : o.mode == "round-robin" ? run_mode::round_robin
                                     : run_mode::async;
  c.model = *models::parse_model(o.model);
  const auto prec = parse_precision(o.precision);
  require(prec.has_value(), "--precision", o.precision, "float32 or float64");
  c.weight_precision = prec.value_or(precision::float64);
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
  const bool files = !o.train.empty();
  const long long epochs = o.epochs.value_or(files ? 20 : regression ? 100 : 200);
  require(epochs >= 1 && epochs <= 1'000'000, "--epochs", epochs, "an integer in [1, 1000000]");
  c.epochs = static_cast<unsigned>(epochs);
  if (o.learning_rate)
    require(std::isfinite(*o.learning_rate) && *o.learning_rate > 0, "--learning-rate", *o.learning_rate, "a finite number > 0");
  c.learning_rate = o.learning_rate.value_or(files ? 0.0 : 0.001);  // 0: from the data (trainer.cpp)
  c.decay = o.decay.value_or(files ? 0.85 : 0.99);
  require(std::isfinite(c.decay) && c.decay > 0 && c.decay <= 1, "--decay", c.decay, "a number in (0, 1]");
  require(o.batch_size >= 1 && static_cast<std::size_t>(o.batch_size) <= kernel::max_batch_coefficients,
          "--batch-size", o.batch_size, fmt::format("an integer in [1, {}]", kernel::max_batch_coefficients).c_str());
  c.batch_size = static_cast<unsigned>(o.batch_size);
  c.lambda = o.lambda.value_or(c.model == models::model_kind::least_squares ? 0.0 : 1.0);
  require(std::isfinite(c.lambda) && c.lambda >= 0, "--lambda", c.lambda, "a number >= 0");
  c.bias = o.bias.value_or(0.0);
  require(!o.bias || (std::isfinite(c.bias) && c.bias > 0), "--bias", c.bias, "a number > 0");
  c.layout = o.layout == "dense" ? layout_choice::dense : o.layout == "csr" ? layout_choice::csr : layout_choice::automatic;
  c.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  c.workers_default = !o.workers;
  if (c.mode == run_mode::serial) c.workers = 1;
  if (!files && !c.workers_default && c.workers > s.rows)  // (a default is capped: resolve_data_defaults)
    throw usage_error(fmt::format("--workers: {} workers but only {} training rows; expected at most one worker per row",
                                  c.workers, s.rows));
  if (!files && regression && c.model != models::model_kind::least_squares)
    throw usage_error(fmt::format("--model {} needs labels -1/+1, but --synthetic regression gives real targets; "
                                  "use --model least-squares", o.model));
  finish_files(o, c);
  c.metrics_path = o.metrics;
  if (!c.metrics_path.empty() && !c.metrics_path.ends_with(".csv") && !c.metrics_path.ends_with(".jsonl"))
    throw usage_error(fmt::format("--metrics: '{}' must end in .csv or .jsonl", c.metrics_path));
  c.save_model_path = o.save_model;
  c.quiet = o.quiet;
  require(std::isfinite(o.step_timeout) && o.step_timeout >= 0.001 && o.step_timeout <= 86400, "--step-timeout",
          o.step_timeout, "a number of seconds in [0.001, 86400]");
  c.step_timeout = o.step_timeout;
  c.executor = o.executor == "spawn" ? executor_kind::spawn : o.executor == "thread" ? executor_kind::thread : executor_kind::fork;
  c.lifetime = o.lifetime == "run" ? worker_lifetime::run : worker_lifetime::epoch;
  c.attach = o.attach == "populate" ? attach_choice::populate
             : o.attach == "lazy"   ? attach_choice::lazy
             : o.attach == "inherit" ? attach_choice::inherit
             : o.attach == "inherit-populate" ? attach_choice::inherit_populate
             : o.attach == "inherit-private" ? attach_choice::inherit_private
                                              : attach_choice::automatic;
  if ((c.attach == attach_choice::inherit || c.attach == attach_choice::inherit_populate ||
       c.attach == attach_choice::inherit_private) &&
      c.executor != executor_kind::fork)
    throw usage_error(fmt::format("--attach: {} needs --executor fork (only a forked worker inherits the "
                                  "coordinator's mapping)", o.attach));
  c.profile = o.profile;
  if ((c.mode == run_mode::sync || c.mode == run_mode::round_robin) && c.lifetime == worker_lifetime::run)
    throw usage_error(fmt::format("--worker-lifetime: run works with --mode async; --mode {} starts its workers "
                                  "every epoch (use --worker-lifetime epoch)", name_of(c.mode)));
  c.replicas = o.replicas == "worker" ? replica_mode::worker : replica_mode::shared;
  if (c.replicas == replica_mode::worker && c.mode != run_mode::async)
    throw usage_error(fmt::format("--replicas worker: only for --mode async (got --mode {})", o.mode));
  require(o.average_every >= 1 && o.average_every <= 1'000'000, "--average-every", o.average_every,
          "an integer in [1, 1000000]");
  c.average_every = static_cast<unsigned>(o.average_every);
  c.cleanup_only = o.cleanup;
  c.checkpoint_path = o.checkpoint;
  c.resume_path = o.resume;
  require(o.checkpoint_every >= 1 && o.checkpoint_every <= 1'000'000, "--checkpoint-every", o.checkpoint_every,
          "an integer in [1, 1000000]");
  c.checkpoint_every = static_cast<unsigned>(o.checkpoint_every);
  require(o.max_retries >= 0 && o.max_retries <= 1000, "--max-retries", o.max_retries, "an integer in [0, 1000]");
  c.max_retries = static_cast<unsigned>(o.max_retries);
  c.on_worker_failure = o.on_worker_failure == "retry" ? failure_policy::retry : failure_policy::abort;
  if (c.on_worker_failure == failure_policy::retry && c.lifetime == worker_lifetime::run)
    throw usage_error("--on-worker-failure: retry needs --worker-lifetime epoch (the run executor does not restart "
                      "its workers after a failure)");
  check_distinct_files(o, c);
  finish_distributed(o, c);
  refuse_flags_that_do_nothing(o, c);
  if (!o.fault.empty()) {
    c.fault = parse_fault(o.fault);
    require(c.fault->worker < c.workers, "--inject-fault", c.fault->worker, "a worker index below --workers");
    require(c.fault->epoch >= 1 && c.fault->epoch <= c.epochs, "--inject-fault", c.fault->epoch, "an epoch in [1, --epochs]");
    if (c.mode == run_mode::serial) throw usage_error("--inject-fault: serial mode has no worker processes");
    // A thread cannot be killed or left hanging on its own without taking the coordinator along.
    if (c.executor == executor_kind::thread && c.fault->action != worker::fault::exit)
      throw usage_error("--inject-fault: kill and hang need a worker process; with --executor thread only "
                        "'exit' (an exception in the worker thread) can be injected");
  }
}

}  // namespace

bool parse_cli(int argc, char** argv, config& out) {
  CLI::App app;
  raw_options o;
  build(app, o);
  // "--save-model=" with nothing after the '=': CLI11 takes the next word as the value (the model
  // went to a file named --quiet). Refused, as --save-model "" is.
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--") && arg.find('=') == arg.size() - 1)
      throw usage_error(fmt::format("{}: expected a value after '=', got nothing", arg.substr(0, arg.size() - 1)));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return false;
  } catch (const CLI::ConversionError& e) {
    // CLI11 says "Could not convert: --epochs = abc": name the flag, the value and the type.
    const std::string what = e.what();
    const auto colon = what.find(": "), eq = what.find(" = ");
    if (colon != std::string::npos && eq != std::string::npos && eq > colon) {
      const std::string flag = what.substr(colon + 2, eq - colon - 2), value = what.substr(eq + 3);
      std::string type;
      try {
        type = app.get_option(flag)->get_type_name();
      } catch (const CLI::Error&) {
      }
      throw usage_error(fmt::format("{}: '{}' is not valid; expected {} (see --help)", flag, value,
                                    type.starts_with("INT") ? "an integer" : type.starts_with("FLOAT") ? "a number" : type.empty() ? "another value" : type));
    }
    throw usage_error(what);
  } catch (const CLI::ArgumentMismatch& e) {
    // "--epochs: At Most 1 required but received 2": a flag given twice.
    const std::string what = e.what();
    const auto at = what.find(": At Most 1 required but received ");
    if (at != std::string::npos)
      throw usage_error(fmt::format("{}: given {} times; expected once", what.substr(0, at),
                                    what.substr(at + std::string_view(": At Most 1 required but received ").size())));
    throw usage_error(what);
  } catch (const CLI::ParseError& e) {
    throw usage_error(e.what());
  }
  for (const CLI::Option* opt : app.get_options())
    if (opt->count() > 0) o.given.push_back(opt->get_name());
  finish(o, out);
  return true;
}

}  // namespace hogwild
