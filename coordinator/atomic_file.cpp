#include "coordinator/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <utility>
#include <vector>

#include "coordinator/signals.hpp"
#include "shared/error.hpp"

namespace hogwild {
namespace {

// An existing target that is neither a regular file nor a directory: a device (/dev/null,
// /dev/stdout's terminal), a FIFO or a socket. Written in place: a rename would replace it with a
// regular file (as root, /dev/null itself).
bool is_special_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

// Written in place: a special file, or a name for an open descriptor (/dev/stdout with standard
// output redirected to a file is a regular file, and a rename would replace the log).
bool writes_in_place(const std::string& path) { return fd_alias(path) >= 0 || is_special_file(path); }

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Makes a rename durable; failures here are not reported (the data itself is already synced).
void sync_directory(const std::string& path) {
  const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The atomic_outputs being written, as (temporary, target): what commit_outputs_in_flight renames.
std::mutex in_flight_mutex;
std::vector<std::pair<std::string, std::string>> in_flight;

void track(const std::string& tmp, const std::string& path) {
  const std::lock_guard lock(in_flight_mutex);
  in_flight.emplace_back(tmp, path);
}

void untrack(const std::string& tmp) noexcept {
  const std::lock_guard lock(in_flight_mutex);
  std::erase_if(in_flight, [&](const auto& e) { return e.first == tmp; });
}

}  // namespace

void commit_outputs_in_flight() noexcept {
  const std::lock_guard lock(in_flight_mutex);
  for (const auto& [tmp, path] : in_flight) {
    // As commit(): the rows (flushed after each append) made durable, then the rename.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) continue;
    try {
      sync_directory(path);
    } catch (...) {  // the rename is done; only its durability is left to the kernel
    }
  }
  in_flight.clear();
}

int fd_alias(const std::string& path) {
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"})
    if (path.starts_with(prefix)) {
      int fd = -1;
      const char* end = path.data() + path.size();
      const auto [p, ec] = std::from_chars(path.data() + std::strlen(prefix), end, fd);
      return ec == std::errc() && p == end && p != path.data() + std::strlen(prefix) ? fd : -1;
    }
  return -1;
}

std::string follow_symlinks(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p = path;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec)) || ec) return p.string();
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) return p.string();
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return path;
}

std::string temporary_name(const std::string& path) { return fmt::format("{}.{}.tmp", path, ::getpid()); }

void check_writable(const char* flag, const std::string& typed) {
  if (const int alias = fd_alias(typed); alias >= 0) {  // written to a dup of that descriptor
    const int mode = ::fcntl(alias, F_GETFL);
    if (mode < 0 || (mode & O_ACCMODE) == O_RDONLY)
      throw usage_error(fmt::format("{}: cannot write '{}': descriptor {} is not open for writing", flag, typed, alias));
    return;
  }
  if (is_special_file(typed)) {  // written in place (atomic_output): it must be writable itself
    struct stat st {};
    if (::stat(typed.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
      throw usage_error(fmt::format("{}: '{}' is a socket; expected a file name", flag, typed));
    if (::access(typed.c_str(), W_OK) != 0)
      throw usage_error(fmt::format("{}: cannot write '{}': {}", flag, typed, std::strerror(errno)));
    return;
  }
  const std::string path = follow_symlinks(typed);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw usage_error(fmt::format("{}: '{}' is a directory; expected a file name", flag, path));
  const std::string probe = fmt::format("{}/.hogwild-probe-{}", directory_of(path), ::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw usage_error(fmt::format("{}: cannot write '{}': cannot create a file in '{}': {}", flag, path,
                                  directory_of(path), std::strerror(errno)));
  ::close(fd);
  ::unlink(probe.c_str());
}

void write_file_atomically(const char* flag, const std::string& path, std::string_view bytes) {
  atomic_output out(flag, path);
  out.append(bytes);
  out.commit();
}

namespace {

// Opens an in-place target for writing: a dup of the descriptor an alias names (so a report
// redirected to a file is appended to, not rewritten from its start), or the path itself. A FIFO
// is opened without blocking: with no reader yet, the open is retried every 100 ms, and a stop
// signal (blocked in the coordinator, so it would never end a blocking open) ends the wait.
int open_in_place(const char* flag, const std::string& path) {
  if (const int alias = fd_alias(path); alias >= 0) {
    const int fd = ::fcntl(alias, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) throw runtime_failure(fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(errno)));
    return fd;
  }
  bool said = false;
  for (;;) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      return fd;
    }
    if (errno != ENXIO)  // ENXIO: a FIFO nobody reads yet
      throw runtime_failure(fmt::format("{}: cannot open '{}': {}", flag, path, std::strerror(errno)));
    if (!said) {
      std::fprintf(stderr, "hogwild-coordinator: %s: waiting for a reader of the FIFO '%s'\n", flag, path.c_str());
      said = true;
    }
    if (signals::wait(std::chrono::milliseconds(100)) == signals::event::stop)
      throw interrupted(fmt::format("interrupted by signal {} while {} waited for a reader of the FIFO '{}'",
                                    signals::stop_signal(), flag, path),
                        false);
  }
}

}  // namespace

