// libFuzzer target: the checkpoint reader (--resume FILE) on arbitrary bytes. It must either decode
// a checkpoint that re-encodes to the same bytes, or throw usage_error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "coordinator/checkpoint.hpp"
#include "shared/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const hogwild::checkpoint k = hogwild::decode_checkpoint(bytes, "fuzz");
    if (hogwild::encode_checkpoint(k) != bytes) std::abort();  // decode is exact: re-encoding gives the input
  } catch (const hogwild::usage_error&) {
  }
  return 0;
}
