// The one POSIX shared-memory segment of a run: a versioned header, then the training data
// (dense rows or CSR), labels, 1/d_u, the model, the epoch's permutation, one stats slot per
// worker, a sync area and a control area (command slots for workers kept for the whole run). Sections are addressed by offsets from the header, never pointers,
// because every process maps the segment at its own address.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "shared/data_view.hpp"
#include "shared/models/registry.hpp"
#include "shared/precision.hpp"

namespace hogwild::shm {

inline constexpr std::uint64_t segment_magic = 0x31444c4957474f48ULL;  // "HOGWILD1" little-endian
inline constexpr std::uint32_t segment_version = 7;  // 2: control section, 128-byte stats; 3: model replicas;
                                                     // 4: worker_stats.process_cpu_seconds;
                                                     // 5: header.weight_precision (float32 weights);
                                                     // 6: worker_stats.heartbeat_ns (async watchdog);
                                                     // 7: header.stream_rows (was reserved)

struct section {
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
};

// Written by a worker when it finishes its range; read by the coordinator after the join.
// Timestamps are CLOCK_MONOTONIC (one clock for all processes); the rusage deltas are the
// worker thread's own (RUSAGE_THREAD) from entry to the end of its range. CPU times come from
// clock_gettime(CLOCK_*_CPUTIME_ID), which counts the running slice up to the call; getrusage's
// times are only brought up to date when the thread is descheduled or ticked, so a task shorter
// than a tick (a run-long worker's 0.1 ms range) read ~0 with it and its time went uncounted.
struct alignas(64) worker_stats {
  std::uint64_t examples = 0;
  std::uint64_t updates = 0;
  double loss = 0.0;
  std::int64_t entered_ns = 0;   // the task reached the worker (process started / command seen)
  std::int64_t attached_ns = 0;  // the segment is mapped and checked
  std::int64_t start_ns = 0;     // compute began
  std::int64_t end_ns = 0;       // compute ended
  std::uint32_t epoch = 0;
  std::uint32_t done = 0;  // 1 once the slot is complete
  std::int64_t minor_faults = 0;
  std::int64_t major_faults = 0;
  std::int64_t voluntary_switches = 0;
  std::int64_t involuntary_switches = 0;
  double cpu_seconds = 0;          // user + sys of the worker thread during the task
  double process_cpu_seconds = 0;  // user + sys of the worker's whole process so far (waits included)
  // Workers stamp this (now_ns, relaxed atomic) when a task starts and, in the hogwild role, after
  // every chunk of examples: the coordinator's watchdog tells a hung or stopped async worker
  // process from a slow one by it.
  std::int64_t heartbeat_ns = 0;
};
static_assert(sizeof(worker_stats) == 128, "two cache lines per worker");

// Control area for workers that live for the whole run (--worker-lifetime run). The coordinator
// fills a worker's slot, then bumps `seq` (a futex word) and wakes it; the worker runs the
// command, sets `acked = seq` and bumps `done_count` (another futex word) to wake the coordinator.
enum class command_op : std::uint32_t { run = 1, stop = 2 };
struct alignas(64) command_slot {
  std::uint32_t seq = 0;
  std::uint32_t acked = 0;
  command_op op = command_op::run;
  std::uint32_t epoch = 0;
  std::uint64_t begin = 0, end = 0;
  double step = 0.0;
  std::uint32_t inject = 0;  // worker::fault
  std::uint32_t failed = 0;  // set by a thread worker whose task threw
};
struct alignas(64) control_block {
  std::uint32_t done_count = 0;
};
static_assert(sizeof(command_slot) == 64 && sizeof(control_block) == 64);
inline constexpr std::uint64_t control_bytes(std::uint64_t workers) {
  return sizeof(control_block) + workers * sizeof(command_slot);
}

struct header {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t header_bytes;
  std::uint64_t total_bytes;
  std::uint64_t rows;
  std::uint64_t dims;
  std::uint64_t nnz;
  std::uint32_t outputs;
  kernel::layout data_layout;
  models::model_kind model;
  std::uint32_t workers;  // stats slots
  std::uint32_t batch_size;
  precision weight_precision;  // the type of `weights` and `replicas`; its value is bytes per weight
  double lambda;
  std::uint64_t creator_pid;
  section row_ptr, col_idx, values, labels, inv_du, weights, perm, stats, sync, control;
  // --replicas worker: one private copy of the model per worker, each on its own pages
  // (replica_stride bytes apart); replica_count is 0 (all workers share `weights`) or `workers`.
  section replicas;
  std::uint64_t replica_stride;
  std::uint32_t replica_count;
  // 1: the kernel prefetches rows with the non-temporal hint (the data streams past the last-level
  // cache; decided once by the segment's creator, shared/cache_size.hpp), 0: into the caches.
  std::uint32_t stream_rows;
};

// Whether the kernel should prefetch the rows of a segment with header `h` non-temporally, on a
// machine whose last-level cache holds `cache_bytes` (kernel::streams_rows on the header's data
// sections, outputs and batch). The segment's creator records it in h.stream_rows.
bool stream_rows_for(const header& h, std::size_t cache_bytes);

// What a segment must hold; the coordinator fills it before creating one.
struct segment_spec {
  std::uint64_t rows = 0, dims = 0, nnz = 0;
  std::uint32_t outputs = 1;
  kernel::layout data_layout = kernel::layout::csr;
  models::model_kind model = models::model_kind::svm;
  std::uint32_t workers = 1;
  std::uint32_t batch_size = 1;
  double lambda = 0.0;
  precision weight_precision = precision::float64;
  std::uint64_t sync_bytes = 0;
  bool replicas = false;  // one model copy per worker (see header::replicas)
};

// Typed access to a mapped segment whose header has been validated.
class segment_view {
 public:
  segment_view() = default;
  // Checks magic, version, sizes and that every section lies inside [base, base + mapped_bytes).
  // Throws usage_error naming the problem (a foreign or corrupt segment).
  segment_view(void* base, std::size_t mapped_bytes);
  // Checks what the header alone cannot: the CSR row pointers' ends (the creator fills the data
  // after the header, so only attaching processes call this).
  void validate_data() const;
  // Checks that perm()[begin, end) holds only row indices < rows (a worker reads rows through them).
  // Throws usage_error. Cost: one pass over the range, far below one epoch's work on it.
  void validate_perm(std::uint64_t begin, std::uint64_t end) const;

