// Whole-file input for the readers: a regular file read into memory, transparently gunzipped when
// it starts with the gzip magic bytes (1f 8b), whatever its name. Errors are usage_error naming the
// file: missing, a directory, unreadable, a corrupt gzip stream.
#pragma once
#include <cstddef>
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

// A whole file mapped read-only (private, MADV_SEQUENTIAL), unmapped when destroyed. The readers
// that walk a file once map it instead of reading it into memory, and give the pages behind them
// back as they go (page_releaser): the binary cache and plain LIBSVM text.
class mapped_file {
 public:
  explicit mapped_file(const std::string& path);
  ~mapped_file();
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  bool opened() const { return opened_; }    // the file could be opened for reading
  std::size_t size() const { return size_; }  // its size (0 when not opened)
  const char* data() const { return data_; }  // nullptr when empty or when mmap failed
  int map_error() const { return map_error_; }  // errno of a failed mmap, else 0

 private:
  bool opened_ = false;
  std::size_t size_ = 0;
  const char* data_ = nullptr;
  int map_error_ = 0;
};

}  // namespace hogwild::data
