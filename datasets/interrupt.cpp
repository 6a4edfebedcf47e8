#include "datasets/interrupt.hpp"

#include <atomic>

namespace hogwild::data {
namespace {
std::atomic<interrupt_check> g_check{nullptr};
}  // namespace

interrupt_check set_interrupt_check(interrupt_check check) { return g_check.exchange(check); }

void poll_interrupt() {
  if (const interrupt_check f = g_check.load(std::memory_order_relaxed)) f();
}

}  // namespace hogwild::data
