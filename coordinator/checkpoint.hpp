// Checkpoints: everything needed to continue a run exactly where an epoch boundary left it.
// Binary, little-endian, versioned and checksummed (docs/reliability.md has the layout):
//   header  magic "HWCKPT\0\1" | u32 version | u32 reserved | u64 payload bytes | u64 FNV-1a of payload
//   payload u64 run identity | u32 next epoch (0-based) | u32 reserved | f64 step size of that epoch |
//           4 x u64 shuffler state | u64 rows | u64 weights | weights x f64 | rows x u32 permutation
// The permutation is stored because each epoch shuffles the previous epoch's order in place.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/config.hpp"
#include "datasets/dataset.hpp"

namespace hogwild {

inline constexpr std::uint32_t checkpoint_version = 1;

struct checkpoint {
  std::uint64_t identity = 0;
  std::uint32_t next_epoch = 0;  // 0-based: the first epoch the resumed run trains
  double step = 0.0;             // step size of next_epoch (a consistency check)
  std::uint64_t rng_state[4] = {};
  std::vector<double> weights;
  std::vector<std::uint32_t> perm;
};

// 64-bit FNV-1a.
std::uint64_t fnv1a(const void* data, std::size_t bytes, std::uint64_t h = 0xcbf29ce484222325ULL);

// What a checkpoint must match to be resumed: a hash of the training data (values, columns, row
// pointers, labels) and of model kind, dims, outputs, lambda, batch size, mode, workers, the
// weight precision (when float32) and the checkpoint format version. Weights are stored as f64 in
// both precisions (a float32 model's values widen and narrow back exactly).
std::uint64_t run_identity(const config& c, const data::dataset& train, std::uint32_t outputs);

std::string encode_checkpoint(const checkpoint& k);
// Throws usage_error naming `source` if the bytes are not a complete, intact checkpoint of this version.
checkpoint decode_checkpoint(std::string_view bytes, const std::string& source);

// Atomic write (temporary + fsync + rename); throws runtime_failure naming --checkpoint.
void write_checkpoint(const std::string& path, const checkpoint& k);
// Reads and decodes; throws usage_error naming --resume and the file.
checkpoint read_checkpoint(const std::string& path);

}  // namespace hogwild
