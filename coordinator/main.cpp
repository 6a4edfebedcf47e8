// hogwild-coordinator: parse, train, map every failure to the exit codes of DESIGN.md.
#include <cstdio>
#include <fmt/format.h>

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
