#include "worker/worker.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <type_traits>
#include <cstdio>
#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/control.hpp"
#include "shared/segment.hpp"
#include "shared/train_range.hpp"
#include "worker/sync_worker.hpp"

namespace hogwild::worker {

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

namespace {
std::atomic<bool> g_tasks_abandoned{false};
}  // namespace
void set_tasks_abandoned(bool abandoned) { g_tasks_abandoned.store(abandoned, std::memory_order_relaxed); }
void throw_if_abandoned() {
  if (g_tasks_abandoned.load(std::memory_order_relaxed)) throw task_abandoned();
}

namespace {

void act(fault f, bool in_thread) {
  if (f == fault::none) return;
  if (in_thread) {
    if (f == fault::exit) throw runtime_failure("injected fault: exit");
    // kill/hang are refused for threads by the CLI; reaching here is a caller bug.
    throw runtime_failure("injected fault: kill/hang cannot be applied to a thread");
  }
  switch (f) {
    case fault::kill: ::raise(SIGKILL); break;
    case fault::exit: ::_exit(3);
    case fault::hang:
      for (;;) ::pause();
    case fault::none: break;
  }
}

struct thread_usage {
  std::int64_t minflt = 0, majflt = 0, nvcsw = 0, nivcsw = 0;
  double cpu = 0;
};
double cpu_clock(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
thread_usage usage_now() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  return {ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw, cpu_clock(CLOCK_THREAD_CPUTIME_ID)};
}

void prefault(const shm::segment_view& v, attach_mode mode) {
  if (mode != attach_mode::inherit_populate) return;
  // Writable pre-fault: the model pages are written, so a read-only population would fault again.
  // Falls back silently (to lazy faulting) on kernels without MADV_POPULATE_WRITE.
#ifdef MADV_POPULATE_WRITE
  ::madvise(v.base(), v.hdr().total_bytes, MADV_POPULATE_WRITE);
#else
  ::madvise(v.base(), v.hdr().total_bytes, MADV_WILLNEED);
#endif
}

int report(std::uint32_t worker, const char* what, int code) {
  std::fprintf(stderr, "hogwild-worker %u: %s\n", worker, what);
  return code;
}

// Runs `body` and maps exceptions to worker exit codes.
template <class F>
int guarded(std::uint32_t worker, F&& body) noexcept {
  try {
    return body();
  } catch (const usage_error& e) {
    return report(worker, e.what(), exit_usage);
  } catch (const std::exception& e) {
    return report(worker, e.what(), exit_runtime);
  } catch (...) {
    return exit_runtime;
  }
}

void check_slot(const shm::segment_view& v, std::uint32_t worker) {
  if (worker >= v.hdr().workers)
    throw usage_error(fmt::format("worker slot {} is out of range (segment has {} slots)", worker, v.hdr().workers));
}

// The hogwild role's share of the epoch in chunks of about 4 million multiply-adds (at most 16,384
// examples; a few milliseconds), stamping the slot's heartbeat after each chunk. Chunks are whole
// batches, so the updates are exactly those of one call over the range.
kernel::range_result train_with_heartbeat(const shm::segment_view& v, std::uint32_t worker, std::size_t begin,
                                          std::size_t end, double step, bool concurrent, shm::worker_stats& slot) {
  const shm::header& h = v.hdr();
  const std::size_t batch = std::max<std::size_t>(1, h.batch_size);
  const double entries = h.data_layout == kernel::layout::dense ? static_cast<double>(h.dims)
                                                                 : static_cast<double>(h.nnz) / static_cast<double>(std::max<std::uint64_t>(1, h.rows));
  const double per_example = std::max(1.0, entries * static_cast<double>(h.outputs));
  const auto examples = static_cast<std::size_t>(std::clamp(4e6 / per_example, 1.0, 16384.0));
  const std::size_t chunk = std::max<std::size_t>(1, examples / batch) * batch;
  kernel::range_result r;
  for (std::size_t b = begin; b < end; b += chunk) {
    const auto part = train_range_for(v, worker, b, std::min(end, b + chunk), step, concurrent);
    r.examples += part.examples;
    r.updates += part.updates;
    r.loss += part.loss;
    std::atomic_ref<std::int64_t>(slot.heartbeat_ns).store(now_ns(), std::memory_order_relaxed);
    throw_if_abandoned();
  }
  return r;
}

}  // namespace

void run_task(const shm::segment_view& v, const worker_args& a, std::int64_t entered_ns, std::int64_t attached_ns,
              bool in_thread) {
  const shm::header& h = v.hdr();
  check_slot(v, a.worker);
  if (a.begin > a.end || a.end > h.rows)
    throw usage_error(fmt::format("range [{}, {}) is outside the permutation of {} rows", a.begin, a.end, h.rows));
  v.validate_perm(a.begin, a.end);
  const thread_usage u0 = usage_now();
  shm::worker_stats& slot = v.stats()[a.worker];
  slot.done = 0;
  slot.entered_ns = entered_ns;
  slot.attached_ns = attached_ns;
  slot.start_ns = now_ns();
  std::atomic_ref<std::int64_t>(slot.heartbeat_ns).store(slot.start_ns, std::memory_order_relaxed);  // started
  kernel::range_result r;
  // With replicas the worker is the only writer of its copy: plain access, no atomics.
  const bool concurrent = v.replica_count() == 0;
  if (a.mode == role::sync) {
    r = run_sync(a, v, [&] { act(a.inject, in_thread); }, in_thread);
  } else if (a.mode == role::round_robin) {
    r = run_round_robin(a, v, [&] { act(a.inject, in_thread); });
  } else if (a.inject != fault::none) {
    // Fail half-way through the range, after real updates have been made.
    const auto mid = a.begin + (a.end - a.begin) / 2;
    r = train_with_heartbeat(v, a.worker, a.begin, mid, a.step, concurrent, slot);
    act(a.inject, in_thread);
    const auto rest = train_with_heartbeat(v, a.worker, mid, a.end, a.step, concurrent, slot);
    r.examples += rest.examples;
    r.updates += rest.updates;
    r.loss += rest.loss;
  } else {
    r = train_with_heartbeat(v, a.worker, a.begin, a.end, a.step, concurrent, slot);
  }
  slot.end_ns = now_ns();
  const thread_usage u1 = usage_now();
  slot.examples = r.examples;
  slot.updates = r.updates;
  slot.loss = r.loss;
  slot.epoch = a.epoch;
  slot.minor_faults = u1.minflt - u0.minflt;
  slot.major_faults = u1.majflt - u0.majflt;
  slot.voluntary_switches = u1.nvcsw - u0.nvcsw;
  slot.involuntary_switches = u1.nivcsw - u0.nivcsw;
  slot.cpu_seconds = u1.cpu - u0.cpu;
  slot.process_cpu_seconds = in_thread ? 0.0 : cpu_clock(CLOCK_PROCESS_CPUTIME_ID);
  slot.done = 1;
}

int worker_main(const worker_args& a, attach_mode mode) noexcept {
  return guarded(a.worker, [&] {
    const std::int64_t entered = now_ns();
    const shm::attached_segment seg(a.segment, mode != attach_mode::lazy);
    run_task(seg.view(), a, entered, now_ns(), false);
    return 0;
  });
}

int worker_main_inherited(const shm::segment_view& v, const worker_args& a, attach_mode mode) noexcept {
  return guarded(a.worker, [&] {
    const std::int64_t entered = now_ns();
    prefault(v, mode);
    run_task(v, a, entered, now_ns(), false);
    return 0;
  });
}

namespace {

// The command loop shared by process and thread workers. `alive` is asked after every idle
// wait; a process worker leaves when its coordinator is gone even if PDEATHSIG was not set.
template <class Alive>
void serve_loop(const shm::segment_view& v, std::uint32_t worker, std::int64_t attached_ns, bool in_thread,
                Alive&& alive, void (*on_error)(void*, std::exception_ptr) = nullptr, void* ctx = nullptr) {
  check_slot(v, worker);
  // Not `seq`: the coordinator may already have posted the first command before we got here.
  std::uint32_t seen = control::load(v.commands()[worker].acked);
  bool first = true;
  for (;;) {
    shm::command_slot cmd;
    if (!control::next_command(v, worker, seen, std::chrono::milliseconds(100), cmd)) {
      if (!alive()) return;
      continue;
    }
    seen = cmd.seq;
    if (cmd.op == shm::command_op::stop) {
      control::complete(v, worker, cmd.seq, false);
      return;
    }
    const std::int64_t entered = now_ns();
    worker_args a;
    a.worker = worker;
    a.begin = cmd.begin;
    a.end = cmd.end;
    a.epoch = cmd.epoch;
    a.step = cmd.step;
    a.inject = static_cast<fault>(cmd.inject);
    try {
      // The first task's attach time is the real one; later tasks attach nothing.
      run_task(v, a, entered, first ? attached_ns : entered, in_thread);
    } catch (...) {
      if (!on_error) throw;
      on_error(ctx, std::current_exception());
      control::complete(v, worker, cmd.seq, true);
      continue;
    }
    first = false;
    control::complete(v, worker, cmd.seq, false);
  }
}

}  // namespace

int serve_main(const std::string& segment, std::uint32_t worker, attach_mode mode) noexcept {
  return guarded(worker, [&] {
    const pid_t parent = ::getppid();
    const shm::attached_segment seg(segment, mode != attach_mode::lazy);
    serve_loop(seg.view(), worker, now_ns(), false, [&] { return ::getppid() == parent; });
    return 0;
  });
}

int serve_inherited(const shm::segment_view& v, std::uint32_t worker, attach_mode mode) noexcept {
  return guarded(worker, [&] {
    const pid_t parent = ::getppid();
    prefault(v, mode);
    serve_loop(v, worker, now_ns(), false, [&] { return ::getppid() == parent; });
    return 0;
  });
}

void serve_thread(const shm::segment_view& v, std::uint32_t worker, void (*on_error)(void*, std::exception_ptr),
                  void* ctx) {
  serve_loop(v, worker, now_ns(), true, [] { return true; }, on_error, ctx);
}

namespace {

template <class T>
T parse_number(const std::string& flag, const std::string& text) {
  if constexpr (std::is_floating_point_v<T>) {
    // strtod, not from_chars: the step travels as a hex float ("{:a}", exact), which from_chars
    // only reads without its "0x" prefix.
    char* stop = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &stop);
    if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) || stop != text.c_str() + text.size() || errno == ERANGE)
      throw usage_error(fmt::format("{}: expected a number, got '{}'", flag, text));
    return static_cast<T>(v);
  }
  T value{};
  const char* first = text.data();
  const char* last = first + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last)
    throw usage_error(fmt::format("{}: expected a number, got '{}'", flag, text));
  return value;
}

