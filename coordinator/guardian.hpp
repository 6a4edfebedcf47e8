// A guardian for a process that may die without unwinding (a --distributed rank: SIGKILLed by
// mpirun after its grace period, or ended by Open MPI itself when a peer's connection breaks).
#pragma once

namespace hogwild {

// Forks a small process, in its own session (so mpirun's signals to the rank's process group do
// not reach it), that waits until this process and everything it forked have exited, then removes
// the /dev/shm entries named hogwild-<this pid>-... and sem.hogwild-<this pid>-..., and exits.
// After a clean exit there is nothing left to remove. Call before MPI_Init (a plain fork) and
// before any worker exists. Throws runtime_failure when pipe() or fork() fails.
void start_shm_guardian();

}  // namespace hogwild
