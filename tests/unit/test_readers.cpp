// Readers (LIBSVM, IDX, CIFAR-10), the loader's label mapping, split and scaling, the model file,
// the multiclass models' gradients, and a fuzz run of the LIBSVM parser.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "coordinator/model_io.hpp"
#include "datasets/cache.hpp"
#include "datasets/cifar10.hpp"
#include "datasets/file_input.hpp"
#include "datasets/idx.hpp"
#include "datasets/libsvm.hpp"
#include "datasets/loader.hpp"
#include "shared/error.hpp"
#include "shared/models/registry.hpp"
#include "shared/rng.hpp"

using namespace hogwild;
using namespace hogwild::data;

namespace {

const std::string fixtures = HOGWILD_TEST_DATA_DIR;

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    path = std::filesystem::temp_directory_path() / ("hw-readers-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name, const std::string& bytes, bool gz = false) const {
    const std::string p = (path / name).string();
    if (gz) {
      gzFile g = gzopen(p.c_str(), "wb");
      gzwrite(g, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(g);
    } else {
      std::FILE* f = std::fopen(p.c_str(), "wb");
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
    return p;
  }
};

// Every array and the column count of two datasets, exactly.
void check_same_data(const dataset& got, const dataset& want) {
  CHECK(got.row_ptr == want.row_ptr);
  CHECK(got.idx == want.idx);
  CHECK(got.val == want.val);
  CHECK(got.labels == want.labels);
  CHECK(got.dims == want.dims);
}

// A file's bytes, as they are on disk.
std::string slurp(const std::string& path) {
  std::string bytes;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f);
  char buf[1 << 16];
  for (std::size_t k; (k = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.append(buf, k);
  std::fclose(f);
  return bytes;
}

// `text` parsed as LIBSVM file f.svm is refused (exit 2) with a message that contains `expect`.
void libsvm_fails(const std::string& text, const char* expect) {
  CHECK_THROWS_WITH_AS(parse_libsvm(text, "f.svm"), doctest::Contains(expect), usage_error);
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace

TEST_CASE("libsvm: exact values, +labels, exponents, qid, comments, blank lines, CRLF, explicit zeros") {
  const dataset d = read_libsvm(fixtures + "/good.svm");
  REQUIRE(d.rows() == 3);
  CHECK(d.dims == 5);
  CHECK(d.nnz() == 5);  // 1:0 is not stored
  CHECK(d.labels == std::vector<float>{1.0f, -1.0f, 1.0f});
  CHECK(d.row_ptr == std::vector<std::uint64_t>{0, 2, 4, 5});
  CHECK(d.idx == std::vector<std::uint32_t>{0, 2, 1, 3, 4});
  CHECK(d.val == std::vector<float>{0.5f, 9.87e-02f, 1.0f, -1.8e-05f, 2.0f});
}

TEST_CASE("libsvm: gzip detected by magic bytes, not by name") {
  const dataset a = read_libsvm(fixtures + "/gz_without_extension.svm");
  const dataset b = read_libsvm(fixtures + "/good_gz.svm.gz");
  CHECK(a.rows() == 2);
  CHECK(a.dims == 3);
  CHECK(a.val == std::vector<float>{3.0f, 1.0f, 2.5f});
  CHECK(a.labels == b.labels);
}

TEST_CASE("libsvm: errors name the file and line") {
  libsvm_fails("1 1:1\n1 2:x\n", "f.svm:2: expected a number as the value of feature 2");
  libsvm_fails("1 0:1\n", "f.svm:1: feature index 0");
  libsvm_fails("1 -1:1\n", "f.svm:1: feature index '-1' is negative");
  libsvm_fails("1 2:1 1:1\n", "f.svm:1: feature index 1 after 2");
  libsvm_fails("1 2:1 2:1\n", "f.svm:1: feature index 2 after 2");
  libsvm_fails("1 1:nan\n", "f.svm:1: the value of feature 1 'nan' is not finite");
  libsvm_fails("1 1:-inf\n", "not finite");
  libsvm_fails("nan 1:1\n", "f.svm:1: label 'nan' is not finite");
  libsvm_fails("1 1:1e39\n", "does not fit a float");
  libsvm_fails("1:1 2:1\n", "f.svm:1: expected a label first");
  libsvm_fails("\n\n# c\n", "f.svm: no data rows");
  libsvm_fails("1 x:1\n", "expected an integer feature index");
}

TEST_CASE("libsvm: a sign appears once in labels and values and never in indices") {
  libsvm_fails("+1 1:0.5\n-1 2:+-1\n", "f.svm:2: expected a number as the value of feature 2, found '+-1': a sign may appear only once");
  libsvm_fails("+1 1:++1\n", "f.svm:1: expected a number as the value of feature 1, found '++1'");
  libsvm_fails("+1 1:-+1\n", "f.svm:1: expected a number as the value of feature 1, found '-+1'");
  libsvm_fails("+1 1:--1\n", "f.svm:1: expected a number as the value of feature 1, found '--1'");
  libsvm_fails("+1 1:+\n", "f.svm:1: expected a number as the value of feature 1, found '+'");
  libsvm_fails("+1 1:1\n+-1 1:1\n", "f.svm:2: expected a number as label, found '+-1': a sign may appear only once");
  libsvm_fails("++1 1:1\n", "f.svm:1: expected a number as label, found '++1'");
  libsvm_fails("-+1 1:1\n", "f.svm:1: expected a number as label, found '-+1'");
  libsvm_fails("--1 1:1\n", "f.svm:1: expected a number as label, found '--1'");
  libsvm_fails("1 +1:1\n", "f.svm:1: expected an integer feature index, found '+1'");
  libsvm_fails("1 +-1:1\n", "f.svm:1: expected an integer feature index, found '+-1'");
  libsvm_fails("1 --1:1\n", "f.svm:1: expected an integer feature index, found '--1'");
  libsvm_fails("1 -:1\n", "f.svm:1: expected an integer feature index, found '-'");
  libsvm_fails("1 -1:1\n", "f.svm:1: feature index '-1' is negative");
  libsvm_fails("1 99999999999999999999999:1\n", "f.svm:1: feature index 99999999999999999999999 is too large");
  const dataset d = parse_libsvm("+1 1:+0.5 2:-0.25 3:+1e+2\n-1 1:-1e-1\n", "ok.svm");
  CHECK(d.labels == std::vector<float>{1.0f, -1.0f});
  CHECK(d.val == std::vector<float>{0.5f, -0.25f, 100.0f, -0.1f});
}

TEST_CASE("libsvm: qid is a non-negative integer right after the label") {
  libsvm_fails("+1 1:0.5\n-1 2:1 qid:x\n", "f.svm:2: 'qid:x' after feature 2: expected qid:N only right after the label");
  libsvm_fails("+1 1:0.5\n-1 2:1 qid:3\n", "f.svm:2: 'qid:3' after feature 2: expected qid:N only right after the label");
  libsvm_fails("-1 1:0 qid:3\n", "f.svm:1: 'qid:3' after feature 1");  // an explicit zero is a feature all the same
  libsvm_fails("-1 qid:1 qid:2 2:1\n", "f.svm:1: 'qid:2' after another qid: expected qid:N only right after the label");
  libsvm_fails("+1 1:0.5\n-1 qid:1:2 2:1\n", "f.svm:2: expected a non-negative integer as the qid, found '1:2'");
  libsvm_fails("-1 qid:x 2:1\n", "f.svm:1: expected a non-negative integer as the qid, found 'x'");
  libsvm_fails("-1 qid:-1 2:1\n", "found '-1'");
  libsvm_fails("-1 qid:+1 2:1\n", "found '+1'");
  libsvm_fails("-1 qid:1.5 2:1\n", "found '1.5'");
  libsvm_fails("-1 qid:1e3 2:1\n", "found '1e3'");
  libsvm_fails("-1 qid: 2:1\n", "f.svm:1: expected a non-negative integer as the qid, found ''");
  libsvm_fails("-1 qid:18446744073709551616 2:1\n", "found '18446744073709551616'");
  const dataset d = parse_libsvm("+1 qid:0 1:0.5\n-1 qid:18446744073709551615 2:1\n1 qid:7\n", "ok.svm");
  CHECK(d.rows() == 3);
  CHECK(d.dims == 2);
  CHECK(d.row_ptr == std::vector<std::uint64_t>{0, 1, 2, 2});
  CHECK(d.val == std::vector<float>{0.5f, 1.0f});
}

TEST_CASE("libsvm: a nonzero value or label that rounds to 0 in float is refused and subnormals are kept") {
  libsvm_fails("+1 1:0.5\n-1 2:1e-46\n",
        "f.svm:2: the value of feature 2 ('1e-46') does not fit a float: it is nonzero but rounds to 0");
  libsvm_fails("+1 1:-7e-46\n", "f.svm:1: the value of feature 1 ('-7e-46') does not fit a float");
  libsvm_fails("+1 1:1e-320\n", "f.svm:1: the value of feature 1 ('1e-320') does not fit a float");  // a double subnormal
  libsvm_fails("+1 1:0.000000000000000000000000000000000000000000000001\n", "f.svm:1: the value of feature 1");
  libsvm_fails("1e-46 1:1\n", "f.svm:1: label '1e-46' does not fit a float: it is nonzero but rounds to 0");
  libsvm_fails("1 1:1e-400\n", "f.svm:1: the value of feature 1 '1e-400' is out of range");
  const dataset d = parse_libsvm("1 1:1e-45 2:-1.4e-45 3:7.1e-46 4:1.17e-38 5:0e-50 6:-0 7:0.0e+99\n", "ok.svm");
  const float tiny = std::numeric_limits<float>::denorm_min();
  CHECK(d.idx == std::vector<std::uint32_t>{0, 1, 2, 3});
  CHECK(d.val == std::vector<float>{tiny, -tiny, tiny, 1.17e-38f});
  CHECK(d.dims == 7);
}

TEST_CASE("gzip: concatenated members read as one stream and an empty member is allowed") {
  temp_dir t;
  const std::string a = slurp(t.file("a.gz", "+1 1:0.5 2:1\n-1 3:", true));
  const std::string empty = slurp(t.file("e.gz", "", true));
  const std::string b = slurp(t.file("b.gz", "2\n+1 4:1\n", true));
  const std::string text = "+1 1:0.5 2:1\n-1 3:2\n+1 4:1\n";
  const auto cat = t.file("cat.svm.gz", a + empty + b);
  check_same_data(read_libsvm(cat), parse_libsvm(text, "mem"));
  const file_bytes whole = read_file(cat);
  CHECK(whole.gzipped);
  CHECK(std::string(whole.bytes.begin(), whole.bytes.end()) == text);
  // Zero padding after the last member (as tar leaves) is still read as the end.
  check_same_data(read_libsvm(t.file("pad.svm.gz", a + b + std::string(1000, '\0'))),
                  parse_libsvm("+1 1:0.5 2:1\n-1 3:2\n+1 4:1\n", "mem"));
}

TEST_CASE("gzip: bytes after the last member that are not another member are refused with the offset") {
  temp_dir t;
  const std::string good = slurp(t.file("good.gz", "+1 1:0.5\n-1 2:1\n", true));
  const std::string two = good + slurp(t.file("more.gz", "+1 3:1\n", true));
  auto refused = [&](const std::string& name, const std::string& bytes, std::size_t offset) {
    const auto path = t.file(name, bytes);
    const std::string expect =
        fmt::format("{}: trailing bytes after the gzip data at byte offset {}", path, offset);
    CHECK_THROWS_WITH_AS(read_libsvm(path), doctest::Contains(expect.c_str()), usage_error);
    CHECK_THROWS_WITH_AS(read_file(path), doctest::Contains(expect.c_str()), usage_error);
  };
  refused("garbage.svm.gz", good + "garbage", good.size());
  refused("two_garbage.svm.gz", two + "garbage", two.size());
  refused("one_byte.svm.gz", good + "\x1f", good.size());
  refused("newline.svm.gz", good + "\n", good.size());
  refused("zeros_then_x.svm.gz", good + std::string(300000, '\0') + "x", good.size());  // past one 256 KiB piece
  // Two magic bytes start a member: one that ends there is cut short.
  CHECK_THROWS_WITH_AS(read_libsvm(t.file("half.svm.gz", good + "\x1f\x8b")),
                       doctest::Contains("half.svm.gz: truncated gzip data"), usage_error);
}

TEST_CASE("libsvm: fuzzed inputs parse or throw usage_error, never crash") {
  const std::string base = "+1 1:0.5 3:9.87E-02 \n-1 qid:3 2:1 4:-1.8e-05 # c\n\n1.0 1:0 5:2\n2 7:1e-3 9:4\n";
  const char alphabet[] = "0123456789:.+-eE #\n\t qidnaNInf\r\x00\xff";
  rng g(42);
  int parsed = 0, rejected = 0;
  for (int it = 0; it < 20000; ++it) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(g.below(6));
    for (int e = 0; e < edits; ++e) {
      const auto pos = static_cast<std::size_t>(g.below(s.size() + 1));
      const char ch = alphabet[g.below(sizeof alphabet - 1)];
      switch (g.below(3)) {
        case 0: if (pos < s.size()) s[pos] = ch; break;
        case 1: s.insert(pos, 1, ch); break;
        default: if (pos < s.size()) s.erase(pos, 1 + g.below(4)); break;
      }
    }
    try {
      const dataset d = parse_libsvm(s, "fuzz");
      ++parsed;
      REQUIRE(d.row_ptr.back() == d.nnz());
      for (std::size_t k = 0; k < d.nnz(); ++k) REQUIRE(d.idx[k] < d.dims);
      for (float v : d.val) REQUIRE(std::isfinite(v));
    } catch (const usage_error&) {
      ++rejected;
    }
  }
  MESSAGE("fuzz: " << parsed << " parsed, " << rejected << " rejected");
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}

TEST_CASE("idx: images and labels, raw and gzip, checks magic, sizes and counts") {
  temp_dir t;
  const std::string pixels = std::string("\x00\x01\x02\x03", 4) + std::string("\xff\x00\x00\x10", 4) +
                             std::string("\x00\x00\x00\x00", 4);
  const std::string images = be32(0x803) + be32(3) + be32(2) + be32(2) + pixels;
  const std::string labels = be32(0x801) + be32(3) + std::string("\x09\x00\x05", 3);
  const auto ip = t.file("train-images-idx3-ubyte.gz", images, true);
  t.file("train-labels-idx1-ubyte", labels);
  CHECK(idx_labels_for(ip) == (t.path / "train-labels-idx1-ubyte").string());
  const dataset d = read_idx(ip, idx_labels_for(ip));
  CHECK(d.rows() == 3);
  CHECK(d.dims == 4);
  CHECK(d.labels == std::vector<float>{9, 0, 5});
  CHECK(d.idx == std::vector<std::uint32_t>{1, 2, 3, 0, 3});
  CHECK(d.val == std::vector<float>{1, 2, 3, 255, 16});
  CHECK(detect_format(ip) == file_format::idx);

  const auto short_labels = t.file("l2", be32(0x801) + be32(2) + std::string("\x01\x02", 2));
  CHECK_THROWS_WITH_AS(read_idx(ip, short_labels), doctest::Contains("has 3 images but"), usage_error);
  const auto bad_magic = t.file("bad", be32(0x804) + be32(0) + be32(1) + be32(1));
  CHECK_THROWS_WITH_AS(read_idx(bad_magic, short_labels), doctest::Contains("expected magic 0x00000803"), usage_error);
  const auto truncated = t.file("trunc", images.substr(0, images.size() - 1));
  CHECK_THROWS_WITH_AS(read_idx(truncated, short_labels), doctest::Contains("header says 3 images of 2x2"), usage_error);
  const auto nolabels = t.file("x-images-idx3-ubyte", images);
  CHECK_THROWS_WITH_AS(read_idx(nolabels, idx_labels_for(nolabels)), doctest::Contains("no labels file"), usage_error);
}

TEST_CASE("cifar10: records from several files, count from size, bad size names the offset") {
  temp_dir t;
  std::string rec1(3073, '\0'), rec2(3073, '\0');
  rec1[0] = 3;
  rec1[1] = 7;       // R(0,0)
  rec1[1 + 1024] = 8;  // G(0,0)
  rec2[0] = 9;
  rec2[3072] = static_cast<char>(200);  // B(31,31)
  const auto a = t.file("a.bin", rec1 + rec2);
  const auto b = t.file("b.bin", rec2);
  CHECK(detect_format(a) == file_format::cifar10);
  const dataset d = read_cifar10({a, b});
  CHECK(d.rows() == 3);
  CHECK(d.dims == 3072);
  CHECK(d.labels == std::vector<float>{3, 9, 9});
  CHECK(d.idx == std::vector<std::uint32_t>{0, 1024, 3071, 3071});
  CHECK(d.val == std::vector<float>{7, 8, 200, 200});
  const auto bad = t.file("c.bin", rec1 + "xyz");
  CHECK_THROWS_WITH_AS(read_cifar10({bad}), doctest::Contains("incomplete record starts at byte offset 3073"), usage_error);
  rec1[0] = 10;
  const auto badlabel = t.file("d.bin", rec1);
  CHECK_THROWS_WITH_AS(read_cifar10({badlabel}), doctest::Contains("has label 10"), usage_error);
}

TEST_CASE("labels: binary pairs map to -1/+1, integers to class indices, unknown test labels refused") {
  dataset d = parse_libsvm("0 1:1\n1 1:1\n0 2:1\n", "t");
  const label_map b = make_label_map(d, label_task::binary, "t");
  map_labels(d, b, "t");
  CHECK(d.labels == std::vector<float>{-1, 1, -1});
  CHECK(b.to_raw(1.0) == 1.0);
  CHECK(b.to_raw(-1.0) == 0.0);

  dataset m = parse_libsvm("3 1:1\n1 1:1\n10 2:1\n", "t");
  const label_map c = make_label_map(m, label_task::multiclass, "t");
  CHECK(c.outputs() == 3);
  map_labels(m, c, "t");
  CHECK(m.labels == std::vector<float>{1, 0, 2});
  CHECK(c.to_raw(2) == 10.0);
  dataset test = parse_libsvm("4 1:1\n", "test.svm");
  CHECK_THROWS_WITH_AS(map_labels(test, c, "test.svm"), doctest::Contains("test.svm: label 4 was not among"), usage_error);
  CHECK_THROWS_WITH_AS(make_label_map(parse_libsvm("1 1:1\n2 1:1\n3 1:1\n", "t"), label_task::binary, "t"),
                       doctest::Contains("a binary model needs two classes"), usage_error);
  CHECK_THROWS_WITH_AS(make_label_map(parse_libsvm("1.5 1:1\n2 1:1\n", "t"), label_task::multiclass, "t"),
                       doctest::Contains("integer class labels"), usage_error);
}

TEST_CASE("scaling uses training statistics; test columns beyond train dims are dropped") {
  dataset tr = parse_libsvm("1 1:2 2:-4\n1 1:4\n", "t");
  const scaling u = fit_scaling(tr, scale_kind::unit, false);
  CHECK(u.factor == std::vector<double>{0.25, 0.25});
  const scaling s = fit_scaling(tr, scale_kind::standardize, false);
  CHECK(s.offset[0] == doctest::Approx(3.0));
  CHECK(s.factor[0] == doctest::Approx(1.0));
  CHECK(s.offset[1] == doctest::Approx(-2.0));
  dataset te = parse_libsvm("1 1:3 3:5\n", "t");
  s.apply(te);
  CHECK(te.dims == 2);
  CHECK(te.nnz() == 1);  // (3 - 3) * 1 = 0 is dropped; column 2 becomes (0 + 2) / 2 = 1
  CHECK(te.idx[0] == 1);
  CHECK(te.val[0] == doctest::Approx(1.0f));
  dataset rest = parse_libsvm("1 1:1\n2 1:1\n3 1:1\n4 1:1\n", "t");
  const dataset held = split_off(rest, 0.25, 7);
  CHECK(rest.rows() == 3);
  CHECK(held.rows() == 1);
}

TEST_CASE("model file version 2 round-trips kind, dims, classes and scaling; bad files name the line") {
  temp_dir t;
  saved_model m;
  m.model = models::model_kind::softmax;
  m.dims = 2;
  m.outputs = 3;
  m.lambda = 0.5;
  m.labels.task = label_task::multiclass;
  m.labels.classes = {1, 2, 10};
  m.scale.kind = scale_kind::standardize;
  m.scale.offset = {0.25, -1};
  m.scale.factor = {2, 0.1};
  m.weights = {1, 2, 3, 4, 5, 6.000000000000001};
  const std::string p = (t.path / "m.txt").string();
  write_model(p, m);
  const saved_model r = read_model(p);
  CHECK(r.model == m.model);
  CHECK(r.dims == 2);
  CHECK(r.outputs == 3);
  CHECK(r.lambda == 0.5);
  CHECK(r.labels.classes == m.labels.classes);
  CHECK(r.scale.kind == scale_kind::standardize);
  CHECK(r.scale.offset == m.scale.offset);
  CHECK(r.scale.factor == m.scale.factor);
  CHECK(r.weights == m.weights);
  const auto bad = t.file("bad.txt", "hogwild-model 2\nmodel softmax\ndims 2\noutputs 3\nlambda 1\nlabels binary -1 1\n");
  CHECK_THROWS_WITH_AS(read_model(bad), doctest::Contains("bad.txt:6: labels 'binary' with 3 outputs do not fit"), usage_error);
  const auto v9 = t.file("v9.txt", "hogwild-model 9\n");
  CHECK_THROWS_WITH_AS(read_model(v9), doctest::Contains("v9.txt:1: model file version 9"), usage_error);
}

namespace {

// A version 2 svm model with 3 dims and standardize scaling; the weights are lines 11 to 13.
const std::string scaled_model =
    "hogwild-model 2\nmodel svm\ndims 3\noutputs 1\nlambda 1\nlabels binary -1 1\nscale standardize\n"
    "scale-offset 0.5 0 -1\nscale-factor 2 1 0.25\nweights\n0.5\n-0.25\n0.125\n";
// The same model without scaling; the weights are lines 9 to 11.
const std::string plain_model =
    "hogwild-model 2\nmodel svm\ndims 3\noutputs 1\nlambda 1\nlabels binary -1 1\nscale none\nweights\n0.5\n-0.25\n0.125\n";

// text with the first occurrence of from replaced by to.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// read_model(path) is refused (exit 2) with a message that contains `expect`.
void check_refused(const std::string& path, const std::string& expect) {
  CHECK_THROWS_WITH_AS(read_model(path), doctest::Contains(expect.c_str()), usage_error);
}

}  // namespace

TEST_CASE("model file: a dims header smaller than the weight lines is refused at the first extra weight") {
  temp_dir t;
  const auto v2 = t.file("dims2.model", replaced(plain_model, "dims 3", "dims 2"));
  check_refused(v2, "dims2.model:11: expected the end of the file after 2 weights (dims × outputs), found '0.125'");
  const auto v1 = t.file("v1.model", "hogwild-model 1\nmodel svm\ndims 2\noutputs 1\nlambda 1\nweights\n0.5\n-0.25\n0.125\n");
  check_refused(v1, "v1.model:9: expected the end of the file after 2 weights");
  // With scaling, the scale lines already disagree with dims 2.
  const auto scaled = t.file("scaled.model", replaced(scaled_model, "dims 3", "dims 2"));
  check_refused(scaled, "scaled.model:8: expected nothing after 2 numbers (one per dim), found '-1'");
}

TEST_CASE("model file: a weight line after the last expected weight is refused even after blank lines") {
  temp_dir t;
  const auto extra = t.file("extra.model", scaled_model + "0.5\n");
  check_refused(extra, "extra.model:14: expected the end of the file after 3 weights (dims × outputs), found '0.5'");
  const auto later = t.file("later.model", scaled_model + "\n  \nend\n");
  check_refused(later, "later.model:16: expected the end of the file after 3 weights");
  const auto two = t.file("two.model", replaced(plain_model, "-0.25\n", "-0.25 7\n"));
  check_refused(two, "two.model:10: expected nothing after a weight (one per line), found '7'");
}

TEST_CASE("model file: NaN and infinite weights lambda labels and scale numbers are refused") {
  temp_dir t;
  const std::string not_finite = " (NaN and infinity are not allowed)";
  for (const std::string bad : {"nan", "inf", "-inf", "infinity", "-nan"}) {
    CAPTURE(bad);
    const auto w = t.file("w.model", replaced(scaled_model, "0.125\n", bad + "\n"));
    check_refused(w, "w.model:13: expected a weight, found '" + bad + "'" + not_finite);
  }
  const auto offset = t.file("offset.model", replaced(scaled_model, "scale-offset 0.5", "scale-offset nan"));
  check_refused(offset, "offset.model:8: expected a scale offset, found 'nan'" + not_finite);
  const auto factor = t.file("factor.model", replaced(scaled_model, "scale-factor 2 1", "scale-factor 2 inf"));
  check_refused(factor, "factor.model:9: expected a scale factor, found 'inf'" + not_finite);
  const auto lambda = t.file("lambda.model", replaced(plain_model, "lambda 1", "lambda nan"));
  check_refused(lambda, "lambda.model:5: expected lambda, found 'nan'" + not_finite);
  const auto label = t.file("label.model", replaced(plain_model, "binary -1 1", "binary -1 inf"));
  check_refused(label, "label.model:6: expected the label read as +1, found 'inf'" + not_finite);
  const auto dims = t.file("dims.model", replaced(plain_model, "dims 3", "dims nan"));
  check_refused(dims, "dims.model:3: expected the dimension, found 'nan'" + not_finite);
  const auto half = t.file("half.model", replaced(plain_model, "dims 3", "dims 2.5"));
  check_refused(half, "half.model:3: expected the dimension from 1 to 2147483648, found 2.5");
}

TEST_CASE("model file: blank lines and whitespace after the weights and a missing final newline are accepted") {
  temp_dir t;
  const std::vector<double> want = {0.5, -0.25, 0.125};
  const auto blank = t.file("blank.model", scaled_model + "\n\n   \n\t\n");
  CHECK(read_model(blank).weights == want);
  CHECK(read_model(blank).scale.factor == std::vector<double>{2, 1, 0.25});
  const auto no_newline = t.file("no_newline.model", scaled_model.substr(0, scaled_model.size() - 1));
  CHECK(read_model(no_newline).weights == want);
  std::string crlf;
  for (char c : plain_model + "\n") crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(read_model(t.file("crlf.model", crlf)).weights == want);
}

TEST_CASE("multiclass models: gradients match finite differences, predictions are argmax") {
  const double s[3] = {0.3, -0.2, 0.25};
  for (auto kind : {models::model_kind::softmax, models::model_kind::multiclass_svm}) {
    models::dispatch(kind, [&](auto m) {
      using M = decltype(m);
      for (float y : {0.0f, 1.0f, 2.0f}) {
        double g[3];
        M::dloss(s, y, 3, g);
        for (int c = 0; c < 3; ++c) {
          double sp[3] = {s[0], s[1], s[2]}, sm[3] = {s[0], s[1], s[2]};
          sp[c] += 1e-6;
          sm[c] -= 1e-6;
          CHECK(g[c] == doctest::Approx((M::loss(sp, y, 3) - M::loss(sm, y, 3)) / 2e-6).epsilon(1e-4));
        }
      }
      CHECK(M::predict(s, 3) == 0.0);
      CHECK(M::error(s, 2.0f, 3) == 1.0);
    });
  }
}

TEST_CASE("cache: written on first load, hit later, rebuilt when corrupt, stale or another version") {
  temp_dir t;
  const auto src = t.file("a.svm", "+1 1:0.5 3:2\n-1 2:1\n");
  cache_options opt{true, (t.path / "cache").string()};
  std::string note;
  const dataset first = read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.starts_with("cache written"));
  const dataset second = read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.starts_with("cache hit"));
  check_same_data(second, first);
  const std::string file = cache_path_for(opt.dir, "libsvm", {src});
  auto poke = [&](long offset, char value) {
    std::FILE* f = std::fopen(file.c_str(), "r+b");
    REQUIRE(f);
    std::fseek(f, offset, SEEK_SET);
    std::fputc(value, f);
    std::fclose(f);
  };
  const auto size = static_cast<long>(std::filesystem::file_size(file));
  poke(size - 3, 0x55);  // inside the labels
  read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.find("checksum mismatch") != std::string::npos);
  read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.starts_with("cache hit"));
  poke(8, 99);  // version field
  read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.find("cache version 99") != std::string::npos);
  t.file("a.svm", "+1 1:0.5 3:2\n-1 2:1\n1 4:1\n");  // the source changed
  const dataset changed = read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.find("stale") != std::string::npos);
  CHECK(changed.rows() == 3);
  opt.enabled = false;
  read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note == "cache off");
}

