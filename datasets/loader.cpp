#include "datasets/loader.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <numeric>

#include <sys/stat.h>

#include "datasets/cache.hpp"
#include "datasets/cifar10.hpp"
#include "datasets/file_input.hpp"
#include "datasets/idx.hpp"
#include "datasets/libsvm.hpp"
#include "shared/error.hpp"
#include "shared/rng.hpp"

namespace hogwild::data {

const char* name_of(file_format f) {
  switch (f) {
    case file_format::automatic: return "auto";
    case file_format::libsvm: return "libsvm";
    case file_format::cifar10: return "cifar10";
    case file_format::idx: return "idx";
  }
  return "?";
}

const char* name_of(scale_kind s) {
  switch (s) {
    case scale_kind::automatic: return "auto";
    case scale_kind::none: return "none";
    case scale_kind::unit: return "unit";
    case scale_kind::standardize: return "standardize";
  }
  return "?";
}

namespace {

// The model label of a classification label as read, or NaN when it is no class of m.
float model_label(const label_map& m, double raw) {
  for (std::size_t c = 0; c < m.classes.size(); ++c)
    if (m.classes[c] == raw) {
      if (m.task == label_task::binary) return c == 0 ? -1.0f : 1.0f;
      return static_cast<float>(c);
    }
  return std::numeric_limits<float>::quiet_NaN();
}

std::string unknown_label(const label_map& m, double raw) {
  std::string known;
  for (double v : m.classes) known += fmt::format("{}{:g}", known.empty() ? "" : ", ", v);
  return fmt::format("label {:g} was not among the training labels ({})", raw, known);
}

// The content size of a file (gunzipped), read to its end.
std::uint64_t content_bytes(const std::string& path) {
  byte_stream in(path);
  std::vector<char> buf(std::size_t{1} << 16);
  std::uint64_t n = 0;
  for (std::size_t k; (k = in.read(buf.data(), buf.size())) > 0;) n += k;
  return n;
}

// Row i of rows read from files, as a message names it: "FILE:LINE" (LIBSVM), "FILE: record R at
// byte offset B" (IDX: the labels file, where the label is; CIFAR-10: the batch file). The dataset
// keeps no line numbers (8 bytes a row, for an error that is rare): the files are read again,
// which only an error pays for. `where` when the rows were not read from files, or when the files
// cannot be read again.
std::string row_place(const row_origin& o, std::size_t i, const std::string& where) {
  try {
    switch (o.format) {
      case file_format::libsvm:
        for (const auto& f : o.files) {
          const row_in_file at = find_libsvm_row(f, i);
          if (at.line) return fmt::format("{}:{}", f, at.line);
          i -= at.rows;
        }
        break;
      case file_format::idx:
        // Records counted from 1, as LIBSVM lines are; offsets in the content (unpacked, for .gz).
        if (!o.labels_file.empty())
          return fmt::format("{}: record {} at byte offset {}{}", o.labels_file, i + 1, 8 + i,
                             o.labels_file.ends_with(".gz") ? " of the unpacked content" : "");
        break;
      case file_format::cifar10:
        for (const auto& f : o.files) {
          const std::uint64_t records = content_bytes(f) / cifar10_record_bytes;
          if (i < records)
            return fmt::format("{}: record {} at byte offset {}{}", f, i + 1, i * cifar10_record_bytes,
                               f.ends_with(".gz") ? " of the unpacked content" : "");
          i -= records;
        }
        break;
      case file_format::automatic: break;
    }
  } catch (const usage_error&) {  // the file is gone or unreadable now: the name alone
  }
  return where;
}

}  // namespace

float label_map::to_model(double raw, const std::string& where) const {
  if (task == label_task::regression) return static_cast<float>(raw);
  const float y = model_label(*this, raw);
  if (std::isnan(y)) throw usage_error(fmt::format("{}: {}", where, unknown_label(*this, raw)));
  return y;
}

double label_map::to_raw(double p) const {
  if (task == label_task::regression) return p;
  if (task == label_task::binary) return p >= 0 ? classes.back() : classes.front();
  const auto c = static_cast<std::size_t>(p);
  return c < classes.size() ? classes[c] : p;
}

label_map make_label_map(const dataset& train, label_task task, const std::string& where) {
  label_map m;
  m.task = task;
  if (task == label_task::regression) return m;
  std::map<double, std::size_t> count;
  for (float y : train.labels) ++count[y];
  std::string list;
  std::size_t shown = 0;
  for (const auto& [v, k] : count) {
    if (shown++ == 12) {
      list += ", ...";
      break;
    }
    list += fmt::format("{}{:g} ({} rows)", list.empty() ? "" : ", ", v, k);
  }
  if (task == label_task::binary) {
    if (count.size() > 2)
      throw usage_error(fmt::format("{}: a binary model needs two classes but the labels are {} ({} distinct); use "
                                    "--model multiclass-svm or softmax, or least-squares for real targets",
                                    where, list, count.size()));
    if (count.size() == 1) {
      const double v = count.begin()->first;
      if (v != 1.0 && v != -1.0)
        throw usage_error(fmt::format("{}: a binary model needs labels -1/+1 (or two classes), found only {}", where, list));
      m.classes = {-1.0, 1.0};
    } else {
      m.classes = {count.begin()->first, count.rbegin()->first};
    }
    return m;
  }
  for (const auto& [v, k] : count)
    if (v != std::floor(v))
      throw usage_error(fmt::format("{}: a multiclass model needs integer class labels, found {:g} (labels: {})",
                                    where, v, list));
  if (count.size() < 2)
    throw usage_error(fmt::format("{}: a multiclass model needs at least two classes, found {}", where, list));
  if (count.size() > 256)
    throw usage_error(fmt::format("{}: {} distinct labels; at most 256 classes are supported (real targets? use "
                                  "--model least-squares)", where, count.size()));
  for (const auto& [v, k] : count) m.classes.push_back(v);
  return m;
}

void map_labels(dataset& d, const label_map& m, const std::string& where) {
  if (m.task == label_task::regression) return;
  for (std::size_t i = 0; i < d.rows(); ++i) {
    const float y = model_label(m, d.labels[i]);
    if (std::isnan(y))
      throw usage_error(fmt::format("{}: {}", row_place(d.origin, i, where), unknown_label(m, d.labels[i])));
    d.labels[i] = y;
  }
}

void restrict_columns(dataset& d, std::size_t dims) {
  if (d.dims <= dims) {
    d.dims = dims;
    return;
  }
  dataset r;
  r.dims = dims;
  r.row_ptr.reserve(d.row_ptr.size());
  for (std::size_t i = 0; i < d.rows(); ++i) {
    for (auto k = d.row_ptr[i]; k < d.row_ptr[i + 1]; ++k)
      if (d.idx[k] < dims) {
        r.idx.push_back(d.idx[k]);
        r.val.push_back(d.val[k]);
      }
    r.row_ptr.push_back(r.val.size());
  }
  r.labels = std::move(d.labels);
  d = std::move(r);
}

namespace {

dataset take_rows(const dataset& d, const std::vector<std::uint32_t>& rows) {
  dataset r;
  r.dims = d.dims;
  for (auto i : rows) r.add_row_of(d, i);
  return r;
}

}  // namespace

dataset split_off(dataset& d, double fraction, std::uint64_t seed) {
  const std::size_t n = d.rows();
  const auto k = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  dataset held;
  held.dims = d.dims;
  if (k == 0) return held;
  if (k >= n) throw usage_error(fmt::format("--validation-fraction: {:g} leaves no training rows out of {}", fraction, n));
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  rng g(seed ^ 0x76616c6964617465ULL);  // "validate"
  shuffle(std::span<std::uint32_t>(order), g);
  std::vector<std::uint32_t> keep(order.begin(), order.end() - static_cast<std::ptrdiff_t>(k)),
      out(order.end() - static_cast<std::ptrdiff_t>(k), order.end());
  std::sort(keep.begin(), keep.end());  // training rows keep their file order
  std::sort(out.begin(), out.end());
  held = take_rows(d, out);
  d = take_rows(d, keep);
  return held;
}

double max_row_norm2(const dataset& d) {
  double best = 0.0;
  for (std::size_t i = 0; i < d.rows(); ++i) {
    double s = 0.0;
    for (auto k = d.row_ptr[i]; k < d.row_ptr[i + 1]; ++k) s += static_cast<double>(d.val[k]) * d.val[k];
    best = std::max(best, s);
  }
  return best;
}

scaling fit_scaling(const dataset& train, scale_kind kind, bool images) {
  scaling s;
  s.kind = kind;
  const std::size_t D = train.dims;
  if (kind == scale_kind::none || kind == scale_kind::automatic) {
    s.kind = scale_kind::none;
    return s;
  }
  s.offset.assign(D, 0.0);
  s.factor.assign(D, 1.0);
  if (kind == scale_kind::unit) {
    if (images) {
      std::fill(s.factor.begin(), s.factor.end(), 1.0 / 255.0);
      return s;
    }
    std::vector<double> mx(D, 0.0);
    for (std::size_t k = 0; k < train.nnz(); ++k) mx[train.idx[k]] = std::max(mx[train.idx[k]], std::abs(static_cast<double>(train.val[k])));
    for (std::size_t j = 0; j < D; ++j) s.factor[j] = mx[j] > 0 ? 1.0 / mx[j] : 1.0;
    return s;
  }
  std::vector<double> sum(D, 0.0), sum2(D, 0.0);
  for (std::size_t k = 0; k < train.nnz(); ++k) {
    const double v = train.val[k];
    sum[train.idx[k]] += v;
    sum2[train.idx[k]] += v * v;
  }
  const double n = static_cast<double>(train.rows());
  for (std::size_t j = 0; j < D; ++j) {
    const double mean = sum[j] / n;
    const double var = std::max(0.0, sum2[j] / n - mean * mean);
    s.offset[j] = mean;
    s.factor[j] = var > 1e-24 ? 1.0 / std::sqrt(var) : 0.0;  // constant column → 0
  }
  return s;
}

void scaling::apply(dataset& d) const {
  if (kind == scale_kind::none) return;
  if (d.dims > offset.size()) restrict_columns(d, offset.size());
  const std::size_t D = offset.size();
  if (kind == scale_kind::unit) {
    for (std::size_t k = 0; k < d.nnz(); ++k) d.val[k] = static_cast<float>(d.val[k] * factor[d.idx[k]]);
    d.dims = D;
    return;
  }
  // standardize: every column of every row may become nonzero.
  dataset r;
  r.dims = D;
  r.row_ptr.reserve(d.rows() + 1);
  std::vector<double> row(D);
  for (std::size_t i = 0; i < d.rows(); ++i) {
    std::fill(row.begin(), row.end(), 0.0);
    for (auto k = d.row_ptr[i]; k < d.row_ptr[i + 1]; ++k) row[d.idx[k]] = d.val[k];
    for (std::size_t j = 0; j < D; ++j) {
      const auto v = static_cast<float>((row[j] - offset[j]) * factor[j]);
      if (v != 0.0f) {
        r.idx.push_back(static_cast<std::uint32_t>(j));
        r.val.push_back(v);
      }
    }
    r.row_ptr.push_back(r.val.size());
  }
  r.labels = std::move(d.labels);
  d = std::move(r);
}

void append_bias(dataset& d, std::size_t bias_column, float value) {
  const std::size_t rows = d.rows();
  const auto column = static_cast<std::uint32_t>(bias_column);
  std::vector<std::uint32_t> idx(d.nnz() + rows);
  std::vector<float> val(d.nnz() + rows);
  std::size_t at = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const auto k0 = d.row_ptr[i], k1 = d.row_ptr[i + 1];
    std::copy_n(d.idx.data() + k0, k1 - k0, idx.data() + at);
    std::copy_n(d.val.data() + k0, k1 - k0, val.data() + at);
    d.row_ptr[i] = at;  // (row i's start is read above before it is rewritten; row i+1's below)
    at += k1 - k0;
    idx[at] = column;  // the last entry: columns stay ascending
    val[at] = value;
    ++at;
  }
  d.row_ptr[rows] = at;
  d.idx = std::move(idx);
  d.val = std::move(val);
  d.dims = bias_column + 1;
}

