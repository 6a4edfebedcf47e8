// Reliability building blocks: checkpoint format, atomic writes (incl. a write that fails part-way),
// writability checks, permutation bounds, the retry decorator, that another user cannot open
// a run's segment, and the stall watchdog (a worker dead inside the sync queue's lock).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <string>

#include "coordinator/atomic_file.hpp"
#include "coordinator/checkpoint.hpp"
#include "coordinator/process_set.hpp"
#include "coordinator/retry.hpp"
#include "coordinator/signals.hpp"
#include "coordinator/stall_watchdog.hpp"
#include "shared/error.hpp"
#include "shared/segment.hpp"
#include "shared/stop_signals.hpp"

using namespace hogwild;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("hw-rel-" + std::to_string(::getpid()));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

checkpoint sample_checkpoint() {
  checkpoint k;
  k.identity = 0x1234'5678'9abc'def0ULL;
  k.next_epoch = 7;
  k.step = 0.000932;
  for (int i = 0; i < 4; ++i) k.rng_state[i] = 11u * (i + 1);
  k.weights = {0.5, -1.25, 3e-300, 0.0};
  k.perm = {2, 0, 1};
  return k;
}

}  // namespace

TEST_CASE("a checkpoint round-trips and every corruption is refused with usage_error") {
  const checkpoint k = sample_checkpoint();
  const std::string bytes = encode_checkpoint(k);
  const checkpoint r = decode_checkpoint(bytes, "x");
  CHECK(r.identity == k.identity);
  CHECK(r.next_epoch == k.next_epoch);
  CHECK(r.step == k.step);
  CHECK(std::equal(std::begin(r.rng_state), std::end(r.rng_state), std::begin(k.rng_state)));
  CHECK(r.weights == k.weights);
  CHECK(r.perm == k.perm);
  // Every single-byte change and every truncation is detected.
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x40);
    CHECK_THROWS_AS(decode_checkpoint(bad, "x"), usage_error);
  }
  for (std::size_t n = 0; n < bytes.size(); ++n) CHECK_THROWS_AS(decode_checkpoint(bytes.substr(0, n), "x"), usage_error);
  CHECK_THROWS_AS(decode_checkpoint(bytes + "z", "x"), usage_error);
  std::string other_version = bytes;
  other_version[8] = 2;
  CHECK_THROWS_WITH_AS(decode_checkpoint(other_version, "f.ckpt"),
                       doctest::Contains("'f.ckpt' is checkpoint format version 2"), usage_error);
}

TEST_CASE("write_file_atomically replaces the file and leaves no temporary") {
  temp_dir d;
  const fs::path p = d.path / "out.txt";
  write_file_atomically("--save-model", p, "first\n");
  write_file_atomically("--save-model", p, "second\n");
  CHECK(slurp(p) == "second\n");
  CHECK(std::distance(fs::directory_iterator(d.path), fs::directory_iterator{}) == 1);
}

