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

void check_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw usage_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw usage_error(fmt::format("{}: is a directory, expected a data file", path));
  if (!S_ISREG(st.st_mode)) throw usage_error(fmt::format("{}: is not a regular file", path));
}

file_bytes read_file(const std::string& path) {
  check_regular_file(path);
  file_bytes out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw usage_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<char> raw;
  // The file's size up front: no growth copies, which would briefly hold the text twice.
  if (struct stat st {}; ::fstat(::fileno(f), &st) == 0 && st.st_size > 0) raw.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  std::size_t k;
  while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) raw.insert(raw.end(), buf, buf + k);
  const bool err = std::ferror(f);
  std::fclose(f);
  if (err) throw usage_error(fmt::format("{}: read error", path));
  out.source_size = raw.size();
  if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f && static_cast<unsigned char>(raw[1]) == 0x8b) {
    out.gzipped = true;
    // Inflate from memory (handles concatenated gzip members, like gzread).
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) throw runtime_failure(fmt::format("{}: zlib init failed", path));
    zs.next_in = reinterpret_cast<Bytef*>(raw.data());
    zs.avail_in = static_cast<uInt>(raw.size());
    std::vector<char>& o = out.bytes;
    // First guess of the inflated size: the gzip trailer's ISIZE (the last member's size mod 2^32;
    // exact for the usual single-member file up to 4 GiB), at most deflate's 1032:1 ratio. The
    // buffer is written zeroed, so a guess far above the content would hold memory for nothing
    // (it was 4x the compressed size: 104 MB for Fashion-MNIST's 47 MB of pixels). Too small a
    // guess grows by doubling below.
    std::size_t guess = raw.size() * 4;
    if (raw.size() >= 18) {
      const auto* t = reinterpret_cast<const unsigned char*>(raw.data() + raw.size() - 4);
      const std::size_t isize = t[0] | (std::size_t{t[1]} << 8) | (std::size_t{t[2]} << 16) | (std::size_t{t[3]} << 24);
      guess = std::min(isize, raw.size() * 1032);
    }
    o.resize(std::max<std::size_t>(guess, 1 << 16));
    std::size_t have = 0;
    for (;;) {
      if (have == o.size()) o.resize(o.size() * 2);
      zs.next_out = reinterpret_cast<Bytef*>(o.data() + have);
      zs.avail_out = static_cast<uInt>(std::min<std::size_t>(o.size() - have, 1u << 30));
      const int rc = inflate(&zs, Z_NO_FLUSH);
      have = reinterpret_cast<char*>(zs.next_out) - o.data();
      if (rc == Z_STREAM_END) {
        if (zs.avail_in == 0) break;
        // Another gzip member follows.
        if (inflateReset(&zs) != Z_OK) break;
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        const std::string msg = zs.msg ? zs.msg : "corrupt data";
        inflateEnd(&zs);
        throw usage_error(fmt::format("{}: corrupt gzip data at compressed byte {}: {}", path,
                                      zs.total_in, msg));
      }
      if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
        inflateEnd(&zs);
        throw usage_error(fmt::format("{}: truncated gzip data (ends after {} compressed bytes)", path, raw.size()));
      }
    }
    inflateEnd(&zs);
    o.resize(have);
  } else {
    out.bytes = std::move(raw);
  }
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
