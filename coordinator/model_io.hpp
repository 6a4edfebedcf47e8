// The saved-model file (--save-model / --load-model), text, version 2:
//
//   hogwild-model 2
//   model <svm|logistic|least-squares|multiclass-svm|softmax>
//   dims <D>
//   outputs <C>
//   lambda <λ>
//   labels binary <value read as -1> <value read as +1>
//        | labels classes <C> <label of class 0> ... <label of class C-1>
//        | labels real
//   scale none | scale unit | scale standardize
//   scale-offset <D numbers>     (only when scale is not none; x' = (x - offset_j) * factor_j)
//   scale-factor <D numbers>
//   weights
//   <D × C lines, one weight each, w[j*C + c]>
//
// Version 1 (no labels/scale lines) is still read: binary labels -1/+1, no scaling.
// Reading refuses NaN/infinite numbers, extra words on a line and anything but blank lines after the
// last weight (e.g. a dims header smaller than the weight lines), naming PATH:LINE; and values that
// training never writes: lambda < 0, binary labels that are equal or not in increasing order,
// class labels that are not distinct increasing integers (or fewer than 2), labels no float holds
// exactly, scale factors < 0 (unit: <= 0), unit scale offsets other than 0.
#pragma once
#include <string>
#include <vector>

#include "datasets/loader.hpp"
#include "shared/models/registry.hpp"

namespace hogwild {

struct saved_model {
  models::model_kind model = models::model_kind::svm;
  std::size_t dims = 0;
  int outputs = 1;
  double lambda = 0.0;
  data::label_map labels;
  data::scaling scale;
  // --bias B (> 0): the last of the dims is a constant column of value B appended to every row
  // after scaling (the scale lines cover the other dims); version 3 files. 0: none.
  double bias = 0.0;
  std::vector<double> weights;
  std::size_t data_dims() const { return bias > 0 ? dims - 1 : dims; }  // the features rows bring
};

void write_model(const std::string& path, const saved_model& m);
// Throws usage_error "PATH:LINE: ..." for a malformed or inconsistent file.
saved_model read_model(const std::string& path);

// One line per row: the predicted label as in the input file (e.g. -1/+1, 1..10, a real value).
void write_predictions(const std::string& path, const saved_model& m, const data::dataset& rows);

}  // namespace hogwild