TEST_CASE("a write that fails part-way (file size limit, as on a full disk) leaves the previous file untouched") {
  temp_dir d;
  const fs::path p = d.path / "model.txt";
  write_file_atomically("--save-model", p, "previous\n");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing the process
    rlimit lim{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    try {
      write_file_atomically("--save-model", p, std::string(1 << 20, 'x'));
    } catch (const runtime_failure& e) {
      ::_exit(std::string(e.what()).find("--save-model") != std::string::npos ? 0 : 3);
    }
    ::_exit(4);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(slurp(p) == "previous\n");
  CHECK(std::distance(fs::directory_iterator(d.path), fs::directory_iterator{}) == 1);  // no temporary left
}

TEST_CASE("atomic_output keeps the rows so far when dropped without commit (interrupted run)") {
  temp_dir d;
  const fs::path p = d.path / "m.csv";
  {
    atomic_output out("--metrics", p);
    out.append("a\n");
    CHECK(!fs::exists(p));
    CHECK(fs::exists(temporary_name(p)));
    out.append("b\n");
  }
  CHECK(slurp(p) == "a\nb\n");
  CHECK(!fs::exists(temporary_name(p)));
}

TEST_CASE("check_writable names the flag and path of an unwritable output") {
  temp_dir d;
  CHECK_NOTHROW(check_writable("--metrics", (d.path / "m.csv").string()));
  CHECK(std::distance(fs::directory_iterator(d.path), fs::directory_iterator{}) == 0);
  CHECK_THROWS_WITH_AS(check_writable("--metrics", (d.path / "missing" / "m.csv").string()),
                       doctest::Contains("--metrics: cannot write"), usage_error);
  CHECK_THROWS_WITH_AS(check_writable("--checkpoint", d.path.string()), doctest::Contains("--checkpoint: '"),
                       usage_error);
}

TEST_CASE("a permutation entry outside the rows is an error, not an out-of-bounds read") {
  shm::segment_spec spec;
  spec.rows = 5;
  spec.dims = 3;
  spec.nnz = 0;
  shm::owned_segment seg(shm::unique_name(), spec);
  auto& v = seg.view();
  for (std::uint32_t i = 0; i < 5; ++i) v.perm()[i] = i;
  CHECK_NOTHROW(v.validate_perm(0, 5));
  v.perm()[3] = 5;
  CHECK_NOTHROW(v.validate_perm(0, 3));
  CHECK_THROWS_AS(v.validate_perm(2, 5), usage_error);
  CHECK_THROWS_AS(v.validate_perm(4, 6), usage_error);
}

namespace {

// Fails the first `failures` epochs with runtime_failure, recording what it was given.
struct flaky_executor : executor {
  int failures;
  int* calls;
  std::vector<worker::fault>* seen;
  flaky_executor(int f, int* c, std::vector<worker::fault>* s) : failures(f), calls(c), seen(s) {}
  void run_epoch(const std::vector<worker::worker_args>& tasks, std::vector<worker_usage>&,
                 const epoch_monitor&) override {
    ++*calls;
    seen->push_back(tasks[0].inject);
    if (failures-- > 0) throw runtime_failure("worker 0 (pid 1) in epoch 1 was killed by signal 9 (Killed)");
  }
};

}  // namespace

TEST_CASE("the retry decorator retries failed epochs up to --max-retries, without the injected fault") {
  std::vector<worker::worker_args> tasks(1);
  tasks[0].inject = worker::fault::kill;
  std::vector<worker_usage> usage;
  SUBCASE("recovers") {
    int calls = 0, hooks = 0;
    std::vector<worker::fault> seen;
    auto ex = make_retrying_executor(std::make_unique<flaky_executor>(2, &calls, &seen), 3,
                                     [&](auto&, unsigned attempt, const std::string& cause) {
                                       CHECK(attempt == static_cast<unsigned>(hooks + 2));
                                       CHECK(cause.find("killed") != std::string::npos);
                                       ++hooks;
                                     });
    ex->run_epoch(tasks, usage, {});
    CHECK(calls == 3);
    CHECK(hooks == 2);
    CHECK(seen == std::vector<worker::fault>{worker::fault::kill, worker::fault::none, worker::fault::none});
  }
  SUBCASE("gives up") {
    int calls = 0;
    std::vector<worker::fault> seen;
    auto ex = make_retrying_executor(std::make_unique<flaky_executor>(10, &calls, &seen), 2, {});
    CHECK_THROWS_WITH_AS(ex->run_epoch(tasks, usage, {}), doctest::Contains("gave up after 2 retries"),
                         runtime_failure);
    CHECK(calls == 3);
  }
  SUBCASE("never retries an interruption") {
    struct stopping : executor {
      int n = 0;
      void run_epoch(const std::vector<worker::worker_args>&, std::vector<worker_usage>&, const epoch_monitor&) override {
        ++n;
        throw interrupted("interrupted by signal 2");
      }
    };
    auto inner = std::make_unique<stopping>();
    auto* raw = inner.get();
    auto ex = make_retrying_executor(std::move(inner), 3, {});
    CHECK_THROWS_AS(ex->run_epoch(tasks, usage, {}), interrupted);
    CHECK(raw->n == 1);
  }
}

TEST_CASE("another user cannot open a run's segment (0600); skipped unless root") {
  if (::geteuid() != 0) {
    MESSAGE("not root: cannot switch to another user; skipped");
    return;
  }
  const passwd* nobody = ::getpwnam("nobody");
  REQUIRE(nobody != nullptr);
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  shm::segment_spec spec;
  spec.rows = 4;
  spec.dims = 2;
  shm::owned_segment seg(shm::unique_name(), spec);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(5);
    if (::geteuid() != uid) ::_exit(6);
    try {
      shm::attached_segment a(seg.name(), false);
      ::_exit(1);  // opened: the test fails
    } catch (const usage_error& e) {
      ::_exit(std::string(e.what()).find("cannot open shared-memory segment") != std::string::npos ? 0 : 2);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a segment header whose shape overflows the size products is refused") {
  shm::segment_spec spec;
  spec.rows = 3;
  spec.dims = 2;
  spec.nnz = 4;
  shm::owned_segment seg(shm::unique_name(), spec);
  std::vector<std::byte> copy(seg.bytes());
  std::memcpy(copy.data(), &seg.view().hdr(), seg.bytes());
  auto& h = *reinterpret_cast<shm::header*>(copy.data());
  h.rows = std::uint64_t{1} << 62;  // rows * 4 and rows * 4 wrap to 0, (rows + 1) * 8 to 8
  h.nnz = 0;
  h.row_ptr.bytes = 8;
  h.col_idx.bytes = h.values.bytes = h.labels.bytes = h.perm.bytes = 0;
  CHECK_THROWS_WITH_AS(shm::segment_view(copy.data(), copy.size()), doctest::Contains("shape larger than the segment"),
                       usage_error);
}

namespace {

// Runs `body` in a forked child with stderr sent to `err`; returns the child's wait status.
template <class F>
int in_child(const fs::path& err, F&& body) {
  std::fflush(nullptr);  // the child must not print the parent's buffered output again
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) ::dup2(fd, 2);
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace

TEST_CASE("a watched call stuck while a worker lies killed ends the run with 1, the rows kept, the shared memory removed") {
  temp_dir d;
  const fs::path rows = d.path / "m.csv", err = d.path / "err.txt";
  const auto t0 = std::chrono::steady_clock::now();
  const int status = in_child(err, [&] {
    // As the coordinator: metrics rows in flight, a /dev/shm entry of this run, a worker that
    // exited with an error and one killed by a signal (both unreaped), and a call that never returns.
    atomic_output out("--metrics", rows);
    out.append("epoch 1\n");
    const std::string name = fmt::format("/hogwild-{}-0123456789abcdef-test", ::getpid());
    const int fd = ::shm_open(name.c_str(), O_CREAT | O_RDWR, 0600);
    if (fd < 0) ::_exit(90);
    ::close(fd);
    process_set procs;
    procs.add(0, fork_worker(0, 4, [] { return 1; }));
    ::usleep(50'000);  // worker 0 ends first: the report must still name the killed one
    procs.add(1, fork_worker(1, 4, [] { return ::raise(SIGKILL); }));
    stall_watchdog watchdog("the test queue", std::chrono::milliseconds(300));
    const stall_watchdog::scope inside(&watchdog, 4);
    ::sleep(20);  // "stuck": the watchdog must end the process long before
    ::_exit(91);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(seconds < 5.0);
  CHECK(slurp(rows) == "epoch 1\n");  // renamed into place, as an interrupted run's rows are
  CHECK(!fs::exists(temporary_name(rows)));
  const std::string message = slurp(err);
  CAPTURE(message);
  CHECK(message.find("worker 1 (pid ") != std::string::npos);
  CHECK(message.find("in epoch 4 was killed by signal 9") != std::string::npos);
  CHECK(message.find("while the coordinator was waiting on the test queue") != std::string::npos);
  bool left = false;
  for (const auto& e : fs::directory_iterator("/dev/shm"))
    left = left || e.path().filename().string().ends_with("-0123456789abcdef-test");
  CHECK(!left);
}

TEST_CASE("the watchdog lets be a slow call, a worker that exited during a call, and a killed worker outside one") {
  temp_dir d;
  const fs::path err = d.path / "err.txt";
  // Each: 4x the limit inside the call (or outside it), then a normal end (exit 0).
  struct {
    const char* what;
    int (*body)();
    bool inside;
  } cases[] = {
      {"inside, the worker alive",
       [] {
         ::sleep(3);
         return 0;
       },
       true},
      {"inside, the worker exited with 3 (no signal: it cannot hold the lock)", [] { return 3; }, true},
      {"outside, the worker killed", [] { return ::raise(SIGKILL); }, false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const int status = in_child(err, [&] {
      process_set procs;
      procs.add(0, fork_worker(0, 1, c.body));
      stall_watchdog watchdog("the test queue", std::chrono::milliseconds(200));
      {
        const stall_watchdog::scope inside(c.inside ? &watchdog : nullptr, 1);
        ::usleep(800'000);
      }
      procs.stop_all();
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(slurp(err).empty());
  }
}

namespace {
// Forks a child that allows core files as far as the hard limit lets, works in `dir`, unblocks
// `sig` and then calls `die` (which must end it of `sig`); returns the child's wait status.
template <class Die>
int status_of_child(int sig, const fs::path& dir, Die die) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    rlimit lim{};
    ::getrlimit(RLIMIT_CORE, &lim);
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_CORE, &lim);
    if (::chdir(dir.c_str()) != 0) ::_exit(90);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    ::sigprocmask(SIG_UNBLOCK, &s, nullptr);
    die();
    ::_exit(91);  // not reached
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}
}  // namespace

TEST_CASE("a worker killed by SIGQUIT or SIGXCPU leaves no core file although their default action dumps one") {
  for (int sig : {SIGQUIT, SIGXCPU}) {
    CAPTURE(sig);
    temp_dir dir;
    // The control, the default action: this environment may or may not write cores (ulimit -c,
    // core_pattern); where it does, the workers' dispositions must not.
    const int dfl = status_of_child(sig, dir.path, [sig] {
      ::signal(sig, SIG_DFL);
      ::raise(sig);
    });
    REQUIRE(WIFSIGNALED(dfl));
    CHECK(WTERMSIG(dfl) == sig);
    if (!WCOREDUMP(dfl)) MESSAGE("this environment writes no core files: the checks below cannot fail here");
    // A worker's disposition (restore_stop_signal_defaults), the signal from outside.
    const int worker = status_of_child(sig, dir.path, [sig] {
      restore_stop_signal_defaults();
      ::raise(sig);
    });
    REQUIRE(WIFSIGNALED(worker));
    CHECK(WTERMSIG(worker) == sig);  // still "killed by signal N" for the coordinator's report
    CHECK_FALSE(WCOREDUMP(worker));
    // The sync worker's deferred signal, acted on later (worker/sync_worker.cpp).
    const int deferred = status_of_child(sig, dir.path, [sig] { die_of_signal(sig); });
    REQUIRE(WIFSIGNALED(deferred));
    CHECK(WTERMSIG(deferred) == sig);
    CHECK_FALSE(WCOREDUMP(deferred));
  }
}

TEST_CASE("a forked child whose coordinator died before its prctl(PR_SET_PDEATHSIG) exits at once") {
  // reset_in_child(parent) is what every forked or spawned worker runs first; given a pid that
  // is not its parent (as after the coordinator's death, when the parent is init), the child
  // must end with exit code 1 instead of going on to serve a coordinator that is gone.
  for (const bool parent_alive : {true, false}) {
    const pid_t self = ::getpid();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      hogwild::signals::reset_in_child(parent_alive ? self : self + 1);
      ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == (parent_alive ? 0 : 1));
  }
}
