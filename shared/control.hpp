// Futex-based hand-off between the coordinator and workers kept for the whole run. The futex
// words live in the shared segment, so the same code serves forked, spawned and thread workers;
// every wait is timed so that a dead peer is noticed instead of waited on forever.
#pragma once
#include <chrono>
#include <cstdint>

#include "shared/segment.hpp"

namespace hogwild::control {

std::uint32_t load(const std::uint32_t& word);          // acquire
void store(std::uint32_t& word, std::uint32_t value);   // release
std::uint32_t add(std::uint32_t& word, std::uint32_t d); // acq_rel, returns the new value

// Sleeps while `word == expected`, at most `timeout`; returns at once if it already differs.
void wait(const std::uint32_t& word, std::uint32_t expected, std::chrono::microseconds timeout);
void wake_all(std::uint32_t& word);

// Coordinator: hands worker `w` a command (fields already filled except seq) and wakes it.
void post(const shm::segment_view& v, std::uint32_t w, const shm::command_slot& cmd);

// Worker: waits for a command newer than `seen`; returns false on timeout.
bool next_command(const shm::segment_view& v, std::uint32_t w, std::uint32_t seen,
                  std::chrono::microseconds timeout, shm::command_slot& out);
// Worker: marks command `seq` done and wakes the coordinator.
void complete(const shm::segment_view& v, std::uint32_t w, std::uint32_t seq, bool failed);

}  // namespace hogwild::control