namespace {

// What LIBSVM text is made of: printable ASCII and the line-breaking whitespace.
bool is_text_byte(unsigned char ch) { return (ch >= 0x20 && ch < 0x7f) || ch == '\n' || ch == '\r' || ch == '\t'; }

// The first 4 KiB of a file's content (inflated when the file is gzip): what format detection
// looks at.
std::string head_bytes(const std::string& path, bool* compressed = nullptr, std::uint64_t* size = nullptr) {
  byte_stream in(path);
  std::string b(4096, '\0');
  std::size_t got = 0;
  for (std::size_t k; got < b.size() && (k = in.read(b.data() + got, b.size() - got)) > 0;) got += k;
  b.resize(got);
  if (compressed) *compressed = in.gzipped();
  if (size) *size = in.source_size();
  return b;
}

}  // namespace

file_format detect_format(const std::string& path) {
  bool compressed = false;
  std::uint64_t source_size = 0;
  const std::string b = head_bytes(path, &compressed, &source_size);
  const auto size = static_cast<std::size_t>(source_size);
  if (b.empty()) throw usage_error(fmt::format("{}: empty file; cannot tell its format", path));
  if (looks_like_idx(b.data(), b.size())) return file_format::idx;
  const std::size_t probe = b.size();
  std::size_t first_binary = probe, line = 1;  // the first byte that is not text, and its line
  for (std::size_t i = 0; i < probe && first_binary == probe; ++i) {
    const auto ch = static_cast<unsigned char>(b[i]);
    if (ch == '\n') ++line;
    if (!is_text_byte(ch)) first_binary = i;
  }
  if (first_binary == probe) return file_format::libsvm;
  const auto label0 = static_cast<unsigned char>(b[0]);
  const bool records = compressed || size % cifar10_record_bytes == 0;
  if (records && label0 <= 9) return file_format::cifar10;
  // What each format's test found, so that a damaged file can be told from a foreign one.
  const auto byte = [&](std::size_t i) { return i < b.size() ? static_cast<unsigned>(static_cast<unsigned char>(b[i])) : 0u; };
  // Text saved with a byte-order mark is otherwise told as "byte 0 is 0xef", which few would read
  // as the editor's doing.
  const std::string text_test =
      b.starts_with(utf8_bom)
          ? "it starts with a UTF-8 byte-order mark, bytes EF BB BF: save it without one"
          : fmt::format("byte {} on line {} is 0x{:02x}, not printable", first_binary, line, byte(first_binary));
  throw usage_error(fmt::format(
      "{}: cannot tell the format from the content: not IDX (first bytes {:02x} {:02x} {:02x} {:02x}; expected 00 00 08 "
      "01 or 03), not LIBSVM text ({}), not CIFAR-10 ({}); give --format",
      path, byte(0), byte(1), byte(2), byte(3), text_test,
      records ? fmt::format("its first label byte is {}, expected 0 to 9", label0)
              : fmt::format("{} bytes are not whole records of {} bytes", size, cifar10_record_bytes)));
}

