#include "coordinator/eval_pool.hpp"

#include <sched.h>

#include <algorithm>
#include <system_error>

namespace hogwild {

eval_pool::eval_pool(unsigned helpers) {
  threads_.reserve(helpers);
  for (unsigned i = 0; i < helpers; ++i) {
    try {
      threads_.emplace_back([this] { loop(); });
    } catch (const std::system_error&) {
      break;  // fewer helpers: the evaluation is the same, only slower
    }
  }
}

eval_pool::~eval_pool() {
  {
    const std::lock_guard lock(m_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

unsigned eval_pool::helpers_for(unsigned workers, unsigned ranks_here) {
  cpu_set_t set;
  CPU_ZERO(&set);
  const unsigned cpus = ::sched_getaffinity(0, sizeof set, &set) == 0 ? static_cast<unsigned>(CPU_COUNT(&set)) : 1;
  const unsigned share = std::max(1u, cpus / std::max(1u, ranks_here));
  const unsigned n = std::min(workers, share);
  return n > 0 ? n - 1 : 0;
}

void eval_pool::work(job& j) noexcept {
  std::size_t done = 0;
  for (std::size_t k; (k = j.next.fetch_add(1, std::memory_order_relaxed)) < j.count; ++done) (*j.fn)(k);
  const std::lock_guard lock(m_);
  j.finished += done;
}

void eval_pool::run(std::size_t count, const std::function<void(std::size_t)>& fn) noexcept {
  if (threads_.empty() || count < 2) {
    for (std::size_t k = 0; k < count; ++k) fn(k);
    return;
  }
  job j{&fn, count};
  {
    const std::lock_guard lock(m_);
    job_ = &j;
    ++generation_;
  }
  wake_.notify_all();
  work(j);
  std::unique_lock lock(m_);
  // No helper may still hold `j` when it goes out of scope: wait for every chunk and every helper.
  done_.wait(lock, [&] { return j.finished == count && active_ == 0; });
  job_ = nullptr;
}

void eval_pool::loop() noexcept {
  std::uint64_t seen = 0;
  std::unique_lock lock(m_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || (job_ && generation_ != seen); });
    if (stop_) return;
    seen = generation_;
    job* j = job_;
    ++active_;
    lock.unlock();
    work(*j);
    lock.lock();
    --active_;
    done_.notify_one();
  }
}

}  // namespace hogwild
