#include "datasets/libsvm.hpp"

#include <charconv>
#include <cstring>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <vector>

#include "datasets/file_input.hpp"
#include "datasets/interrupt.hpp"
#include "shared/error.hpp"

namespace hogwild::data {
namespace {

constexpr std::uint64_t max_index = std::uint64_t{1} << 31;

inline bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f'; }

std::string shown(std::string_view tok) { return quoted_bytes(tok); }

// A word on the one non-ASCII character that reads like what was expected: a minus sign pasted
// from a word processor (U+2212, bytes E2 88 92) looks like '-' in a terminal but is no number.
std::string unicode_hint(std::string_view tok) {
  if (tok.find("\xE2\x88\x92") != std::string_view::npos)
    return "; \\xe2\\x88\\x92 is the Unicode minus sign U+2212, expected the ASCII '-'";
  return "";
}

// Digits only, at least one, and at most 2^64 - 1: no sign, no space, no exponent.
bool unsigned_integer(std::string_view s) {
  std::uint64_t n = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

struct parser {
  const std::string& name;
  std::size_t line = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw usage_error(fmt::format("{}:{}: {}", name, line, what));
  }

  // `feature` = 0 for the label, else the 1-based index whose value this is (named in errors).
  double number(std::string_view tok, std::uint64_t feature) const {
    const auto what = [&] { return feature ? fmt::format("the value of feature {}", feature) : std::string("label"); };
    std::string_view t = tok;
    if (!t.empty() && t.front() == '+') {
      t.remove_prefix(1);
      // A sign appears once: from_chars would read the '-' of "+-1".
      if (!t.empty() && (t.front() == '-' || t.front() == '+'))
        fail(fmt::format("expected a number as {}, found '{}': a sign may appear only once", what(), shown(tok)));
    }
    double v = 0.0;
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || p != t.data() + t.size()) {
      if (ec == std::errc::result_out_of_range)
        fail(fmt::format("{} '{}' is out of range", what(), shown(tok)));
      fail(fmt::format("expected a number as {}, found '{}'{}", what(), shown(tok), unicode_hint(tok)));
    }
    if (ec == std::errc::result_out_of_range) fail(fmt::format("{} '{}' is out of range", what(), shown(tok)));
    if (!std::isfinite(v)) fail(fmt::format("{} '{}' is not finite (NaN and infinity are not allowed)", what(), shown(tok)));
    return v;
  }

  // v (read from tok) as a float: refused when too large, or when nonzero but so small that it
  // rounds to 0 (below half the smallest subnormal, about 7e-46; subnormals themselves are kept).
  float to_float(double v, std::string_view tok, std::uint64_t feature) const {
    const auto what = [&] { return feature ? fmt::format("the value of feature {} ('{}')", feature, shown(tok))
                                           : fmt::format("label '{}'", shown(tok)); };
    if (std::abs(v) > std::numeric_limits<float>::max()) fail(fmt::format("{} does not fit a float", what()));
    const auto f = static_cast<float>(v);
    if (f == 0.0f && v != 0.0)
      fail(fmt::format("{} does not fit a float: it is nonzero but rounds to 0 (the smallest float is about 1.4e-45)",
                       what()));
    return f;
  }
};

}  // namespace

bool is_libsvm_row(std::string_view ln) {
  if (const auto hash = ln.find('#'); hash != std::string_view::npos) ln = ln.substr(0, hash);
  for (char ch : ln)
    if (!is_space(ch)) return true;
  return false;
}

line_count count_libsvm_rows(std::string_view text) {
  line_count n;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size(); else ++n.newlines;
    if (is_libsvm_row(text.substr(pos, eol - pos))) ++n.rows;
    pos = eol + 1;
  }
  return n;
}

// Skips whole lines until k rows have been passed: the result is where row k's line (or a blank
// line before it) starts.
row_position skip_libsvm_rows(std::string_view text, std::size_t k) {
  row_position at;
  std::size_t rows = 0;
  while (rows < k && at.offset < text.size()) {
    std::size_t eol = text.find('\n', at.offset);
    if (eol == std::string_view::npos) eol = text.size(); else ++at.newlines;
    if (is_libsvm_row(text.substr(at.offset, eol - at.offset))) ++rows;
    at.offset = eol + 1;
  }
  if (at.offset > text.size()) at.offset = text.size();
  return at;
}

