// libFuzzer target: a worker attaching to a segment whose bytes are arbitrary (a corrupt or hostile
// /dev/shm file). segment_view must accept it only if every section lies inside the mapping, and
// then validate_data()/validate_perm() must not read outside it; anything else is a usage_error.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "shared/error.hpp"
#include "shared/segment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A mapping is page-aligned; give the view an aligned copy of exactly `size` bytes.
  void* buf = std::aligned_alloc(64, (size + 63) / 64 * 64 + 64);
  std::memcpy(buf, data, size);
  try {
    const hogwild::shm::segment_view v(buf, size);
    v.validate_data();
    v.validate_perm(0, v.hdr().rows);
    // Touch the last element of every section the kernel reads.
    volatile double sink = 0;
    if (v.weight_count())
      hogwild::dispatch_precision(v.weight_precision(), [&](auto t) {
        sink = sink + v.weights_as<decltype(t)>()[v.weight_count() - 1];
      });
    if (v.hdr().dims) sink = sink + v.inv_du()[v.hdr().dims - 1];
    if (v.hdr().rows) sink = sink + v.labels()[v.hdr().rows - 1];
  } catch (const hogwild::usage_error&) {
  }
  std::free(buf);
  return 0;
}
