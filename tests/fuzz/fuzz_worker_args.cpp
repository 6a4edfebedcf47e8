// libFuzzer target: the hogwild-worker command line (what the spawn executor passes, or a user
// types). Input = arguments separated by NUL bytes. parse_worker_args must accept or throw
// usage_error; what it accepts must survive format_worker_args -> parse_worker_args unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "shared/error.hpp"
#include "worker/worker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) args.emplace_back();
    else args.back().push_back(static_cast<char>(data[i]));
  }
  using namespace hogwild::worker;
  try {
    const worker_args a = parse_worker_args(args);
    const worker_args b = parse_worker_args(format_worker_args(a));
    const bool same_step = a.step == b.step || (a.step != a.step && b.step != b.step);  // NaN stays NaN
    if (a.segment != b.segment || a.worker != b.worker || a.begin != b.begin || a.end != b.end ||
        a.epoch != b.epoch || !same_step || a.inject != b.inject || a.mode != b.mode || a.ipc != b.ipc ||
        a.timeout_ms != b.timeout_ms)
      std::abort();
  } catch (const hogwild::usage_error&) {
  }
  return 0;
}
