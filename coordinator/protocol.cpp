#include "coordinator/protocol.hpp"

#include "shared/ipc.hpp"

namespace hogwild {

std::uint64_t protocol_sync_bytes(const config& c, std::uint64_t rows, std::uint32_t outputs) {
  switch (c.mode) {
    case run_mode::sync: return ipc::sync_area_bytes(c.workers, c.batch_size, outputs);
    case run_mode::round_robin: {
      const ipc::step_layout L{rows, c.workers, c.batch_size};
      return ipc::round_robin_area_bytes(c.workers, L.steps() * c.workers);
    }
    default: return 0;
  }
}

std::unique_ptr<epoch_protocol> make_protocol(const config& c, const shm::segment_view& v, const rank_plan* plan) {
  switch (c.mode) {
    case run_mode::sync: return make_sync_protocol(c, v, plan);
    case run_mode::round_robin: return make_round_robin_protocol(c, v);
    default: return nullptr;
  }
}

}  // namespace hogwild
