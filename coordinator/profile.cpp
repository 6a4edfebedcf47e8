#include "coordinator/profile.hpp"

#include <algorithm>
#include <limits>

namespace hogwild {

epoch_profile profile_epoch(const shm::segment_view& v, unsigned workers, std::int64_t launch_ns,
                            std::int64_t joined_ns, const std::vector<worker_usage>& usage) {
  epoch_profile p;
  std::int64_t last_entered = launch_ns, first_start = std::numeric_limits<std::int64_t>::max(), last_end = launch_ns;
  std::int64_t attach = 0;
  for (unsigned w = 0; w < workers; ++w) {
    const shm::worker_stats& s = v.stats()[w];
    last_entered = std::max(last_entered, s.entered_ns);
    attach = std::max(attach, s.attached_ns - s.entered_ns);
    first_start = std::min(first_start, s.start_ns);
    last_end = std::max(last_end, s.end_ns);
    if (w < usage.size() && usage[w].has_rusage) {
      const rusage& r = usage[w].usage;
      p.minor_faults += r.ru_minflt;
      p.major_faults += r.ru_majflt;
      p.voluntary_switches += r.ru_nvcsw;
      p.involuntary_switches += r.ru_nivcsw;
    } else {
      p.minor_faults += s.minor_faults;
      p.major_faults += s.major_faults;
      p.voluntary_switches += s.voluntary_switches;
      p.involuntary_switches += s.involuntary_switches;
    }
  }
  if (workers == 0) first_start = launch_ns;
  p.launch_seconds = static_cast<double>(last_entered - launch_ns) * 1e-9;
  p.attach_seconds = static_cast<double>(attach) * 1e-9;
  p.compute_seconds = static_cast<double>(last_end - first_start) * 1e-9;
  p.join_seconds = static_cast<double>(joined_ns - last_end) * 1e-9;
  return p;
}

}  // namespace hogwild
