// One rank of a --distributed run (docs/distributed.md): the only place that talks MPI. Each
// rank is one machine's coordinator with its own segment and workers; ranks exchange nothing but
// what these calls carry. Built from cluster_mpi.cpp when CMake finds MPI (HOGWILD_HAVE_MPI),
// from cluster_none.cpp otherwise, where join() refuses with "built without MPI".
//
// Every collective waits with a poll loop (MPI_Test), not a blocking call, so that a SIGTERM from
// mpirun (sent to the surviving ranks when one dies) is noticed within a millisecond and the rank
// unwinds and removes its segment like any interrupted run; MPI errors are returned, not fatal,
// and become runtime_failure.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hogwild {

class cluster {
 public:
  // Whether this build has MPI at all.
  static bool available();
  // MPI_Init (threads: funneled). Throws usage_error when built without MPI.
  static std::unique_ptr<cluster> join(int* argc, char*** argv);
  ~cluster();  // MPI_Finalize
  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  const std::string& host() const { return host_; }
  // Ranks on this rank's machine (shared-memory reach, MPI_COMM_TYPE_SHARED), itself included.
  int local_size() const { return local_size_; }

  // In place, every rank gets the same result.
  void sum(double* x, std::size_t n);
  void max(double* x, std::size_t n);
  std::vector<std::uint64_t> gather_all(std::uint64_t mine);
  // Every rank's `bytes` bytes, in rank order, into `all` (size() × bytes). `timeout` as below.
  void gather_all(const void* mine, std::size_t bytes, void* all, double timeout);
  // Per-coordinate affine maps w -> A·w - B, laid out as `coords` records of (A, B[0..outputs)),
  // composed in rank order (rank 0's map is applied first): on return every rank holds the
  // composition. A non-commutative user operation in MPI_Allreduce. `timeout` seconds (0 = none).
  void compose_affine(double* maps, std::size_t coords, int outputs, double timeout);
  // Seconds spent inside collectives so far, and bytes this rank handed to them.
  double comm_seconds() const { return comm_seconds_; }
  std::uint64_t comm_bytes() const { return comm_bytes_; }
  std::uint64_t comm_calls() const { return comm_calls_; }
  // Ends every rank of the job with `code` (MPI_Abort). Call after this rank cleaned up.
  [[noreturn]] void abort(int code);

 private:
  cluster() = default;
  void counted(double seconds, std::uint64_t bytes);  // one collective's time and bytes
  struct impl;
  std::unique_ptr<impl> impl_;
  int rank_ = 0, size_ = 1, local_size_ = 1;
  std::string host_;
  double comm_seconds_ = 0;
  std::uint64_t comm_bytes_ = 0;
  std::uint64_t comm_calls_ = 0;
};

}  // namespace hogwild