// read_libsvm parses a file (plain or gzip) 1 MiB piece by piece, and cache_load copies the cache
// out in 4 MiB pieces, hashing and dropping each: with files of several MiB every path runs
// through many pieces, and must give exactly the in-memory parse.
TEST_CASE("libsvm and cache: multi-MiB files read in dropped pieces equal the in-memory parse") {
  temp_dir t;
  std::string text;
  for (int i = 0; i < 60000; ++i) {
    text += i % 3 == 0 ? "-1" : "+1";
    for (int k = 0; k < 20; ++k) text += fmt::format(" {}:{}", 1 + k * 5 + (i + k) % 5, ((i * 7 + k * 13) % 97 + 1) / 8.0);
    text += '\n';
  }
  REQUIRE(text.size() > 8u << 20);
  const dataset expected = parse_libsvm(text, "mem");
  const auto src = t.file("big.svm", text);
  const dataset pieces = read_libsvm(src);
  check_same_data(pieces, expected);
  check_same_data(read_libsvm(t.file("big.svm.gz", text, true)), expected);
  {  // two gzip members, split mid-line: one stream of text, as gzip -d gives it
    const std::string a = t.file("a.gz", text.substr(0, 3'000'001), true), b = t.file("b.gz", text.substr(3'000'001), true);
    std::string both;
    for (const auto& part : {a, b}) {
      std::FILE* f = std::fopen(part.c_str(), "rb");
      REQUIRE(f);
      char buf[1 << 16];
      for (std::size_t k; (k = std::fread(buf, 1, sizeof buf, f)) > 0;) both.append(buf, k);
      std::fclose(f);
    }
    const auto cat = t.file("cat.gz", both);
    check_same_data(read_libsvm(cat), expected);
    // Zero padding after the last member is ignored, as gzip and gzread do.
    check_same_data(read_libsvm(t.file("pad.gz", both + std::string(4096, '\0'))), expected);
    // Cut short, or one byte changed in the compressed stream: an error naming the file.
    CHECK_THROWS_WITH_AS(read_libsvm(t.file("cut.gz", both.substr(0, both.size() / 2))),
                         doctest::Contains("cut.gz: truncated gzip data"), usage_error);
    std::string flipped = both;
    flipped[flipped.size() / 4] = static_cast<char>(flipped[flipped.size() / 4] ^ 0x5a);
    // (The text is parsed as it is inflated, so the garbage may reach the parser before the
    // member's CRC is checked: either way the error names the file.)
    CHECK_THROWS_WITH_AS(read_libsvm(t.file("flip.gz", flipped)), doctest::Contains("flip.gz:"), usage_error);
    std::string bad_crc = both;  // the last member's CRC-32 (trailer bytes -8..-5)
    bad_crc[bad_crc.size() - 7] = static_cast<char>(bad_crc[bad_crc.size() - 7] ^ 1);
    CHECK_THROWS_WITH_AS(read_libsvm(t.file("crc.gz", bad_crc)), doctest::Contains("crc.gz: corrupt gzip data"),
                         usage_error);
  }

  cache_options opt{true, (t.path / "cache").string()};
  std::string note;
  read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.starts_with("cache written"));
  const dataset cached = read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.starts_with("cache hit"));
  check_same_data(cached, expected);
  const std::string file = cache_path_for(opt.dir, "libsvm", {src});
  const auto size = std::filesystem::file_size(file);
  REQUIRE(size > 8u << 20);
  {  // one byte in the second piece (the values)
    std::FILE* f = std::fopen(file.c_str(), "r+b");
    REQUIRE(f);
    std::fseek(f, static_cast<long>(size / 2 + 12345), SEEK_SET);
    const int old = std::fgetc(f);
    std::fseek(f, static_cast<long>(size / 2 + 12345), SEEK_SET);
    std::fputc(old ^ 0x10, f);
    std::fclose(f);
  }
  read_cached({src}, file_format::libsvm, "", opt, note);
  CHECK(note.find("checksum mismatch") != std::string::npos);
}

