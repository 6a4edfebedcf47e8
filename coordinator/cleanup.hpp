// Finds what runs that were killed outright (SIGKILL, power loss) left in /dev/shm — segments,
// message queues, named semaphores whose name carries the creator's pid — and removes those whose
// creator is gone. It never touches an entry whose creator is alive, nor another user's.
#pragma once
#include <string>
#include <vector>

namespace hogwild {

struct orphan {
  std::string name;  // as in /dev/shm
  int pid = 0;       // the creator named in it
};

// Entries of `dir` (default /dev/shm) named hogwild-<pid>-<16 hex>[...] or sem.hogwild-<pid>-...,
// owned by this user, whose pid no longer exists.
std::vector<orphan> find_orphans(const std::string& dir = "/dev/shm");

// Removes them; returns what was removed (entries that vanished meanwhile are skipped).
std::vector<orphan> remove_orphans(const std::string& dir = "/dev/shm");

// Removes every /dev/shm entry named hogwild-<owner>-... or sem.hogwild-<owner>-..., whether
// `owner` is alive or not: for a process cleaning up after itself (or its guardian after it)
// without unwinding. No allocation beyond the name prefix; errors are ignored.
void remove_entries_of(int owner) noexcept;

}  // namespace hogwild
