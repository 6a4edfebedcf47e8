// The process-vs-thread overhead study (issue 5). One run measures, on the same machine:
//  1. the sweep executor {fork, spawn, thread} x lifetime {epoch, run} x workers x dataset rows
//     (few epochs each, through train() with --profile), one CSV row per configuration;
//  2. fork-executor attach modes (populate, lazy, inherit, inherit-populate, inherit-private) x rows;
//  3. raw floors (taken first, while the process is small): fork+_exit+waitpid, posix_spawn of a
//     tiny static binary (tests/bench/tiny_static.cpp, or --tiny PATH) + waitpid, std::thread
//     create+join; and a plain std::thread Hogwild! loop on the same segment and kernel;
//  4. the default run (async, 8 workers, 200 epochs) with per-epoch and run-long fork workers, and
//     the same on replicas at 8x the learning rate (no contention);
//  5. per-epoch forked and run-long thread workers with --replicas worker (each worker its own
//     model copy: no shared-model contention, which on many cores dwarfs what a fork costs);
// and prints the floor ratios of docs/overheads.md.
// Usage: bench_overhead [--out FILE.csv] [--epochs E] [--quick] [--tiny PATH]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "coordinator/process_set.hpp"
#include "coordinator/trainer.hpp"
#include "datasets/synthetic.hpp"
#include "shared/partition.hpp"
#include "shared/rng.hpp"
#include "shared/segment.hpp"
#include "shared/train_range.hpp"

extern char** environ;

using namespace hogwild;
using clk = std::chrono::steady_clock;

