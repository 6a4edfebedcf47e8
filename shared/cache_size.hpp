// The size of the CPU's last-level cache, and whether a data set streams past it. The kernel's
// row prefetches take the non-temporal hint for data that does not fit (shared/data_view.hpp).
#pragma once
#include <cstddef>
#include <string>

#include "shared/data_view.hpp"

namespace hogwild::kernel {

// Bytes of the highest-level unified cache that CPU 0 sees (the last-level cache), read once per
// process (~0.2 ms: the segment's creator reads it and records its decision in the header,
// workers never do) from /sys/devices/system/cpu/cpu0/cache/index*/ (the size of one instance:
// what the cores sharing it hold, not the package total); where sysfs has no entry or a size it
// cannot read, sysconf(_SC_LEVEL3_CACHE_SIZE), then level 2 (on x86 glibc's sysconf reports
// the package's L3, 64 MiB on the 8 MiB-per-instance test VM: the threshold below is then
// higher, the old behaviour more often); 0 when neither says.
std::size_t last_level_cache_bytes();

namespace detail {
// A sysfs cache size ("32K", "8192K", "8M", "512") in bytes; 0 for anything else.
std::size_t parse_cache_size(const std::string& s);
}  // namespace detail

// True when `data_bytes` of rows read in a random order each epoch are over twice the last-level
// cache of `cache_bytes` (0: unknown, never). Measured on the 2-core AMD EPYC VM (8 MiB L3):
// with 8 MiB of rows prefetching into the caches is faster, with 20 MiB and more the
// non-temporal hint is (docs/performance-log.md).
constexpr bool streams_past_cache(std::size_t data_bytes, std::size_t cache_bytes) {
  return cache_bytes > 0 && data_bytes > 2 * cache_bytes;
}

// Whether the kernel prefetches rows with the non-temporal hint (the header's `stream_rows`, the
// views' `stream`): the data streams past the cache, and a non-temporal line, which is kept in
// L1 only, is likely to be there still when its row is used for the last time:
//  - the model has one output (a multi-output model's weight rows pass through L1 with every
//    example: Fashion-MNIST, 10 outputs, took ~1% longer with the hint);
//  - the rows between a row's prefetch and its last use — the prefetch distance plus a batch (a
//    row is read for its coefficient, then again for the update after the whole batch) — hold
//    at most 16 KiB on average, half of a 32 KiB L1 (500 columns of float32, 2,000-byte rows,
//    batch 64: 8-10% slower with the hint; 100 columns, batch 2: 1.2-1.4x faster).
constexpr bool streams_rows(std::size_t data_bytes, std::size_t rows, std::size_t outputs, std::size_t batch,
                            std::size_t cache_bytes) {
  return outputs == 1 && rows > 0 && (row_prefetch_distance + batch) * (data_bytes / rows) <= 16384 &&
         streams_past_cache(data_bytes, cache_bytes);
}

}  // namespace hogwild::kernel
