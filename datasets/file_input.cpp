#include "datasets/file_input.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild::data {

std::string quoted_bytes(std::string_view bytes, std::size_t most) {
  std::string s;
  std::size_t i = 0;
  for (; i < bytes.size() && s.size() < most; ++i) {
    const auto u = static_cast<unsigned char>(bytes[i]);
    if (u >= 0x20 && u < 0x7f) s += bytes[i];
    else s += fmt::format("\\x{:02x}", u);
  }
  return i < bytes.size() ? s + "..." : s;
}

void check_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw usage_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw usage_error(fmt::format("{}: is a directory, expected a data file", path));
  if (!S_ISREG(st.st_mode)) throw usage_error(fmt::format("{}: is not a regular file", path));
}

struct byte_stream::gzip_state {
  z_stream zs{};
  std::vector<unsigned char> in = std::vector<unsigned char>(std::size_t{256} << 10);
  bool in_eof = false;  // the file has no more compressed bytes
  bool done = false;    // the last member has ended
  ~gzip_state() { inflateEnd(&zs); }
};

byte_stream::byte_stream(const std::string& path) : path_(path) {
  check_regular_file(path);
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw usage_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && st.st_size > 0) source_size_ = static_cast<std::uint64_t>(st.st_size);
  size_hint_ = source_size_;
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  unsigned char magic[2] = {0, 0};
  if (source_size_ < 2 || ::pread(fd_, magic, 2, 0) != 2 || magic[0] != 0x1f || magic[1] != 0x8b) return;
  gz_ = std::make_unique<gzip_state>();
  // windowBits 15 + 32: a gzip (or zlib) header, detected.
  if (inflateInit2(&gz_->zs, 15 + 32) != Z_OK) {
    ::close(fd_);
    throw runtime_failure(fmt::format("{}: zlib init failed", path));
  }
  unsigned char t[4];
  if (source_size_ >= 18 && ::pread(fd_, t, 4, static_cast<off_t>(source_size_ - 4)) == 4) {
    const std::uint64_t isize = t[0] | (std::uint64_t{t[1]} << 8) | (std::uint64_t{t[2]} << 16) | (std::uint64_t{t[3]} << 24);
    size_hint_ = std::min(isize, source_size_ * 1032);
  } else {
    size_hint_ = source_size_ * 4;
  }
}

byte_stream::~byte_stream() {
  gz_.reset();
  if (fd_ >= 0) ::close(fd_);
}

std::size_t byte_stream::read_raw(char* out, std::size_t n) {
  for (;;) {
    const ssize_t k = ::read(fd_, out, n);
    if (k > 0) {
      raw_read_ += static_cast<std::uint64_t>(k);
      return static_cast<std::size_t>(k);
    }
    if (k == 0) {
      if (raw_read_ < source_size_)
        throw usage_error(fmt::format("{}: the file shrank while it was being read (ended after {} of its {} bytes); "
                                      "was it being rewritten?", path_, raw_read_, source_size_));
      return 0;
    }
    if (errno != EINTR) throw usage_error(fmt::format("{}: read error: {}", path_, std::strerror(errno)));
  }
}

