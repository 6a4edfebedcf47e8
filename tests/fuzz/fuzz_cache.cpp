// libFuzzer target: loading the binary dataset cache from an arbitrary file. A corrupt, truncated,
// foreign or stale cache must be refused (nullopt with a reason), never trusted or crashed on.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "datasets/cache.hpp"
#include "fuzz_file_common.hpp"
#include "shared/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = hogwild::fuzz::write_temp("cache", data, size);
  std::string why;
  try {
    const auto d = hogwild::data::cache_load(path, "fuzz-source", why);
    if (d && d->row_ptr.size() != d->rows() + 1) std::abort();
  } catch (const hogwild::usage_error&) {
  }
  return 0;
}