// format_worker_args writes the step as a hex float (exact); from_chars reads hex only without
// the "0x" prefix and with chars_format::hex.
double parse_step(const std::string& flag, const std::string& text) {
  if (!text.starts_with("0x")) return parse_number<double>(flag, text);
  double value = 0;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data() + 2, last, value, std::chars_format::hex);
  if (ec != std::errc{} || ptr != last) throw usage_error(fmt::format("{}: expected a number, got '{}'", flag, text));
  return value;
}

// Calls f(flag, value) for each "--flag value" pair of a worker command line. A flag not in
// `known` is refused as unknown (`usage` says what is accepted), and so are a flag given twice and
// a flag without its value.
template <class F>
void for_each_flag(const std::vector<std::string>& argv, std::initializer_list<std::string_view> known,
                   std::string_view usage, F&& f) {
  std::vector<std::string_view> seen;
  for (std::size_t i = 0; i < argv.size(); i += 2) {
    const std::string& flag = argv[i];
    if (std::find(known.begin(), known.end(), flag) == known.end())
      throw usage_error(fmt::format("unknown flag '{}' ({})", flag, usage));
    if (std::find(seen.begin(), seen.end(), flag) != seen.end())
      throw usage_error(fmt::format("{}: given twice; expected once", flag));
    seen.push_back(flag);
    if (i + 1 >= argv.size()) throw usage_error(fmt::format("{}: missing value", flag));
    f(flag, argv[i + 1]);
  }
}

