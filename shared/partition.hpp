// Splitting [0, n) into contiguous, nearly equal index ranges, one per worker.
#pragma once
#include <cstddef>

namespace hogwild {

struct index_range {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

// Worker w of `workers` gets n/workers items; the first n%workers workers get one more.
inline index_range partition(std::size_t n, std::size_t workers, std::size_t w) {
  const std::size_t base = n / workers, extra = n % workers;
  const std::size_t begin = w * base + (w < extra ? w : extra);
  return {begin, begin + base + (w < extra ? 1 : 0)};
}

}  // namespace hogwild
