#include "shared/control.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>

namespace hogwild::control {
namespace {

std::atomic_ref<std::uint32_t> ref(const std::uint32_t& w) {
  return std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(w));
}

}  // namespace

std::uint32_t load(const std::uint32_t& word) { return ref(word).load(std::memory_order_acquire); }
void store(std::uint32_t& word, std::uint32_t value) { ref(word).store(value, std::memory_order_release); }
std::uint32_t add(std::uint32_t& word, std::uint32_t d) { return ref(word).fetch_add(d, std::memory_order_acq_rel) + d; }

void wait(const std::uint32_t& word, std::uint32_t expected, std::chrono::microseconds timeout) {
  if (load(word) != expected) return;
  const timespec ts{static_cast<time_t>(timeout.count() / 1'000'000), static_cast<long>(timeout.count() % 1'000'000) * 1000};
  // Not FUTEX_PRIVATE: the word is shared between processes. EAGAIN/EINTR/ETIMEDOUT all mean
  // "look again", which every caller does.
  ::syscall(SYS_futex, const_cast<std::uint32_t*>(&word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

void wake_all(std::uint32_t& word) { ::syscall(SYS_futex, &word, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0); }

void post(const shm::segment_view& v, std::uint32_t w, const shm::command_slot& cmd) {
  shm::command_slot& s = v.commands()[w];
  s.op = cmd.op;
  s.epoch = cmd.epoch;
  s.begin = cmd.begin;
  s.end = cmd.end;
  s.step = cmd.step;
  s.inject = cmd.inject;
  s.failed = 0;
  store(s.seq, load(s.seq) + 1);  // publishes the fields above
  wake_all(s.seq);
}

bool next_command(const shm::segment_view& v, std::uint32_t w, std::uint32_t seen,
                  std::chrono::microseconds timeout, shm::command_slot& out) {
  shm::command_slot& s = v.commands()[w];
  if (load(s.seq) == seen) wait(s.seq, seen, timeout);
  const std::uint32_t seq = load(s.seq);
  if (seq == seen) return false;
  out.seq = seq;
  out.op = s.op;
  out.epoch = s.epoch;
  out.begin = s.begin;
  out.end = s.end;
  out.step = s.step;
  out.inject = s.inject;
  return true;
}

void complete(const shm::segment_view& v, std::uint32_t w, std::uint32_t seq, bool failed) {
  shm::command_slot& s = v.commands()[w];
  if (failed) s.failed = 1;
  store(s.acked, seq);
  auto& done = v.control()->done_count;
  add(done, 1);
  wake_all(done);
}

}  // namespace hogwild::control