atomic_output::atomic_output(const char* flag, std::string path) : flag_(flag) {
  if (writes_in_place(path)) {
    path_ = std::move(path);
    in_place_ = true;
    const int fd = open_in_place(flag_, path_);
    f_ = ::fdopen(fd, "w");
    if (!f_) {
      const int err = errno;
      ::close(fd);
      throw runtime_failure(fmt::format("{}: cannot open '{}': {}", flag_, path_, std::strerror(err)));
    }
    return;
  }
  path_ = follow_symlinks(path);
  tmp_ = temporary_name(path_);
  const int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw runtime_failure(fmt::format("{}: cannot create '{}': {}", flag_, tmp_, std::strerror(errno)));
  f_ = ::fdopen(fd, "w");
  if (!f_) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp_.c_str());
    throw runtime_failure(fmt::format("{}: cannot open '{}': {}", flag_, tmp_, std::strerror(err)));
  }
  try {
    track(tmp_, path_);
  } catch (...) {
    std::fclose(f_);
    ::unlink(tmp_.c_str());
    throw;
  }
}

void atomic_output::fail(const char* what, int err) {
  if (in_place_) {
    if (f_) std::fclose(f_);
    f_ = nullptr;
    throw runtime_failure(fmt::format("{}: {} '{}' failed: {}", flag_, what, path_, std::strerror(err)));
  }
  untrack(tmp_);
  if (f_) std::fclose(f_);
  f_ = nullptr;
  ::unlink(tmp_.c_str());
  throw runtime_failure(fmt::format("{}: {} '{}' failed: {}; the previous '{}' (if any) is untouched", flag_, what,
                                    tmp_, std::strerror(err), path_));
}

void atomic_output::append(std::string_view bytes) {
  if (!f_) return;
  if ((!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) || std::fflush(f_) != 0)
    fail("writing", errno);
}

void atomic_output::commit() {
  if (!f_) return;
  if (std::fflush(f_) != 0) fail("writing", errno);
  if (in_place_) {  // nothing to sync or rename on a device or a pipe
    std::FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0)
      throw runtime_failure(fmt::format("{}: closing '{}' failed: {}", flag_, path_, std::strerror(errno)));
    return;
  }
  if (::fsync(::fileno(f_)) != 0) fail("syncing", errno);
  untrack(tmp_);
  std::FILE* f = f_;
  f_ = nullptr;
  if (std::fclose(f) != 0) {
    const int err = errno;
    ::unlink(tmp_.c_str());
    throw runtime_failure(fmt::format("{}: closing '{}' failed: {}; the previous '{}' (if any) is untouched", flag_,
                                      tmp_, std::strerror(err), path_));
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp_.c_str());
    throw runtime_failure(fmt::format("{}: renaming '{}' to '{}' failed: {}", flag_, tmp_, path_, std::strerror(err)));
  }
  sync_directory(path_);
}

atomic_output::~atomic_output() {
  if (!f_) return;
  try {
    commit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hogwild-coordinator: %s\n", e.what());
  }
}

}  // namespace hogwild
