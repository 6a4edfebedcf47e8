#include "coordinator/model_io.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <iterator>
#include <limits>
#include <sstream>

#include "coordinator/atomic_file.hpp"
#include "datasets/file_input.hpp"
#include "shared/error.hpp"
#include "shared/evaluate.hpp"

namespace hogwild {

void write_model(const std::string& path, const saved_model& m) {
  // Built in memory, then written atomically (temporary + fsync + rename; docs/reliability.md).
  std::string text;
  auto f = std::back_inserter(text);
  // Version 2, or 3 with the bias line (a reader of version 2 would take the bias weight for a
  // feature's).
  fmt::format_to(f, "hogwild-model {}\nmodel {}\ndims {}\noutputs {}\nlambda {:.17g}\n", m.bias > 0 ? 3 : 2,
                 models::name_of(m.model), m.dims, m.outputs, m.lambda);
  if (m.bias > 0) fmt::format_to(f, "bias {:.17g}\n", m.bias);
  switch (m.labels.task) {
    case data::label_task::binary:
      fmt::format_to(f, "labels binary {:.17g} {:.17g}\n", m.labels.classes.at(0), m.labels.classes.at(1));
      break;
    case data::label_task::multiclass:
      fmt::format_to(f, "labels classes {}", m.labels.classes.size());
      for (double v : m.labels.classes) fmt::format_to(f, " {:.17g}", v);
      fmt::format_to(f, "\n");
      break;
    case data::label_task::regression: fmt::format_to(f, "labels real\n"); break;
  }
  fmt::format_to(f, "scale {}\n", data::name_of(m.scale.kind));
  if (m.scale.kind != data::scale_kind::none) {
    fmt::format_to(f, "scale-offset");
    for (double v : m.scale.offset) fmt::format_to(f, " {:.17g}", v);
    fmt::format_to(f, "\nscale-factor");
    for (double v : m.scale.factor) fmt::format_to(f, " {:.17g}", v);
    fmt::format_to(f, "\n");
  }
  fmt::format_to(f, "weights\n");
  for (double x : m.weights) fmt::format_to(f, "{:.17g}\n", x);
  write_file_atomically("--save-model", path, text);
}

namespace {

struct line_reader {
  const std::string& path;
  std::istringstream in;
  std::size_t line = 0;
  std::string text;
  [[noreturn]] void fail(const std::string& what) const {
    throw usage_error(fmt::format("{}:{}: {}", path, line, what));
  }
  std::istringstream next(const std::string& expected) {
    if (!std::getline(in, text)) {
      ++line;
      fail(fmt::format("file ends early; expected {}", expected));
    }
    ++line;
    return std::istringstream(text);
  }
  std::string keyword(std::istringstream& s, const char* expected) {
    std::string k;
    s >> k;
    if (k != expected) fail(fmt::format("expected '{}', found '{}'", expected, data::quoted_bytes(k)));
    return k;
  }
  // A finite number: NaN and infinity are refused, as in the LIBSVM reader.
  double number(std::istringstream& s, const char* what) {
    std::string tok;
    if (!(s >> tok)) fail(fmt::format("expected {}", what));
    double v = 0;
    const auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (ec != std::errc() || p != tok.data() + tok.size())
      fail(fmt::format("expected {}, found '{}'", what, data::quoted_bytes(tok)));
    if (!std::isfinite(v)) fail(fmt::format("expected {}, found '{}' (NaN and infinity are not allowed)", what, tok));
    return v;
  }
  // A label as training stores it: a float (datasets/dataset.hpp), written exactly. A value no
  // float holds (0.1) could never equal a label read from a test file.
  double label(std::istringstream& s, const char* what) {
    const double v = number(s, what);
    if (std::abs(v) > std::numeric_limits<float>::max())
      fail(fmt::format("{} ({}) does not fit a float; expected a label as saved (training stores labels as floats)",
                       what, v));
    const auto nearest = static_cast<double>(static_cast<float>(v));
    if (nearest != v)
      fail(fmt::format("{} ({}) is not exactly a float; expected a label as saved (training stores labels as floats: "
                       "the nearest is {})", what, v, nearest));
    return v;
  }
  // A whole number in [lo, hi].
  double whole(std::istringstream& s, const char* what, double lo, double hi) {
    const double v = number(s, what);
    if (v != std::floor(v) || v < lo || v > hi) fail(fmt::format("expected {} from {} to {}, found {}", what, lo, hi, v));
    return v;
  }
  // The rest of the line must be blank.
  void end(std::istringstream& s, const std::string& after) {
    std::string extra;
    if (s >> extra) fail(fmt::format("expected nothing after {}, found '{}'", after, data::quoted_bytes(extra)));
  }
  // After the last weight only blank lines may follow.
  void only_blank_lines(const std::string& after) {
    while (std::getline(in, text)) {
      ++line;
      std::istringstream s(text);
      std::string extra;
      if (s >> extra)
        fail(fmt::format("expected the end of the file after {}, found '{}'", after, data::quoted_bytes(extra)));
    }
  }
};

}  // namespace

saved_model read_model(const std::string& path) {
  const auto bytes = data::read_file(path).bytes;
  line_reader r{path, std::istringstream(std::string(bytes.begin(), bytes.end())), 0, {}};
  saved_model m;
  auto s = r.next("'hogwild-model VERSION'");
  r.keyword(s, "hogwild-model");
  const double version = r.number(s, "a version number");
  if (version != 1 && version != 2 && version != 3)
    r.fail(fmt::format("model file version {:g}; this build reads versions 1 to 3", version));
  r.end(s, "the version");
  s = r.next("'model NAME'");
  r.keyword(s, "model");
  std::string name;
  s >> name;
  const auto kind = models::parse_model(name);
  if (!kind) r.fail(fmt::format("unknown model '{}'", data::quoted_bytes(name)));
  m.model = *kind;
  r.end(s, "the model name");
  s = r.next("'dims D'");
  r.keyword(s, "dims");
  const double dims = r.whole(s, "the dimension", 1, static_cast<double>(1u << 31));
  r.end(s, "the dimension");
  s = r.next("'outputs C'");
  r.keyword(s, "outputs");
  const double outputs = r.whole(s, "the output count", 1, 256);
  r.end(s, "the output count");
  m.dims = static_cast<std::size_t>(dims);
  m.outputs = static_cast<int>(outputs);
  s = r.next("'lambda L'");
  r.keyword(s, "lambda");
  m.lambda = r.number(s, "lambda");
  if (m.lambda < 0) r.fail(fmt::format("expected lambda >= 0 (the L2 strength), found {:g}", m.lambda));
  r.end(s, "lambda");
  if (version == 3) {
    s = r.next("'bias B'");
    r.keyword(s, "bias");
    m.bias = r.number(s, "the bias feature's value");
    if (m.bias <= 0) r.fail(fmt::format("expected a bias > 0 (the value of the constant feature), found {:g}", m.bias));
    if (m.dims < 2) r.fail("a model with a bias needs at least 2 dims (the features and the bias column)");
    r.end(s, "the bias");
  }
  const auto type = models::label_type_of(m.model);
  if (version == 1) {
    m.labels.task = type == models::label_type::real ? data::label_task::regression : data::label_task::binary;
    if (m.labels.task == data::label_task::binary) m.labels.classes = {-1.0, 1.0};
  } else {
    s = r.next("'labels ...'");
    r.keyword(s, "labels");
    std::string t;
    s >> t;
    if (t == "binary") {
      m.labels.task = data::label_task::binary;
      m.labels.classes = {r.label(s, "the label read as -1"), r.label(s, "the label read as +1")};
      // Training maps the smaller label to -1 (datasets/loader.cpp): equal labels would leave a
      // class no test label can reach, and the error would then blame the test file.
      const double lo = m.labels.classes[0], hi = m.labels.classes[1];
      if (lo == hi) r.fail(fmt::format("binary labels {:g} and {:g}: expected two different labels", lo, hi));
      if (lo > hi)
        r.fail(fmt::format("binary labels {:g} {:g}: expected the smaller label (read as -1) first", lo, hi));
      r.end(s, "the 2 binary labels");
    } else if (t == "classes") {
      m.labels.task = data::label_task::multiclass;
      const double k = r.number(s, "the class count");
      if (k != outputs) r.fail(fmt::format("{:g} classes but {:g} outputs", k, outputs));
      if (k < 2) r.fail(fmt::format("{:g} class: expected at least 2 classes for model {}", k, name));
      // As training makes them (datasets/loader.cpp): distinct integers in increasing order, the
      // class index being the position.
      for (int c = 0; c < m.outputs; ++c) {
        const double v = r.label(s, "a class label");
        if (v != std::floor(v)) r.fail(fmt::format("class label {:g}: expected integer class labels", v));
        if (c > 0 && v == m.labels.classes.back())
          r.fail(fmt::format("class label {:g} appears twice: expected distinct class labels", v));
        if (c > 0 && v < m.labels.classes.back())
          r.fail(fmt::format("class label {:g} after {:g}: expected the class labels in increasing order", v,
                             m.labels.classes.back()));
        m.labels.classes.push_back(v);
      }
      r.end(s, fmt::format("{} class labels", m.outputs));
    } else if (t == "real") {
      m.labels.task = data::label_task::regression;
      r.end(s, "'labels real'");
    } else {
      r.fail(fmt::format("expected 'labels binary|classes|real', found '{}'", data::quoted_bytes(t)));
    }
    const bool ok = (type == models::label_type::binary && m.labels.task == data::label_task::binary && m.outputs == 1) ||
                    (type == models::label_type::classes && m.labels.task == data::label_task::multiclass) ||
                    (type == models::label_type::real && m.labels.task == data::label_task::regression && m.outputs == 1);
    if (!ok) r.fail(fmt::format("labels '{}' with {} outputs do not fit model {}", t, m.outputs, name));
    s = r.next("'scale none|unit|standardize'");
    r.keyword(s, "scale");
    s >> t;
    if (t == "none") m.scale.kind = data::scale_kind::none;
    else if (t == "unit") m.scale.kind = data::scale_kind::unit;
    else if (t == "standardize") m.scale.kind = data::scale_kind::standardize;
    else r.fail(fmt::format("expected 'scale none|unit|standardize', found '{}'", data::quoted_bytes(t)));
    r.end(s, "the scale kind");
    if (m.scale.kind != data::scale_kind::none) {
      const std::string per_dim = fmt::format("{} numbers (one per dim{})", m.data_dims(),
                                              m.bias > 0 ? ", the bias column excepted" : "");
      s = r.next("'scale-offset ...'");
      r.keyword(s, "scale-offset");
      // As fit_scaling makes them (datasets/loader.cpp): unit divides by a column's largest |value|
      // (offset 0, factor > 0); standardize divides by a standard deviation (factor > 0), or
      // zeroes a constant column (factor 0). A factor below 0 would flip a column's sign.
      const bool unit = m.scale.kind == data::scale_kind::unit;
      for (std::size_t j = 0; j < m.data_dims(); ++j) {
        const double v = r.number(s, "a scale offset");
        if (unit && v != 0)
          r.fail(fmt::format("scale offset {:g} for dim {}: expected 0 with scale unit (it only divides)", v, j + 1));
        m.scale.offset.push_back(v);
      }
      r.end(s, per_dim);
      s = r.next("'scale-factor ...'");
      r.keyword(s, "scale-factor");
      for (std::size_t j = 0; j < m.data_dims(); ++j) {
        const double v = r.number(s, "a scale factor");
        if (v < 0 || (unit && v == 0))
          r.fail(fmt::format("scale factor {:g} for dim {}: expected a number {} with scale {}", v, j + 1,
                             unit ? "> 0" : ">= 0", data::name_of(m.scale.kind)));
        m.scale.factor.push_back(v);
      }
      r.end(s, per_dim);
    }
  }
  s = r.next("'weights'");
  r.keyword(s, "weights");
  r.end(s, "'weights'");
  const std::size_t n = m.dims * static_cast<std::size_t>(m.outputs);
  const std::string expected = fmt::format("{} weights (dims × outputs)", n);
  m.weights.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    s = r.next(expected);
    m.weights.push_back(r.number(s, "a weight"));
    r.end(s, "a weight (one per line)");
  }
  r.only_blank_lines(expected);
  return m;
}

void write_predictions(const std::string& path, const saved_model& m, const data::dataset& rows) {
  std::vector<double> p(rows.rows());
  predict(m.model, rows.csr(), m.weights.data(), m.outputs, p.data());
  // Written as every other output (docs/reliability.md): atomically to a file, in place to a FIFO
  // (waiting for its reader, a stop signal ends the wait) or a device, through a copy of the
  // descriptor for /dev/stdout (a plain fopen truncated the file standard output was redirected
  // to, and the report written after it overwrote the predictions).
  std::string text;
  text.reserve(p.size() * 8);
  for (double v : p) fmt::format_to(std::back_inserter(text), "{:.10g}\n", m.labels.to_raw(v));
  write_file_atomically("--predictions", path, text);
}

}  // namespace hogwild