void check_segment_name(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw usage_error("--segment: expected a segment name without '/'");
}

}  // namespace

worker_args parse_worker_args(const std::vector<std::string>& argv) {
  worker_args a;
  bool seen_segment = false, seen_begin = false, seen_end = false, seen_step = false;
  for_each_flag(argv,
                {"--segment", "--worker", "--begin", "--end", "--epoch", "--step", "--role", "--ipc", "--timeout-ms",
                 "--fault"},
                "see hogwild-worker --help", [&](const std::string& flag, const std::string& value) {
    if (flag == "--segment") {
      a.segment = value;
      seen_segment = true;
    } else if (flag == "--worker") {
      a.worker = parse_number<std::uint32_t>(flag, value);
    } else if (flag == "--begin") {
      a.begin = parse_number<std::uint64_t>(flag, value);
      seen_begin = true;
    } else if (flag == "--end") {
      a.end = parse_number<std::uint64_t>(flag, value);
      seen_end = true;
    } else if (flag == "--epoch") {
      a.epoch = parse_number<std::uint32_t>(flag, value);
    } else if (flag == "--step") {
      a.step = parse_step(flag, value);
      // The coordinator's steps are γ·β^e ≥ 0 (0 once β^e underflows); NaN, infinity or a
      // negative step would poison or reverse the shared model.
      if (!std::isfinite(a.step) || a.step < 0)
        throw usage_error(fmt::format("--step: expected a finite number >= 0, got '{}'", value));
      seen_step = true;
    } else if (flag == "--role") {
      if (value == "hogwild") a.mode = role::hogwild;
      else if (value == "sync") a.mode = role::sync;
      else if (value == "round-robin") a.mode = role::round_robin;
      else throw usage_error(fmt::format("--role: expected hogwild, sync or round-robin, got '{}'", value));
    } else if (flag == "--ipc") {
      a.ipc = value;
    } else if (flag == "--timeout-ms") {
      a.timeout_ms = parse_number<std::uint32_t>(flag, value);
    } else if (flag == "--fault") {
      if (value == "kill") a.inject = fault::kill;
      else if (value == "exit") a.inject = fault::exit;
      else if (value == "hang") a.inject = fault::hang;
      else if (value == "none") a.inject = fault::none;
      else throw usage_error(fmt::format("--fault: expected kill, exit, hang or none, got '{}'", value));
    }
  });
  if (!seen_segment || !seen_begin || !seen_end || !seen_step)
    throw usage_error("required: --segment NAME --begin B --end E --step S (--worker W and --epoch N default to 0)");
  if (a.ipc == "-") a.ipc.clear();
  if (a.mode == role::sync && (a.ipc.empty() || a.ipc.find('/') != std::string::npos))
    throw usage_error("--ipc: sync role needs the queues' base name, without '/'");
  check_segment_name(a.segment);
  return a;
}

