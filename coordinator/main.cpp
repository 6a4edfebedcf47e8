// hogwild-coordinator: parse, train, map every failure to the exit codes of DESIGN.md.
#include <cstdio>
#include <fmt/format.h>

#include "coordinator/cleanup.hpp"
#include "coordinator/cli.hpp"
#include "coordinator/signals.hpp"
#include "coordinator/trainer.hpp"
#include "shared/error.hpp"

int main(int argc, char** argv) {
  using namespace hogwild;
  signals::block();
  try {
    config c;
    if (!parse_cli(argc, argv, c)) return exit_ok;
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
      fmt::print(stderr, "hogwild-coordinator: removed {} orphaned /dev/shm entr{} of dead runs: {}\n", removed.size(),
                 removed.size() == 1 ? "y" : "ies", names);
    }
    train(c, stdout);
    return exit_ok;
  } catch (const usage_error& e) {
    fmt::print(stderr, "hogwild-coordinator: error: {}\n", e.what());
    return exit_usage;
  } catch (const interrupted& e) {
    fmt::print(stderr, "hogwild-coordinator: {}; workers stopped, shared memory removed\n", e.what());
    return exit_interrupted;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hogwild-coordinator: error: {}\n", e.what());
    return exit_runtime;
  }
}
