#include "coordinator/checkpoint.hpp"

#include <bit>
#include <filesystem>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>

#include "coordinator/atomic_file.hpp"
#include "shared/error.hpp"

namespace hogwild {
namespace {

static_assert(std::endian::native == std::endian::little, "checkpoints are written little-endian");

constexpr char magic[8] = {'H', 'W', 'C', 'K', 'P', 'T', '\0', '\1'};
constexpr std::size_t header_bytes = 8 + 4 + 4 + 8 + 8;
constexpr std::size_t fixed_payload_bytes = 8 + 4 + 4 + 8 + 32 + 8 + 8;
constexpr std::uint64_t max_elements = std::uint64_t{1} << 40;

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

class reader {
 public:
  reader(std::string_view b, const std::string& source) : b_(b), source_(source) {}
  template <class T>
  T get() {
    T v{};
    need(sizeof v);
    std::memcpy(&v, b_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  template <class T>
  void get_array(std::vector<T>& v, std::uint64_t n) {
    if (n > max_elements || n * sizeof(T) > b_.size() - at_) truncated();
    v.resize(n);
    if (n) std::memcpy(v.data(), b_.data() + at_, n * sizeof(T));
    at_ += n * sizeof(T);
  }
  std::size_t left() const { return b_.size() - at_; }

 private:
  void need(std::size_t n) {
    if (n > b_.size() - at_) truncated();
  }
  [[noreturn]] void truncated() const {
    throw usage_error(fmt::format("--resume: '{}' is truncated (not a complete hogwild checkpoint)", source_));
  }
  std::string_view b_;
  const std::string& source_;
  std::size_t at_ = 0;
};

}  // namespace

std::uint64_t fnv1a(const void* data, std::size_t bytes, std::uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t run_identity(const config& c, const data::dataset& d, std::uint32_t outputs) {
  std::uint64_t h = fnv1a(&checkpoint_version, sizeof checkpoint_version);
  auto mix = [&](const auto& v) { h = fnv1a(&v, sizeof v, h); };
  mix(static_cast<std::uint32_t>(c.model));
  mix(static_cast<std::uint64_t>(d.dims));
  mix(outputs);
  mix(c.lambda);
  mix(static_cast<std::uint32_t>(c.batch_size));
  mix(static_cast<std::uint32_t>(c.mode));
  mix(static_cast<std::uint32_t>(c.workers));
  // float32 runs only, so that float64 identities (and their checkpoints) stay what they were: a
  // checkpoint resumes only a run of its own precision (float32 weights round-trip exactly).
  if (c.weight_precision != precision::float64) mix(static_cast<std::uint32_t>(c.weight_precision));
  mix(static_cast<std::uint64_t>(d.rows()));
  mix(static_cast<std::uint64_t>(d.nnz()));
  h = fnv1a(d.row_ptr.data(), d.row_ptr.size() * sizeof(d.row_ptr[0]), h);
  h = fnv1a(d.idx.data(), d.idx.size() * sizeof(d.idx[0]), h);
  h = fnv1a(d.val.data(), d.val.size() * sizeof(d.val[0]), h);
  h = fnv1a(d.labels.data(), d.labels.size() * sizeof(d.labels[0]), h);
  return h;
}

std::string encode_checkpoint(const checkpoint& k) {
  std::string payload;
  payload.reserve(fixed_payload_bytes + k.weights.size() * 8 + k.perm.size() * 4);
  put(payload, k.identity);
  put(payload, k.next_epoch);
  put(payload, std::uint32_t{0});
  put(payload, k.step);
  for (auto s : k.rng_state) put(payload, s);
  put(payload, static_cast<std::uint64_t>(k.perm.size()));
  put(payload, static_cast<std::uint64_t>(k.weights.size()));
  payload.append(reinterpret_cast<const char*>(k.weights.data()), k.weights.size() * sizeof(double));
  payload.append(reinterpret_cast<const char*>(k.perm.data()), k.perm.size() * sizeof(std::uint32_t));
  std::string out(magic, sizeof magic);
  put(out, checkpoint_version);
  put(out, std::uint32_t{0});
  put(out, static_cast<std::uint64_t>(payload.size()));
  put(out, fnv1a(payload.data(), payload.size()));
  out += payload;
  return out;
}

checkpoint decode_checkpoint(std::string_view bytes, const std::string& source) {
  if (bytes.size() < sizeof magic || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
    throw usage_error(fmt::format("--resume: '{}' is not a hogwild checkpoint (bad magic)", source));
  reader r(bytes.substr(sizeof magic), source);
  const auto version = r.get<std::uint32_t>();
  if (version != checkpoint_version)
    throw usage_error(fmt::format("--resume: '{}' is checkpoint format version {}, this build reads version {}",
                                  source, version, checkpoint_version));
  if (r.get<std::uint32_t>() != 0)
    throw usage_error(fmt::format("--resume: '{}' has unknown header flags (written by a newer build?)", source));
  const auto payload_bytes = r.get<std::uint64_t>();
  const auto sum = r.get<std::uint64_t>();
  if (payload_bytes != r.left())
    throw usage_error(fmt::format("--resume: '{}' is truncated or has trailing bytes ({} payload bytes, header says {})",
                                  source, r.left(), payload_bytes));
  const std::string_view payload = bytes.substr(header_bytes);
  if (fnv1a(payload.data(), payload.size()) != sum)
    throw usage_error(fmt::format("--resume: '{}' is corrupt (checksum mismatch)", source));
  reader p(payload, source);
  checkpoint k;
  k.identity = p.get<std::uint64_t>();
  k.next_epoch = p.get<std::uint32_t>();
  p.get<std::uint32_t>();
  k.step = p.get<double>();
  for (auto& s : k.rng_state) s = p.get<std::uint64_t>();
  const auto rows = p.get<std::uint64_t>();
  const auto weights = p.get<std::uint64_t>();
  p.get_array(k.weights, weights);
  p.get_array(k.perm, rows);
  if (p.left() != 0) throw usage_error(fmt::format("--resume: '{}' has inconsistent sizes", source));
  if ((k.rng_state[0] | k.rng_state[1] | k.rng_state[2] | k.rng_state[3]) == 0)
    throw usage_error(fmt::format("--resume: '{}' has an invalid shuffler state", source));
  return k;
}

void write_checkpoint(const std::string& path, const checkpoint& k) {
  write_file_atomically("--checkpoint", path, encode_checkpoint(k));
}

checkpoint read_checkpoint(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw usage_error(fmt::format("--resume: '{}' is a directory; expected a checkpoint file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error(fmt::format("--resume: cannot read '{}': {}", path, std::strerror(errno)));
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw usage_error(fmt::format("--resume: reading '{}' failed", path));
  return decode_checkpoint(bytes, path);
}

}  // namespace hogwild
