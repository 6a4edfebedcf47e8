// cluster.hpp with Open MPI (or any MPI-3 library). See docs/distributed.md.
#include <mpi.h>
#include <sched.h>

#include <chrono>
#include <cstdlib>
#include <fmt/format.h>

#include "coordinator/cluster.hpp"
#include "coordinator/signals.hpp"
#include "shared/error.hpp"

namespace hogwild {

struct cluster::impl {
  MPI_Op compose = MPI_OP_NULL;
};

namespace {

std::string mpi_error(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) return fmt::format("MPI error {}", code);
  return std::string(text, static_cast<std::size_t>(len));
}

// inout = in ∘ inout for each record: `in` holds the maps of lower ranks (applied first).
// (A1, B1) then (A2, B2):  A2·(A1·w − B1) − B2 = (A2·A1)·w − (A2·B1 + B2).
void compose_records(void* in_v, void* inout_v, int* len, MPI_Datatype* type) {
  int bytes = 0;
  MPI_Type_size(*type, &bytes);
  const std::size_t width = static_cast<std::size_t>(bytes) / sizeof(double);  // 1 + outputs
  const auto* in = static_cast<const double*>(in_v);
  auto* io = static_cast<double*>(inout_v);
  for (int k = 0; k < *len; ++k, in += width, io += width) {
    const double a2 = io[0];
    io[0] = a2 * in[0];
    for (std::size_t c = 1; c < width; ++c) io[c] = a2 * in[c] + io[c];
  }
}

using clock_type = std::chrono::steady_clock;

}  // namespace

bool cluster::available() { return true; }

std::unique_ptr<cluster> cluster::join(int* argc, char*** argv) {
  // The fork executor forks after MPI_Init; its children never call MPI, which Open MPI's
  // transports here (tcp, vader) allow, so its once-per-job warning is noise (docs/distributed.md).
  ::setenv("OMPI_MCA_mpi_warn_on_fork", "0", 0);
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw runtime_failure("--distributed: MPI_Init failed");
  std::unique_ptr<cluster> c(new cluster);
  c->impl_ = std::make_unique<impl>();
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &c->rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &c->size_);
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  MPI_Get_processor_name(name, &len);
  c->host_.assign(name, static_cast<std::size_t>(len));
  MPI_Comm local = MPI_COMM_NULL;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, c->rank_, MPI_INFO_NULL, &local) == MPI_SUCCESS &&
      local != MPI_COMM_NULL) {
    MPI_Comm_size(local, &c->local_size_);
    MPI_Comm_free(&local);
  }
  MPI_Op_create(&compose_records, /*commute=*/0, &c->impl_->compose);
  return c;
}

cluster::~cluster() {
  if (impl_ && impl_->compose != MPI_OP_NULL) MPI_Op_free(&impl_->compose);
  MPI_Finalize();
}

void cluster::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

namespace {

// Polls a nonblocking collective to completion; a stop signal or the timeout ends the wait.
void wait_for(MPI_Request& request, const char* what, double timeout) {
  const auto t0 = clock_type::now();
  for (unsigned spins = 1;; ++spins) {
    int done = 0;
    const int rc = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) throw runtime_failure(fmt::format("{} failed: {}", what, mpi_error(rc)));
    if (done) return;
    if (spins % 64 == 0) {
      if (signals::stop_requested())
        throw interrupted(fmt::format("interrupted by signal {} during {}", signals::stop_signal(), what));
      if (timeout > 0 && std::chrono::duration<double>(clock_type::now() - t0).count() > timeout)
        throw runtime_failure(fmt::format("{} got no answer from the other ranks within {:g} s "
                                          "(--step-timeout)", what, timeout));
      ::sched_yield();
    }
  }
}

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw runtime_failure(fmt::format("{} failed: {}", what, mpi_error(rc)));
}

// Starts a nonblocking collective (`start` fills the request and returns MPI's code), polls it
// to completion and returns the seconds it took.
template <class Start>
double collective(const char* what, double timeout, Start start) {
  const auto t0 = clock_type::now();
  MPI_Request r;
  check(start(r), what);
  wait_for(r, what, timeout);
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

}  // namespace

void cluster::counted(double seconds, std::uint64_t bytes) {
  comm_seconds_ += seconds;
  ++comm_calls_;
  comm_bytes_ += bytes;
}

void cluster::sum(double* x, std::size_t n) {
  counted(collective("MPI_Iallreduce (sum)", 0,
                     [&](MPI_Request& r) {
                       return MPI_Iallreduce(MPI_IN_PLACE, x, static_cast<int>(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &r);
                     }),
          n * sizeof(double));
}

void cluster::max(double* x, std::size_t n) {
  counted(collective("MPI_Iallreduce (max)", 0,
                     [&](MPI_Request& r) {
                       return MPI_Iallreduce(MPI_IN_PLACE, x, static_cast<int>(n), MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD, &r);
                     }),
          n * sizeof(double));
}

std::vector<std::uint64_t> cluster::gather_all(std::uint64_t mine) {
  std::vector<std::uint64_t> all(static_cast<std::size_t>(size_));
  counted(collective("MPI_Iallgather", 0,
                     [&](MPI_Request& r) {
                       return MPI_Iallgather(&mine, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD, &r);
                     }),
          sizeof mine);
  return all;
}

void cluster::gather_all(const void* mine, std::size_t bytes, void* all, double timeout) {
  counted(collective("MPI_Iallgather (sync step)", timeout,
                     [&](MPI_Request& r) {
                       return MPI_Iallgather(mine, static_cast<int>(bytes), MPI_BYTE, all, static_cast<int>(bytes),
                                             MPI_BYTE, MPI_COMM_WORLD, &r);
                     }),
          bytes);
}

void cluster::compose_affine(double* maps, std::size_t coords, int outputs, double timeout) {
  MPI_Datatype record;
  check(MPI_Type_contiguous(1 + outputs, MPI_DOUBLE, &record), "MPI_Type_contiguous");
  MPI_Type_commit(&record);
  double seconds = 0;
  try {
    seconds = collective("MPI_Iallreduce (sync step)", timeout, [&](MPI_Request& r) {
      return MPI_Iallreduce(MPI_IN_PLACE, maps, static_cast<int>(coords), record, impl_->compose, MPI_COMM_WORLD, &r);
    });
  } catch (...) {
    MPI_Type_free(&record);
    throw;
  }
  MPI_Type_free(&record);
  counted(seconds, coords * (1 + static_cast<std::size_t>(outputs)) * sizeof(double));
}

}  // namespace hogwild