// A line longer than the reader's 1 MiB buffer grows it; the line numbers of errors count across
// pieces; a file that shrinks while it is read is an error naming it (a mapping would die of SIGBUS).
TEST_CASE("libsvm: CR-only line endings are named in the error") {
  CHECK_THROWS_WITH_AS(parse_libsvm("+1 1:0.5\r-1 2:0.3\r", "mac.svm"),
                       doctest::Contains("mac.svm:1: expected INDEX:VALUE, found '-1'; the line holds carriage returns"),
                       usage_error);
  CHECK(parse_libsvm("+1 1:0.5\r\n-1 2:0.3\r\n", "dos.svm").rows() == 2);  // CRLF is fine
}

TEST_CASE("libsvm: a line longer than a piece, error lines across pieces, a file that shrinks while read") {
  temp_dir t;
  std::string text = "1";
  for (int j = 1; j <= 150000; ++j) text += fmt::format(" {}:0.5", j);  // ~1.3 MB
  text += "\n-1 3:1\n";
  REQUIRE(text.size() > (1u << 20) + 100000);
  const dataset d = read_libsvm(t.file("long.svm", text));
  CHECK(d.rows() == 2);
  CHECK(d.row_ptr[1] == 150000);
  CHECK(d.dims == 150000);
  check_same_data(d, parse_libsvm(text, "mem"));

  std::string many;
  for (int i = 0; i < 200000; ++i) many += "+1 1:0.25 7:2\n";  // 2.8 MB
  many += "+1 7:2 1:0.25\n";
  CHECK_THROWS_WITH_AS(read_libsvm(t.file("late.svm", many)), doctest::Contains("late.svm:200001: feature index 1 after 7"),
                       usage_error);

  const auto shrinking = t.file("shrink.svm", many);
  byte_stream in(shrinking);
  std::vector<char> buf(1 << 20);
  REQUIRE(in.read(buf.data(), buf.size()) > 0);
  REQUIRE(::truncate(shrinking.c_str(), 1'500'000) == 0);
  CHECK_THROWS_WITH_AS(
      [&] {
        while (in.read(buf.data(), buf.size()) > 0) {
        }
      }(),
      doctest::Contains("shrink.svm: the file shrank while it was being read"), usage_error);
}