std::size_t byte_stream::read(char* out, std::size_t n) {
  if (!gz_) return read_raw(out, n);
  gzip_state& g = *gz_;
  if (g.done || n == 0) return 0;
  z_stream& zs = g.zs;
  const auto want = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
  zs.next_out = reinterpret_cast<Bytef*>(out);
  zs.avail_out = want;
  const auto refill = [&] {
    if (zs.avail_in != 0 || g.in_eof) return;
    const std::size_t k = read_raw(reinterpret_cast<char*>(g.in.data()), g.in.size());
    g.in_eof = k == 0;
    zs.next_in = g.in.data();
    zs.avail_in = static_cast<uInt>(k);
  };
  for (;;) {
    refill();
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = want - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // A member has ended. What follows must be the end of the file, another gzip member
      // (concatenated files, read as one stream like gzip -d does), or zero padding up to the end
      // of the file (as tar leaves, and gzip -d ignores). Anything else is refused: it is no
      // part of the gzip data, and reading it as the end would silently drop whatever it is.
      while (zs.avail_in < 2 && !g.in_eof) {  // both magic bytes in the buffer, when the file has them
        if (zs.avail_in) g.in[0] = *zs.next_in;
        const std::size_t k = read_raw(reinterpret_cast<char*>(g.in.data()) + zs.avail_in, g.in.size() - zs.avail_in);
        g.in_eof = k == 0;
        zs.next_in = g.in.data();
        zs.avail_in += static_cast<uInt>(k);
      }
      if (zs.avail_in == 0) {
        g.done = true;
        return produced;
      }
      if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
        check_zero_padding(raw_read_ - zs.avail_in);
        g.done = true;
        return produced;
      }
      // Another gzip member follows.
      if (inflateReset(&zs) != Z_OK) throw runtime_failure(fmt::format("{}: zlib reset failed", path_));
      if (produced) return produced;
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw usage_error(fmt::format("{}: corrupt gzip data near byte {} of the file: {}", path_,
                                    raw_read_ - zs.avail_in, zs.msg ? zs.msg : "corrupt data"));
    if (produced) return produced;
    if (zs.avail_in == 0 && g.in_eof)
      throw usage_error(fmt::format("{}: truncated gzip data (ends after {} compressed bytes)", path_, raw_read_));
    if (rc == Z_BUF_ERROR && zs.avail_in != 0)  // no progress with input and output space: cannot happen
      throw usage_error(fmt::format("{}: corrupt gzip data near byte {} of the file", path_, raw_read_ - zs.avail_in));
  }
}

// The bytes after the last gzip member, from the file's byte `offset` (where they start) to its
// end, must all be zero; the buffer's unread bytes come first.
void byte_stream::check_zero_padding(std::uint64_t offset) {
  gzip_state& g = *gz_;
  z_stream& zs = g.zs;
  const auto refuse = [&] {
    throw usage_error(fmt::format("{}: trailing bytes after the gzip data at byte offset {} (expected another gzip "
                                  "member, zero padding or the end of the file)", path_, offset));
  };
  const auto all_zero = [](const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      if (p[i]) return false;
    return true;
  };
  if (!all_zero(zs.next_in, zs.avail_in)) refuse();
  zs.avail_in = 0;
  while (!g.in_eof) {
    const std::size_t k = read_raw(reinterpret_cast<char*>(g.in.data()), g.in.size());
    g.in_eof = k == 0;
    if (!all_zero(g.in.data(), k)) refuse();
  }
}

file_bytes read_file(const std::string& path) {
  byte_stream in(path);
  file_bytes out;
  out.gzipped = in.gzipped();
  out.source_size = in.source_size();
  // Sized from the hint up front: no growth copies, which would briefly hold the content twice.
  std::vector<char>& o = out.bytes;
  o.resize(std::max<std::uint64_t>(in.size_hint(), 1));
  std::size_t have = 0;
  for (;;) {
    if (have == o.size()) {
      // Full: more content only if the hint was short (probe first, so that an exact hint does
      // not double the buffer for nothing).
      char probe[1 << 16];
      const std::size_t k = in.read(probe, sizeof probe);
      if (k == 0) break;
      o.resize(std::max(o.size() * 2, o.size() + k));
      std::memcpy(o.data() + have, probe, k);
      have += k;
      continue;
    }
    const std::size_t k = in.read(o.data() + have, o.size() - have);
    if (k == 0) break;
    have += k;
  }
  o.resize(have);
  return out;
}

mapped_file::mapped_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  opened_ = true;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    size_ = static_cast<std::size_t>(st.st_size);
    void* base = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED) {
      map_error_ = errno;
    } else {
      ::madvise(base, size_, MADV_SEQUENTIAL);
      data_ = static_cast<const char*>(base);
    }
  }
  ::close(fd);
}

mapped_file::~mapped_file() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace hogwild::data
