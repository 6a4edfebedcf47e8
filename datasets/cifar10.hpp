// CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin): records of 1 label byte (0..9) and
// 3072 pixel bytes (1024 R, 1024 G, 1024 B, each 32×32 row-major); no header. The record count is
// the file size / 3073, so partial batches work; a size that is not a multiple of 3073 is an error
// that names the byte offset of the incomplete record. Several files are concatenated in order.
// Pixels are stored as their byte values 0..255 (zeros left out of the CSR).
#pragma once
#include <string>
#include <vector>

#include "datasets/dataset.hpp"

namespace hogwild::data {

inline constexpr std::size_t cifar10_record_bytes = 3073;
inline constexpr std::size_t cifar10_pixels = 3072;

dataset read_cifar10(const std::vector<std::string>& paths);

}  // namespace hogwild::data
