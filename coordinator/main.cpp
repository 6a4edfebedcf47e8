// hogwild-coordinator: parse, train, map every failure to the exit codes of DESIGN.md.
#include <new>
#include <signal.h>

#include <cstdio>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "coordinator/cleanup.hpp"
#include "coordinator/cluster.hpp"
#include "coordinator/guardian.hpp"
#include "coordinator/cli.hpp"
#include "coordinator/signals.hpp"
#include "coordinator/trainer.hpp"
#include "datasets/interrupt.hpp"
#include "shared/error.hpp"
#include "shared/std_streams.hpp"

namespace {

// The last word of a run on stderr; never throws (stderr may be closed or a broken pipe, and an
// exception here would end the process with abort instead of the exit code).
void say(const std::string& line) noexcept {
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

// A failed rank of a --distributed run (its segment already removed by unwinding): sweep what a
// SIGKILLed rank on this machine left behind (its pid is gone by now), then end every rank.
int end_rank(hogwild::cluster* net, int code) {
  if (!net) return code;
  hogwild::remove_orphans();
  std::fflush(stdout);
  std::fflush(stderr);
  if (code == hogwild::exit_ok) return code;
  net->abort(code);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hogwild;
  ensure_standard_fds();
  // A closed pipe on stdout (`| head`) or a file-size limit (`ulimit -f`) must be errors the run
  // handles (it stops printing, or fails with a message and cleans up), not signals that kill it
  // with the segment left behind.
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGXFSZ, SIG_IGN);
  signals::block();
  // A stop signal while the data is read, generated or copied into the segment ends the run there
  // (exit 130), not at the first epoch's check (datasets/interrupt.hpp).
  data::set_interrupt_check([] {
    if (signals::stop_requested())
      throw interrupted(fmt::format("interrupted by signal {} while preparing the data", signals::stop_signal()), false);
  });
  std::unique_ptr<cluster> net;
  std::string who;  // "rank R: " in a distributed run
  try {
    config c;
    if (!parse_cli(argc, argv, c)) return exit_ok;
    if (c.distributed) {
      if (cluster::available()) start_shm_guardian();
      net = cluster::join(&argc, &argv);
      who = fmt::format("rank {} of {} ({}): ", net->rank(), net->size(), net->host());
    }
    // Leftovers of this user's runs that were killed outright (never a live run's, never another user's).
    const auto removed = remove_orphans();
    if (c.cleanup_only) {
      for (const auto& o : removed) fmt::print("removed /dev/shm/{} (creator pid {} is gone)\n", o.name, o.pid);
      fmt::print("hogwild-coordinator --cleanup: removed {} orphaned entr{}\n", removed.size(),
                 removed.size() == 1 ? "y" : "ies");
      return exit_ok;
    }
    if (!removed.empty()) {
      std::string names;
      for (const auto& o : removed) names += (names.empty() ? "" : ", ") + o.name;
      say(fmt::format("hogwild-coordinator: removed {} orphaned /dev/shm entr{} of dead runs: {}\n", removed.size(),
                      removed.size() == 1 ? "y" : "ies", names));
    }
    train(c, stdout, net.get());
    return exit_ok;  // ~cluster: MPI_Finalize
  } catch (const usage_error& e) {
    say(fmt::format("hogwild-coordinator: {}error: {}\n", who, e.what()));
    return end_rank(net.get(), exit_usage);
  } catch (const interrupted& e) {
    say(fmt::format("hogwild-coordinator: {}{}; {}shared memory removed\n", who, e.what(),
                    e.workers_started ? "workers stopped, " : "no worker started, "));
    return end_rank(net.get(), exit_interrupted);
  } catch (const std::bad_alloc&) {
    // Checked up front where the size is known (check_data_memory, check_model_memory); this is
    // what else asked for more than the machine has (a file's rows standardised to dense, ...).
    say(fmt::format("hogwild-coordinator: {}error: out of memory (an allocation failed): the data or the model does "
                    "not fit in this machine's memory; use fewer rows or columns, or --scale other than standardize "
                    "(which makes every row dense){}\n", who, net ? "; shared memory removed, ending the job" : ""));
    return end_rank(net.get(), exit_runtime);
  } catch (const std::exception& e) {
    say(fmt::format("hogwild-coordinator: {}error: {}{}\n", who, e.what(),
                    net ? "; shared memory removed, ending the job" : ""));
    return end_rank(net.get(), exit_runtime);
  }
}
