// Threads that share the per-epoch evaluation with the coordinator's own thread. Between epochs
// the workers are idle, so their CPUs are free; the evaluation's chunks (shared/evaluate.hpp) are
// handed out to whichever thread asks next, and the result is the same bits on any number of
// threads. Signals stay blocked in these threads (they inherit the coordinator's mask, see
// signals.hpp), and they never touch the segment's workers, MPI or the heap while they work.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hogwild {

class eval_pool {
 public:
  // Starts up to `helpers` threads (fewer if the system refuses one: the caller's thread then
  // does more of the work, never less of it).
  explicit eval_pool(unsigned helpers);
  ~eval_pool();
  eval_pool(const eval_pool&) = delete;
  eval_pool& operator=(const eval_pool&) = delete;

  // fn(0) ... fn(count - 1) on the caller's thread and the helpers; returns when all returned.
  // fn must not throw (noexcept: a throw ends the program rather than leave helpers on a job
  // that is gone).
  void run(std::size_t count, const std::function<void(std::size_t)>& fn) noexcept;
  std::size_t helpers() const { return threads_.size(); }

  // How many helpers an evaluation between epochs can use: one fewer than the workers or than
  // this process's share of the CPUs it may run on, whichever is smaller (serial mode: none).
  // `ranks_here`: coordinators of one --distributed job on this machine, which evaluate at the
  // same moments and share its CPUs (cluster::local_size).
  static unsigned helpers_for(unsigned workers, unsigned ranks_here = 1);

 private:
  struct job {
    const std::function<void(std::size_t)>* fn;
    std::size_t count;
    std::atomic<std::size_t> next{0};
    std::size_t finished = 0;  // under m_
  };
  void work(job& j) noexcept;
  void loop() noexcept;

  std::mutex m_;
  std::condition_variable wake_, done_;
  job* job_ = nullptr;        // under m_
  std::uint64_t generation_ = 0;
  unsigned active_ = 0;       // helpers inside work() on job_
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hogwild
