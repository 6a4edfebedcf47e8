// LIBSVM / SVMlight text reader.
//
//   <label> <index>:<value> <index>:<value> ... [# comment]
//
// - label: any finite number (+1/-1, 0/1, 1.0, class integers 1..K, real regression targets);
//   a leading '+' is accepted. Labels are stored as read; mapping to -1/+1 or to class indices
//   0..C-1 is a separate step (datasets/labels.hpp).
// - indices are 1-based, strictly increasing within a line; stored 0-based.
// - values: anything std::from_chars accepts for double (9.87E-02, -1.8e-05, 12, .5 is rejected),
//   optionally with a leading '+'; must be finite and fit a float.
// - explicit zeros (13:0.0) are dropped from the CSR, so d_u counts only true nonzeros.
// - `qid:N` tokens and everything after '#' are ignored; blank lines, trailing spaces/tabs and CRLF
//   endings are accepted.
// - dims = the largest index seen in this file.
// Errors throw hogwild::usage_error "FILE:LINE: what was expected, what was found".
#pragma once
#include <string>
#include <string_view>

#include "datasets/dataset.hpp"

namespace hogwild::data {

// Parses text already in memory; `name` is used in error messages, where the text's first line is
// line `first_line` (a piece of a bigger file: a --distributed rank's rows).
dataset parse_libsvm(std::string_view text, const std::string& name, std::size_t first_line = 1);

// Whether parse_libsvm makes a row of this line (not blank, not only a comment).
bool is_libsvm_row(std::string_view line);
// Rows and '\n's in text (whole lines; a last line without '\n' counts as a line).
struct line_count {
  std::size_t rows = 0, newlines = 0;
};
line_count count_libsvm_rows(std::string_view text);
// The offset just past the line holding the k-th row (0-based) of text, and the '\n's before it;
// {text.size(), ...} when text has k rows or fewer; k = 0 → {0, 0}.
struct row_position {
  std::size_t offset = 0, newlines = 0;
};
row_position skip_libsvm_rows(std::string_view text, std::size_t k);

// Where row k (0-based) of the LIBSVM file PATH is: its 1-based line, or line 0 when the file has k
// rows or fewer; `rows` is how many rows were passed (the file's row count when line is 0). Reads
// the file again: for messages about a row found bad after reading (a test label the training
// data lacks, datasets/loader.cpp).
struct row_in_file {
  std::size_t line = 0, rows = 0;
};
row_in_file find_libsvm_row(const std::string& path, std::size_t k);

// Reads PATH (raw or gzip, detected by magic bytes) and parses it.
dataset read_libsvm(const std::string& path);

}  // namespace hogwild::data