namespace {

double since(clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct sweep_row {
  std::string executor, lifetime, attach;
  unsigned workers = 0;
  std::size_t rows = 0;
  double epoch_s = 0, compute_s = 0, launch_s = 0, attach_s = 0, join_s = 0, minor_faults = 0, test_error = 0;
  double overhead_s() const { return std::max(0.0, epoch_s - compute_s); }
};

const char* attach_name(attach_choice a) {
  switch (a) {
    case attach_choice::populate: return "populate";
    case attach_choice::lazy: return "lazy";
    case attach_choice::inherit: return "inherit";
    case attach_choice::inherit_populate: return "inherit-populate";
    case attach_choice::inherit_private: return "inherit-private";
    case attach_choice::automatic: break;
  }
  return "auto";
}

sweep_row measure(executor_kind kind, worker_lifetime life, attach_choice attach, unsigned workers, std::size_t rows,
                  unsigned epochs, replica_mode replicas = replica_mode::shared) {
  config c;
  c.replicas = replicas;
  c.lambda = 1.0;
  c.synthetic.rows = rows;
  c.epochs = epochs;
  c.workers = workers;
  c.executor = kind;
  c.lifetime = life;
  c.attach = attach;
  c.profile = true;
  const auto r = train(c, nullptr);
  std::vector<double> e, comp, la, at, jo, mf;
  // Epoch 1 of a run-long executor includes starting the workers; the median hides neither
  // effect for per-epoch workers (every epoch starts them) and reports steady state for run-long.
  for (const auto& m : r.history) {
    e.push_back(m.epoch_seconds);
    comp.push_back(m.profile.compute_seconds);
    la.push_back(m.profile.launch_seconds);
    at.push_back(m.profile.attach_seconds);
    jo.push_back(m.profile.join_seconds);
    mf.push_back(static_cast<double>(m.profile.minor_faults));
  }
  return {name_of(kind), name_of(life), attach_name(attach), workers, rows, median(e), median(comp), median(la),
          median(at), median(jo), median(mf), r.history.back().test_error};
}

template <class F>
double per_op(int n, F&& f) {
  const auto t0 = clk::now();
  for (int i = 0; i < n; ++i) f();
  return since(t0) / n;
}

double fork_floor(int n) {
  return per_op(n, [] {
    const pid_t p = ::fork();
    if (p == 0) ::_exit(0);
    ::waitpid(p, nullptr, 0);
  });
}

// posix_spawn(program [arg]) + waitpid, the child's stdout sent to /dev/null.
double spawn_floor(int n, const char* program, const char* arg = nullptr) {
  char* argv[] = {const_cast<char*>(program), const_cast<char*>(arg), nullptr};
  posix_spawn_file_actions_t quiet;
  ::posix_spawn_file_actions_init(&quiet);
  ::posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  const double s = per_op(n, [&] {
    pid_t p = 0;
    if (::posix_spawn(&p, program, &quiet, nullptr, argv, environ) == 0) ::waitpid(p, nullptr, 0);
  });
  ::posix_spawn_file_actions_destroy(&quiet);
  return s;
}

double thread_floor(int n) {
  return per_op(n, [] { std::thread([] {}).join(); });
}

// A plain std::thread Hogwild! loop: same segment layout and kernel as the executors, no executor.
double plain_thread_epoch(std::size_t rows, unsigned workers, unsigned epochs) {
  data::synthetic_spec spec;
  spec.rows = rows;
  const auto s = data::make_synthetic(spec);
  const auto& d = s.train;
  shm::segment_spec ss;
  ss.rows = d.rows();
  ss.dims = d.dims;
  ss.nnz = d.nnz();
  ss.workers = workers;
  ss.batch_size = 2;
  ss.lambda = 1.0;
  shm::owned_segment seg(shm::unique_name(), ss);
  const auto& v = seg.view();
  std::copy(d.row_ptr.begin(), d.row_ptr.end(), v.row_ptr());
  std::copy(d.idx.begin(), d.idx.end(), v.col_idx());
  std::copy(d.val.begin(), d.val.end(), v.values());
  std::copy(d.labels.begin(), d.labels.end(), v.labels());
  const auto inv = data::inverse_column_counts(d);
  std::copy(inv.begin(), inv.end(), v.inv_du());
  std::fill_n(v.weights(), v.weight_count(), 0.0);
  std::iota(v.perm(), v.perm() + rows, 0u);
  std::vector<double> t;
  rng shuffler(1);
  for (unsigned e = 0; e < epochs; ++e) {
    shuffle(std::span<std::uint32_t>(v.perm(), rows), shuffler);  // as the trainer does: same access pattern
    const auto t0 = clk::now();
    std::vector<std::thread> th;
    for (unsigned w = 0; w < workers; ++w) {
      const auto r = partition(rows, workers, w);
      th.emplace_back([&, r] { train_range(v, r.begin, r.end, 0.001, true); });
    }
    for (auto& x : th) x.join();
    t.push_back(since(t0));
  }
  return median(t);
}

}  // namespace

int main(int argc, char** argv) {
  #ifdef HOGWILD_TINY_STATIC
  std::string out = "bench_overhead.csv", tiny = HOGWILD_TINY_STATIC;
#else
  std::string out = "bench_overhead.csv", tiny = "/bin/true";
#endif
  unsigned epochs = 5;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--epochs" && i + 1 < argc) epochs = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (a == "--tiny" && i + 1 < argc) tiny = argv[++i];
    else if (a == "--quick") quick = true;
    else {
      const bool help = a == "--help" || a == "-h";
      if (!help) std::fprintf(stderr, "bench_overhead: unknown flag or missing value: '%s'\n", a.c_str());
      std::fprintf(help ? stdout : stderr, "usage: bench_overhead [--out FILE.csv] [--epochs E] [--quick] [--tiny PATH]\n");
      return help ? 0 : 2;
    }
  }
  const std::vector<unsigned> worker_counts = quick ? std::vector<unsigned>{1, 8} : std::vector<unsigned>{1, 2, 4, 8, 10};
  const std::vector<std::size_t> row_counts =
      quick ? std::vector<std::size_t>{10'000, 100'000} : std::vector<std::size_t>{10'000, 50'000, 100'000, 500'000};
  std::FILE* f = std::fopen(out.c_str(), "w");
  if (!f) {
    std::perror(out.c_str());
    return 1;
  }
  std::fputs("section,executor,lifetime,attach,workers,rows,epoch_seconds,compute_seconds,overhead_seconds,"
             "launch_seconds,attach_seconds,join_seconds,minor_faults,test_error\n", f);
  auto emit = [&](const char* section, const sweep_row& r) {
    fmt::print(f, "{},{},{},{},{},{},{:.9f},{:.9f},{:.9f},{:.9f},{:.9f},{:.9f},{},{:.4f}\n", section, r.executor,
               r.lifetime, r.attach, r.workers, r.rows, r.epoch_s, r.compute_s, r.overhead_s(), r.launch_s, r.attach_s,
               r.join_s, r.minor_faults, r.test_error);
    std::fflush(f);
    std::printf("%-7s %-6s %-5s %-16s w=%-2u rows=%-6zu epoch %8.3f ms  compute %8.3f ms  overhead %8.3f ms  faults %8.0f\n",
                section, r.executor.c_str(), r.lifetime.c_str(), r.attach.c_str(), r.workers, r.rows, r.epoch_s * 1e3,
                r.compute_s * 1e3, r.overhead_s() * 1e3, r.minor_faults);
    std::fflush(stdout);
  };

  // 0. Raw floors first, while this process is still small: fork() copies the caller's page
  // tables, so a floor taken after the sweep has grown the heap measures a bigger process than
  // the coordinator (an earlier version did that and reported floors of 1.6-1.9 ms).
  const double fork_s = fork_floor(200), spawn_s = spawn_floor(200, tiny.c_str()), thread_s = thread_floor(2000);
  // Start-up of the worker executable itself (`--help` exits at once): what exec, the loader and
  // the C++ runtime cost before any work, against the tiny binary's floor.
  const std::string worker_exe = worker_executable();
  const double worker_start_s = spawn_floor(200, worker_exe.c_str(), "--help");

