#include "datasets/cifar10.hpp"

#include <fmt/format.h>

#include "datasets/file_input.hpp"
#include "datasets/interrupt.hpp"
#include "shared/error.hpp"

namespace hogwild::data {

dataset read_cifar10(const std::vector<std::string>& paths) {
  dataset d;
  d.dims = cifar10_pixels;
  std::vector<std::uint32_t> cols;
  std::vector<float> vals;
  for (const auto& path : paths) {
    const file_bytes f = read_file(path);
    const std::size_t n = f.bytes.size();
    if (n == 0) throw usage_error(fmt::format("{}: empty file, expected CIFAR-10 records of 3073 bytes", path));
    if (n % cifar10_record_bytes != 0)
      throw usage_error(fmt::format("{}: size {} is not a multiple of the 3073-byte CIFAR-10 record; the incomplete "
                                    "record starts at byte offset {} ({} bytes)", path, n,
                                    n / cifar10_record_bytes * cifar10_record_bytes, n % cifar10_record_bytes));
    const std::size_t count = n / cifar10_record_bytes;
    // Room for every pixel of this file (pages never written cost no memory): no growth copies.
    d.idx.reserve(d.idx.size() + count * cifar10_pixels);
    d.val.reserve(d.val.size() + count * cifar10_pixels);
    for (std::size_t i = 0; i < count; ++i) {
      if (i % poll_every_rows == 0) poll_interrupt();
      const auto* rec = reinterpret_cast<const unsigned char*>(f.bytes.data() + i * cifar10_record_bytes);
      if (rec[0] > 9)
        throw usage_error(fmt::format("{}: record {} at byte offset {} has label {}; expected a class 0..9", path, i,
                                      i * cifar10_record_bytes, rec[0]));
      cols.clear();
      vals.clear();
      for (std::uint32_t j = 0; j < cifar10_pixels; ++j)
        if (rec[1 + j]) {
          cols.push_back(j);
          vals.push_back(rec[1 + j]);
        }
      d.add_row(cols.data(), vals.data(), cols.size(), rec[0]);
    }
  }
  return d;
}

}  // namespace hogwild::data
