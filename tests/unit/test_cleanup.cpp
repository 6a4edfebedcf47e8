#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "coordinator/cleanup.hpp"

using namespace hogwild;
namespace fs = std::filesystem;

namespace {

int dead_pid() {
  const pid_t p = ::fork();
  if (p == 0) ::_exit(0);
  ::waitpid(p, nullptr, 0);
  return p;
}

void touch(const fs::path& p) { std::ofstream(p) << "x"; }

}  // namespace

TEST_CASE("orphan clean-up removes only dead creators' entries of this user") {
  const fs::path dir = fs::temp_directory_path() / ("hw-cleanup-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const int dead = dead_pid();
  const std::string d = std::to_string(dead), live = std::to_string(::getpid());
  const std::string hex = "0123456789abcdef";
  const std::vector<std::string> orphans = {"hogwild-" + d + "-" + hex, "hogwild-" + d + "-" + hex + "-q0",
                                            "sem.hogwild-" + d + "-" + hex + "-turn"};
  const std::vector<std::string> keep = {"hogwild-" + live + "-" + hex,  // creator alive
                                         "hogwild-" + d + "-xyz",        // not our naming
                                         "hogwild-" + d + "-" + hex.substr(0, 15),
                                         "other-" + d + "-" + hex, "hogwild--" + hex};
  for (const auto& n : orphans) touch(dir / n);
  for (const auto& n : keep) touch(dir / n);
  const std::string foreign = "hogwild-" + d + "-fedcba9876543210";
  touch(dir / foreign);
  if (::geteuid() == 0) fs::permissions(dir / foreign, fs::perms::owner_read), (void)::chown((dir / foreign).c_str(), 65534, 65534);

  const auto found = find_orphans(dir.string());
  CHECK(found.size() == orphans.size());
  const auto removed = remove_orphans(dir.string());
  CHECK(removed.size() == orphans.size());
  for (const auto& n : orphans) CHECK_FALSE(fs::exists(dir / n));
  for (const auto& n : keep) CHECK(fs::exists(dir / n));
  if (::geteuid() == 0) CHECK(fs::exists(dir / foreign));  // another user's: untouched
  for (const auto& o : removed) CHECK(o.pid == dead);
  fs::remove_all(dir);
}
