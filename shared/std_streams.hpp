// Process start-up hygiene shared by hogwild-coordinator and hogwild-worker.
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace hogwild {

// Opens /dev/null on each of the standard descriptors 0, 1 and 2 that the parent left closed
// (`hogwild-coordinator >&-`): otherwise the next open() — the shared-memory segment, a queue, an
// output file — would become "standard output" and receive the run's printing.
inline void ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
  }
}

}  // namespace hogwild
