// Read-only views of a dataset in memory (the shared segment or a private buffer):
// dense row-major rows, or CSR rows. The kernel is written against these two row types.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hogwild::kernel {

struct sparse_row {
  const std::uint32_t* idx;  // column indices, ascending
  const float* val;
  std::uint32_t nnz;
};

struct dense_row {
  const float* val;
  std::uint32_t dims;
};

struct csr_view {
  const std::uint64_t* row_ptr = nullptr;  // rows + 1 entries
  const std::uint32_t* idx = nullptr;
  const float* val = nullptr;
  std::size_t rows = 0, dims = 0;
  bool stream = false;  // see prefetch_row
  sparse_row row(std::size_t i) const {
    const auto b = row_ptr[i];
    return {idx + b, val + b, static_cast<std::uint32_t>(row_ptr[i + 1] - b)};
  }
};

struct dense_view {
  const float* val = nullptr;
  std::size_t rows = 0, dims = 0;
  bool stream = false;  // see prefetch_row
  dense_row row(std::size_t i) const { return {val + i * dims, static_cast<std::uint32_t>(dims)}; }
};

// Asks the cache for row i's entries ahead of use (rows are visited in a random permutation, so
// without this every row costs a cache miss). For a CSR row: the first two cache lines of its
// indices and of its values, found from row_ptr[i] alone — reading row_ptr[i + 1] as well (to
// prefetch the row's last line instead) is one more load that can miss, and measured 8–13 %
// slower on the default data and 23 % slower at 500k rows. A prefetch past the arrays' end is
// harmless (prefetches do not fault).
// always_inline: GCC 12 finds an out-of-line function that only loads and prefetches "pure", and
// then deletes every call to it, since nothing uses its result: the prefetches vanish from any
// caller that does not happen to inline it (seen in a benchmark harness, where every row prefetch
// was gone while the kernel's own copies kept theirs).
// With `stream` set the row prefetches (and prefetch_locator's) take the non-temporal hint: rows
// visited once an epoch in a random order are not in the caches at the next epoch anyway, and
// bringing them into L2 (and, on AMD, L3 as L2's victims) only pushes other lines out. The
// segment's creator decides it from the data's size, the last-level cache, the model's outputs,
// the rows' size and the batch (shared/cache_size.hpp, streams_rows) and records it in the
// header; figures in docs/performance-log.md ("non-temporal row prefetches").
//
// The kernel prefetches rows this many examples ahead of their use (kernel.hpp, sgd_range).
inline constexpr std::size_t row_prefetch_distance = 8;
template <int Hint>
[[gnu::always_inline]] inline void prefetch_row_hint(const csr_view& v, std::size_t i) {
  const auto b = v.row_ptr[i];
  __builtin_prefetch(v.idx + b, 0, Hint);
  __builtin_prefetch(v.idx + b + 16, 0, Hint);
  __builtin_prefetch(v.val + b, 0, Hint);
  __builtin_prefetch(v.val + b + 16, 0, Hint);
}
template <int Hint>
[[gnu::always_inline]] inline void prefetch_row_hint(const dense_view& v, std::size_t i) {
  const float* p = v.val + i * v.dims;
  for (std::size_t k = 0; k < v.dims; k += 16) __builtin_prefetch(p + k, 0, Hint);
}
template <class View>
[[gnu::always_inline]] inline void prefetch_row(const View& v, std::size_t i) {
  if (v.stream) prefetch_row_hint<0>(v, i);
  else prefetch_row_hint<3>(v, i);
}
// The index structure that locates row i (so that prefetch_row(i) itself does not miss later).
[[gnu::always_inline]] inline void prefetch_locator(const csr_view& v, std::size_t i) {
  if (v.stream) __builtin_prefetch(v.row_ptr + i, 0, 0);
  else __builtin_prefetch(v.row_ptr + i);
}
inline void prefetch_locator(const dense_view&, std::size_t) {}

// Calls f(column, value) for every stored entry of a row (all columns for a dense row).
template <class F>
inline void for_each_entry(const sparse_row& r, F&& f) {
  for (std::uint32_t k = 0; k < r.nnz; ++k) f(r.idx[k], r.val[k]);
}
template <class F>
inline void for_each_entry(const dense_row& r, F&& f) {
  for (std::uint32_t j = 0; j < r.dims; ++j) f(j, r.val[j]);
}

enum class layout : std::uint32_t { dense = 0, csr = 1 };

}  // namespace hogwild::kernel