std::vector<std::string> format_worker_args(const worker_args& a) {
  const char* f = a.inject == fault::kill ? "kill" : a.inject == fault::exit ? "exit" : a.inject == fault::hang ? "hang" : "none";
  return {"--segment", a.segment, "--worker", std::to_string(a.worker), "--begin", std::to_string(a.begin),
          "--end", std::to_string(a.end), "--epoch", std::to_string(a.epoch), "--step",
          fmt::format("{:a}", a.step), "--fault", f, "--role",
          a.mode == role::sync ? "sync" : a.mode == role::round_robin ? "round-robin" : "hogwild",
          "--ipc", a.ipc.empty() ? "-" : a.ipc, "--timeout-ms", std::to_string(a.timeout_ms)};
}

std::vector<std::string> format_serve_args(const serve_args& a) {
  return {"--serve", "--segment", a.segment, "--worker", std::to_string(a.worker), "--attach", a.lazy ? "lazy" : "populate"};
}

serve_args parse_serve_args(const std::vector<std::string>& argv) {
  serve_args a;
  bool seen_segment = false;
  for_each_flag(argv, {"--segment", "--worker", "--attach"},
                "with --serve: --segment NAME --worker W [--attach populate|lazy]",
                [&](const std::string& flag, const std::string& value) {
    if (flag == "--segment") {
      a.segment = value;
      seen_segment = true;
    } else if (flag == "--worker") {
      a.worker = parse_number<std::uint32_t>(flag, value);
    } else if (flag == "--attach") {
      if (value != "lazy" && value != "populate")
        throw usage_error(fmt::format("--attach: expected populate or lazy, got '{}'", value));
      a.lazy = value == "lazy";
    } else {
      throw usage_error(fmt::format("unknown flag '{}' (with --serve: --segment NAME --worker W [--attach populate|lazy])", flag));
    }
  });
  if (!seen_segment) throw usage_error("required with --serve: --segment NAME --worker W");
  check_segment_name(a.segment);
  return a;
}

}  // namespace hogwild::worker
