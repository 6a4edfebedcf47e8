#include "coordinator/trainer.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <numeric>
#include <optional>

#include "coordinator/atomic_file.hpp"
#include "coordinator/checkpoint.hpp"
#include "coordinator/cluster.hpp"
#include "coordinator/executor.hpp"
#include "coordinator/protocol.hpp"
#include "coordinator/retry.hpp"
#include "coordinator/shard_data.hpp"
#include "coordinator/profile.hpp"
#include "coordinator/signals.hpp"
#include "coordinator/data_setup.hpp"
#include "coordinator/eval_pool.hpp"
#include "coordinator/label_balance.hpp"
#include "coordinator/model_io.hpp"
#include "coordinator/private_data.hpp"
#include "datasets/interrupt.hpp"
#include "datasets/synthetic.hpp"
#include "shared/error.hpp"
#include "shared/evaluate.hpp"
#include "shared/page_release.hpp"
#include "shared/partition.hpp"
#include "shared/rng.hpp"
#include "shared/segment.hpp"
#include "shared/train_range.hpp"

namespace hogwild {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double tv(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

// CPU seconds of this process and of all reaped children, user + sys.
double cpu_seconds() {
  rusage self{}, kids{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &kids);
  return tv(self.ru_utime) + tv(self.ru_stime) + tv(kids.ru_utime) + tv(kids.ru_stime);
}

// Copies `src` into `dst` in 4 MiB pieces, releasing each piece of the source once copied, then
// frees the source: the heap copy and the segment never both hold the whole array.
template <class T>
void move_released(std::vector<T>& src, T* dst) {
  constexpr std::size_t piece = (std::size_t{4} << 20) / sizeof(T);
  page_releaser rel(src.data());
  for (std::size_t at = 0; at < src.size(); at += piece) {
    data::poll_interrupt();  // a stop signal ends a long copy (the segment is removed on the way out)
    const std::size_t n = std::min(piece, src.size() - at);
    std::copy_n(src.data() + at, n, dst + at);
    rel.release_to(src.data() + at + n);
  }
  std::vector<T>().swap(src);
}

// Moves the training set into the segment and frees it. Each array of the reader's copy is given
// back to the system as it is copied, so that the heap copy and the segment do not both hold the
// whole data set at any moment (peak memory ~ one data set, not two). The dense layout is
// written straight into the segment from the CSR rows (no dense temporary).
// Freeing the heap copy also keeps per-epoch forks cheap: fork() copies the page tables of the
// coordinator's private memory (docs/overheads.md).
void fill_segment(const shm::segment_view& v, data::dataset&& d, const std::vector<double>& inv) {
  const shm::header& h = v.hdr();
  if (h.data_layout == kernel::layout::csr) {
    move_released(d.row_ptr, v.row_ptr());
    move_released(d.idx, v.col_idx());
    move_released(d.val, v.values());
  } else {
    // A new segment reads as zeros.
    page_releaser rel_idx(d.idx.data()), rel_val(d.val.data());
    std::size_t rows_done = 0;
    data::scatter_dense(d, v.values(), [&](std::uint64_t k1) {
      if (++rows_done % data::poll_every_rows == 0) data::poll_interrupt();
      rel_idx.release_to(d.idx.data() + k1);
      rel_val.release_to(d.val.data() + k1);
    });
  }
  move_released(d.labels, v.labels());
  d = data::dataset{};
  std::copy(inv.begin(), inv.end(), v.inv_du());
  std::iota(v.perm(), v.perm() + h.rows, 0u);
  dispatch_precision(v.weight_precision(), [&](auto t) {
    using T = decltype(t);
    std::fill_n(v.weights_as<T>(), v.weight_count(), T(0));
    for (std::uint32_t k = 0; k < v.replica_count(); ++k) std::fill_n(v.replica_as<T>(k), v.weight_count(), T(0));
  });
}

// --replicas worker: the shared model becomes the mean of the replicas (what is evaluated); with
// `reset`, every replica restarts from that mean. The sum starts from replica 0, so one replica
// averages to itself bit for bit. The sum is in the model's type T (float for --precision float32).
template <class T>
void average_replicas(const shm::segment_view& v, bool reset) {
  const std::uint32_t k = v.replica_count();
  const std::size_t n = v.weight_count();
  T* w = v.weights_as<T>();
  std::copy_n(v.replica_as<T>(0), n, w);
  for (std::uint32_t r = 1; r < k; ++r) {
    const T* src = v.replica_as<T>(r);
    for (std::size_t j = 0; j < n; ++j) w[j] += src[j];
  }
  if (k > 1)
    for (std::size_t j = 0; j < n; ++j) w[j] /= static_cast<T>(k);
  if (reset)
    for (std::uint32_t r = 0; r < k; ++r) std::copy_n(w, n, v.replica_as<T>(r));
}

evaluation evaluate_segment(const config& c, const shm::segment_view& v, const chunk_runner* run) {
  const auto& h = v.hdr();
  const int C = static_cast<int>(h.outputs);
  return dispatch_precision(v.weight_precision(), [&](auto t) {
    const auto* w = v.weights_as<decltype(t)>();
    return h.data_layout == kernel::layout::csr ? evaluate(c.model, v.csr(), v.labels(), w, C, c.lambda, run)
                                                : evaluate(c.model, v.dense(), v.labels(), w, C, c.lambda, run);
  });
}

// The segment's model evaluated on a held-out set (test or validation rows).
evaluation evaluate_rows(const config& c, const shm::segment_view& v, const data::dataset& d, const chunk_runner* run) {
  const int C = static_cast<int>(v.hdr().outputs);
  return dispatch_precision(v.weight_precision(), [&](auto t) {
    return evaluate(c.model, d.csr(), d.labels.data(), v.weights_as<decltype(t)>(), C, c.lambda, run);
  });
}

std::string percent_or_mse(const config& c, double e) {
  if (std::isnan(e)) return "-";
  if (c.model == models::model_kind::least_squares) return fmt::format("{:.6g}", e);  // mean squared error
  return fmt::format("{:.2f}%", 100.0 * e);
}

// Flushes the run's report. Once standard output is gone (a closed pipe: `... | head -3`), the run
// goes on without it (SIGPIPE is ignored, main.cpp): the metrics, the checkpoint and the model are
// still written, and stderr says so once.
void flush_report(std::FILE*& out) {
  if (!out) return;
  if (std::fflush(out) == 0 && !std::ferror(out)) return;
  const int err = errno;
  out = nullptr;
  std::fputs(fmt::format("hogwild-coordinator: cannot write to standard output ({}); the run goes on without "
                         "printing\n", std::strerror(err)).c_str(), stderr);
}

// A feature index far beyond the data's needs (a row with 2147483648:1) asks for a model of
// gigabytes. Checked before anything of the model's size is allocated: a clear error (exit 1, the
// system cannot give the resource) instead of bad_alloc or the kernel's OOM killer.
// MemAvailable of /proc/meminfo in kB, or -1 where it cannot be read.
double available_memory_kb() {
  std::ifstream meminfo("/proc/meminfo");
  double available_kb = -1;
  for (std::string key; meminfo >> key;) {
    double kb = 0;
    meminfo >> kb;
    meminfo.ignore(64, '\n');
    if (key == "MemAvailable:") available_kb = kb;
  }
  return available_kb;
}

// Synthetic data is generated on the heap and then copied into the segment piece by piece: its
// entries (4-byte index and value, 8 bytes with the dense rows' worst case of 4 bytes a column
// left aside) must fit in memory. --rows 10 --dims 268435456 --density 1 (every value in range)
// reached 24 GB and was killed by the kernel's OOM killer, another process could have been.
void check_data_memory(const config& c) {
  if (!c.files.train.empty()) return;
  const auto& s = c.synthetic;
  const double entries = (static_cast<double>(s.rows) + static_cast<double>(s.test_rows)) *
                         static_cast<double>(s.dims) * s.density;
  const double need = entries * 8 * 1.1 + (static_cast<double>(s.rows) + static_cast<double>(s.test_rows)) * 12;
  if (need < 256e6) return;
  const double available_kb = available_memory_kb();
  // (a tenth left to everything else: the page cache, the segment's own pages while filled)
  if (available_kb < 0 || need <= 0.9 * available_kb * 1024) return;
  throw runtime_failure(fmt::format(
      "the synthetic data needs {:.1f} GB ({} + {} rows x {} columns at density {:g}: --rows, --test-rows, --dims, "
      "--density), more than nine tenths of the {:.1f} GB of memory this machine has available; ask for less data", need / 1e9, s.rows,
      s.test_rows, s.dims, s.density, available_kb * 1024 / 1e9));
}

void check_model_memory(const config& c, const run_data& rd) {
  const double outputs = rd.labels.outputs();
  const double weight_bytes = c.weight_precision == precision::float32 ? 4 : 8;
  const double models = 1 + (c.replicas == replica_mode::worker ? c.workers : 0);
  // 1/d_u (heap and segment), the column counts, the weights (segment, replicas) and their
  // float64 copy for the result.
  const double need = static_cast<double>(rd.train.dims) * (8 + 8 + 4 + outputs * (weight_bytes * models + 8));
  if (need < 256e6) return;
  const double available_kb = available_memory_kb();
  if (available_kb < 0 || need <= available_kb * 1024) return;
  throw runtime_failure(fmt::format(
      "the model needs {:.1f} GB for {} columns{} and this machine has {:.1f} GB of memory available; check the "
      "file's feature indices, or use a larger machine", need / 1e9, rd.train.dims,
      c.files.train.empty() ? " (--dims)" : fmt::format(" (the largest feature index in {})", fmt::join(c.files.train, ", ")),
      available_kb * 1024 / 1e9));
}

// The watchdog of async worker processes (an executor's epoch monitor). Each worker stamps a
// heartbeat in its stats slot when its task starts (after attaching) and after every ~4 million
// multiply-adds, at most 16,384 examples (worker.cpp). A worker that has started its task and not
// finished it, and has not stamped for --step-timeout seconds, is hung or stopped: the run fails
// naming it (or retries the epoch) instead of waiting for ever. Before its first stamp a worker is
// still being launched or attaching (128 spawned workers populating a 4 GB segment take more than
// 10 s on 2 cores): it gets a minute more — except a worker kept for the run (--worker-lifetime
// run) that has stamped in an earlier epoch: it is attached and only has to take the command, so
// one stopped while idle between epochs is caught after --step-timeout too. If the monitor itself
// was not called for half the limit (at least a second), the whole run was stopped (Ctrl-Z, SIGSTOP to the group, a paused
// container): the clocks restart. Never busy: returns false.
struct watchdog_clock {
  std::int64_t since_ns = 0;       // this epoch's launch, or its latest retry's
  std::int64_t last_check_ns = 0;  // the previous call
};

bool check_heartbeats(const shm::segment_view& v, const config& c, unsigned epoch, watchdog_clock& clock) {
  const std::int64_t now = worker::now_ns();
  const auto limit = static_cast<std::int64_t>(c.step_timeout * 1e9);
  constexpr std::int64_t startup_allowance = 60'000'000'000;
  // (The executors call the monitor at least every 200 ms; a gap of a second is not theirs.)
  const std::int64_t pause = std::max<std::int64_t>(limit / 2, 1'000'000'000);
  if (clock.last_check_ns != 0 && now - clock.last_check_ns > pause) clock.since_ns = now;
  clock.last_check_ns = now;
  for (unsigned w = 0; w < c.workers; ++w) {
    shm::worker_stats& s = v.stats()[w];
    if (std::atomic_ref<std::uint32_t>(s.done).load(std::memory_order_relaxed) == 1 &&
        std::atomic_ref<std::uint32_t>(s.epoch).load(std::memory_order_relaxed) == epoch)
      continue;
    const std::int64_t stamp = std::atomic_ref<std::int64_t>(s.heartbeat_ns).load(std::memory_order_relaxed);
    const bool started = stamp > clock.since_ns;
    const bool attached = started || (c.lifetime == worker_lifetime::run && stamp != 0);
    const std::int64_t quiet = now - std::max(clock.since_ns, stamp);
    if (quiet > limit + (attached ? 0 : startup_allowance))
      throw runtime_failure(fmt::format(
          "worker {} in epoch {} made no progress for {:.1f} s (hung or stopped?): an async worker reports "
          "after every few milliseconds of work, --step-timeout {:g} s{}", w, epoch + 1, static_cast<double>(quiet) / 1e9,
          c.step_timeout, attached ? "" : " (plus a minute to start)"));
  }
  return false;
}

// Every output path must be writable before any work starts (exit 2 naming the flag).
void check_outputs(const config& c) {
  if (!c.metrics_path.empty()) check_writable("--metrics", c.metrics_path);
  if (!c.save_model_path.empty()) check_writable("--save-model", c.save_model_path);
  if (!c.checkpoint_path.empty()) check_writable("--checkpoint", c.checkpoint_path);
  if (!c.predictions_path.empty()) check_writable("--predictions", c.predictions_path);
}

checkpoint load_for_resume(const config& c, std::uint64_t identity, std::size_t rows, std::size_t weights) {
  checkpoint k = read_checkpoint(c.resume_path);
  if (k.identity != identity || k.perm.size() != rows || k.weights.size() != weights)
    throw usage_error(fmt::format(
        "--resume: '{}' belongs to another run (its data, model, dims, lambda, batch size, mode, workers or "
        "precision differ from this one's)", c.resume_path));
  for (std::uint32_t i : k.perm)
    if (i >= rows) throw usage_error(fmt::format("--resume: '{}' has a permutation entry out of range", c.resume_path));
  if (k.next_epoch >= c.epochs)
    throw usage_error(fmt::format("--resume: '{}' already finished epoch {}; --epochs {} leaves nothing to train",
                                  c.resume_path, k.next_epoch, c.epochs));
  if (c.fault && c.fault->epoch <= k.next_epoch)
    throw usage_error(fmt::format("--inject-fault: epoch {} is before this run's first, epoch {} (where '{}' resumes): "
                                  "the fault would never fire", c.fault->epoch, k.next_epoch + 1, c.resume_path));
  const double step = c.learning_rate * std::pow(c.decay, static_cast<double>(k.next_epoch));
  if (step != k.step)
    throw usage_error(fmt::format("--resume: '{}' was written with another --learning-rate or --decay (step size "
                                  "{:g} for epoch {}, this run's is {:g})", c.resume_path, k.step, k.next_epoch + 1, step));
  return k;
}

// Rows [b, e) of d as a dataset of their own (a rank's shard).
data::dataset slice_rows(const data::dataset& d, std::size_t b, std::size_t e) {
  data::dataset s;
  s.dims = d.dims;
  for (std::size_t r = b; r < e; ++r) s.add_row_of(d, r);
  return s;
}

// The generator that shuffles rank r's shard (rank 0's is the one-machine generator, so a
// distributed run of one rank is the local run).
rng shard_shuffler(std::uint64_t seed, unsigned r) {
  return rng(seed ^ 0x5eedf00dcafef00dULL ^ (static_cast<std::uint64_t>(r) * 0x9e3779b97f4a7c15ULL));
}

// --emulate-ranks: the local permutation that a --distributed sync run of R ranks visits. Shard r
// = rows partition(n, R, r), shuffled in place each epoch by its own generator; step s of the
// global batch is shard 0's s-th block of `block` = K·(W/R) examples, then shard 1's, ...
struct emulated_ranks {
  std::vector<std::vector<std::uint32_t>> perms;
  std::vector<rng> shufflers;
  std::size_t block = 1;
  emulated_ranks(std::size_t n, unsigned ranks, std::uint64_t seed, std::size_t block_size) : block(block_size) {
    for (unsigned r = 0; r < ranks; ++r) {
      const auto p = partition(n, ranks, r);
      perms.emplace_back(p.size());
      std::iota(perms.back().begin(), perms.back().end(), static_cast<std::uint32_t>(p.begin));
      shufflers.push_back(shard_shuffler(seed, r));
    }
  }
  void next_epoch(std::uint32_t* perm) {
    for (std::size_t r = 0; r < perms.size(); ++r) shuffle(std::span<std::uint32_t>(perms[r]), shufflers[r]);
    std::size_t out = 0;
    for (std::size_t s = 0;; ++s) {
      bool any = false;
      for (const auto& p : perms) {
        const std::size_t b = s * block;
        if (b >= p.size()) continue;
        any = true;
        const std::size_t e = std::min(p.size(), b + block);
        std::copy(p.begin() + static_cast<std::ptrdiff_t>(b), p.begin() + static_cast<std::ptrdiff_t>(e), perm + out);
        out += e - b;
      }
      if (!any) break;
    }
  }
};

// `epoch`: 0-based, reported 1-based as everywhere.
void check_stop(unsigned epoch) {
  if (signals::stop_requested())
    throw signals::interruption(epoch + 1);
}

}  // namespace

// --load-model: score --test with a saved model, no training.
run_result score_saved_model(const config& c, std::FILE* out) {
  if (!c.predictions_path.empty()) check_writable("--predictions", c.predictions_path);  // before any work
  const saved_model m = read_model(c.load_model_path);
  // The model kind, classes and scaling come from the file; --model and --scale are not used.
  const std::string& name = c.files.test.front();
  const auto format = data::resolve_format(c.files.format, name);
  data::check_idx_labels("--test-labels", c.files.test_labels, format, name);
  data::dataset test = data::read_any(c.files.test, format, c.files.test_labels);
  // Images have a fixed feature count that must match; LIBSVM files only name the columns they use.
  const std::size_t D = m.data_dims();  // the features of a row (a bias column comes after them)
  if (format != data::file_format::libsvm && test.dims != D)
    throw usage_error(fmt::format("{}: {} features per row but the model in {} has {} dims{}", name, test.dims,
                                  c.load_model_path, D, m.bias > 0 ? " and a bias column" : ""));
  if (test.dims > D) {
    if (out) fmt::print(out, "note: {} has features up to {}; the model's {} dims are used, the rest ignored\n", name,
                        test.dims, D);
  }
  data::map_labels(test, m.labels, name);  // refuses labels (classes) the model does not know
  data::restrict_columns(test, D);
  if (m.scale.kind != data::scale_kind::none) m.scale.apply(test);
  if (m.bias > 0) data::append_bias(test, D, static_cast<float>(m.bias));
  const evaluation e = evaluate(m.model, test.csr(), test.labels.data(), m.weights.data(), m.outputs, m.lambda);
  run_result result;
  result.weights = m.weights;
  epoch_metrics em;
  em.test_error = e.error;
  em.train_objective = std::nan("");
  em.train_error = std::nan("");
  result.history.push_back(em);
  if (out) {
    const bool mse = m.model == models::model_kind::least_squares;
    fmt::print(out, "model: {} ({} dims, {} outputs) from {}\n", models::name_of(m.model), m.dims, m.outputs,
               c.load_model_path);
    // The floor of the test error, from the test rows themselves (no training rows here; no
    // warning: a test file of one class is a fair thing to score).
    const label_balance balance =
        describe_label_balance(models::label_type_of(m.model), m.labels, test.labels, test.labels, "test");
    if (!balance.line.empty()) fmt::print(out, "labels: {}\n", balance.line);
    fmt::print(out, "test: {} rows from {}: test {} {}{}\n", test.rows(), name, mse ? "mse" : "error",
               mse ? fmt::format("{:.6g}", e.error) : fmt::format("{:.2f}%", 100.0 * e.error),
               mse ? "" : fmt::format(" (accuracy {:.2f}%)", 100.0 * (1.0 - e.error)));
  }
  if (!c.predictions_path.empty()) write_predictions(c.predictions_path, m, test);
  return result;
}

run_result train(const config& c_in, std::FILE* out) { return train(c_in, out, nullptr); }

run_result train(const config& c_arg, std::FILE* out, cluster* net) {
  if (!c_arg.load_model_path.empty()) return score_saved_model(c_arg, out);
  // --distributed: rank 0 reports, evaluates the test set and writes every output; the others
  // train their shard silently (docs/distributed.md).
  const unsigned ranks = net ? static_cast<unsigned>(net->size()) : 1;
  const unsigned me = net ? static_cast<unsigned>(net->rank()) : 0;
  config c_in = c_arg;
  if (me != 0) {
    out = nullptr;
    c_in.metrics_path.clear();
    c_in.save_model_path.clear();
    c_in.predictions_path.clear();
    c_in.files.test.clear();
    c_in.files.test_labels.clear();
    c_in.synthetic.test_rows = 0;
  }
  if (net && c_in.fault && c_in.fault_rank != me) c_in.fault.reset();
  check_outputs(c_in);
  config c = c_in;
  run_data rd;
  std::string default_note;
  std::vector<double> inv_du;  // 1/d_u with d_u counted over the whole training set, every shard
  std::size_t global_rows = 0;
  rank_plan plan;
  if (net && can_read_sharded(c)) {
    // One plain LIBSVM file: this rank parses only its rows (shard_data.hpp).
    shard_facts f;
    rd = prepare_sharded(c, *net, f, default_note);
    inv_du = std::move(f.inv_du);
    global_rows = f.global_rows;
    plan.max_row_entries = f.max_row_entries;
  } else {
    check_data_memory(c);
    rd = prepare_data(c);
    default_note = resolve_data_defaults(c, rd);
    check_model_memory(c, rd);
    inv_du = data::inverse_column_counts(rd.train);
    global_rows = rd.train.rows();
    if (net) {  // everyone read everything: keep this rank's rows
      for (std::size_t r = 0; r < rd.train.rows(); ++r)
        plan.max_row_entries = std::max<std::uint64_t>(plan.max_row_entries, rd.train.row_ptr[r + 1] - rd.train.row_ptr[r]);
      const auto mine = partition(global_rows, ranks, me);
      rd.train = slice_rows(rd.train, mine.begin, mine.end);
    }
  }
  if (net) {
    // The default worker count (one per core) at most the smallest rank's rows: partition() gives
    // every rank rows/ranks rows or one more, so all ranks compute the same count.
    if (c.workers_default)
      c.workers = static_cast<unsigned>(std::clamp<std::size_t>(global_rows / ranks, 1, c.workers));
    if (c.workers > rd.train.rows())
      throw usage_error(fmt::format("--workers: {} workers but rank {} has only {} of the {} training rows", c.workers,
                                    me, rd.train.rows(), global_rows));
    plan.net = net;
    for (unsigned r = 0; r < ranks; ++r) plan.shard_rows.push_back(partition(global_rows, ranks, r).size());
  }
  data::dataset& train_set = rd.train;
  const data::dataset& test_set = rd.test;
  const int C = rd.labels.outputs();

  shm::segment_spec spec;
  spec.rows = train_set.rows();
  spec.dims = train_set.dims;
  spec.nnz = train_set.nnz();
  spec.outputs = static_cast<std::uint32_t>(C);
  spec.data_layout = choose_layout(c, train_set, C, kernel::dense_avx2_available());
  spec.model = c.model;
  spec.workers = c.workers;
  spec.batch_size = c.batch_size;
  spec.lambda = c.lambda;
  spec.weight_precision = c.weight_precision;
  spec.sync_bytes = protocol_sync_bytes(c, spec.rows, spec.outputs);
  spec.replicas = c.mode == run_mode::async && c.replicas == replica_mode::worker;
  // The identity hashes the whole training set (~1 s per GB): only a run that writes or resumes a
  // checkpoint needs it.
  const bool checkpoints = !c.checkpoint_path.empty() || !c.resume_path.empty();
  const std::uint64_t identity = checkpoints ? run_identity(c, train_set, spec.outputs) : 0;
  std::optional<checkpoint> resumed;
  if (!c.resume_path.empty()) resumed = load_for_resume(c, identity, spec.rows, spec.dims * spec.outputs);
  const label_balance balance =
      describe_label_balance(models::label_type_of(c.model), rd.labels, train_set.labels, test_set.labels);
  if (me == 0 && !balance.warning.empty())
    std::fputs(fmt::format("hogwild-coordinator: warning: {}\n", balance.warning).c_str(), stderr);
  // Without --bias the models have no intercept: centred columns leave them no way to fit the
  // data's mean (abalone's least-squares MSE 105.8 against 5.7 unscaled, 5.6 with --bias 1).
  if (me == 0 && rd.scale.kind == data::scale_kind::standardize && c.bias <= 0)
    std::fputs("hogwild-coordinator: note: --scale standardize centres every column, and without --bias the "
               "models have no intercept: a model can then no longer fit the data's mean (docs/data.md, --scale); "
               "add one with --bias 1, or keep the rows sparse and uncentred with --scale unit\n", stderr);
  shm::owned_segment seg(shm::unique_name(), spec);
  fill_segment(seg.view(), std::move(train_set), inv_du);  // train_set is empty from here on

  if (out) {
    fmt::print(out, "hogwild: mode {}, {} worker{} ({}), model {}, lambda {:g}{}\n", name_of(c.mode), c.workers,
               c.workers == 1 ? "" : "s",
               c.mode == run_mode::serial ? std::string("in-process")
                                          : fmt::format("{}, lifetime {}", name_of(c.executor), name_of(c.lifetime)),
               models::name_of(c.model), c.lambda,
               spec.replicas ? fmt::format(", a model replica per worker averaged every {} epoch{}", c.average_every,
                                           c.average_every == 1 ? "" : "s")
                             : "");
    const char* layout_name = spec.data_layout == kernel::layout::csr ? "csr" : "dense";
    const bool bias = c.bias > 0;  // (the generated data's shape, then the column --bias added)
    if (c.files.train.empty())
      fmt::print(out, "data: synthetic {} {} x {} (density {:g}, {} nonzeros, {} layout), {} test rows, seed {}{}\n",
                 c.synthetic.kind == data::synthetic_kind::svm ? "svm" : "regression", spec.rows,
                 spec.dims - (bias ? 1 : 0), c.synthetic.density, spec.nnz - (bias ? spec.rows : 0), layout_name,
                 test_set.rows(), c.synthetic.seed,
                 bias ? fmt::format("; bias column {} of value {:g} (an intercept)", spec.dims, c.bias) : "");
    else
      fmt::print(out, "data: {}, {} layout\n", rd.description, layout_name);
    if (!balance.line.empty()) fmt::print(out, "labels{}: {}\n", net ? " (rank 0's shard)" : "", balance.line);
    // The default precision is not named, so float64 runs print what they always printed.
    fmt::print(out, "sgd: {} epochs, learning rate {:g}, decay {:g}, batch size {}, lambda {:g}, {} output{}{}\n", c.epochs,
               c.learning_rate, c.decay, c.batch_size, c.lambda, C, C == 1 ? "" : "s",
               c.weight_precision == precision::float64 ? "" : ", precision float32 (float weights and arithmetic)");
    if (!default_note.empty()) fmt::print(out, "defaults: {}\n", default_note);
    if (net)
      fmt::print(out, "distributed: {} ranks x {} workers, {} training rows in all, {} on this rank (rank 0 on {}); "
                 "{}\n", ranks, c.workers, global_rows, spec.rows, net->host(),
                 c.mode == run_mode::sync
                     ? fmt::format("one global batch of {} x {} x {} = {} examples per step", c.batch_size, c.workers,
                                   ranks, std::size_t{c.batch_size} * c.workers * ranks)
                     : fmt::format("models averaged across ranks every {} epoch{}, each rank stepping {} x the "
                                   "learning rate", c.average_every, c.average_every == 1 ? "" : "s", ranks));
    if (c.emulate_ranks > 1)
      fmt::print(out, "order: as a --distributed run of {} ranks x {} workers\n", c.emulate_ranks,
                 c.workers / c.emulate_ranks);
    if (!rd.cache_note.empty()) fmt::print(out, "cache: {}\n", rd.cache_note);
    fmt::print(out, "segment: /dev/shm/{} ({:.1f} MB)\n", seg.name(), static_cast<double>(seg.bytes()) / 1e6);
    flush_report(out);
  }

  // Everything below reads the data through `v`: the segment, or (--attach auto/inherit-private)
  // the segment with its read-only sections taken from a private huge-page copy, which forked
  // workers inherit with their page tables (coordinator/private_data.hpp, docs/overheads.md).
  // Writes (model, permutation, stats, control) go to the segment either way.
  const std::unique_ptr<private_data_copy> data_copy =
      wants_private_copy(c, seg.view()) ? std::make_unique<private_data_copy>(seg.view()) : nullptr;
  const shm::segment_view& v = data_copy ? data_copy->view() : seg.view();

  // The step size of epoch `epoch` (0-based). Async across R ranks: averaging R models that each
  // moved over n/R rows keeps 1/R of one pass's progress, so each rank steps R·γ
  // (docs/distributed.md, measured there).
  const double rank_step_scale = net && c.mode == run_mode::async ? static_cast<double>(ranks) : 1.0;
  const auto step_of = [&](unsigned epoch) {
    return c.learning_rate * std::pow(c.decay, static_cast<double>(epoch)) * rank_step_scale;
  };
  // A resumed run carries the metrics rows of the epochs its checkpoint finished; the last one's
  // step size ties them to this run's schedule.
  metrics_carry carry;
  if (resumed && resumed->next_epoch > 0) carry = {resumed->next_epoch, step_of(resumed->next_epoch - 1)};
  metrics_writer metrics(c.metrics_path, c.profile, net != nullptr, carry);
  if (out && !metrics.carried_note().empty()) {
    fmt::print(out, "metrics: {}\n", metrics.carried_note());
    flush_report(out);
  }
  const std::unique_ptr<epoch_protocol> protocol = make_protocol(c, v, net ? &plan : nullptr);
  std::vector<worker::worker_args> tasks(c.workers);
  std::vector<worker_usage> usage;

  rng shuffler = shard_shuffler(c.synthetic.seed, me);
  std::optional<emulated_ranks> emulation;
  if (c.emulate_ranks > 1)
    emulation.emplace(spec.rows, c.emulate_ranks, c.synthetic.seed,
                      std::size_t{c.batch_size} * (c.workers / c.emulate_ranks));
  unsigned first_epoch = 0;
  if (resumed) {
    shm::set_weights(v, resumed->weights.data());  // exact: a float32 run's checkpoint holds floats
    std::copy(resumed->perm.begin(), resumed->perm.end(), v.perm());
    shuffler.set_state(resumed->rng_state);
    first_epoch = resumed->next_epoch;
    if (out) fmt::print(out, "resumed from '{}' at epoch {}\n", c.resume_path, first_epoch + 1);
  }
  // The state at the current epoch's start, before its shuffle: what a checkpoint written on
  // interruption holds, and (weights) what a retried epoch restarts from.
  const bool keep_start = !c.checkpoint_path.empty() || c.on_worker_failure == failure_policy::retry;
  checkpoint start;
  start.identity = identity;
  auto take_start = [&](unsigned epoch, double step) {
    start.next_epoch = epoch;
    start.step = step;
    std::copy_n(shuffler.state(), 4, start.rng_state);
    start.weights = shm::weights_to_double(v);
    start.perm.assign(v.perm(), v.perm() + spec.rows);
  };
  unsigned current_epoch = first_epoch;
  std::unique_ptr<executor> exec;
  watchdog_clock watch;  // async worker processes: this epoch's launch, or its latest retry's
  if (c.mode != run_mode::serial) {
    exec = make_executor({c.executor, c.lifetime, c.attach, seg.name(), &v, c.workers});
    if (c.on_worker_failure == failure_policy::retry)
      exec = make_retrying_executor(std::move(exec), c.max_retries,
                                    [&](std::vector<worker::worker_args>& retry_tasks, unsigned attempt,
                                        const std::string& cause) {
                                      shm::set_weights(v, start.weights.data());
                                      watch = {worker::now_ns(), 0};
                                      if (protocol) protocol->prepare_epoch(retry_tasks, current_epoch, start.step);
                                      fmt::print(stderr, "hogwild-coordinator: {}; retrying epoch {} (attempt {} of {})\n",
                                                 cause, current_epoch + 1, attempt, c.max_retries + 1);
                                    });
  }
  // The evaluation between epochs also runs on the workers' CPUs, idle at that moment
  // (eval_pool.hpp); same bits as on one thread. Not kept with processes forked every epoch:
  // fork() from a process with more threads costs more (measured: epochs +5-10 %, evaluation
  // gains lost in half the runs, docs/performance-log.md); those get helpers per evaluation.
  const unsigned helpers =
      c.mode == run_mode::serial ? 0 : eval_pool::helpers_for(c.workers, net ? static_cast<unsigned>(net->local_size()) : 1u);
  const bool forks_every_epoch = c.executor == executor_kind::fork && c.lifetime == worker_lifetime::epoch;
  std::optional<eval_pool> pool;
  chunk_runner eval_run;
  if (helpers > 0 && !forks_every_epoch) {
    signals::block();  // before the helpers start: they inherit the mask
    pool.emplace(helpers);
    eval_run = [&pool](std::size_t count, const std::function<void(std::size_t)>& fn) { pool->run(count, fn); };
  }
  const chunk_runner* eval_on = pool ? &eval_run : nullptr;
  // Processes forked every epoch: helpers for each evaluation alone, started after the epoch's
  // workers were reaped and joined before the next epoch forks again, so no fork() ever copies a
  // process with threads in it (thread create + join: ~25 us a helper).
  const unsigned transient_helpers = forks_every_epoch ? helpers : 0;
  run_result result;
  const auto t0 = clock_type::now();
  const double cpu0 = cpu_seconds();
  const double comm0 = net ? net->comm_seconds() : 0.0;  // the data set-up's exchanges are not training
  const std::size_t n = spec.rows;
  // Run-long worker processes are reaped only after the last epoch, so RUSAGE_CHILDREN misses
  // them until then: add each one's whole-process CPU as of its latest task instead (waits and
  // wake-ups included; threads are in RUSAGE_SELF already).
  const bool live_workers = c.mode == run_mode::async && c.lifetime == worker_lifetime::run && c.executor != executor_kind::thread;
  // (A replaced worker's earlier process is reaped, so it is in RUSAGE_CHILDREN: take the latest.)
  double live_worker_cpu = 0;

  try {  // (body not re-indented, to keep merges with the other branches small)
  for (unsigned epoch = first_epoch; epoch < c.epochs; ++epoch) {
    const double step = step_of(epoch);
    current_epoch = epoch;
    if (keep_start) take_start(epoch, step);
    check_stop(epoch);  // after take_start: a stop here checkpoints exactly this epoch's start
    if (emulation)
      emulation->next_epoch(v.perm());
    else
      shuffle(std::span<std::uint32_t>(v.perm(), n), shuffler);
    const auto te = clock_type::now();
    epoch_profile m_profile;
    if (c.mode == run_mode::serial) {
      // Chunks keep a stop request responsive on large data; results do not depend on the chunking
      // because chunk boundaries are multiples of the batch size.
      const std::size_t chunk = std::max<std::size_t>(1, 65536 / c.batch_size) * c.batch_size;
      for (std::size_t b = 0; b < n; b += chunk) {
        train_range(v, b, std::min(n, b + chunk), step, false);
        if (b + chunk < n) check_stop(epoch);
      }
    } else {
      for (unsigned w = 0; w < c.workers; ++w) {
        const auto r = partition(n, c.workers, w);
        tasks[w] = worker::worker_args{};
        tasks[w].segment = seg.name();
        tasks[w].worker = w;
        tasks[w].begin = r.begin;
        tasks[w].end = r.end;
        tasks[w].epoch = epoch;
        tasks[w].step = step;
        if (c.fault && c.fault->worker == w && c.fault->epoch == epoch + 1) tasks[w].inject = c.fault->action;
      }
      const std::int64_t launch_ns = worker::now_ns();
      if (protocol) {
        protocol->prepare_epoch(tasks, epoch, step);
        exec->run_epoch(tasks, usage, [&] { return protocol->poll(); });
        protocol->finish_epoch();
      } else if (c.executor != executor_kind::thread) {
        watch = {launch_ns, 0};
        exec->run_epoch(tasks, usage, [&] { return check_heartbeats(v, c, epoch, watch); });
      } else {
        exec->run_epoch(tasks, usage);  // (a thread cannot be stopped from outside: no watchdog)
      }
      if (live_workers) {
        live_worker_cpu = 0;
        for (unsigned w = 0; w < c.workers; ++w) live_worker_cpu += v.stats()[w].process_cpu_seconds;
      }
      if (c.profile) m_profile = profile_epoch(v, c.workers, launch_ns, worker::now_ns(), usage);
    }
    const bool average_now = (epoch + 1) % c.average_every == 0 || epoch + 1 == c.epochs;
    // Async across ranks: local SGD, the ranks' models averaged every --average-every epochs.
    const bool rank_average = net && c.mode == run_mode::async && average_now;
    if (v.replica_count())
      dispatch_precision(v.weight_precision(),
                         [&](auto t) { average_replicas<decltype(t)>(v, average_now && !rank_average); });
    if (rank_average) {  // float64 only: --distributed refuses --precision float32
      net->sum(v.weights(), v.weight_count());
      const double inv = 1.0 / static_cast<double>(ranks);
      for (std::size_t j = 0; j < v.weight_count(); ++j) v.weights()[j] *= inv;
      for (std::uint32_t k = 0; k < v.replica_count(); ++k) std::copy_n(v.weights(), v.weight_count(), v.replica(k));
    }
    epoch_metrics m;
    m.profile = m_profile;
    m.epoch = epoch + 1;
    m.epoch_seconds = seconds_since(te);
    const auto t_eval = clock_type::now();
    m.step_size = step;
    std::optional<eval_pool> transient;
    chunk_runner transient_run;
    const chunk_runner* eval_now = eval_on;
    if (transient_helpers > 0) {
      transient.emplace(transient_helpers);
      transient_run = [&transient](std::size_t count, const std::function<void(std::size_t)>& fn) {
        transient->run(count, fn);
      };
      eval_now = &transient_run;
    }
    const evaluation tr = evaluate_segment(c, v, eval_now);
    m.train_objective = tr.objective;
    m.train_error = tr.error;
    if (net) {
      // Over every shard: data loss and errors summed across ranks (each with its own model;
      // they are equal in sync mode and after each average in async mode), rank 0's ‖w‖².
      double norm2 = 0;
      for (std::size_t j = 0; j < v.weight_count(); ++j) norm2 += v.weights()[j] * v.weights()[j];
      const double nr = static_cast<double>(n);
      double sums[2] = {tr.objective * nr - 0.5 * c.lambda * norm2, tr.error * nr};
      net->sum(sums, 2);
      const double ng = static_cast<double>(global_rows);
      m.train_objective = (sums[0] + 0.5 * c.lambda * norm2) / ng;
      m.train_error = sums[1] / ng;
      m.comm_seconds = net->comm_seconds() - comm0;
    }
    m.test_error = test_set.rows() ? evaluate_rows(c, v, test_set, eval_now).error : std::nan("");
    m.validation_error = rd.validation.rows() ? evaluate_rows(c, v, rd.validation, eval_now).error : std::nan("");
    transient.reset();
    m.profile.evaluation_seconds = seconds_since(t_eval);
    m.wall_seconds = seconds_since(t0);
    m.cpu_seconds = cpu_seconds() - cpu0 + live_worker_cpu;
    metrics.write(m);
    result.history.push_back(m);
    if (out && !c.quiet) {
      fmt::print(out, "epoch {:4}  wall {:8.3f} s  cpu {:8.3f} s  objective {:.6f}  train error {}  test error {}{}\n",
                 m.epoch, m.wall_seconds, m.cpu_seconds, m.train_objective, percent_or_mse(c, m.train_error),
                 percent_or_mse(c, m.test_error), net ? fmt::format("  comm {:.3f} s", m.comm_seconds) : "");
      if (rd.validation.rows()) fmt::print(out, "           validation error {}\n", percent_or_mse(c, m.validation_error));
      if (c.profile) {
        const auto& p = m.profile;
        fmt::print(out,
                   "  profile: launch {:.3f} ms  attach {:.3f} ms  compute {:.3f} ms  join {:.3f} ms  "
                   "evaluation {:.3f} ms  faults {} minor / {} major  switches {} voluntary / {} involuntary\n",
                   p.launch_seconds * 1e3, p.attach_seconds * 1e3, p.compute_seconds * 1e3, p.join_seconds * 1e3,
                   p.evaluation_seconds * 1e3, p.minor_faults, p.major_faults, p.voluntary_switches,
                   p.involuntary_switches);
      }
      flush_report(out);
    }
    if (!std::isfinite(m.train_objective)) {
      // The L2 step scales a weight by 1 − γλ (÷ d_u for svm): from γλ > 1 on it overshoots zero, and
      // a smaller learning rate is then not the only cure.
      const double gl = m.step_size * c.lambda;
      throw runtime_failure(fmt::format("training diverged in epoch {} (objective {}); try a smaller --learning-rate{}",
                                        m.epoch, m.train_objective,
                                        gl > 1 ? fmt::format(" or --lambda (step size × lambda = {:g}: above 1 the "
                                                             "L2 step overshoots zero)", gl)
                                               : ""));
    }
    if (!c.checkpoint_path.empty() && (m.epoch % c.checkpoint_every == 0 || m.epoch == c.epochs)) {
      checkpoint k;
      k.identity = identity;
      k.next_epoch = m.epoch;
      k.step = c.learning_rate * std::pow(c.decay, static_cast<double>(m.epoch));
      std::copy_n(shuffler.state(), 4, k.rng_state);
      k.weights = shm::weights_to_double(v);
      k.perm.assign(v.perm(), v.perm() + n);
      // The rows first: killed between the two, FILE holds a row more than the checkpoint, and a
      // resumed run carries the rows of the checkpoint's epochs only.
      metrics.publish();
      write_checkpoint(c.checkpoint_path, k);
    }
  }
  } catch (const interrupted&) {
    // The model is part-way through an epoch: the checkpoint holds the state at that epoch's start.
    if (!c.checkpoint_path.empty() && !start.weights.empty()) {
      write_checkpoint(c.checkpoint_path, start);
      fmt::print(stderr, "hogwild-coordinator: checkpoint of epoch {}'s start written to '{}'\n",
                 start.next_epoch + 1, c.checkpoint_path);
    }
    throw;
  }
  metrics.finish();
  result.weights = shm::weights_to_double(v);  // float32 weights widen exactly
  result.true_weights = rd.true_weights;
  if (out) {
    const auto& last = result.history.back();
    fmt::print(out, "done: {} epochs in {:.3f} s wall, {:.3f} s cpu; train error {}, test error {}{}\n", c.epochs,
               last.wall_seconds, last.cpu_seconds, percent_or_mse(c, last.train_error),
               percent_or_mse(c, last.test_error),
               rd.validation.rows() ? ", validation error " + percent_or_mse(c, last.validation_error) : "");
    if (net && net->comm_calls())
      fmt::print(out, "communication (rank 0): {:.3f} s in {} collectives, {:.1f} us and {} bytes sent each on average\n",
                 net->comm_seconds(), net->comm_calls(),
                 1e6 * net->comm_seconds() / static_cast<double>(net->comm_calls()),
                 net->comm_bytes() / net->comm_calls());
  }
  if (!c.save_model_path.empty() || !c.predictions_path.empty()) {
    const saved_model sm{c.model, spec.dims, C, c.lambda, rd.labels, rd.scale, c.bias, result.weights};
    if (!c.save_model_path.empty()) write_model(c.save_model_path, sm);
    if (!c.predictions_path.empty()) write_predictions(c.predictions_path, sm, test_set);
  }
  return result;
}

}  // namespace hogwild