namespace {

// The parser over whole lines, fed in pieces: read_libsvm hands it the file a buffer at a time
// (each piece ending at a line end), parse_libsvm the whole text at once.
class libsvm_builder {
 public:
  libsvm_builder(const std::string& name, std::size_t first_line, std::uint64_t expected_bytes) : ps_{name} {
    ps_.line = first_line - 1;
    // Reserve from a rough guess (about 10 bytes of text per entry) to avoid regrowth on big files.
    d_.idx.reserve(expected_bytes / 10);
    d_.val.reserve(expected_bytes / 10);
  }

  // Parses complete lines (the last one may lack its '\n' only at the end of the input).
  void lines(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      line(text.substr(pos, eol - pos));
      pos = eol + 1;
    }
  }

  dataset finish() {
    if (d_.rows() == 0)
      throw usage_error(fmt::format("{}: no data rows (empty file, or only blank/comment lines)", ps_.name));
    d_.dims = static_cast<std::size_t>(dims_);
    // All rows empty: one column, so that the rows can be stored and scored. Such a file is fine
    // as a part (one of several --train files, a --distributed rank's rows, a test file); training
    // data with no feature at all is refused by the loader (check_features in loader.cpp), which
    // sees the whole set.
    if (d_.dims == 0) d_.dims = 1;
    return std::move(d_);
  }

 private:
  // A carriage return inside a line (not just before its '\n') means CR-only line endings: the
  // whole file reads as one line, and the error would otherwise be puzzling.
  static std::string cr_hint(std::string_view ln) {
    const auto cr = ln.find('\r');
    if (cr == std::string_view::npos || ln.find_first_not_of(" \t\r\v\f", cr) == std::string_view::npos) return "";
    return "; the line holds carriage returns: CR-only (old Mac) line endings? Convert with tr '\\r' '\\n'";
  }

  [[gnu::always_inline]] void line(std::string_view ln) {
    ++ps_.line;
    if (const auto hash = ln.find('#'); hash != std::string_view::npos) ln = ln.substr(0, hash);
    std::size_t i = 0;
    auto next_token = [&]() -> std::string_view {
      while (i < ln.size() && is_space(ln[i])) ++i;
      const std::size_t b = i;
      while (i < ln.size() && !is_space(ln[i])) ++i;
      return ln.substr(b, i - b);
    };
    // Line 1 starts the file (a piece of one starts at a later line): three bytes EF BB BF there
    // are a byte-order mark an editor saved, not a garbled label.
    if (ps_.line == 1 && ln.starts_with(utf8_bom))
      ps_.fail(fmt::format("expected a label first, found a UTF-8 byte-order mark (bytes EF BB BF) at the start of the "
                           "file, before '{}'; save the file without it (e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' {})",
                           shown(ln.substr(utf8_bom.size(), 20)), ps_.name));
    const std::string_view label_tok = next_token();
    if (label_tok.empty()) return;  // blank or comment-only line
    if (label_tok.find(':') != std::string_view::npos)
      ps_.fail(fmt::format("expected a label first, found the feature '{}'", shown(label_tok)));
    const float label = ps_.to_float(ps_.number(label_tok, 0), label_tok, 0);
    cols_.clear();
    vals_.clear();
    std::uint64_t last = 0;
    bool first = true;  // the token right after the label, the only place for qid:N
    for (std::string_view tok = next_token(); !tok.empty(); tok = next_token(), first = false) {
      const auto colon = tok.find(':');
      if (colon == std::string_view::npos)
        ps_.fail(fmt::format("expected INDEX:VALUE, found '{}'{}", shown(tok), cr_hint(ln)));
      const std::string_view is = tok.substr(0, colon), vs = tok.substr(colon + 1);
      if (is == "qid") {
        if (!first)
          ps_.fail(fmt::format("'{}' {}: expected qid:N only right after the label", shown(tok),
                               last ? fmt::format("after feature {}", last) : std::string("after another qid")));
        if (!unsigned_integer(vs))
          ps_.fail(fmt::format("expected a non-negative integer as the qid, found '{}'", shown(vs)));
        continue;  // the query id is not used
      }
      std::uint64_t index = 0;
      const auto [p, ec] = std::from_chars(is.data(), is.data() + is.size(), index);
      if (is.empty() || ec != std::errc() || p != is.data() + is.size()) {
        if (ec == std::errc::result_out_of_range && p == is.data() + is.size())
          ps_.fail(fmt::format("feature index {} is too large (at most {})", shown(is), max_index));
        if (!is.empty() && is.front() == '-' && unsigned_integer(is.substr(1)))
          ps_.fail(fmt::format("feature index '{}' is negative; expected a 1-based index >= 1", shown(is)));
        ps_.fail(fmt::format("expected an integer feature index, found '{}'", shown(is)));
      }
      if (index == 0) ps_.fail("feature index 0; indices are 1-based (expected >= 1)");
      if (index > max_index) ps_.fail(fmt::format("feature index {} is too large (at most {})", index, max_index));
      if (index <= last)
        ps_.fail(fmt::format("feature index {} after {}: expected strictly increasing indices (out of order or repeated)",
                             index, last));
      last = index;
      const float v = ps_.to_float(ps_.number(vs, index), vs, index);
      if (v == 0.0f) continue;  // explicit zero: not stored
      cols_.push_back(static_cast<std::uint32_t>(index - 1));
      vals_.push_back(v);
    }
    if (last > dims_) dims_ = last;
    d_.add_row(cols_.data(), vals_.data(), cols_.size(), label);
  }