namespace {

// load_files on training (and test) files, cache off unless a cache directory is given.
loaded_data load(const std::vector<std::string>& train, const std::vector<std::string>& test, label_task task,
                 file_format format = file_format::automatic, const std::string& cache_dir = "") {
  file_spec spec;
  spec.train = train;
  spec.test = test;
  spec.format = format;
  spec.cache = cache_options{!cache_dir.empty(), cache_dir};
  return load_files(spec, task);
}

// A 3-image IDX set of 2x2 pixels (images, labels) with the given pixels and labels.
std::pair<std::string, std::string> idx_files(const temp_dir& t, const std::string& stem, const std::string& pixels,
                                              const std::string& labels) {
  return {t.file(stem + "-images-idx3-ubyte", be32(0x803) + be32(3) + be32(2) + be32(2) + pixels),
          t.file(stem + "-labels-idx1-ubyte", be32(0x801) + be32(3) + labels)};
}

}  // namespace

TEST_CASE("loader: training rows without a single feature are refused and some empty rows are fine") {
  temp_dir t;
  const auto none = t.file("n.svm", "+1\n-1\n+1\n");
  CHECK_THROWS_WITH_AS(load({none}, {}, label_task::binary),
                       doctest::Contains(fmt::format("{}: no row has a feature (each of the 3 rows is a label alone",
                                                     none).c_str()),
                       usage_error);
  const auto zeros = t.file("z.svm", "+1 1:0\n-1 2:0.0 3:-0\n");  // explicit zeros are no feature either
  CHECK_THROWS_WITH_AS(load({zeros}, {}, label_task::regression), doctest::Contains("z.svm: no row has a feature"),
                       usage_error);
  const auto some = t.file("s.svm", "+1\n-1 2:1\n+1\n");
  CHECK(load({some}, {}, label_task::binary).train.rows() == 3);
  // Empty rows only in one file of several, or in the test file: the set has features.
  const auto more = t.file("m.svm", "-1 1:0.5\n");
  CHECK(load({none, more}, {}, label_task::binary).train.nnz() == 1);
  CHECK(load({some}, {none}, label_task::binary).test.rows() == 3);
  // A piece of a file (a --distributed rank's rows) may hold empty rows only.
  CHECK(parse_libsvm("+1\n-1\n", "piece", 7).dims == 1);
  // Images: all pixels 0.
  const auto [black, black_labels] = idx_files(t, "black", std::string(12, '\0'), std::string("\x01\x02\x01", 3));
  CHECK_THROWS_WITH_AS(load({black}, {}, label_task::multiclass),
                       doctest::Contains("black-images-idx3-ubyte: every pixel of all 3 images is 0"), usage_error);
}

