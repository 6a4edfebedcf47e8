// Reading or generating a large data set takes seconds; a Ctrl-C meanwhile must not wait for the
// first epoch. The loops here call poll_interrupt() every few thousand rows; the coordinator installs
// the check (a pending stop signal throws `interrupted`, shared/error.hpp). The data library itself
// knows nothing of signals: with no check installed (tests, tools) polling does nothing.
#pragma once

namespace hogwild::data {

using interrupt_check = void (*)();

// Installs `check` (nullptr: none); returns the one it replaces.
interrupt_check set_interrupt_check(interrupt_check check);
// Calls the installed check, which may throw.
void poll_interrupt();

// Rows between two polls in the row loops.
inline constexpr unsigned long poll_every_rows = 4096;

}  // namespace hogwild::data
