#include "shared/cache_size.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace hogwild::kernel {
namespace {

// One line of a sysfs file, "" when it cannot be read.
std::string sysfs_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

}  // namespace

namespace detail {

std::size_t parse_cache_size(const std::string& s) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return 0;  // stoull would take " 8K" and wrap "-8K"
  std::size_t pos = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(s, &pos);
  } catch (...) {
    return 0;
  }
  const std::string unit = s.substr(pos);
  if (unit.empty()) return n;
  if (unit == "K") return n << 10;
  if (unit == "M") return n << 20;
  if (unit == "G") return n << 30;
  return 0;
}

}  // namespace detail

namespace {

// The size of the highest-level unified cache; 0 when one of them cannot be read (a level
// skipped would make a lower one look like the last).
std::size_t from_sysfs() {
  std::size_t best = 0;
  int best_level = 0;
  for (int i = 0; i < 16; ++i) {  // sysfs numbers index0, index1, ... without gaps
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    const std::string type = sysfs_line(dir + "type");
    if (type.empty()) break;
    if (type != "Unified") continue;
    const int level = std::atoi(sysfs_line(dir + "level").c_str());
    const std::size_t bytes = detail::parse_cache_size(sysfs_line(dir + "size"));
    if (bytes == 0 || level <= 0) return 0;
    if (level > best_level) {
      best = bytes;
      best_level = level;
    }
  }
  return best;
}

std::size_t from_sysconf() {
  for (const int name : {_SC_LEVEL3_CACHE_SIZE, _SC_LEVEL2_CACHE_SIZE}) {
    const long v = ::sysconf(name);
    if (v > 0) return static_cast<std::size_t>(v);
  }
  return 0;
}

}  // namespace

std::size_t last_level_cache_bytes() {
  static const std::size_t bytes = [] {
    const std::size_t s = from_sysfs();
    return s > 0 ? s : from_sysconf();
  }();
  return bytes;
}

}  // namespace hogwild::kernel
