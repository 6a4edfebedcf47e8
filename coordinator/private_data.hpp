// --attach inherit-private: a private copy of the segment's read-only sections (data, labels,
// 1/d_u) in anonymous memory backed by transparent huge pages, made once by the coordinator and
// inherited by every forked worker.
//
// Why: fork() does not copy page-table entries of a MAP_SHARED mapping, so a per-epoch worker
// page-faults on every page of the segment it touches, each epoch — a cost that grows with the
// data (docs/overheads.md). For private anonymous memory fork() copies the entries, and with
// 2 MiB pages there are 512 times fewer of them: a worker starts with the whole dataset mapped.
// The model, permutation, stats and control stay in the shared segment (workers write them).
// Cost: the dataset is held twice (segment + copy). Huge pages are asked for with
// madvise(MADV_HUGEPAGE); where the system refuses them the copy still works, with 4 KiB pages.
#pragma once
#include <cstddef>

#include "coordinator/config.hpp"
#include "shared/segment.hpp"

namespace hogwild {

// Whether training reads the data from a private copy: always with --attach inherit-private
// (fork); with --attach auto for every runner that reads the coordinator's own mapping — serial,
// the sync collector, threads and forked workers (not spawned ones) — when the copy is at most
// auto_private_copy_limit() bytes. docs/overheads.md: it removes a per-epoch fork's page faults on
// the data and, with 2 MiB pages, most TLB misses of random row access, at the price of holding
// the data twice.
bool wants_private_copy(const config& c, const shm::segment_view& v);
// min(1 GiB, physical memory / 8).
std::size_t auto_private_copy_limit();

class private_data_copy {
 public:
  explicit private_data_copy(const shm::segment_view& shared);
  ~private_data_copy();
  private_data_copy(const private_data_copy&) = delete;
  private_data_copy& operator=(const private_data_copy&) = delete;
  // The segment with its read-only sections read from the copy.
  const shm::segment_view& view() const { return view_; }

 private:
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  shm::segment_view view_;
};

}  // namespace hogwild
