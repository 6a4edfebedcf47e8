// Whole-file input for the readers: a regular file read into memory, transparently gunzipped when
// it starts with the gzip magic bytes (1f 8b), whatever its name. Errors are usage_error naming the
// file: missing, a directory, unreadable, a corrupt gzip stream.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hogwild::data {

struct file_bytes {
  std::vector<char> bytes;       // decompressed content
  bool gzipped = false;
  std::uint64_t source_size = 0;  // bytes on disk
};

// Throws usage_error("PATH: ...") if PATH is missing, a directory or not readable.
void check_regular_file(const std::string& path);

file_bytes read_file(const std::string& path);

}  // namespace hogwild::data