file_format resolve_format(file_format format, const std::string& path) {
  return format == file_format::automatic ? detect_format(path) : format;
}

namespace {

row_origin origin_of(const std::vector<std::string>& paths, file_format format, const std::string& idx_labels) {
  row_origin o;
  o.format = format;
  o.files = paths;
  if (format == file_format::idx) o.labels_file = idx_labels.empty() ? idx_labels_for(paths[0]) : idx_labels;
  return o;
}

// For a later file of a set that failed to parse as LIBSVM: if it is not text at all, the likely
// cause is a set of mixed formats (the first file's format is every file's), which the parse error
// alone (garbage quoted at line 1) does not tell. Empty when the file looks like text.
std::string mixed_format_note(const std::string& path, const std::string& first) {
  std::string looks;
  try {
    const std::string head = head_bytes(path);
    // Empty, or text that starts with a byte-order mark: the parse error says so itself.
    if (head.empty() || head.starts_with(utf8_bom)) return "";
    if (std::all_of(head.begin(), head.end(), [](char ch) { return is_text_byte(static_cast<unsigned char>(ch)); }))
      return "";
    try {
      looks = fmt::format("it looks like {} data", name_of(detect_format(path)));
    } catch (const usage_error&) {
      looks = "it is not text";
    }
  } catch (const usage_error&) {  // unreadable now: the parse error alone
    return "";
  }
  return fmt::format("; {} is read as LIBSVM text, the format of the first file {}, but {}: expected files of one "
                     "format", path, first, looks);
}

}  // namespace

