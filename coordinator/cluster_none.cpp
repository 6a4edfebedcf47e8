// cluster.hpp in a build without MPI: --distributed is refused (exit 2).
#include <cstdlib>

#include "coordinator/cluster.hpp"

#include "shared/error.hpp"

namespace hogwild {

struct cluster::impl {};

bool cluster::available() { return false; }

std::unique_ptr<cluster> cluster::join(int*, char***) {
  throw usage_error("--distributed: this hogwild-coordinator was built without MPI (install libopenmpi-dev and "
                    "openmpi-bin, then rebuild; see docs/distributed.md)");
}

cluster::~cluster() = default;
void cluster::abort(int code) { std::_Exit(code); }
void cluster::sum(double*, std::size_t) {}
void cluster::max(double*, std::size_t) {}
std::vector<std::uint64_t> cluster::gather_all(std::uint64_t mine) { return {mine}; }
void cluster::gather_all(const void*, std::size_t, void*, double) {}
void cluster::compose_affine(double*, std::size_t, int, double) {}

}  // namespace hogwild
