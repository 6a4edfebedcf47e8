#include "coordinator/private_data.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild {
namespace {
constexpr std::size_t huge_page = std::size_t{2} << 20;
}

private_data_copy::private_data_copy(const shm::segment_view& shared) : bytes_(shared.read_only_end()) {
  // One huge page of slack to place the copy on a 2 MiB boundary (THP needs aligned extents).
  const std::size_t rounded = (bytes_ + huge_page - 1) / huge_page * huge_page;
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
  std::memcpy(copy, shared.base(), bytes_);
  ::mprotect(copy, rounded, PROT_READ);  // nobody writes the copy; a stray write faults loudly
  view_ = shared.with_read_only_copy(copy);
}

private_data_copy::~private_data_copy() {
  if (map_) ::munmap(map_, map_bytes_);
}

}  // namespace hogwild
