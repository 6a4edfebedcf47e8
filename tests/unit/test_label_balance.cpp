// The "labels:" line of the report and its warning (coordinator/label_balance.cpp).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "coordinator/label_balance.hpp"

using namespace hogwild;
using models::label_type;

namespace {
data::label_map binary_map(double as_minus, double as_plus) {
  data::label_map m;
  m.task = data::label_task::binary;
  m.classes = {as_minus, as_plus};
  return m;
}
}  // namespace

TEST_CASE("binary labels: the largest class's share and the test error of always predicting it") {
  // 3 of 4 training rows +1; 2 of 5 test rows +1, so always +1 errs on 3 of 5.
  const auto b = describe_label_balance(label_type::binary, binary_map(-1, 1), {1, -1, 1, 1}, {1, -1, -1, 1, -1});
  CHECK(b.line == "+1 on 75.00% of the 4 training rows; always predicting +1 gives 60.00% test error");
  CHECK(b.warning.empty());
  // The labels as read (0/1 in the file), and no test set: the training error instead.
  const auto n = describe_label_balance(label_type::binary, binary_map(0, 1), {-1, -1, 1}, {});
  CHECK(n.line == "0 on 66.67% of the 3 training rows; always predicting 0 gives 33.33% training error");
  // Synthetic data (no names): -1 wins a tie.
  CHECK(describe_label_balance(label_type::binary, {}, {1, -1}, {1}).line ==
        "-1 on 50.00% of the 2 training rows; always predicting -1 gives 100.00% test error");
}

TEST_CASE("class labels: the number of classes and the largest named as read") {
  data::label_map m;
  m.task = data::label_task::multiclass;
  m.classes = {3, 5, 7};  // class index i was read as classes[i]
  const auto b = describe_label_balance(label_type::classes, m, {0, 2, 2, 1, 2}, {2, 0});
  CHECK(b.line == "3 classes; the largest, 7, on 60.00% of the 5 training rows; always predicting it gives "
                  "50.00% test error");
  CHECK(b.warning.empty());
}

TEST_CASE("one class filling 99% of the training rows or all of them is warned about") {
  std::vector<float> train(100, 1.0f);
  CHECK(describe_label_balance(label_type::binary, {}, train, {}).warning ==
        "every one of the 100 training labels is +1: there is no other class to tell it from");
  train[7] = -1.0f;  // 99%
  CHECK(describe_label_balance(label_type::binary, {}, train, {}).warning ==
        "99.00% of the 100 training labels are +1: an error rate near 1.00% is what always predicting +1 gives");
  train[8] = -1.0f;  // 98%: no warning
  CHECK(describe_label_balance(label_type::binary, {}, train, {}).warning.empty());
}

TEST_CASE("real-valued targets and an empty training set give no labels line") {
  CHECK(describe_label_balance(label_type::real, {}, {0.5f, 2.0f}, {1.0f}).line.empty());
  CHECK(describe_label_balance(label_type::binary, {}, {}, {1.0f}).line.empty());
}

TEST_CASE("a share that would print as 100.00% is said in counts") {
  std::vector<float> train(20000, 1.0f);
  train[0] = -1.0f;  // 99.995%
  CHECK(describe_label_balance(label_type::binary, {}, train, {}).warning ==
        "19999 of the 20000 training labels are +1: an error rate near 0 is what always predicting +1 gives");
}

TEST_CASE("labels outside what the trainer produces give no line") {
  CHECK(describe_label_balance(label_type::classes, {}, {0, -1}, {}).line.empty());
  CHECK(describe_label_balance(label_type::classes, {}, {0, 300}, {}).line.empty());
  CHECK(describe_label_balance(label_type::binary, {}, {1, std::nanf("")}, {}).line.empty());
  CHECK(describe_label_balance(label_type::binary, {}, {1, -1}, {std::nanf("")}).line.empty());
}

TEST_CASE("a scored test set is described by its own rows") {
  // --load-model: no training rows, the test labels stand for both.
  const std::vector<float> test{1, -1, -1};
  CHECK(describe_label_balance(label_type::binary, binary_map(-1, 1), test, test, "test").line ==
        "-1 on 66.67% of the 3 test rows; always predicting -1 gives 33.33% test error");
}
