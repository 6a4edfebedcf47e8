#include "datasets/cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild::data {
namespace {

constexpr std::uint64_t cache_magic = 0x3143574749474f48ULL;  // "HOGWGWC1" little-endian-ish tag

struct cache_header {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t header_bytes;
  std::uint64_t total_bytes;
  std::uint64_t rows, dims, nnz;
  std::uint64_t sources_bytes;
  std::uint64_t checksum;  // of bytes [header_bytes, total_bytes)
};

constexpr std::uint64_t align8(std::uint64_t x) { return (x + 7) / 8 * 8; }

struct layout {
  std::uint64_t sources, row_ptr, idx, val, labels, total;
};

layout plan(std::uint64_t sources_bytes, std::uint64_t rows, std::uint64_t nnz) {
  layout l{};
  l.sources = sizeof(cache_header);
  l.row_ptr = align8(l.sources + sources_bytes);
  l.idx = align8(l.row_ptr + (rows + 1) * 8);
  l.val = align8(l.idx + nnz * 4);
  l.labels = align8(l.val + nnz * 4);
  l.total = align8(l.labels + rows * 4);
  return l;
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
  return h;
}

}  // namespace

std::uint64_t checksum(const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h0 = 0x9e3779b97f4a7c15ULL ^ bytes, h1 = 0xc2b2ae3d27d4eb4fULL, h2 = 0x165667b19e3779f9ULL,
                h3 = 0x27d4eb2f165667c5ULL;
  auto mix = [](std::uint64_t h, std::uint64_t w) {
    h ^= w * 0x87c37b91114253d5ULL;
    h = (h << 31) | (h >> 33);
    return h * 0x4cf5ad432745937fULL;
  };
  std::size_t i = 0;
  for (; i + 32 <= bytes; i += 32) {
    std::uint64_t w[4];
    std::memcpy(w, p + i, 32);
    h0 = mix(h0, w[0]);
    h1 = mix(h1, w[1]);
    h2 = mix(h2, w[2]);
    h3 = mix(h3, w[3]);
  }
  for (; i < bytes; ++i) h0 = mix(h0, p[i]);
  std::uint64_t h = h0 ^ (h1 * 3) ^ (h2 * 5) ^ (h3 * 7);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::string default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/hogwild";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/hogwild";
  return "/tmp/hogwild-cache";
}

std::string describe_sources(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) throw usage_error(fmt::format("{}: cannot open: {}", p, std::strerror(errno)));
    std::error_code ec;
    const auto abs = std::filesystem::absolute(p, ec);
    out += fmt::format("{}\t{}\t{}\n", ec ? p : abs.string(), static_cast<std::uint64_t>(st.st_size),
                       static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
  }
  return out;
}

std::string cache_path_for(const std::string& dir, const std::string& format_name, const std::vector<std::string>& paths) {
  std::string key = format_name;
  for (const auto& p : paths) {
    std::error_code ec;
    const auto abs = std::filesystem::absolute(p, ec);
    key += "\n" + (ec ? p : abs.string());
  }
  const auto name = std::filesystem::path(paths.front()).filename().string();
  return fmt::format("{}/{}-{:016x}.hwc", dir, name, fnv1a(key));
}

std::optional<dataset> cache_load(const std::string& cache_path, const std::string& sources, std::string& why) {
  const int fd = ::open(cache_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = "no cache file";
    return std::nullopt;
  }
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < sizeof(cache_header)) {
    ::close(fd);
    why = "cache file too small";
    return std::nullopt;
  }
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (base == MAP_FAILED) {
    why = fmt::format("cannot map cache: {}", std::strerror(errno));
    return std::nullopt;
  }
  struct unmap {
    void* b;
    std::size_t n;
    ~unmap() { ::munmap(b, n); }
  } guard{base, size};
  const auto* bytes = static_cast<const char*>(base);
  cache_header h;
  std::memcpy(&h, bytes, sizeof h);
  if (h.magic != cache_magic) return why = "not a hogwild cache (magic)", std::nullopt;
  if (h.version != cache_version) return why = fmt::format("cache version {} (expected {})", h.version, cache_version), std::nullopt;
  if (h.header_bytes != sizeof(cache_header) || h.total_bytes != size || h.rows > (1ULL << 32) || h.nnz > (1ULL << 40) ||
      h.sources_bytes > (1u << 20))
    return why = "cache header inconsistent with its size", std::nullopt;
  const layout l = plan(h.sources_bytes, h.rows, h.nnz);
  if (l.total != size) return why = "cache size does not match its header", std::nullopt;
  if (std::string_view(bytes + l.sources, h.sources_bytes) != sources)
    return why = "stale (source size or modification time changed)", std::nullopt;
  if (checksum(bytes + h.header_bytes, size - h.header_bytes) != h.checksum) return why = "checksum mismatch (corrupt)", std::nullopt;
  dataset d;
  d.dims = h.dims;
  const auto* rp = reinterpret_cast<const std::uint64_t*>(bytes + l.row_ptr);
  const auto* ix = reinterpret_cast<const std::uint32_t*>(bytes + l.idx);
  const auto* vl = reinterpret_cast<const float*>(bytes + l.val);
  const auto* lb = reinterpret_cast<const float*>(bytes + l.labels);
  d.row_ptr.assign(rp, rp + h.rows + 1);
  d.idx.assign(ix, ix + h.nnz);
  d.val.assign(vl, vl + h.nnz);
  d.labels.assign(lb, lb + h.rows);
  // Structural checks (cheap): the checksum catches corruption, these catch a buggy writer.
  if (d.row_ptr.front() != 0 || d.row_ptr.back() != h.nnz) return why = "cache row pointers inconsistent", std::nullopt;
  for (std::size_t i = 0; i < h.rows; ++i)
    if (d.row_ptr[i] > d.row_ptr[i + 1]) return why = "cache row pointers inconsistent", std::nullopt;
  for (auto j : d.idx)
    if (j >= d.dims) return why = "cache column index out of range", std::nullopt;
  return d;
}

std::string cache_store(const std::string& cache_path, const std::string& sources, const dataset& d) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(cache_path).parent_path(), ec);
  if (ec) return fmt::format("cannot create {}: {}", std::filesystem::path(cache_path).parent_path().string(), ec.message());
  const layout l = plan(sources.size(), d.rows(), d.nnz());
  std::vector<char> buf(l.total, 0);
  std::memcpy(buf.data() + l.sources, sources.data(), sources.size());
  std::memcpy(buf.data() + l.row_ptr, d.row_ptr.data(), d.row_ptr.size() * 8);
  std::memcpy(buf.data() + l.idx, d.idx.data(), d.idx.size() * 4);
  std::memcpy(buf.data() + l.val, d.val.data(), d.val.size() * 4);
  std::memcpy(buf.data() + l.labels, d.labels.data(), d.labels.size() * 4);
  cache_header h{cache_magic, cache_version, sizeof(cache_header), l.total, d.rows(), d.dims, d.nnz(), sources.size(), 0};
  h.checksum = checksum(buf.data() + sizeof h, buf.size() - sizeof h);
  std::memcpy(buf.data(), &h, sizeof h);
  const std::string tmp = fmt::format("{}.tmp{}", cache_path, ::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
  const bool ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    return fmt::format("writing {} failed", tmp);
  }
  if (std::rename(tmp.c_str(), cache_path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return fmt::format("cannot rename to {}: {}", cache_path, std::strerror(errno));
  }
  return "";
}

}  // namespace hogwild::data
