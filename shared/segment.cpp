#include "shared/segment.hpp"

#include "shared/cache_size.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <random>

#include "shared/error.hpp"

namespace bip = boost::interprocess;

namespace hogwild::shm {
namespace {

constexpr std::uint64_t align_up(std::uint64_t x, std::uint64_t a) { return (x + a - 1) / a * a; }

// Lays out the sections of `spec` after the header; returns the total size.
std::uint64_t plan(const segment_spec& s, header& h) {
  std::uint64_t at = align_up(sizeof(header), 64);
  auto take = [&](section& sec, std::uint64_t bytes, std::uint64_t align = 64) {
    at = align_up(at, align);
    sec = {at, bytes};
    at += bytes;
  };
  const bool csr = s.data_layout == kernel::layout::csr;
  take(h.row_ptr, csr ? (s.rows + 1) * sizeof(std::uint64_t) : 0);
  take(h.col_idx, csr ? s.nnz * sizeof(std::uint32_t) : 0);
  take(h.values, (csr ? s.nnz : s.rows * s.dims) * sizeof(float));
  take(h.labels, s.rows * sizeof(float));
  take(h.inv_du, s.dims * sizeof(double));
  // The model gets its own pages: no false sharing with read-mostly data around it.
  const std::uint64_t wbytes = static_cast<std::uint32_t>(s.weight_precision);  // bytes per weight
  take(h.weights, s.dims * s.outputs * wbytes, 4096);
  take(h.perm, s.rows * sizeof(std::uint32_t), 4096);
  take(h.stats, s.workers * sizeof(worker_stats), 64);
  take(h.sync, s.sync_bytes, 4096);
  take(h.control, control_bytes(s.workers), 4096);
  h.replica_count = s.replicas ? s.workers : 0;
  h.replica_stride = align_up(s.dims * s.outputs * wbytes, 4096);
  take(h.replicas, h.replica_count * h.replica_stride, 4096);
  return align_up(at, 4096);
}

bool inside(const section& s, std::uint64_t total) {
  return s.offset <= total && s.bytes <= total - s.offset && s.offset % 8 == 0;
}

}  // namespace

std::size_t segment_bytes(const segment_spec& spec) {
  header h{};
  return plan(spec, h);
}

segment_view::segment_view(void* base, std::size_t mapped_bytes) : base_(base) {
  if (mapped_bytes < sizeof(header)) throw usage_error("segment is smaller than its header");
  const header& h = hdr();
  if (h.magic != segment_magic) throw usage_error("segment has a foreign magic number (not a hogwild segment)");
  if (h.version != segment_version)
    throw usage_error(fmt::format("segment has layout version {}, this build expects {}", h.version,
                                  segment_version));
  if (h.header_bytes != sizeof(header)) throw usage_error("segment header has an unexpected size");
  if (h.total_bytes > mapped_bytes)
    throw usage_error(fmt::format("segment header claims {} bytes but only {} are mapped",
                                  h.total_bytes, mapped_bytes));
  // Shape fields bounded first, so that the size products below cannot overflow (rows = 2^62 made
  // rows * 4 wrap to 0 and passed; seed tests/fuzz/corpus/fuzz_segment_header/regression-overflow-rows).
  const std::uint64_t t = h.total_bytes;
  if (h.rows > t / 4 || h.dims > t / 8 || h.nnz > t / 4 || h.workers > t / 64 ||
      (h.data_layout != kernel::layout::csr && h.dims != 0 && h.rows > t / (h.dims * 4)))
    throw usage_error("segment header has a shape larger than the segment");
  for (const section* s : {&h.row_ptr, &h.col_idx, &h.values, &h.labels, &h.inv_du, &h.weights,
                           &h.perm, &h.stats, &h.sync, &h.control, &h.replicas})
    if (!inside(*s, h.total_bytes)) throw usage_error("segment header has a section outside the segment");
  if (h.outputs == 0 || h.outputs > 256 || h.batch_size == 0 ||
      static_cast<std::uint64_t>(h.batch_size) * h.outputs > 4096)
    throw usage_error("segment header has an invalid batch size or output count");
  const bool csr = h.data_layout == kernel::layout::csr;
  if (!csr && h.data_layout != kernel::layout::dense) throw usage_error("segment header has an unknown data layout");
  if (static_cast<std::uint32_t>(h.model) >= models::model_count)
    throw usage_error("segment header names an unknown model");
  if (h.weight_precision != precision::float32 && h.weight_precision != precision::float64)
    throw usage_error("segment header has an unknown weight precision");
  if (h.stream_rows > 1) throw usage_error("segment header has an unknown prefetch setting");
  const std::uint64_t wbytes = static_cast<std::uint32_t>(h.weight_precision);
  // Section sizes must match the declared shape.
  const bool sizes_ok =
      h.labels.bytes == h.rows * sizeof(float) && h.inv_du.bytes == h.dims * sizeof(double) &&
      h.weights.bytes == h.dims * h.outputs * wbytes &&
      h.perm.bytes == h.rows * sizeof(std::uint32_t) &&
      h.stats.bytes == h.workers * sizeof(worker_stats) && h.control.bytes == control_bytes(h.workers) &&
      (h.replica_count == 0 || h.replica_count == h.workers) &&
      h.replica_stride % 4096 == 0 && h.replica_stride >= h.weights.bytes &&
      h.replicas.bytes == h.replica_count * h.replica_stride && h.replicas.offset % 4096 == 0 &&
      (csr ? h.row_ptr.bytes == (h.rows + 1) * sizeof(std::uint64_t) &&
                 h.col_idx.bytes == h.nnz * sizeof(std::uint32_t) &&
                 h.values.bytes == h.nnz * sizeof(float)
           : h.values.bytes == h.rows * h.dims * sizeof(float));
  if (!sizes_ok) throw usage_error("segment header section sizes do not match its shape");
}

void segment_view::validate_data() const {
  const header& h = hdr();
  if (h.data_layout == kernel::layout::csr && (row_ptr()[0] != 0 || row_ptr()[h.rows] != h.nnz))
    throw usage_error("segment CSR row pointers are inconsistent");
}

void segment_view::validate_perm(std::uint64_t begin, std::uint64_t end) const {
  const header& h = hdr();
  if (begin > end || end > h.rows) throw usage_error("segment permutation range is out of bounds");
  const std::uint32_t* p = perm();
  std::uint32_t bad = 0;  // branch-free scan: any entry >= rows sets it
  for (std::uint64_t i = begin; i < end; ++i) bad |= static_cast<std::uint32_t>(p[i] >= h.rows);
  if (bad) throw usage_error(fmt::format("segment permutation has an entry >= {} rows in [{}, {})", h.rows, begin, end));
}

std::size_t segment_view::read_only_end() const {
  const header& h = hdr();
  std::uint64_t end = 0;
  for (const section* s : {&h.row_ptr, &h.col_idx, &h.values, &h.labels, &h.inv_du})
    end = std::max(end, s->offset + s->bytes);
  return static_cast<std::size_t>(end);
}

segment_view segment_view::with_read_only_copy(const std::byte* copy) const {
  segment_view v = *this;
  v.read_only_base_ = const_cast<std::byte*>(copy);
  return v;
}

std::vector<double> weights_to_double(const segment_view& v) {
  return dispatch_precision(v.weight_precision(), [&](auto t) {
    const auto* w = v.weights_as<decltype(t)>();
    return std::vector<double>(w, w + v.weight_count());
  });
}

void set_weights(const segment_view& v, const double* w) {
  dispatch_precision(v.weight_precision(), [&](auto t) {
    using T = decltype(t);
    T* out = v.weights_as<T>();
    for (std::size_t j = 0; j < v.weight_count(); ++j) out[j] = static_cast<T>(w[j]);
  });
}

bool stream_rows_for(const header& h, std::size_t cache_bytes) {
  return kernel::streams_rows(h.row_ptr.bytes + h.col_idx.bytes + h.values.bytes, h.rows, h.outputs, h.batch_size,
                              cache_bytes);
}

// Rows are prefetched with the non-temporal hint when the header says so (shared/data_view.hpp,
// prefetch_row).
kernel::csr_view segment_view::csr() const {
  const auto& h = hdr();
  return {row_ptr(), col_idx(), values(), h.rows, h.dims, h.stream_rows != 0};
}
kernel::dense_view segment_view::dense() const {
  const auto& h = hdr();
  return {values(), h.rows, h.dims, h.stream_rows != 0};
}

std::string unique_name(const char* kind) {
  std::random_device rd;
  const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return fmt::format("{}-{}-{:016x}", kind, ::getpid(), r);
}

struct owned_segment::impl {
  bip::shared_memory_object shm;
  bip::mapped_region region;
};

owned_segment::owned_segment(std::string name, const segment_spec& spec)
    : name_(std::move(name)), owner_pid_(::getpid()) {
  header h{};
  const std::uint64_t total = plan(spec, h);
  h.magic = segment_magic;
  h.version = segment_version;
  h.header_bytes = sizeof(header);
  h.total_bytes = total;
  h.rows = spec.rows;
  h.dims = spec.dims;
  h.nnz = spec.nnz;
  h.outputs = spec.outputs;
  h.data_layout = spec.data_layout;
  h.model = spec.model;
  h.workers = spec.workers;
  h.batch_size = spec.batch_size;
  h.weight_precision = spec.weight_precision;
  h.lambda = spec.lambda;
  h.creator_pid = static_cast<std::uint64_t>(::getpid());
  // Read here, once per run: the cache size costs ~0.2 ms of sysfs reads, which a worker started
  // every epoch (spawn) would otherwise pay each time.
  h.stream_rows = stream_rows_for(h, kernel::last_level_cache_bytes()) ? 1 : 0;
  try {
    bip::permissions perm;
    perm.set_permissions(0600);
    impl_ = std::make_unique<impl>();
    impl_->shm = bip::shared_memory_object(bip::create_only, name_.c_str(), bip::read_write, perm);
  } catch (const bip::interprocess_exception& e) {
    impl_.reset();
    throw runtime_failure(fmt::format("cannot create shared-memory segment /dev/shm/{}: {}", name_, e.what()));
  }
  try {
    impl_->shm.truncate(static_cast<bip::offset_t>(total));
    // Reserve every page now: a tmpfs file is sparse, so without this a /dev/shm too small for
    // the run (a container's 64 MB) would only show when a page is first written — SIGBUS in
    // the middle of filling or training, the segment left behind.
    const int err = ::posix_fallocate(impl_->shm.get_mapping_handle().handle, 0, static_cast<off_t>(total));
    if (err != 0) {
      struct statvfs fs {};
      const std::string room = ::statvfs("/dev/shm", &fs) == 0
                                   ? fmt::format("; /dev/shm has {:.1f} MB free of {:.1f} MB",
                                                 static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize) / 1e6,
                                                 static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize) / 1e6)
                                   : std::string();
      bip::shared_memory_object::remove(name_.c_str());
      impl_.reset();
      throw runtime_failure(fmt::format(
          "cannot reserve {:.1f} MB for the shared-memory segment /dev/shm/{}: {}{} (enlarge /dev/shm, e.g. "
          "docker run --shm-size, or use less data)", static_cast<double>(total) / 1e6, name_, std::strerror(err), room));
    }
    impl_->region = bip::mapped_region(impl_->shm, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    bip::shared_memory_object::remove(name_.c_str());
    throw runtime_failure(fmt::format("cannot size or map shared-memory segment /dev/shm/{} ({} bytes): {}",
                                      name_, total, e.what()));
  }
  bytes_ = total;
  std::memcpy(impl_->region.get_address(), &h, sizeof h);
  try {
    view_ = segment_view(impl_->region.get_address(), impl_->region.get_size());
  } catch (...) {
    bip::shared_memory_object::remove(name_.c_str());
    throw;
  }
}

