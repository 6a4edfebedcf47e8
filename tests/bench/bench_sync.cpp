// Sync-mode benchmark (issue 3). In one run, on this machine:
//  (a) a raw Boost.Interprocess message_queue round trip between two processes (median of N);
//  (b) sync mode's per-step overhead: time per step of `train()` in sync mode minus the time per
//      step of serial SGD over the same global batch (the gradient work: both compute exactly the
//      same numbers), as a ratio to (a);
//  (c) sync steps per second for 1, 2, 4, 8 workers; and, for reference, round-robin time per
//      turn against serial time per batch.
//  (d) the release mechanism alone (no gradient work): W processes report on one ready queue and
//      are released by (i) a go message_queue per worker, (ii) a step counter under a
//      process-shared mutex + condition broadcast, (iii) a step counter as a futex word + one
//      FUTEX_WAKE (what sync mode uses).
// Usage: bench_sync [--rows N] [--epochs E] [--trips N] [--workers-max W]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <sys/mman.h>
#include <vector>

#include "coordinator/signals.hpp"
#include "coordinator/trainer.hpp"
#include "shared/ipc.hpp"
#include "shared/segment.hpp"

using namespace hogwild;
namespace bip = boost::interprocess;
using clk = std::chrono::steady_clock;

namespace {

// Coordinator → worker message of the per-worker-queue variant (i), and the ping of (a).
struct go_message {
  std::uint32_t epoch;
  std::uint32_t reserved;
  std::uint64_t step;
};
std::string go_queue_name(const std::string& base, unsigned w) { return base + "-q-go-" + std::to_string(w); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

struct queue_guard {
  std::string name;
  ~queue_guard() { bip::message_queue::remove(name.c_str()); }
};

// (a) ping → pong between this process and a forked child; returns per-trip microseconds.
std::vector<double> round_trips(int trips) {
  const std::string base = shm::unique_name();
  queue_guard ping{base + "-q-ping"}, pong{base + "-q-pong"};
  bip::message_queue qa(bip::create_only, ping.name.c_str(), 1, sizeof(go_message));
  bip::message_queue qb(bip::create_only, pong.name.c_str(), 1, sizeof(ipc::ready_message));
  const pid_t child = ::fork();
  if (child == 0) {
    go_message g{};
    ipc::ready_message r{};
    std::size_t got;
    unsigned prio;
    for (int i = 0; i < trips + 100; ++i) {
      qa.receive(&g, sizeof g, got, prio);
      r.step = g.step;
      qb.send(&r, sizeof r, 0);
    }
    ::_exit(0);
  }
  std::vector<double> us;
  us.reserve(trips);
  for (int i = 0; i < trips + 100; ++i) {
    go_message g{0, 0, static_cast<std::uint64_t>(i)};
    ipc::ready_message r{};
    std::size_t got;
    unsigned prio;
    const auto t0 = clk::now();
    qa.send(&g, sizeof g, 0);
    qb.receive(&r, sizeof r, got, prio);
    const double d = std::chrono::duration<double, std::micro>(clk::now() - t0).count();
    if (i >= 100) us.push_back(d);  // the first trips warm up caches and the scheduler
  }
  ::waitpid(child, nullptr, 0);
  return us;
}

// Seconds per step of a whole run (training time only: the sum of the epochs' epoch_seconds).
double seconds_per_step(run_mode mode, unsigned workers, unsigned batch, std::size_t rows, unsigned epochs,
                        std::uint64_t steps_per_epoch) {
  config c;
  c.lambda = 1.0;
  c.mode = mode;
  c.workers = workers;
  c.batch_size = batch;
  c.epochs = epochs;
  c.synthetic.rows = rows;
  double best = 1e30;
  for (int rep = 0; rep < 2; ++rep) {
    const auto r = train(c, nullptr);
    double s = 0;
    for (const auto& m : r.history) s += m.epoch_seconds;
    best = std::min(best, s / static_cast<double>(steps_per_epoch * epochs));
  }
  return best;
}

// (d) W processes and this one go through `steps` lockstep rounds: each worker reports "ready" on
// the shared ready queue and waits to be released. Returns microseconds per round.
double lockstep_queues(unsigned W, int steps) {
  const std::string base = shm::unique_name();
  std::vector<queue_guard> guards;
  guards.push_back({ipc::ready_queue_name(base)});
  bip::message_queue ready(bip::create_only, guards[0].name.c_str(), W, sizeof(ipc::ready_message));
  std::vector<std::unique_ptr<bip::message_queue>> go;
  for (unsigned w = 0; w < W; ++w) {
    guards.push_back({go_queue_name(base, w)});
    go.push_back(std::make_unique<bip::message_queue>(bip::create_only, guards.back().name.c_str(), 1,
                                                      sizeof(go_message)));
  }
  std::vector<pid_t> kids;
  for (unsigned w = 0; w < W; ++w) {
    const pid_t p = ::fork();
    if (p == 0) {
      ipc::ready_message r{w, 0, 0, ipc::ready_status::ok, 0};
      go_message g{};
      std::size_t got;
      unsigned prio;
      for (int s = 0; s < steps; ++s) {
        r.step = static_cast<std::uint64_t>(s);
        ready.send(&r, sizeof r, 0);
        go[w]->receive(&g, sizeof g, got, prio);
      }
      ::_exit(0);
    }
    kids.push_back(p);
  }
  const auto t0 = clk::now();
  for (int s = 0; s < steps; ++s) {
    ipc::ready_message r{};
    std::size_t got;
    unsigned prio;
    for (unsigned k = 0; k < W; ++k) ready.receive(&r, sizeof r, got, prio);
    const go_message g{0, 0, static_cast<std::uint64_t>(s + 1)};
    for (unsigned w = 0; w < W; ++w) go[w]->send(&g, sizeof g, 0);
  }
  const double us = std::chrono::duration<double, std::micro>(clk::now() - t0).count() / steps;
  for (pid_t p : kids) ::waitpid(p, nullptr, 0);
  return us;
}

// Same rounds, released by a step counter in shared memory and one condition broadcast.
struct broadcast_area {
  bip::interprocess_mutex m;
  bip::interprocess_condition cv;
  std::atomic<std::uint64_t> released;
};
double lockstep_broadcast(unsigned W, int steps) {
  const std::string base = shm::unique_name();
  queue_guard rq{ipc::ready_queue_name(base)};
  bip::message_queue ready(bip::create_only, rq.name.c_str(), W, sizeof(ipc::ready_message));
  void* mem = ::mmap(nullptr, sizeof(broadcast_area), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  auto* area = ::new (mem) broadcast_area();
  area->released.store(0);
  std::vector<pid_t> kids;
  for (unsigned w = 0; w < W; ++w) {
    const pid_t p = ::fork();
    if (p == 0) {
      ipc::ready_message r{w, 0, 0, ipc::ready_status::ok, 0};
      for (int s = 0; s < steps; ++s) {
        r.step = static_cast<std::uint64_t>(s);
        ready.send(&r, sizeof r, 0);
        bip::scoped_lock<bip::interprocess_mutex> lock(area->m);
        while (area->released.load() < static_cast<std::uint64_t>(s + 1)) area->cv.wait(lock);
      }
      ::_exit(0);
    }
    kids.push_back(p);
  }
  const auto t0 = clk::now();
  for (int s = 0; s < steps; ++s) {
    ipc::ready_message r{};
    std::size_t got;
    unsigned prio;
    for (unsigned k = 0; k < W; ++k) ready.receive(&r, sizeof r, got, prio);
    {
      bip::scoped_lock<bip::interprocess_mutex> lock(area->m);
      area->released.store(static_cast<std::uint64_t>(s + 1));
    }
    area->cv.notify_all();
  }
  const double us = std::chrono::duration<double, std::micro>(clk::now() - t0).count() / steps;
  for (pid_t p : kids) ::waitpid(p, nullptr, 0);
  ::munmap(mem, sizeof(broadcast_area));
  return us;
}

}  // namespace

// (iii) the step counter as a futex word in shared memory, one wake for all.
double lockstep_futex(unsigned W, int steps) {
  const std::string base = shm::unique_name();
  queue_guard rq{ipc::ready_queue_name(base)};
  bip::message_queue ready(bip::create_only, rq.name.c_str(), W, sizeof(ipc::ready_message));
  void* mem = ::mmap(nullptr, sizeof(ipc::sync_control), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  auto* ctl = ::new (mem) ipc::sync_control();
  ctl->released.store(0);
  std::vector<pid_t> kids;
  for (unsigned w = 0; w < W; ++w) {
    const pid_t p = ::fork();
    if (p == 0) {
      ipc::ready_message r{w, 0, 0, ipc::ready_status::ok, 0};
      for (int s = 0; s < steps; ++s) {
        r.step = static_cast<std::uint64_t>(s);
        ready.send(&r, sizeof r, 0);
        for (std::uint32_t v; (v = ctl->released.load(std::memory_order_acquire)) <= static_cast<std::uint32_t>(s);)
          ipc::futex_wait(ctl->released, v, std::chrono::milliseconds(100));
      }
      ::_exit(0);
    }
    kids.push_back(p);
  }
  const auto t0 = clk::now();
  for (int s = 0; s < steps; ++s) {
    ipc::ready_message r{};
    std::size_t got;
    unsigned prio;
    for (unsigned k = 0; k < W; ++k) ready.receive(&r, sizeof r, got, prio);
    ctl->released.store(static_cast<std::uint32_t>(s + 1), std::memory_order_release);
    ipc::futex_wake_all(ctl->released);
  }
  const double us = std::chrono::duration<double, std::micro>(clk::now() - t0).count() / steps;
  for (pid_t p : kids) ::waitpid(p, nullptr, 0);
  ::munmap(mem, sizeof(ipc::sync_control));
  return us;
}

int main(int argc, char** argv) {
  std::size_t rows = 20000;
  unsigned epochs = 5, workers_max = 8;
  int trips = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rows") rows = std::stoul(argv[i + 1]);
    else if (a == "--epochs") epochs = static_cast<unsigned>(std::stoul(argv[i + 1]));
    else if (a == "--trips") trips = std::stoi(argv[i + 1]);
    else if (a == "--workers-max") workers_max = static_cast<unsigned>(std::stoul(argv[i + 1]));
  }
  signals::block();  // as in the coordinator: the fork executor collects SIGCHLD synchronously
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);

  const auto rt = round_trips(trips);
  const double rtt = median(rt);
  std::printf("machine: %ld online CPUs\n", cpus);
  std::printf("(a) message_queue round trip between 2 processes: median %.2f us, p10 %.2f us, p90 %.2f us (%d trips)\n",
              rtt, percentile(rt, 0.1), percentile(rt, 0.9), trips);

  const unsigned K = 2;
  std::printf("\n(b, c) sync mode, synthetic svm %zu x 100, batch %u per worker, %u epochs, best of 2, training time only\n",
              rows, K, epochs);
  std::printf("%8s %8s %10s %12s %12s %12s %10s %10s\n", "workers", "global", "steps/ep", "sync us/st",
              "serial us/st", "overhead us", "ovh / rtt", "steps/s");
  for (unsigned W = 1; W <= workers_max; W *= 2) {
    const ipc::step_layout L{rows, W, K};
    const double sync_s = seconds_per_step(run_mode::sync, W, K, rows, epochs, L.steps());
    const double serial_s = seconds_per_step(run_mode::serial, 1, K * W, rows, epochs, L.steps());
    const double ovh = (sync_s - serial_s) * 1e6;
    std::printf("%8u %8u %10llu %12.2f %12.2f %12.2f %10.2f %10.0f\n", W, K * W,
                static_cast<unsigned long long>(L.steps()), sync_s * 1e6, serial_s * 1e6, ovh, ovh / rtt, 1.0 / sync_s);
  }

  std::printf("\nround-robin (reference), batch %u: time per turn vs serial time per batch\n", K);
  std::printf("%8s %12s %12s %12s\n", "workers", "rr us/turn", "serial us/b", "overhead us");
  for (unsigned W = 1; W <= workers_max; W *= 2) {
    const ipc::step_layout L1{rows, 1, K};
    const double rr = seconds_per_step(run_mode::round_robin, W, K, rows, epochs, L1.steps());
    const double serial = seconds_per_step(run_mode::serial, 1, K, rows, epochs, L1.steps());
    std::printf("%8u %12.2f %12.2f %12.2f\n", W, rr * 1e6, serial * 1e6, (rr - serial) * 1e6);
  }

  std::printf("\n(d) release mechanism alone, 20000 lockstep rounds (us per round)\n");
  std::printf("%8s %18s %22s %18s\n", "workers", "(i) go queues", "(ii) mutex+broadcast", "(iii) futex word");
  for (unsigned W = 1; W <= workers_max; W *= 2)
    std::printf("%8u %18.2f %22.2f %18.2f\n", W, lockstep_queues(W, 20000), lockstep_broadcast(W, 20000),
                lockstep_futex(W, 20000));
  return 0;
}
