// What --distributed's sharded reading relies on, tested without MPI: a LIBSVM text cut into row
// ranges parses to the whole parse's rows (blank and comment lines anywhere), and a shard's parse
// errors carry the whole file's line numbers.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "datasets/libsvm.hpp"
#include "shared/error.hpp"
#include "shared/partition.hpp"

using namespace hogwild;

namespace {

const std::string text =
    "# a header comment\n"
    "+1 1:0.5 3:1\n"
    "\n"
    "-1 2:2 # trailing comment\n"
    "   \t\n"
    "+1 1:1 2:1 3:1\n"
    "-1 4:0.25\n"
    "+1 2:0.5";  // no final newline

}  // namespace

TEST_CASE("count_libsvm_rows counts what parse_libsvm makes rows of, and the lines") {
  const auto n = data::count_libsvm_rows(text);
  CHECK(n.rows == 5);
  CHECK(n.newlines == 7);
  CHECK(data::parse_libsvm(text, "t").rows() == 5);
  CHECK(data::count_libsvm_rows("").rows == 0);
  CHECK(data::count_libsvm_rows("\n\n# only comments\n").rows == 0);
}

TEST_CASE("every split of a LIBSVM text into row ranges parses to the whole parse's rows") {
  const data::dataset whole = data::parse_libsvm(text, "t");
  for (std::size_t parts = 1; parts <= 5; ++parts) {
    for (std::size_t p = 0; p < parts; ++p) {
      const auto range = partition(whole.rows(), parts, p);
      const auto skip = data::skip_libsvm_rows(text, range.begin);
      const auto take = data::skip_libsvm_rows(std::string_view(text).substr(skip.offset), range.size());
      const auto piece = std::string_view(text).substr(skip.offset, take.offset);
      CHECK(data::count_libsvm_rows(piece).rows == range.size());
      if (range.size() == 0) continue;
      const data::dataset d = data::parse_libsvm(piece, "t", 1 + skip.newlines);
      REQUIRE(d.rows() == range.size());
      for (std::size_t i = 0; i < d.rows(); ++i) {
        const std::size_t r = range.begin + i;
        CHECK(d.labels[i] == whole.labels[r]);
        const auto b = whole.row_ptr[r], e = whole.row_ptr[r + 1];
        REQUIRE(d.row_ptr[i + 1] - d.row_ptr[i] == e - b);
        for (std::size_t k = 0; k < e - b; ++k) {
          CHECK(d.idx[d.row_ptr[i] + k] == whole.idx[b + k]);
          CHECK(d.val[d.row_ptr[i] + k] == whole.val[b + k]);
        }
      }
    }
  }
}

TEST_CASE("a shard's parse errors name the line of the whole file") {
  const std::string bad = "+1 1:1\n\n-1 2:x\n";
  const auto skip = data::skip_libsvm_rows(bad, 1);
  CHECK(skip.newlines == 1);
  CHECK_THROWS_WITH_AS(data::parse_libsvm(std::string_view(bad).substr(skip.offset), "f.svm", 1 + skip.newlines),
                       doctest::Contains("f.svm:3:"), usage_error);
}
