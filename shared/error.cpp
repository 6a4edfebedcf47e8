#include "shared/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace hogwild {

void throw_errno(const std::string& what) {
  throw runtime_failure(fmt::format("{}: {}", what, std::strerror(errno)));
}

}  // namespace hogwild
