#include "coordinator/cleanup.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace hogwild {
namespace {

// Parses "hogwild-<pid>-<16 hex>..." (optionally behind "sem."); returns the pid or 0.
int creator_pid(std::string_view name) {
  if (name.starts_with("sem.")) name.remove_prefix(4);
  if (!name.starts_with("hogwild-")) return 0;
  name.remove_prefix(8);
  long pid = 0;
  std::size_t i = 0;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])) && i < 10)
    pid = pid * 10 + (name[i++] - '0');
  if (i == 0 || i >= name.size() || name[i] != '-' || pid <= 0 || pid > 0x3fffffff) return 0;
  name.remove_prefix(i + 1);
  if (name.size() < 16) return 0;
  for (std::size_t k = 0; k < 16; ++k)
    if (!std::isxdigit(static_cast<unsigned char>(name[k]))) return 0;
  if (name.size() > 16 && name[16] != '-') return 0;
  return static_cast<int>(pid);
}

bool process_gone(int pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

std::vector<orphan> find_orphans(const std::string& dir) {
  std::vector<orphan> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const int pid = creator_pid(name);
    if (pid == 0) continue;
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) continue;
    if (process_gone(pid)) out.push_back({name, pid});
  }
  return out;
}

std::vector<orphan> remove_orphans(const std::string& dir) {
  std::vector<orphan> removed;
  for (auto& o : find_orphans(dir))
    if (::unlink((dir + "/" + o.name).c_str()) == 0) removed.push_back(o);
  return removed;
}

void remove_entries_of(int owner) noexcept {
  char prefix[32];
  const int n = std::snprintf(prefix, sizeof prefix, "hogwild-%d-", owner);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof prefix) return;
  DIR* d = ::opendir("/dev/shm");
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const char* bare = std::strncmp(e->d_name, "sem.", 4) == 0 ? e->d_name + 4 : e->d_name;
    if (std::strncmp(bare, prefix, static_cast<std::size_t>(n)) == 0) ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

}  // namespace hogwild