  dataset d_;
  parser ps_;
  std::vector<std::uint32_t> cols_;
  std::vector<float> vals_;
  std::uint64_t dims_ = 0;
};

}  // namespace

dataset parse_libsvm(std::string_view text, const std::string& name, std::size_t first_line) {
  libsvm_builder b(name, first_line, text.size());
  b.lines(text);
  return b.finish();
}

row_in_file find_libsvm_row(const std::string& path, std::size_t k) {
  // Line by line with is_libsvm_row, the parser's rule, the file read in 64 KiB pieces (a line
  // may span pieces). Only ever run to word an error.
  byte_stream in(path);
  std::vector<char> buf(std::size_t{1} << 16);
  row_in_file at;
  std::string ln;  // the current line so far
  std::size_t line = 1;
  const auto line_ends = [&] {  // true once row k's line is found
    if (is_libsvm_row(ln) && at.rows++ == k) at.line = line;
    ln.clear();
    ++line;
    return at.line != 0;
  };
  for (std::size_t n; (n = in.read(buf.data(), buf.size())) > 0;) {
    for (std::string_view piece(buf.data(), n);;) {
      const std::size_t eol = piece.find('\n');
      ln.append(piece.substr(0, eol));
      if (eol == std::string_view::npos) break;
      if (line_ends()) return at;
      piece.remove_prefix(eol + 1);
    }
  }
  if (!ln.empty()) line_ends();  // a last line without '\n'
  return at;
}

dataset read_libsvm(const std::string& path) {
  // The file (plain or gzip) is read in 1 MiB pieces and each piece's whole lines are parsed
  // before the next is read: the text, often larger than the data it holds, is never in memory
  // whole (a line longer than the buffer grows it).
  byte_stream in(path);
  libsvm_builder b(path, 1, in.size_hint());
  std::vector<char> buf(std::size_t{1} << 20);
  std::size_t have = 0;  // bytes in buf: the unfinished line carried over, then the new piece
  std::uint64_t total = 0;
  for (;;) {
    poll_interrupt();  // once per 1 MiB piece (datasets/interrupt.hpp)
    if (have == buf.size()) buf.resize(buf.size() * 2);
    const std::size_t k = in.read(buf.data() + have, buf.size() - have);
    total += k;
    if (k == 0) {
      if (have) b.lines(std::string_view(buf.data(), have));  // a last line without '\n'
      break;
    }
    const char* piece = buf.data() + have;
    have += k;
    // The last '\n' is in the new bytes or nowhere (the carried part has none).
    const auto* nl = static_cast<const char*>(::memrchr(piece, '\n', k));
    if (!nl) continue;
    const std::size_t upto = static_cast<std::size_t>(nl - buf.data()) + 1;
    b.lines(std::string_view(buf.data(), upto));
    std::memmove(buf.data(), buf.data() + upto, have - upto);
    have -= upto;
  }
  if (total == 0) throw usage_error(fmt::format("{}: empty file, expected LIBSVM text", path));
  return b.finish();
}

}  // namespace hogwild::data
