// Gives the pages of a buffer that has been read (or copied) from the front back to the system as
// the reading goes on, so that a large array copied into another place is not held twice. Used
// where the coordinator moves the training set into the segment, and by the readers that walk a
// file or a decoded buffer once (binary cache, LIBSVM text, IDX pixels); docs/performance.md,
// "Peak memory".
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace hogwild {

class page_releaser {
 public:
  // `begin`: the start of the buffer (heap memory or a private file mapping).
  explicit page_releaser(const void* begin)
      : page_(static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE))),
        released_((reinterpret_cast<std::uintptr_t>(begin) + page_ - 1) & ~(page_ - 1)) {}

  // Drops the whole pages between the last call and `end` (exclusive), in steps of at least
  // 1 MiB (MADV_DONTNEED; cheap to call often: it does nothing until a step is due). The buffer
  // keeps its address and is freed or unmapped as usual; the dropped pages must not be read
  // again (heap pages would read as zeros).
  void release_to(const void* end) {
    const std::uintptr_t e = reinterpret_cast<std::uintptr_t>(end) & ~(page_ - 1);
    if (e <= released_ || e - released_ < (std::uintptr_t{1} << 20)) return;
    ::madvise(reinterpret_cast<void*>(released_), e - released_, MADV_DONTNEED);
    released_ = e;
  }

 private:
  std::uintptr_t page_;
  std::uintptr_t released_;
};

}  // namespace hogwild
