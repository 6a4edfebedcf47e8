// hogwild-worker: the worker as its own executable, for the spawn executor and for running by hand.
//   hogwild-worker --segment NAME --worker W --begin B --end E --epoch N --step S [--fault kill|exit|hang]
//        [--role hogwild|sync|round-robin] [--ipc QUEUE-BASE] [--timeout-ms T]
//   hogwild-worker --serve --segment NAME --worker W [--attach populate|lazy]
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "shared/error.hpp"
#include "shared/std_streams.hpp"
#include "shared/stop_signals.hpp"
#include "worker/worker.hpp"

int main(int argc, char** argv) {
  hogwild::ensure_standard_fds();
  // The coordinator blocks its stop signals and SIGCHLD, and a signal mask survives exec: a worker must
  // be stoppable, so restore the defaults whoever started it (without core files: stop_signals.hpp).
  sigset_t s;
  sigemptyset(&s);
  for (int sig : hogwild::stop_signals) sigaddset(&s, sig);
  hogwild::restore_stop_signal_defaults();
  sigaddset(&s, SIGCHLD);
  ::signal(SIGCHLD, SIG_DFL);
  ::sigprocmask(SIG_UNBLOCK, &s, nullptr);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::puts("usage: hogwild-worker --segment NAME --begin B --end E --step S [--worker W] [--epoch N] "
              "[--fault kill|exit|hang] [--attach populate|lazy]\n"
              "       [--role hogwild|sync|round-robin] [--ipc QUEUE-BASE] [--timeout-ms T]\n"
              "       hogwild-worker --serve --segment NAME --worker W [--attach populate|lazy]\n"
              "Runs SGD on permutation range [B, E) of a segment created by hogwild-coordinator, or\n"
              "(--serve) runs the ranges the coordinator posts in the segment's command slot W until told to stop.\n"
              "--worker W (its stats slot) and --epoch N default to 0.");
    return 0;
  }
  try {
    if (!args.empty() && args[0] == "--serve") {
      const auto a = hogwild::worker::parse_serve_args({args.begin() + 1, args.end()});
      return hogwild::worker::serve_main(a.segment, a.worker,
                                         a.lazy ? hogwild::worker::attach_mode::lazy : hogwild::worker::attach_mode::populate);
    }
    auto mode = hogwild::worker::attach_mode::populate;
    bool attach_seen = false;
    for (std::size_t i = 0; i + 1 < args.size();)
      if (args[i] == "--attach") {
        if (attach_seen) throw hogwild::usage_error("--attach: given twice; expected once");
        attach_seen = true;
        if (args[i + 1] != "lazy" && args[i + 1] != "populate")
          throw hogwild::usage_error("--attach: expected populate or lazy, got '" + args[i + 1] + "'");
        if (args[i + 1] == "lazy") mode = hogwild::worker::attach_mode::lazy;
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      } else {
        i += 2;
      }
    return hogwild::worker::worker_main(hogwild::worker::parse_worker_args(args), mode);
  } catch (const hogwild::usage_error& e) {
    std::fprintf(stderr, "hogwild-worker: %s\n", e.what());
    return hogwild::exit_usage;
  }
}