  // 4. The default run, both lifetimes, same process; also first, for the same reason as the
  // floors (fork() in a process that the sweep has grown costs more than in the coordinator).
  // Also on replicas at 8x the learning rate (serial's test error, docs/scaling.md): the same job
  // without the shared model's contention, so what remains between the lifetimes is the forks.
  auto whole = [](worker_lifetime l, replica_mode replicas = replica_mode::shared) {
    config c;
    c.lambda = 1.0;
    c.workers = 8;
    c.lifetime = l;
    c.replicas = replicas;
    if (replicas == replica_mode::worker) c.learning_rate = 0.008;
    const auto t0 = clk::now();
    train(c, nullptr);
    return since(t0);
  };
  const double default_epoch = whole(worker_lifetime::epoch), default_run = whole(worker_lifetime::run);
  const double replicas_epoch = whole(worker_lifetime::epoch, replica_mode::worker),
               replicas_run = whole(worker_lifetime::run, replica_mode::worker);
  // 1. The sweep.
  std::vector<sweep_row> sweep;
  for (std::size_t rows : row_counts)
    for (executor_kind k : {executor_kind::fork, executor_kind::spawn, executor_kind::thread})
      for (worker_lifetime l : {worker_lifetime::epoch, worker_lifetime::run})
        for (unsigned w : worker_counts) {
          sweep.push_back(measure(k, l, attach_choice::automatic, w, rows, epochs));
          emit("sweep", sweep.back());
        }
  // 2. Attach modes of per-epoch forked workers.
  std::vector<sweep_row> attach_rows;
  for (std::size_t rows : row_counts)
    for (attach_choice a : {attach_choice::populate, attach_choice::lazy, attach_choice::inherit, attach_choice::inherit_populate,
                            attach_choice::inherit_private})
    {
      attach_rows.push_back(measure(executor_kind::fork, worker_lifetime::epoch, a, 8, rows, epochs));
      emit("attach", attach_rows.back());
    }

  // 5. Without contention: per-epoch forks and run-long threads, each worker on its own replica.
  std::vector<sweep_row> uncontended;
  for (std::size_t rows : {row_counts.front(), row_counts.back()})
    for (auto [k, l] : {std::pair{executor_kind::fork, worker_lifetime::epoch}, std::pair{executor_kind::thread, worker_lifetime::run}}) {
      uncontended.push_back(measure(k, l, attach_choice::automatic, 8, rows, epochs, replica_mode::worker));
      emit("replica", uncontended.back());
    }