dataset read_any(const std::vector<std::string>& paths, file_format format, const std::string& idx_labels) {
  if (paths.empty()) throw usage_error("no input file");
  format = resolve_format(format, paths.front());
  switch (format) {
    case file_format::cifar10: {
      dataset d = read_cifar10(paths);
      d.origin = origin_of(paths, format, idx_labels);
      return d;
    }
    case file_format::idx: {
      // No flag named: the format may have been given (--format idx) or detected, and the files
      // may be --train's or --test's (load_files says which before reading).
      if (paths.size() != 1)
        throw usage_error(fmt::format("{}: IDX images are read from one images file (and its labels file), but {} "
                                      "files were given together; expected one", paths[0], paths.size()));
      dataset d = read_idx(paths[0], idx_labels.empty() ? idx_labels_for(paths[0]) : idx_labels);
      d.origin = origin_of(paths, format, idx_labels);
      return d;
    }
    default: break;
  }
  dataset d = read_libsvm(paths[0]);
  d.origin = origin_of(paths, file_format::libsvm, idx_labels);
  for (std::size_t p = 1; p < paths.size(); ++p) {
    dataset more;
    try {
      more = read_libsvm(paths[p]);
    } catch (const usage_error& e) {
      const std::string note = mixed_format_note(paths[p], paths[0]);
      if (note.empty()) throw;
      throw usage_error(e.what() + note);
    }
    const auto base = d.val.size();
    d.idx.insert(d.idx.end(), more.idx.begin(), more.idx.end());
    d.val.insert(d.val.end(), more.val.begin(), more.val.end());
    for (std::size_t i = 1; i < more.row_ptr.size(); ++i) d.row_ptr.push_back(base + more.row_ptr[i]);
    d.labels.insert(d.labels.end(), more.labels.begin(), more.labels.end());
    d.dims = std::max(d.dims, more.dims);
  }
  return d;
}

