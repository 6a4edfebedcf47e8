#include "coordinator/guardian.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "coordinator/cleanup.hpp"
#include "shared/error.hpp"

namespace hogwild {

void start_shm_guardian() {
  int fds[2];
  // The write end stays open in this process and in forked workers (inherited); an exec'd worker
  // closes it (O_CLOEXEC). End of file on the read end = all of them are gone.
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2 for the /dev/shm guardian");
  const pid_t owner = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork of the /dev/shm guardian");
  if (pid == 0) {
    ::close(fds[1]);
    ::setsid();
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, nullptr);  // SIGTERM/SIGINT are for the rank, not for us
    const int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {  // let go of mpirun's output pipes
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
    }
    char byte;
    while (::read(fds[0], &byte, 1) != 0) {
      // EINTR or a stray byte: keep waiting for end of file
    }
    remove_entries_of(static_cast<int>(owner));
    ::_exit(0);
  }
  ::close(fds[0]);
  // fds[1] stays open for the life of this process, on purpose.
}

}  // namespace hogwild
