// The size of the CPU's last-level cache, and whether a data set streams past it. The kernel's
// row prefetches take the non-temporal hint for data that does not fit (shared/data_view.hpp).
#pragma once
#include <cstddef>

namespace hogwild::kernel {

// Bytes of the largest unified cache that CPU 0 sees, read once per process (~0.2 ms: the
// segment's creator reads it and records its decision in the header, workers never do) from
// /sys/devices/system/cpu/cpu0/cache/index*/ (the size of one instance: what the cores sharing
// it hold, not the package total); sysconf(_SC_LEVEL3_CACHE_SIZE), then level 2, where sysfs has
// no entry; 0 when neither says.
std::size_t last_level_cache_bytes();

// True when `data_bytes` of rows read in a random order each epoch exceed twice the last-level
// cache of `cache_bytes` (0: unknown, never). Measured on the 2-core AMD EPYC VM (8 MiB L3):
// with 8 MiB of rows prefetching into the caches is faster, with 20 MiB and more the
// non-temporal hint is (docs/performance.md).
constexpr bool streams_past_cache(std::size_t data_bytes, std::size_t cache_bytes) {
  return cache_bytes > 0 && data_bytes / 2 > cache_bytes;
}

// Whether the kernel prefetches rows with the non-temporal hint (the views' `stream`): the
// data streams past the cache, and a non-temporal line, which is kept in L1 only, is likely to
// be there when its row is used: the model has one output (a multi-output model's weight rows
// pass through L1 with every example: Fashion-MNIST, 10 outputs, took ~1% longer with the hint)
// and the 8 rows prefetched ahead (kernel.hpp) average at most 2 KiB each (half of a 32 KiB L1).
constexpr bool streams_rows(std::size_t data_bytes, std::size_t rows, std::size_t outputs, std::size_t cache_bytes) {
  return outputs == 1 && rows > 0 && data_bytes / rows <= 2048 && streams_past_cache(data_bytes, cache_bytes);
}

}  // namespace hogwild::kernel