dataset read_cached(const std::vector<std::string>& paths, file_format format, const std::string& idx_labels,
                    const cache_options& cache, std::string& note) {
  if (paths.empty()) throw usage_error("no input file");
  format = resolve_format(format, paths.front());
  if (!cache.enabled) {
    note = "cache off";
    return read_any(paths, format, idx_labels);
  }
  std::string labels = idx_labels;
  if (format == file_format::idx && labels.empty() && paths.size() == 1) labels = idx_labels_for(paths[0]);
  std::vector<std::string> sources = paths;
  if (!labels.empty()) sources.push_back(labels);
  for (const auto& p : paths) check_regular_file(p);
  const std::string described = describe_sources(sources);
  const std::string file = cache_path_for(cache.dir.empty() ? default_cache_dir() : cache.dir, name_of(format), sources);
  std::string why;
  if (auto hit = cache_load(file, described, why)) {
    note = fmt::format("cache hit {}", file);
    hit->origin = origin_of(paths, format, labels);  // the cache keeps the rows, not where they came from
    return std::move(*hit);
  }
  dataset d = read_any(paths, format, labels);
  const std::string failed = cache_store(file, described, d);
  note = failed.empty() ? fmt::format("cache {} {}", why == "no cache file" ? "written" : "rebuilt (" + why + ")", file)
                        : fmt::format("cache not written ({})", failed);
  return d;
}

void check_idx_labels(const char* flag, const std::string& labels, file_format format, const std::string& path) {
  if (!labels.empty() && format != file_format::idx)
    throw usage_error(fmt::format("{}: is for IDX images, but {} is read as {} (its rows carry their own labels)",
                                  flag, path, name_of(format)));
}

