// IDX reader (MNIST, Fashion-MNIST): big-endian uint32 magic 0x00000803 (unsigned bytes, 3 dims:
// count × rows × cols) for images and 0x00000801 (1 dim: count) for labels, then the raw bytes.
// Raw or gzip (detected by magic bytes). Pixels are stored as their byte values 0..255 (zeros are
// left out of the CSR); scaling is a separate step. Labels are the class bytes 0..255 as read.
#pragma once
#include <optional>
#include <string>

#include "datasets/dataset.hpp"

namespace hogwild::data {

// The conventional labels file for an images file, found next to it:
// "X-images-idx3-ubyte[.gz]" → "X-labels-idx1-ubyte[.gz]" (either compression). Empty if none.
std::string idx_labels_for(const std::string& images_path);

// Reads images + labels; errors (usage_error) name the file and what was expected: bad magic,
// a size that does not match the header's dimensions, image/label count mismatch.
dataset read_idx(const std::string& images_path, const std::string& labels_path);

// True if the bytes start with an IDX ubyte magic (0x00000801 or 0x00000803).
bool looks_like_idx(const char* bytes, std::size_t n);

}  // namespace hogwild::data