TEST_CASE("labels: a test label the training data lacks is named by file and line or record") {
  temp_dir t;
  const auto train = t.file("s.svm", "+1 1:1\n-1 2:1\n+1 1:1 2:1\n");
  const auto test = t.file("t.svm", "# head\n+1 1:1\n\n-1 2:1  # c\n+2 1:1\n");
  const std::string line5 = test + ":5: label 2 was not among the training labels (-1, 1)";
  CHECK_THROWS_WITH_AS(load({train}, {test}, label_task::binary), doctest::Contains(line5.c_str()), usage_error);
  // Gzip, a second test file (lines count in it), and rows from the binary cache (hit).
  const auto gz = t.file("t.svm.gz", "+1 1:1\n\n+2 1:1\n", true);
  CHECK_THROWS_WITH_AS(load({train}, {gz}, label_task::binary), doctest::Contains((gz + ":3: label 2").c_str()),
                       usage_error);
  const auto first = t.file("u.svm", "-1 1:1\n+1 2:1\n");
  CHECK_THROWS_WITH_AS(load({train}, {first, test}, label_task::binary), doctest::Contains(line5.c_str()),
                       usage_error);
  const std::string cache = (t.path / "cache").string();
  for (int pass = 0; pass < 2; ++pass) {
    CAPTURE(pass);
    CHECK_THROWS_WITH_AS(load({train}, {test}, label_task::binary, file_format::automatic, cache),
                         doctest::Contains(line5.c_str()), usage_error);
  }
  // --load-model reads the test file with read_any and maps its labels with the model's.
  dataset direct = read_any({test}, file_format::automatic, "");
  label_map m;
  m.task = label_task::multiclass;
  m.classes = {-1, 1};
  CHECK_THROWS_WITH_AS(map_labels(direct, m, test), doctest::Contains(line5.c_str()), usage_error);

  // IDX: the labels file and the record, not the images file.
  const std::string pixels(12, '\x05');
  const auto [tri, tri_labels] = idx_files(t, "train", pixels, std::string("\x01\x02\x01", 3));
  const auto [tei, tei_labels] = idx_files(t, "t10k", pixels, std::string("\x02\x01\x07", 3));
  CHECK_THROWS_WITH_AS(load({tri}, {tei}, label_task::multiclass),
                       doctest::Contains((tei_labels + ": record 3 at byte offset 10: label 7 was not among the "
                                          "training labels (1, 2)").c_str()),
                       usage_error);
  // CIFAR-10: the batch file and its record.
  std::string rec(3073, '\x09');
  rec[0] = 3;
  const std::string rec3 = rec;
  rec[0] = 4;
  const std::string rec4 = rec;
  rec[0] = 5;
  const auto ctrain = t.file("data_batch_1.bin", rec3 + rec4);
  const auto c1 = t.file("test_a.bin", rec4), c2 = t.file("test_b.bin", rec3 + rec);
  CHECK_THROWS_WITH_AS(load({ctrain}, {c1, c2}, label_task::multiclass),
                       doctest::Contains((c2 + ": record 2 at byte offset 3073: label 5 was not among").c_str()),
                       usage_error);
}