// The test rows must be of the training rows' kind: the same format, and for images the same size
// (a model of 784 pixels cannot score 3072). LIBSVM rows name their columns: test columns past the
// training data's are dropped (no weight was trained for them), and said in test_note.
static void check_test_columns(loaded_data& out, const std::string& test_name, const std::string& train_name) {
  if (out.format == file_format::libsvm) {
    if (out.test.dims > out.train.dims)
      out.test_note = fmt::format("{} has features up to {}; the training data's {} are used, the rest ignored",
                                  test_name, out.test.dims, out.train.dims);
    return;
  }
  if (out.test.dims != out.train.dims)
    throw usage_error(fmt::format("--test: {} has {} features per row but the training data {} has {}; expected "
                                  "images of the same size", test_name, out.test.dims, train_name, out.train.dims));
}

namespace {

// IDX data is one images file (with its labels file): several for one flag are refused here, where
// the flag and how the format was decided are known (read_any's own check can name neither).
void check_one_idx_file(const char* flag, const std::vector<std::string>& paths, const file_spec& spec) {
  if (paths.size() == 1) return;
  const std::string how = spec.format == file_format::automatic
                              ? fmt::format("detected from the content of {}", paths.front())
                              : std::string("--format idx");
  throw usage_error(fmt::format("{}: {} files given, but IDX data ({}) is read from one images file and its labels "
                                "file; expected one images file", flag, paths.size(), how));
}

// Training rows without a single nonzero feature leave nothing to learn (the step size would be
// 1 / a max squared row norm of 0). Checked on the whole set: one file of several, a test file or a
// --distributed rank's share may have empty rows only (libsvm.cpp keeps them).
void check_features(const dataset& train, const std::vector<std::string>& paths, file_format format) {
  if (train.nnz() != 0) return;
  std::string names;
  for (const auto& p : paths) names += (names.empty() ? "" : ", ") + p;
  if (format == file_format::libsvm) throw usage_error(no_feature_message(names, train.rows()));
  throw usage_error(fmt::format("{}: every pixel of all {} images is 0: nothing to train on", names, train.rows()));
}

}  // namespace

std::string no_feature_message(const std::string& names, std::size_t rows) {
  return fmt::format("{}: no row has a feature (each of the {} rows is a label alone, or has only zero values): "
                     "nothing to train on; expected INDEX:VALUE pairs after the labels", names, rows);
}

loaded_data load_files(const file_spec& spec, label_task task) {
  loaded_data out;
  const auto t0 = std::chrono::steady_clock::now();
  out.format = resolve_format(spec.format, spec.train.front());
  check_idx_labels("--train-labels", spec.train_labels, out.format, spec.train.front());
  if (out.format == file_format::idx) check_one_idx_file("--train", spec.train, spec);
  if (!spec.test.empty()) {  // before any reading: the test rows must be of the training rows' format
    const file_format tf = resolve_format(spec.format, spec.test.front());
    if (tf != out.format)
      throw usage_error(fmt::format("--test: {} is read as {} but the training data {} as {}; expected the same format",
                                    spec.test.front(), name_of(tf), spec.train.front(), name_of(out.format)));
    check_idx_labels("--test-labels", spec.test_labels, tf, spec.test.front());
    if (tf == file_format::idx) check_one_idx_file("--test", spec.test, spec);
  }
  out.train = read_cached(spec.train, out.format, spec.train_labels, spec.cache, out.train_cache);
  check_features(out.train, spec.train, out.format);
  if (!spec.test.empty()) out.test = read_cached(spec.test, out.format, spec.test_labels, spec.cache, out.test_cache);
  out.read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string train_name = spec.train.front();
  out.labels = make_label_map(out.train, task, train_name);
  map_labels(out.train, out.labels, train_name);
  if (!spec.test.empty()) {
    check_test_columns(out, spec.test.front(), train_name);
    map_labels(out.test, out.labels, spec.test.front());
    restrict_columns(out.test, out.train.dims);
  }
  out.validation = split_off(out.train, spec.validation_fraction, spec.seed);
  const bool images = out.format != file_format::libsvm;
  scale_kind sk = spec.scale;
  if (sk == scale_kind::automatic) sk = images ? scale_kind::unit : scale_kind::none;
  out.scale = fit_scaling(out.train, sk, images);
  out.scale.apply(out.train);
  out.scale.apply(out.validation);
  out.scale.apply(out.test);
  return out;
}

}  // namespace hogwild::data
