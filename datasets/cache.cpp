#include "datasets/cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <type_traits>
#include <fmt/format.h>

#include "datasets/file_input.hpp"
#include "shared/error.hpp"
#include "shared/page_release.hpp"

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

static_assert(sizeof(cache_header) % 8 == 0, "cache_load's pieces start 8-byte aligned");

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

namespace {

// checksum() as a stream: the 32-byte blocks in order, then the tail (cache_load hashes the file
// piece by piece while it copies it).
class checksum_stream {
 public:
  explicit checksum_stream(std::size_t total_bytes) : h_{0x9e3779b97f4a7c15ULL ^ total_bytes, 0xc2b2ae3d27d4eb4fULL,
                                                         0x165667b19e3779f9ULL, 0x27d4eb2f165667c5ULL} {}
  // n: a multiple of 32.
  void blocks(const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 32) {
      std::uint64_t w[4];
      std::memcpy(w, p + i, 32);
      for (int k = 0; k < 4; ++k) h_[k] = mix(h_[k], w[k]);
    }
  }
  // n < 32: the bytes after the last block.
  std::uint64_t finish(const unsigned char* tail, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) h_[0] = mix(h_[0], tail[i]);
    std::uint64_t h = h_[0] ^ (h_[1] * 3) ^ (h_[2] * 5) ^ (h_[3] * 7);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }

 private:
  static std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
    h ^= w * 0x87c37b91114253d5ULL;
    h = (h << 31) | (h >> 33);
    return h * 0x4cf5ad432745937fULL;
  }
  std::uint64_t h_[4];
};

}  // namespace

std::uint64_t checksum(const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  checksum_stream s(bytes);
  const std::size_t whole = bytes / 32 * 32;
  s.blocks(p, whole);
  return s.finish(p + whole, bytes - whole);
}

std::string default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/hogwild";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/hogwild";
  return "/tmp/hogwild-cache-" + std::to_string(::getuid());  // (one per user: /tmp is shared)
}

std::string describe_sources(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) throw usage_error(fmt::format("{}: cannot open: {}", p, std::strerror(errno)));
    std::error_code ec;
    const auto abs = std::filesystem::canonical(p, ec);  // one name per file: ../x, ./x and links agree
    out += fmt::format("{}\t{}\t{}\n", ec ? p : abs.string(), static_cast<std::uint64_t>(st.st_size),
                       static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
  }
  return out;
}

std::string cache_path_for(const std::string& dir, const std::string& format_name, const std::vector<std::string>& paths) {
  std::string key = format_name;
  for (const auto& p : paths) {
    std::error_code ec;
    const auto abs = std::filesystem::canonical(p, ec);  // as describe_sources
    key += "\n" + (ec ? p : abs.string());
  }
  const auto name = std::filesystem::path(paths.front()).filename().string();
  return fmt::format("{}/{}-{:016x}.hwc", dir, name, fnv1a(key));
}

std::optional<dataset> cache_load(const std::string& cache_path, const std::string& sources, std::string& why) {
  const mapped_file file(cache_path);
  if (!file.opened()) {
    why = "no cache file";
    return std::nullopt;
  }
  const std::size_t size = file.size();
  if (size < sizeof(cache_header)) {
    why = "cache file too small";
    return std::nullopt;
  }
  if (!file.data()) {
    why = fmt::format("cannot map cache: {}", std::strerror(file.map_error()));
    return std::nullopt;
  }
  const char* bytes = file.data();
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
  dataset d;
  d.dims = h.dims;
  // Reserved, then appended to piece by piece (no zero-filling first: that cost ~10 % of a load).
  d.row_ptr.clear();
  d.row_ptr.reserve(h.rows + 1);
  d.idx.reserve(h.nnz);
  d.val.reserve(h.nnz);
  d.labels.reserve(h.rows);
  // One pass over the file in 4 MiB pieces: hash the piece, append what it holds of each array,
  // and drop its pages from this mapping, so that the file's pages and the arrays are not both
  // held in full (peak memory ~ the data set once). Piece ends and array starts are 8-byte
  // aligned, so no element is split between pieces.
  const auto* body = reinterpret_cast<const unsigned char*>(bytes + h.header_bytes);
  const std::size_t body_bytes = size - h.header_bytes, whole = body_bytes / 32 * 32;
  checksum_stream sum(body_bytes);
  page_releaser rel(bytes);
  auto append = [&](auto& to, std::uint64_t at, std::uint64_t count, std::uint64_t fa, std::uint64_t fb) {
    using T = typename std::remove_reference_t<decltype(to)>::value_type;
    const std::uint64_t lo = std::max(fa, at), hi = std::min(fb, at + count * sizeof(T));
    if (lo >= hi) return;
    const auto* first = reinterpret_cast<const T*>(bytes + lo);
    to.insert(to.end(), first, first + (hi - lo) / sizeof(T));
  };
  constexpr std::size_t piece = std::size_t{4} << 20;  // a multiple of 32
  for (std::size_t a = 0; a < body_bytes; a += piece) {
    const std::size_t b = std::min(a + piece, body_bytes);
    sum.blocks(body + a, std::min(b, whole) - std::min(a, whole));
    const std::uint64_t fa = h.header_bytes + a, fb = h.header_bytes + b;  // file offsets
    append(d.row_ptr, l.row_ptr, h.rows + 1, fa, fb);
    append(d.idx, l.idx, h.nnz, fa, fb);
    append(d.val, l.val, h.nnz, fa, fb);
    append(d.labels, l.labels, h.rows, fa, fb);
    if (b == body_bytes && sum.finish(body + whole, body_bytes - whole) != h.checksum)
      return why = "checksum mismatch (corrupt)", std::nullopt;
    rel.release_to(bytes + fb);
  }
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
