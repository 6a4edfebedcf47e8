// File input for the readers: a regular file read front to back in pieces (byte_stream) or whole
// (read_file), transparently gunzipped when it starts with the gzip magic bytes (1f 8b), whatever
// its name. Errors are usage_error naming the file: missing, a directory, unreadable, a corrupt or
// truncated gzip stream, bytes after the last gzip member that are neither another member nor zero
// padding, a file that shrinks while it is read.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hogwild::data {

// Bytes of a file as an error message quotes them: printable ASCII as it is, any other byte as
// \xNN (a NUL, a UTF-8 byte-order mark or a Unicode minus would otherwise print as nothing or as
// a look-alike of what was expected); bytes up to about `most` characters of quote, then "...".
std::string quoted_bytes(std::string_view bytes, std::size_t most = 40);

// The three bytes (EF BB BF) some editors put at the start of a UTF-8 text file.
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

struct file_bytes {
  std::vector<char> bytes;       // decompressed content
  bool gzipped = false;
  std::uint64_t source_size = 0;  // bytes on disk
};

// Throws usage_error("PATH: ...") if PATH is missing, a directory or not readable.
void check_regular_file(const std::string& path);

// A file's content in pieces, in order, gunzipped on the fly: a reader that walks a file once holds
// one piece at a time, not the file (LIBSVM text, peak memory). Plain files are read with read(2),
// not mapped, so a file truncated by another process while it is read is an error naming the file,
// not a SIGBUS.
class byte_stream {
 public:
  explicit byte_stream(const std::string& path);  // throws usage_error (check_regular_file, open)
  ~byte_stream();
  byte_stream(const byte_stream&) = delete;
  byte_stream& operator=(const byte_stream&) = delete;

  // Up to n bytes of content into out (fewer is not the end); 0 only at the end of the content.
  std::size_t read(char* out, std::size_t n);
  bool gzipped() const { return gz_ != nullptr; }
  std::uint64_t source_size() const { return source_size_; }  // bytes on disk when opened
  // The content's expected size: a plain file's size; for gzip, the trailer's ISIZE (the last
  // member's size mod 2^32, exact for the usual single member under 4 GiB), at most deflate's
  // 1032:1 ratio. A hint for reservations, not a promise.
  std::uint64_t size_hint() const { return size_hint_; }

 private:
  struct gzip_state;
  std::size_t read_raw(char* out, std::size_t n);  // from the file, with the shrink check
  void check_zero_padding(std::uint64_t offset);   // the rest of a gzip file after its last member
  std::string path_;
  int fd_ = -1;
  std::uint64_t source_size_ = 0, size_hint_ = 0, raw_read_ = 0;
  std::unique_ptr<gzip_state> gz_;
};

// The whole content in memory (IDX, CIFAR-10, model files).
file_bytes read_file(const std::string& path);

// A whole file mapped read-only (private, MADV_SEQUENTIAL), unmapped when destroyed. The binary
// cache loader maps its file and gives the pages behind it back as it goes (page_releaser); the
// cache is only ever replaced by rename, never rewritten in place, so the mapping cannot shrink
// under it (text input uses byte_stream instead).
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
