#include "coordinator/private_data.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>

#include "datasets/interrupt.hpp"
#include "shared/error.hpp"

namespace hogwild {
namespace {
constexpr std::size_t huge_page = std::size_t{2} << 20;
}

std::size_t auto_private_copy_limit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  const std::size_t physical = pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) : 0;
  return std::min(std::size_t{1} << 30, physical / 8);
}

bool wants_private_copy(const config& c, const shm::segment_view& v) {
  if (c.attach == attach_choice::inherit_private) return true;
  if (c.attach != attach_choice::automatic) return false;
  const bool own_mapping = c.mode == run_mode::serial || c.executor != executor_kind::spawn;
  return own_mapping && v.read_only_end() <= auto_private_copy_limit();
}

private_data_copy::private_data_copy(const shm::segment_view& shared) {
  const std::size_t bytes = shared.read_only_end();
  // One huge page of slack to place the copy on a 2 MiB boundary (THP needs aligned extents).
  const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
  map_bytes_ = rounded + huge_page;
  map_ = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw runtime_failure(fmt::format("--attach inherit-private: cannot map {} bytes for the private data copy: {}",
                                      map_bytes_, std::strerror(errno)));
  }
  const auto addr = reinterpret_cast<std::uintptr_t>(map_);
  auto* copy = reinterpret_cast<std::byte*>((addr + huge_page - 1) / huge_page * huge_page);
  ::madvise(copy, rounded, MADV_HUGEPAGE);  // a request: EINVAL where THP is compiled out is fine
  // In 64 MiB pieces, each after a look for a stop signal (a copy of a large data set takes a second
  // or more); a stop unmaps what was copied.
  constexpr std::size_t piece = std::size_t{64} << 20;
  for (std::size_t at = 0; at < bytes; at += piece) {
    try {
      data::poll_interrupt();
    } catch (...) {
      ::munmap(map_, map_bytes_);
      map_ = nullptr;
      throw;
    }
    std::memcpy(copy + at, static_cast<const std::byte*>(shared.base()) + at, std::min(piece, bytes - at));
  }
  ::mprotect(copy, rounded, PROT_READ);  // nobody writes the copy; a stray write faults loudly
  view_ = shared.with_read_only_copy(copy);
}

private_data_copy::~private_data_copy() {
  if (map_) ::munmap(map_, map_bytes_);
}

}  // namespace hogwild