  header& hdr() const { return *static_cast<header*>(base_); }
  // Bytes [0, read_only_end()) of the segment hold every section that training only reads: the
  // data (CSR or dense), labels and 1/d_u (and whatever lies between them).
  std::size_t read_only_end() const;
  // This view with those read-only sections read from `copy`, a copy of the segment's first
  // read_only_end() bytes (--attach inherit-private); model, permutation, stats and control
  // stay in the segment.
  segment_view with_read_only_copy(const std::byte* copy) const;
  kernel::csr_view csr() const;
  kernel::dense_view dense() const;
  float* labels() const { return read_only<float>(hdr().labels); }
  double* inv_du() const { return read_only<double>(hdr().inv_du); }
  // The model arrays hold floats or doubles (hdr().weight_precision). The typed accessors check
  // the type and throw std::logic_error on a mismatch; code that serves both precisions goes
  // through dispatch_precision(v.weight_precision(), ...) (shared/precision.hpp).
  precision weight_precision() const { return hdr().weight_precision; }
  template <class T>
  T* weights_as() const {
    check_type<T>();
    return at<T>(hdr().weights);
  }
  std::size_t weight_count() const { return hdr().dims * hdr().outputs; }
  std::uint32_t* perm() const { return at<std::uint32_t>(hdr().perm); }
  std::uint32_t replica_count() const { return hdr().replica_count; }
  template <class T>
  T* replica_as(std::uint32_t i) const {
    check_type<T>();
    return at<T>(hdr().replicas) + i * (hdr().replica_stride / sizeof(T));
  }
  // The model that worker `i` trains: its own replica, or the shared model when there are none.
  template <class T>
  T* weights_for_as(std::uint32_t i) const { return replica_count() ? replica_as<T>(i) : weights_as<T>(); }
  // The same for a float64 segment (the default precision).
  double* weights() const { return weights_as<double>(); }
  double* replica(std::uint32_t i) const { return replica_as<double>(i); }
  double* weights_for(std::uint32_t i) const { return weights_for_as<double>(i); }
  worker_stats* stats() const { return at<worker_stats>(hdr().stats); }
  std::byte* sync_area() const { return at<std::byte>(hdr().sync); }
  control_block* control() const { return at<control_block>(hdr().control); }
  command_slot* commands() const {
    return reinterpret_cast<command_slot*>(at<std::byte>(hdr().control) + sizeof(control_block));
  }
  void* base() const { return base_; }
  std::uint64_t* row_ptr() const { return read_only<std::uint64_t>(hdr().row_ptr); }
  std::uint32_t* col_idx() const { return read_only<std::uint32_t>(hdr().col_idx); }
  float* values() const { return read_only<float>(hdr().values); }

 private:
  template <class T>
  void check_type() const {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
    if (hdr().weight_precision != precision_of<T>)
      throw std::logic_error("segment model accessed with the wrong weight type");
  }
  template <class T>
  T* at(const section& s) const {
    return reinterpret_cast<T*>(static_cast<std::byte*>(base_) + s.offset);
  }
  template <class T>
  T* read_only(const section& s) const {
    return read_only_base_ ? reinterpret_cast<T*>(read_only_base_ + s.offset) : at<T>(s);
  }
  void* base_ = nullptr;
  std::byte* read_only_base_ = nullptr;  // set by with_read_only_copy
};

// A fresh, unguessable name: "hogwild-<pid>-<64 random bits in hex>".
std::string unique_name(const char* kind = "hogwild");

// Owner side: creates the segment exclusively with mode 0600 and removes it when destroyed
// (only in the process that created it: a forked child that unwinds never removes it).
class owned_segment {
 public:
  owned_segment(std::string name, const segment_spec& spec);
  ~owned_segment();
  owned_segment(const owned_segment&) = delete;
  owned_segment& operator=(const owned_segment&) = delete;
  const std::string& name() const { return name_; }
  const segment_view& view() const { return view_; }
  std::size_t bytes() const { return bytes_; }

 private:
  struct impl;
  std::string name_;
  std::unique_ptr<impl> impl_;
  segment_view view_;
  std::size_t bytes_ = 0;
  pid_t owner_pid_;
};

// Worker side: opens an existing segment by name, maps it read-write and validates the header.
// `populate` pre-faults the whole mapping in one call (MAP_POPULATE) instead of page by page.
class attached_segment {
 public:
  explicit attached_segment(const std::string& name, bool populate = true);
  std::size_t bytes() const;
  ~attached_segment();
  attached_segment(const attached_segment&) = delete;
  attached_segment& operator=(const attached_segment&) = delete;
  const segment_view& view() const { return view_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  segment_view view_;
};

// The shared model as doubles (exact for float32 weights), and the reverse: sets the shared model
// from doubles (rounded to float for a float32 segment; exact for values that came from one).
std::vector<double> weights_to_double(const segment_view& v);
void set_weights(const segment_view& v, const double* w);

// Total bytes a segment for `spec` needs (header + aligned sections).
std::size_t segment_bytes(const segment_spec& spec);

}  // namespace hogwild::shm
