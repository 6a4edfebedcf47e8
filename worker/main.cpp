// hogwild-worker: the worker as its own executable, for the spawn executor and for running by hand.
//   hogwild-worker --segment NAME --worker W --begin B --end E --epoch N --step S [--fault kill|exit|hang]
//        [--role hogwild|sync|round-robin] [--ipc QUEUE-BASE] [--timeout-ms T]
#include <cstdio>
#include <string>
#include <vector>

#include "shared/error.hpp"
#include "worker/worker.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::puts("usage: hogwild-worker --segment NAME --worker W --begin B --end E --epoch N --step S "
              "[--fault kill|exit|hang]\n"
              "Runs SGD on permutation range [B, E) of a segment created by hogwild-coordinator.");
    return 0;
  }
  try {
    return hogwild::worker::worker_main(hogwild::worker::parse_worker_args(args));
  } catch (const hogwild::usage_error& e) {
    std::fprintf(stderr, "hogwild-worker: %s\n", e.what());
    return hogwild::exit_usage;
  }
}