owned_segment::~owned_segment() {
  if (impl_ && ::getpid() == owner_pid_) bip::shared_memory_object::remove(name_.c_str());
}

struct attached_segment::impl {
  bip::shared_memory_object shm;
  bip::mapped_region region;
};

attached_segment::attached_segment(const std::string& name, bool populate) {
  impl_ = std::make_unique<impl>();
  try {
    impl_->shm = bip::shared_memory_object(bip::open_only, name.c_str(), bip::read_write);
    bip::offset_t size = 0;
    if (!impl_->shm.get_size(size) || size < static_cast<bip::offset_t>(sizeof(header)))
      throw usage_error(fmt::format("shared-memory segment {} is too small to be a hogwild segment", name));
    impl_->region = bip::mapped_region(impl_->shm, bip::read_write, 0, 0, nullptr,
                                       populate ? MAP_POPULATE : bip::default_map_options);
  } catch (const bip::interprocess_exception& e) {
    throw usage_error(fmt::format("cannot open shared-memory segment {}: {}", name, e.what()));
  }
  view_ = segment_view(impl_->region.get_address(), impl_->region.get_size());
  view_.validate_data();
}

attached_segment::~attached_segment() = default;

std::size_t attached_segment::bytes() const { return impl_->region.get_size(); }

}  // namespace hogwild::shm