TEST_CASE("libsvm: bytes that are not printable ASCII are quoted as escapes and a byte-order mark is named") {
  libsvm_fails("\xEF\xBB\xBF+1 1:1\n",
               "f.svm:1: expected a label first, found a UTF-8 byte-order mark (bytes EF BB BF) at the start of the "
               "file, before '+1 1:1'");
  // Only the file's first bytes are a byte-order mark.
  libsvm_fails("+1 1:1\n\xEF\xBB\xBF+1 1:1\n", "f.svm:2: expected a number as label, found '\\xef\\xbb\\xbf+1'");
  libsvm_fails(std::string("1\0 1:1\n", 7), "f.svm:1: expected a number as label, found '1\\x00'");
  libsvm_fails("\xE2\x88\x92" "1 1:1\n",
               "f.svm:1: expected a number as label, found '\\xe2\\x88\\x921'; \\xe2\\x88\\x92 is the Unicode minus sign "
               "U+2212, expected the ASCII '-'");
  libsvm_fails("1 1:\x7f\n", "found '\\x7f'");
  CHECK(quoted_bytes(std::string(50, '\x01'), 6) == "\\x01\\x01...");  // two escapes pass 6 characters
  CHECK(quoted_bytes("ab\tc", 40) == "ab\\x09c");
  temp_dir t;
  const auto bom = t.file("bom.svm", "\xEF\xBB\xBF+1 1:1\n");
  CHECK_THROWS_WITH_AS(detect_format(bom), doctest::Contains("not LIBSVM text (it starts with a UTF-8 byte-order mark"),
                       usage_error);
}

