// Output files that are never half-written: content goes to a temporary name in the target's
// directory, is fsync()ed, then rename()d over the target (atomic on POSIX file systems), and the
// directory is fsync()ed. A failed write removes the temporary and leaves any previous file as it was.
// A target that exists and is not a regular file (/dev/null, a terminal, a FIFO), or that names an
// open descriptor (/dev/stdout), is written in place instead: renaming over it would replace the
// device, or the file the descriptor writes to, with a new file.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace hogwild {

// The file `path` names once its symbolic links are followed, also when the last one dangles (a
// link to a file a run is about to create): an output given as a link is written where the link
// points and the link stays. `path` itself when it is no link, or after 40 links (a loop).
std::string follow_symlinks(const std::string& path);

// The descriptor a path names itself, -1 for other paths: /dev/stdout 1, /dev/stderr 2,
// /dev/fd/N and /proc/self/fd/N N. Such an output is written to a dup of the descriptor.
int fd_alias(const std::string& path);

// "<path>.<pid>.tmp": the temporary an output is written under before the rename.
std::string temporary_name(const std::string& path);

// Throws usage_error naming `flag` and `path` unless a file can be created (and is then removed)
// in the directory of `path`, and `path` itself is not a directory.
void check_writable(const char* flag, const std::string& path);

// Writes `bytes` to `path` atomically; throws runtime_failure naming `flag`, the path and the cause.
void write_file_atomically(const char* flag, const std::string& path, std::string_view bytes);

// An output written in pieces (the metrics rows): rows go to the temporary, flushed after each
// append(); commit() makes them durable and renames the temporary to the target. The destructor
// commits what was written if neither commit() nor abandon() was called (an interrupted or failed
// run keeps the rows so far), unless a write failed (then the temporary is removed).
class atomic_output {
 public:
  atomic_output() = default;
  atomic_output(const char* flag, std::string path);  // creates the temporary
  ~atomic_output();
  atomic_output(const atomic_output&) = delete;
  atomic_output& operator=(const atomic_output&) = delete;
  bool is_open() const { return f_ != nullptr; }
  bool in_place() const { return in_place_; }
  void append(std::string_view bytes);  // throws runtime_failure; the temporary is removed then
  void commit();                        // throws runtime_failure; the previous target is untouched then

 private:
  [[noreturn]] void fail(const char* what, int err);
  const char* flag_ = "";
  std::string path_, tmp_;
  std::FILE* f_ = nullptr;
  bool in_place_ = false;  // the target is a device, FIFO or socket: written directly, no temporary
};

// For a process that must end at once without unwinding (coordinator/stall_watchdog.hpp): fsyncs
// every atomic_output still being written (its rows were flushed after each append) and renames it
// to its target, as its destructor would have. Safe to call from another thread while the owners
// are not writing.
void commit_outputs_in_flight() noexcept;

}  // namespace hogwild
