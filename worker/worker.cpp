#include "worker/worker.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/segment.hpp"
#include "shared/train_range.hpp"
#include "worker/sync_worker.hpp"

namespace hogwild::worker {
namespace {

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void act(fault f) {
  switch (f) {
    case fault::kill: ::raise(SIGKILL); break;
    case fault::exit: ::_exit(3);
    case fault::hang:
      for (;;) ::pause();
    case fault::none: break;
  }
}

}  // namespace

int worker_main(const worker_args& a) noexcept {
  try {
    const shm::attached_segment seg(a.segment);
    const shm::segment_view& v = seg.view();
    const shm::header& h = v.hdr();
    if (a.worker >= h.workers)
      throw usage_error(fmt::format("worker slot {} is out of range (segment has {} slots)", a.worker, h.workers));
    if (a.begin > a.end || a.end > h.rows)
      throw usage_error(fmt::format("range [{}, {}) is outside the permutation of {} rows", a.begin, a.end, h.rows));
    v.validate_perm(a.begin, a.end);
    shm::worker_stats& slot = v.stats()[a.worker];
    slot.done = 0;
    slot.start_ns = now_ns();
    kernel::range_result r;
    if (a.mode == role::sync) {
      r = run_sync(a, v, [&] { act(a.inject); });
    } else if (a.mode == role::round_robin) {
      r = run_round_robin(a, v, [&] { act(a.inject); });
    } else if (a.inject != fault::none) {
      // Fail half-way through the range, after real updates have been made.
      const auto mid = a.begin + (a.end - a.begin) / 2;
      r = train_range(v, a.begin, mid, a.step, true);
      act(a.inject);
      const auto rest = train_range(v, mid, a.end, a.step, true);
      r.examples += rest.examples;
      r.updates += rest.updates;
      r.loss += rest.loss;
    } else {
      r = train_range(v, a.begin, a.end, a.step, true);
    }
    slot.examples = r.examples;
    slot.updates = r.updates;
    slot.loss = r.loss;
    slot.epoch = a.epoch;
    slot.end_ns = now_ns();
    slot.done = 1;
    return 0;
  } catch (const usage_error& e) {
    std::fprintf(stderr, "hogwild-worker %u: %s\n", a.worker, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hogwild-worker %u: %s\n", a.worker, e.what());
    return 1;
  } catch (...) {
    return 1;
  }
}

namespace {

template <class T>
T parse_number(const std::string& flag, const std::string& text) {
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

}  // namespace

worker_args parse_worker_args(const std::vector<std::string>& argv) {
  worker_args a;
  bool seen_segment = false, seen_begin = false, seen_end = false, seen_step = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& flag = argv[i];
    if (i + 1 >= argv.size()) throw usage_error(fmt::format("{}: missing value", flag));
    const std::string& value = argv[++i];
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
    } else {
      throw usage_error(fmt::format("unknown flag '{}'", flag));
    }
  }
  if (!seen_segment || !seen_begin || !seen_end || !seen_step)
    throw usage_error("required: --segment NAME --begin B --end E --step S");
  if (a.ipc == "-") a.ipc.clear();
  if (a.mode == role::sync && (a.ipc.empty() || a.ipc.find('/') != std::string::npos))
    throw usage_error("--ipc: sync role needs the queues' base name, without '/'");
  if (a.segment.empty() || a.segment.find('/') != std::string::npos)
    throw usage_error("--segment: expected a segment name without '/'");
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

}  // namespace hogwild::worker
