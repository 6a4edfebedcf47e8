#include "coordinator/shard_data.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <map>

#include "coordinator/cluster.hpp"
#include "datasets/libsvm.hpp"
#include "shared/error.hpp"
#include "shared/partition.hpp"

namespace hogwild {
namespace {

class open_file {
 public:
  explicit open_file(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw usage_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw usage_error(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~open_file() { ::close(fd_); }
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;
  std::uint64_t size() const { return size_; }
  std::string read(std::uint64_t b, std::uint64_t e) const {
    std::string s(e - b, '\0');
    std::uint64_t done = 0;
    while (done < s.size()) {
      const ssize_t n = ::pread(fd_, s.data() + done, s.size() - done, static_cast<off_t>(b + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw usage_error(fmt::format("{}: read failed at byte {}: {}", path_, b + done,
                                                n == 0 ? "unexpected end of file" : std::strerror(errno)));
      done += static_cast<std::uint64_t>(n);
    }
    return s;
  }
  // The first line start at or after byte b (0 stays 0; the size when no line starts there).
  std::uint64_t line_start(std::uint64_t b) const {
    if (b == 0) return 0;
    for (std::uint64_t at = b - 1; at < size_; at += 65536) {
      const std::string block = read(at, std::min(size_, at + 65536));
      if (const auto nl = block.find('\n'); nl != std::string::npos) return at + nl + 1;
    }
    return size_;
  }

 private:
  std::string path_;
  int fd_;
  std::uint64_t size_ = 0;
};

bool gzip_file(const open_file& f) {
  if (f.size() < 2) return false;
  const std::string m = f.read(0, 2);
  return static_cast<unsigned char>(m[0]) == 0x1f && static_cast<unsigned char>(m[1]) == 0x8b;
}

}  // namespace

bool can_read_sharded(const config& c) {
  const auto& f = c.files;
  if (f.train.size() != 1 || f.validation_fraction > 0) return false;
  if (f.scale != data::scale_kind::none && f.scale != data::scale_kind::automatic) return false;
  if (c.bias > 0) return false;  // (prepare_data appends the bias column; this reader does not)
  const std::string& path = f.train.front();
  const auto format = data::resolve_format(f.format, path);
  if (format != data::file_format::libsvm) return false;
  return !gzip_file(open_file(path));
}

run_data prepare_sharded(config& c, cluster& net, shard_facts& facts, std::string& note) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string& path = c.files.train.front();
  const auto R = static_cast<std::uint64_t>(net.size()), me = static_cast<std::uint64_t>(net.rank());
  const open_file file(path);
  if (file.size() == 0) throw usage_error(fmt::format("{}: empty file, expected LIBSVM text", path));
  // Pass 1: byte chunks cut at line starts; each rank counts the rows and lines of its chunk.
  const std::uint64_t begin = file.line_start(file.size() * me / R), end = file.line_start(file.size() * (me + 1) / R);
  const auto counted = data::count_libsvm_rows(file.read(begin, end));
  const auto rows = net.gather_all(counted.rows), newlines = net.gather_all(counted.newlines),
             starts = net.gather_all(begin), ends = net.gather_all(end);
  std::uint64_t n = 0;
  for (auto k : rows) n += k;
  if (n == 0) throw usage_error(fmt::format("{}: no data rows (empty file, or only blank/comment lines)", path));
  // Pass 2: this rank's rows [a, b) lie in chunks k0..k1; read those, skip to row a, parse b - a rows.
  const auto mine = partition(n, R, me);
  if (mine.size() == 0)
    throw usage_error(fmt::format("--distributed: {} has {} rows, fewer than the {} ranks", path, n, R));
  std::uint64_t k0 = 0, before0 = 0, lines0 = 0;  // chunk of row a; rows and lines before it
  while (before0 + rows[k0] <= mine.begin) before0 += rows[k0], lines0 += newlines[k0], ++k0;
  std::uint64_t k1 = k0, before1 = before0;
  while (before1 + rows[k1] < mine.end) before1 += rows[k1], ++k1;
  const std::string text = file.read(starts[k0], ends[k1]);
  const std::string_view all(text);
  const auto skip = data::skip_libsvm_rows(all, mine.begin - before0);
  const auto take = data::skip_libsvm_rows(all.substr(skip.offset), mine.size());
  run_data r;
  r.train = data::parse_libsvm(all.substr(skip.offset, take.offset), path, 1 + lines0 + skip.newlines);
  if (r.train.rows() != mine.size())
    throw runtime_failure(fmt::format("{}: rank {} parsed {} rows where it counted {}", path, me, r.train.rows(),
                                      mine.size()));
  // The whole set's dimension, longest row, largest squared norm.
  double top[3] = {static_cast<double>(r.train.dims), 0.0, data::max_row_norm2(r.train)};
  for (std::size_t i = 0; i < r.train.rows(); ++i)
    top[1] = std::max(top[1], static_cast<double>(r.train.row_ptr[i + 1] - r.train.row_ptr[i]));
  net.max(top, 3);
  // The whole file's largest squared row norm: 0 when no rank has a nonzero value (every rank
  // sees the same maximum, so all refuse together), as load_files refuses it without --distributed.
  if (top[2] == 0) throw usage_error(data::no_feature_message(path, n));
  r.train.dims = static_cast<std::size_t>(top[0]);
  facts.global_rows = n;
  facts.max_row_entries = static_cast<std::uint64_t>(top[1]);
  // Labels: every rank's distinct labels with their counts, so that the label map (and its
  // errors) are those of the whole file.
  const auto task = label_task_for(c.model);
  if (task == data::label_task::regression) {
    r.labels = data::make_label_map(r.train, task, path);
  } else {
    constexpr std::size_t most = 257;  // more labels than classes a model can have: an error below anyway
    std::map<double, std::uint64_t> mine_labels;
    for (float y : r.train.labels) ++mine_labels[y];
    std::vector<double> packed(1 + 2 * most, 0.0), gathered(packed.size() * R);
    packed[0] = static_cast<double>(std::min(mine_labels.size(), most));
    std::size_t i = 1;
    for (auto [y, count] : mine_labels) {
      if (i >= packed.size()) break;
      packed[i++] = y;
      packed[i++] = static_cast<double>(count);
    }
    net.gather_all(packed.data(), packed.size() * sizeof(double), gathered.data(), 0);
    std::map<double, std::uint64_t> labels;
    for (std::uint64_t k = 0; k < R; ++k) {
      const double* p = gathered.data() + k * packed.size();
      for (std::size_t j = 0; j < static_cast<std::size_t>(p[0]); ++j)
        labels[p[1 + 2 * j]] += static_cast<std::uint64_t>(p[2 + 2 * j]);
    }
    data::dataset every;  // the whole file's labels, as many of each as there are
    for (auto [y, count] : labels) every.labels.insert(every.labels.end(), count, static_cast<float>(y));
    r.labels = data::make_label_map(every, task, path);
    data::map_labels(r.train, r.labels, path);
  }
  // d_u over all shards.
  std::vector<double> counts(r.train.dims, 0.0);
  for (std::size_t k = 0; k < r.train.nnz(); ++k)
    if (r.train.val[k] != 0.0f) counts[r.train.idx[k]] += 1.0;
  net.sum(counts.data(), counts.size());
  facts.inv_du.assign(counts.size(), 0.0);
  for (std::size_t u = 0; u < counts.size(); ++u)
    if (counts[u] > 0) facts.inv_du[u] = 1.0 / counts[u];
  if (c.learning_rate <= 0) {
    c.learning_rate = top[2] > 0 ? 1.0 / top[2] : 1.0;
    note = fmt::format("learning rate {:g} = 1 / max squared row norm ({:g}) of the scaled training rows",
                       c.learning_rate, top[2]);
  }
  if (!c.files.test.empty()) {  // rank 0 only (the others were given no --test)
    std::string test_note;
    const auto tf = data::resolve_format(c.files.format, c.files.test.front());
    data::check_idx_labels("--test-labels", c.files.test_labels, tf, c.files.test.front());
    r.test = data::read_cached(c.files.test, tf, c.files.test_labels, c.files.cache, test_note);
    data::map_labels(r.test, r.labels, c.files.test.front());
    data::restrict_columns(r.test, r.train.dims);
    r.cache_note = "train not cached (read by shards); test " + test_note;
  }
  r.scale.kind = data::scale_kind::none;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.description = fmt::format("{} (libsvm) rows {}..{} of {} read by this rank (bytes {}..{} of {} scanned by it "
                              "first), {} dims, {} nonzeros in its rows, {} test rows; scale none; read in {:.2f} s",
                              path, mine.begin + 1, mine.end, n, begin, end, file.size(), r.train.dims,
                              r.train.nnz(), r.test.rows(), seconds);
  return r;
}

}  // namespace hogwild
