#include "coordinator/label_balance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace hogwild {
namespace {

// The bucket of a model label: binary -1 → 0, +1 → 1; a class index is its own bucket.
std::size_t bucket(models::label_type type, float y) {
  if (type == models::label_type::binary) return y > 0 ? 1 : 0;
  return static_cast<std::size_t>(y);
}

std::string label_name(models::label_type type, const data::label_map& names, std::size_t b) {
  const double model_label = type == models::label_type::binary ? (b == 1 ? 1.0 : -1.0) : static_cast<double>(b);
  if (names.classes.empty()) return type == models::label_type::binary ? (b == 1 ? "+1" : "-1") : fmt::format("{}", b);
  const double raw = names.to_raw(model_label);
  // -1/+1 as read (the synthetic sets, most LIBSVM files) keep their sign: "+1", as in the "data:" line.
  if (type == models::label_type::binary && raw == 1.0 && names.to_raw(-1.0) == -1.0) return "+1";
  return fmt::format("{:g}", raw);
}

double percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

label_balance describe_label_balance(models::label_type type, const data::label_map& names,
                                     const std::vector<float>& train, const std::vector<float>& test,
                                     const char* rows) {
  label_balance r;
  if (type == models::label_type::real || train.empty()) return r;
  // The trainer maps every label to -1/+1 or a class index below 256 (segment header); anything
  // else (a direct caller's data) gets no line rather than a wrong one.
  for (const std::vector<float>* set : {&train, &test})
    for (float y : *set)
      if (!std::isfinite(y) || (type == models::label_type::classes && (y < 0 || y >= 256))) return r;
  std::size_t buckets = type == models::label_type::binary ? 2 : names.classes.size();
  for (float y : train) buckets = std::max(buckets, bucket(type, y) + 1);
  std::vector<std::size_t> count(buckets, 0);
  for (float y : train) ++count[bucket(type, y)];
  // The largest class; on a tie the first (-1 before +1, the lower class index).
  const std::size_t top = static_cast<std::size_t>(std::max_element(count.begin(), count.end()) - count.begin());
  const std::string name = label_name(type, names, top);
  const double share = percent(count[top], train.size());
  std::size_t test_hits = 0;
  for (float y : test) test_hits += bucket(type, y) == top;
  const std::string baseline =
      test.empty() ? fmt::format("{:.2f}% {} error", 100.0 - share, rows)
                   : fmt::format("{:.2f}% test error", 100.0 - percent(test_hits, test.size()));
  if (type == models::label_type::binary)
    r.line = fmt::format("{} on {:.2f}% of the {} {} rows; always predicting {} gives {}", name, share,
                         train.size(), rows, name, baseline);
  else
    r.line = fmt::format("{} classes; the largest, {}, on {:.2f}% of the {} {} rows; always predicting it "
                         "gives {}", buckets, name, share, train.size(), rows, baseline);
  if (share >= 99.0)
    r.warning = count[top] == train.size()
                    ? fmt::format("every one of the {} {} labels is {}: there is no other class to tell it "
                                  "from", train.size(), rows, name)
                    : 100.0 - share < 0.005  // the percentages would round to 100.00% and 0.00%
                          ? fmt::format("{} of the {} {} labels are {}: an error rate near 0 is what always "
                                        "predicting {} gives", count[top], train.size(), rows, name, name)
                          : fmt::format("{:.2f}% of the {} {} labels are {}: an error rate near {:.2f}% is "
                                        "what always predicting {} gives", share, train.size(), rows, name,
                                        100.0 - share, name);
  return r;
}

}  // namespace hogwild
