// Command line → config. Validation is separate from execution: parse_cli() throws usage_error
// naming the flag and the accepted values; main() turns that into exit code 2.
#pragma once
#include <string>

#include "coordinator/config.hpp"

namespace hogwild {

// Returns false when --help was printed (exit 0).
bool parse_cli(int argc, char** argv, config& out);

}  // namespace hogwild
