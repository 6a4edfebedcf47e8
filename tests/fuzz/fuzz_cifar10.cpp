// libFuzzer target: the CIFAR-10 binary batch reader on an arbitrary file. It must return records
// with labels 0..9 and 3,072 features, or throw usage_error (bad size, bad label, ...).
#include <cstdint>
#include <cstdlib>

#include "datasets/cifar10.hpp"
#include "fuzz_file_common.hpp"
#include "shared/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = hogwild::fuzz::write_temp("cifar", data, size);
  try {
    const hogwild::data::dataset d = hogwild::data::read_cifar10({path});
    if (d.dims != 3072) std::abort();
    for (float y : d.labels)
      if (y < 0 || y > 9) std::abort();
  } catch (const hogwild::usage_error&) {
  }
  return 0;
}