TEST_CASE("idx: a header cut short is called truncated with the bytes found") {
  temp_dir t;
  const auto [images, labels] = idx_files(t, "ok", std::string(12, '\x01'), std::string("\x01\x02\x01", 3));
  const auto cut = t.file("cut", (be32(0x803) + be32(3) + be32(2)).substr(0, 10));
  CHECK(detect_format(cut) == file_format::idx);
  CHECK_THROWS_WITH_AS(read_idx(cut, labels),
                       doctest::Contains("cut: truncated IDX images header: expected 16 bytes (magic, image count, rows, "
                                         "columns), found 10 bytes"),
                       usage_error);
  const auto tiny = t.file("tiny", std::string("\x00\x00", 2));
  CHECK_THROWS_WITH_AS(read_idx(tiny, labels), doctest::Contains("expected magic 0x00000803"), usage_error);
  const auto cut_labels = t.file("cut_labels", be32(0x801) + std::string("\x00\x03", 2));
  CHECK_THROWS_WITH_AS(read_idx(images, cut_labels),
                       doctest::Contains("cut_labels: truncated IDX labels header: expected 8 bytes (magic, label "
                                         "count), found 6 bytes"),
                       usage_error);
  CHECK_THROWS_WITH_AS(read_idx(images, images), doctest::Contains("expected magic 0x00000801 (ubyte, 1 dim), found "
                                                                     "magic 0x00000803"),
                       usage_error);
}

TEST_CASE("loader: several IDX files and mixed formats are named without blaming a flag not given") {
  temp_dir t;
  const auto [a, al] = idx_files(t, "a", std::string(12, '\x01'), std::string("\x01\x02\x01", 3));
  const auto [b, bl] = idx_files(t, "b", std::string(12, '\x01'), std::string("\x01\x02\x01", 3));
  const std::string detected = fmt::format("--train: 2 files given, but IDX data (detected from the content of {}) is "
                                           "read from one images file and its labels file; expected one images file", a);
  CHECK_THROWS_WITH_AS(load({a, b}, {}, label_task::multiclass), doctest::Contains(detected.c_str()), usage_error);
  CHECK_THROWS_WITH_AS(load({a}, {a, b}, label_task::multiclass, file_format::idx),
                       doctest::Contains("--test: 2 files given, but IDX data (--format idx)"), usage_error);
  CHECK_THROWS_WITH_AS(read_any({a, b}, file_format::idx, ""),
                       doctest::Contains((a + ": IDX images are read from one images file (and its labels file), but 2 "
                                              "files were given together").c_str()),
                       usage_error);
  // LIBSVM text, then a CIFAR-10 batch: the second is read as LIBSVM too, and the error says why.
  const auto svm = t.file("s.svm", "+1 1:1\n-1 2:1\n");
  std::string rec(3073, '\x3b');
  rec[0] = 1;
  const auto bin = t.file("c.bin", rec);
  CHECK_THROWS_WITH_AS(read_any({svm, bin}, file_format::automatic, ""),
                       doctest::Contains((bin + ":1: expected a number as label, found '\\x01;;;").c_str()), usage_error);
  CHECK_THROWS_WITH_AS(read_any({svm, bin}, file_format::automatic, ""),
                       doctest::Contains(fmt::format("; {} is read as LIBSVM text, the format of the first file {}, but "
                                                     "it looks like cifar10 data: expected files of one format", bin, svm)
                                             .c_str()),
                       usage_error);
  // A text file with a plain mistake gets no such note.
  const auto typo = t.file("typo.svm", "+1 1:x\n");
  try {
    (void)read_any({svm, typo}, file_format::automatic, "");
    FAIL("typo.svm was read");
  } catch (const usage_error& e) {
    CHECK(std::string(e.what()).find("format") == std::string::npos);
  }
}