  // 3. Raw floors (measured at the start).
  fmt::print(f, "floor,fork+exit+wait,,,1,0,{:.9f},,,,,,,\n", fork_s);
  fmt::print(f, "floor,posix_spawn+wait,,,1,0,{:.9f},,,,,,,\n", spawn_s);
  fmt::print(f, "floor,thread create+join,,,1,0,{:.9f},,,,,,,\n", thread_s);
  fmt::print(f, "floor,hogwild-worker --help start-up,,,1,0,{:.9f},,,,,,,\n", worker_start_s);
  const double plain8 = plain_thread_epoch(10'000, 8, 50);
  fmt::print(f, "floor,plain thread loop,,,8,10000,{:.9f},,,,,,,\n", plain8);

  fmt::print(f, "default,fork,epoch,,8,10000,{:.9f},,,,,,,\n", default_epoch);
  fmt::print(f, "default,fork,run,,8,10000,{:.9f},,,,,,,\n", default_run);
  fmt::print(f, "default-replicas,fork,epoch,,8,10000,{:.9f},,,,,,,\n", replicas_epoch);
  fmt::print(f, "default-replicas,fork,run,,8,10000,{:.9f},,,,,,,\n", replicas_run);
  std::fclose(f);

  // Ratios.
  auto find = [&](const char* exe, const char* life, unsigned w, std::size_t rows) -> const sweep_row* {
    for (const auto& r : sweep)
      if (r.executor == exe && r.lifetime == life && r.workers == w && r.rows == rows) return &r;
    return nullptr;
  };
  const unsigned wmax = worker_counts.back();
  std::printf("\nraw floors: fork+exit+wait %.1f us, posix_spawn(%s)+wait %.1f us, thread create+join %.1f us\n",
              fork_s * 1e6, tiny.c_str(), spawn_s * 1e6, thread_s * 1e6);
  std::printf("worker start-up: posix_spawn(%s --help)+wait %.1f us = %.2f x the posix_spawn floor\n", worker_exe.c_str(),
              worker_start_s * 1e6, worker_start_s / spawn_s);
  const struct {
    const char* exe;
    double floor;
  } launch[] = {{"fork", fork_s}, {"spawn", spawn_s}, {"thread", thread_s}};
  // A per-epoch worker's launch cost: the epoch time it adds over run-long threads doing the same
  // compute on the same data (launch, attach, page faults, exit, reap), per worker.
  if (const auto* base = find("thread", "run", wmax, 10'000))
    for (const auto& l : launch)
      if (const auto* r = find(l.exe, "epoch", wmax, 10'000)) {
        const double per_worker = std::max(0.0, r->epoch_s - base->epoch_s) / wmax;
        std::printf("per-worker launch overhead, %-6s per-epoch workers (w=%u, 10k rows, vs run-long threads): %.1f us = %.2f x its raw floor (target <= 1.5)\n",
                    l.exe, wmax, per_worker * 1e6, per_worker / l.floor);
      }
  // Per-epoch overhead of 8 per-epoch forked workers at a dataset size: the epoch time they add
  // over run-long threads on the same data (page faults inside the compute window included).
  auto extra_over_threads = [&](const sweep_row& r) -> double {
    const auto* t = find("thread", "run", 8, r.rows);
    return t ? std::max(1e-9, r.epoch_s - t->epoch_s) : 0.0;
  };
  const std::size_t big = row_counts.back();
  if (const auto* a = find("fork", "epoch", 8, 10'000))
    if (const auto* b = find("fork", "epoch", 8, big))
      std::printf("per-epoch overhead of 8 forked workers over run-long threads, --attach auto (the default), %zu rows / 10k rows: %.3f ms / %.3f ms = %.2f x (target <= 2)\n",
                  big, extra_over_threads(*b) * 1e3, extra_over_threads(*a) * 1e3, extra_over_threads(*b) / extra_over_threads(*a));
  for (const auto& a : attach_rows)
    for (const auto& b : attach_rows)
      if (a.attach == b.attach && a.rows == 10'000 && b.rows == big)
        std::printf("per-epoch overhead of 8 forked workers over run-long threads, --attach %s, %zu rows / 10k rows: %.3f ms / %.3f ms = %.2f x (target <= 2)\n",
                    a.attach.c_str(), big, extra_over_threads(b) * 1e3, extra_over_threads(a) * 1e3,
                    extra_over_threads(b) / extra_over_threads(a));
  // The same measure on replicas: what remains is the fork's own per-epoch cost.
  auto in = [&](const std::vector<sweep_row>& v, const char* exe, std::size_t rows) -> const sweep_row* {
    for (const auto& r : v)
      if (r.executor == exe && r.rows == rows) return &r;
    return nullptr;
  };
  auto extra_uncontended = [&](std::size_t rows) -> double {
    const auto *forked = in(uncontended, "fork", rows), *threads = in(uncontended, "thread", rows);
    return forked && threads ? std::max(1e-9, forked->epoch_s - threads->epoch_s) : 0.0;
  };
  std::printf("per-epoch overhead of 8 forked workers over run-long threads, --replicas worker (no contention), %zu rows / 10k rows: %.3f ms / %.3f ms = %.2f x (target <= 2)\n",
              big, extra_uncontended(big) * 1e3, extra_uncontended(row_counts.front()) * 1e3,
              extra_uncontended(big) / extra_uncontended(row_counts.front()));
  std::printf("per-worker launch overhead, fork per-epoch workers (w=8, 10k rows, vs run-long threads, --replicas worker): %.1f us = %.2f x its raw floor (target <= 1.5)\n",
              extra_uncontended(row_counts.front()) / 8 * 1e6, extra_uncontended(row_counts.front()) / 8 / fork_s);
  if (const auto* t = find("thread", "epoch", 8, 10'000))
    std::printf("thread executor epoch (w=8, 10k rows, no evaluation) / plain std::thread loop: %.3f ms / %.3f ms = %.2f x (target <= 1.2)\n",
                t->epoch_s * 1e3, plain8 * 1e3, t->epoch_s / plain8);
  if (const auto* t = find("thread", "run", 8, 10'000))
    std::printf("thread executor, run-long threads (w=8, 10k rows) / plain std::thread loop: %.3f ms / %.3f ms = %.2f x\n",
                t->epoch_s * 1e3, plain8 * 1e3, t->epoch_s / plain8);
  std::printf("default run (async, 8 workers, 200 epochs): per-epoch fork %.3f s, run-long fork %.3f s: %.2f x faster (target >= 3)\n",
              default_epoch, default_run, default_epoch / default_run);
  std::printf("the same with --replicas worker --learning-rate 0.008 (no shared-model contention): per-epoch fork %.3f s, run-long fork %.3f s: %.2f x faster\n",
              replicas_epoch, replicas_run, replicas_epoch / replicas_run);
  std::printf("hardware threads: %u\nCSV: %s\n", std::thread::hardware_concurrency(), out.c_str());
  return 0;
}