TEST_CASE("model file: values training never writes are refused with the line") {
  temp_dir t;
  const auto refused = [&](const std::string& name, const std::string& text, const std::string& expect) {
    CAPTURE(name);
    check_refused(t.file(name, text), name + ":" + expect);
  };
  refused("same.model", replaced(plain_model, "binary -1 1", "binary 1 1"),
          "6: binary labels 1 and 1: expected two different labels");
  refused("swapped.model", replaced(plain_model, "binary -1 1", "binary 1 -1"),
          "6: binary labels 1 -1: expected the smaller label (read as -1) first");
  refused("tenth.model", replaced(plain_model, "binary -1 1", "binary 0.1 1"),
          "6: the label read as -1 (0.1) is not exactly a float");
  refused("big.model", replaced(plain_model, "binary -1 1", "binary -1 1e39"), "6: the label read as +1 (1e+39) does "
                                                                               "not fit a float");
  refused("lambda.model", replaced(plain_model, "lambda 1", "lambda -0.5"),
          "5: expected lambda >= 0 (the L2 strength), found -0.5");
  for (const std::string bad : {"0", "-2"}) {
    CAPTURE(bad);
    refused("unit.model", replaced(replaced(scaled_model, "standardize", "unit"), "scale-offset 0.5 0 -1\nscale-factor 2",
                                   "scale-offset 0 0 0\nscale-factor " + bad),
            "9: scale factor " + bad + " for dim 1: expected a number > 0 with scale unit");
  }
  refused("neg.model", replaced(scaled_model, "scale-factor 2 1 0.25", "scale-factor 2 -1 0.25"),
          "9: scale factor -1 for dim 2: expected a number >= 0 with scale standardize");
  refused("offset.model", replaced(replaced(scaled_model, "standardize", "unit"), "scale-offset 0.5", "scale-offset 0"),
          "8: scale offset -1 for dim 3: expected 0 with scale unit");
  // Standardize zeroes a constant column with factor 0: saved models hold that.
  CHECK(read_model(t.file("zero.model", replaced(scaled_model, "scale-factor 2", "scale-factor 0"))).scale.factor[0] ==
        0.0);
  CHECK(read_model(t.file("lambda0.model", replaced(plain_model, "lambda 1", "lambda 0"))).lambda == 0.0);

  const std::string softmax =
      "hogwild-model 2\nmodel softmax\ndims 1\noutputs 3\nlambda 1\nlabels classes 3 1 2 10\nscale none\nweights\n1\n2\n3\n";
  CHECK(read_model(t.file("classes.model", softmax)).labels.classes == std::vector<double>{1, 2, 10});
  refused("twice.model", replaced(softmax, "3 1 2 10", "3 1 2 2"),
          "6: class label 2 appears twice: expected distinct class labels");
  refused("order.model", replaced(softmax, "3 1 2 10", "3 1 10 2"),
          "6: class label 2 after 10: expected the class labels in increasing order");
  refused("half.model", replaced(softmax, "3 1 2 10", "3 1 2.5 10"), "6: class label 2.5: expected integer class labels");
  refused("huge.model", replaced(softmax, "3 1 2 10", "3 1 2 16777217"), "6: a class label (16777217) is not exactly a "
                                                                         "float");
  refused("one.model",
          "hogwild-model 2\nmodel softmax\ndims 1\noutputs 1\nlambda 1\nlabels classes 1 4\nscale none\nweights\n1\n",
          "6: 1 class: expected at least 2 classes for model softmax");
  refused("quoted.model", replaced(plain_model, "model svm", std::string("model s\x01vm")), "2: unknown model 's\\x01vm'");
}

TEST_CASE("model file: a saved model with equal binary labels no longer blames the test file") {
  // The audit's case: a saved binary model edited to 'labels binary 1 1' is refused when read,
  // at its line, before any test label is looked at.
  temp_dir t;
  saved_model m;
  m.model = models::model_kind::logistic;
  m.dims = 2;
  m.labels.task = label_task::binary;
  m.labels.classes = {-1, 1};
  m.weights = {0.5, -0.5};
  const std::string p = (t.path / "b.model").string();
  write_model(p, m);
  CHECK(read_model(p).labels.classes == m.labels.classes);
  const auto edited = t.file("edited.model", replaced(slurp(p), "labels binary -1 1", "labels binary 1 1"));
  check_refused(edited, edited + ":6: binary labels 1 and 1: expected two different labels");
}

TEST_CASE("binary cache: one file reached by different paths has one cache name") {
  // ../shared/data/a9a/a9a and /work/shared/data/a9a/a9a got two cache files (std::filesystem::
  // absolute does not normalise); the key now takes the canonical path.
  temp_dir t;
  const std::string f = t.file("x.svm", "+1 1:1\n-1 2:1\n");
  std::filesystem::create_directories(t.path / "sub");
  std::filesystem::create_symlink(f, t.path / "link.svm");
  const std::string dir = (t.path / "cache").string();
  const std::string direct = data::cache_path_for(dir, "libsvm", {f});
  CHECK(data::cache_path_for(dir, "libsvm", {(t.path / "sub" / ".." / "x.svm").string()}) == direct);
  CHECK(data::cache_path_for(dir, "libsvm", {(t.path / "." / "x.svm").string()}) == direct);
  CHECK(data::cache_path_for(dir, "libsvm", {(t.path / "link.svm").string()}).ends_with(
      direct.substr(direct.rfind('-'))));  // the same hash; the name keeps the file name given
  CHECK(data::describe_sources({(t.path / "sub" / ".." / "x.svm").string()}) == data::describe_sources({f}));
}

TEST_CASE("append_bias adds the constant column last in every row, empty rows too") {
  dataset d;
  d.dims = 3;
  const std::uint32_t c0[] = {0, 2};
  const float v0[] = {1.5f, -2.0f};
  d.add_row(c0, v0, 2, 1.0f);
  d.add_row(nullptr, nullptr, 0, -1.0f);
  const std::uint32_t c2[] = {1};
  const float v2[] = {4.0f};
  d.add_row(c2, v2, 1, 1.0f);
  append_bias(d, 5, 0.5f);  // (a test set whose columns stop short of the training set's 5)
  CHECK(d.dims == 6);
  CHECK(d.row_ptr == std::vector<std::uint64_t>{0, 3, 4, 6});
  CHECK(d.idx == std::vector<std::uint32_t>{0, 2, 5, 5, 1, 5});
  CHECK(d.val == std::vector<float>{1.5f, -2.0f, 0.5f, 0.5f, 4.0f, 0.5f});
  CHECK(d.labels == std::vector<float>{1.0f, -1.0f, 1.0f});
}

TEST_CASE("model file version 3 carries the bias and its scale lines cover the dims before the bias column") {
  temp_dir t;
  saved_model m;
  m.model = models::model_kind::least_squares;
  m.dims = 3;  // 2 features + the bias column
  m.outputs = 1;
  m.lambda = 0;
  m.labels.task = label_task::regression;
  m.scale.kind = scale_kind::standardize;
  m.scale.offset = {0.25, -1};
  m.scale.factor = {2, 0.1};
  m.bias = 1.5;
  m.weights = {1, 2, 3};
  const std::string p = (t.path / "b.model").string();
  write_model(p, m);
  const saved_model r = read_model(p);
  CHECK(r.bias == 1.5);
  CHECK(r.data_dims() == 2);
  CHECK(r.scale.offset == m.scale.offset);
  CHECK(r.weights == m.weights);
  m.bias = 0;
  m.dims = 2;
  m.weights = {1, 2};
  write_model(p, m);
  CHECK(read_model(p).bias == 0.0);  // and the file is version 2, as before --bias
  const std::string v3 =
      "hogwild-model 3\nmodel svm\ndims 3\noutputs 1\nlambda 1\nbias 1\nlabels binary -1 1\nscale none\n"
      "weights\n0.5\n-0.25\n0.125\n";
  CHECK(read_model(t.file("v3.model", v3)).bias == 1.0);
  check_refused(t.file("nobias.model", replaced(v3, "bias 1\n", "")), "nobias.model:6: expected 'bias'");
  check_refused(t.file("zero.model", replaced(v3, "bias 1", "bias 0")), "zero.model:6: expected a bias > 0");
}
