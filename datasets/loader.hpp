// From files on disk to the training/validation/test sets the trainer uses:
//   format detection → reader → label mapping → validation split → scaling.
//
// Labels (label_map): the model decides what labels must be.
//   - binary models (svm, logistic): exactly two distinct training labels. -1/+1 stay as they are;
//     any other pair (0/1, 1/2, ...) maps lower → -1, higher → +1. More than two → usage error that
//     lists the labels found.
//   - multiclass models: labels must be integers; the sorted distinct training labels become class
//     indices 0..C-1 (LIBSVM 1..10 → 0..9, -1/+1 → 0/1). A test label not seen in training is an error.
//   - regression (least-squares): targets are used as read.
// Dimensions: the model has the TRAINING file's dimension; test/validation columns beyond it are
// dropped (they would meet a zero weight anyway), e.g. a9a.t (122) against a9a (123) is fine.
// Scaling (fitted on the training rows only, after the validation split):
//   none; unit: images divide by 255 (pixels to [0, 1]), other data divide each column by its
//   largest |value| (sparsity kept); standardize: (x - mean) / std per column (makes rows dense).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/cache.hpp"
#include "datasets/dataset.hpp"

namespace hogwild::data {

enum class scale_kind { automatic, none, unit, standardize };
enum class label_task { binary, multiclass, regression };

const char* name_of(file_format f);
const char* name_of(scale_kind s);

struct file_spec {
  std::vector<std::string> train, test;  // several files are concatenated (CIFAR batches, LIBSVM parts)
  std::string train_labels, test_labels;  // IDX only; default: the conventional name next to the images
  file_format format = file_format::automatic;
  scale_kind scale = scale_kind::automatic;  // automatic: unit for image formats, none for LIBSVM
  double validation_fraction = 0.0;
  std::uint64_t seed = 1;
  cache_options cache;  // binary cache of parsed files (datasets/cache.hpp); --no-cache, --cache-dir
};

struct label_map {
  label_task task = label_task::regression;
  std::vector<double> classes;  // binary: {value read as -1, value read as +1}; multiclass: index → value
  // Model label for a label as read; throws usage_error naming `where` if it has no class.
  float to_model(double raw, const std::string& where) const;
  // Label as read for a model prediction (-1/+1, a class index, or a regression value).
  double to_raw(double predicted) const;
  int outputs() const { return task == label_task::multiclass ? static_cast<int>(classes.size()) : 1; }
};

struct scaling {
  scale_kind kind = scale_kind::none;
  std::vector<double> offset, factor;  // x' = (x - offset[j]) * factor[j]; empty for none
  void apply(dataset& d) const;
};

struct loaded_data {
  dataset train, validation, test;
  label_map labels;
  scaling scale;
  file_format format = file_format::libsvm;
  double read_seconds = 0.0;        // reading + parsing (or cache loading) all files
  std::string train_cache, test_cache;  // what the cache did, for the report
  std::string test_note;  // LIBSVM test rows with columns the training rows lack (dropped), else empty
};

// Decides the format from the content (decompressed if gzip): IDX magic → idx; mostly printable
// text → libsvm; a size multiple of 3073 with a first byte 0..9 → cifar10.
file_format detect_format(const std::string& path);
// `format`, or for automatic what detect_format(path) finds.
file_format resolve_format(file_format format, const std::string& path);

// Refuses IDX labels given (`flag`: --train-labels or --test-labels) for `path` read in another
// format, whose rows carry their own labels: exit 2 rather than a flag that does nothing.
void check_idx_labels(const char* flag, const std::string& labels, file_format format, const std::string& path);

// Reads train/test files and prepares everything for `task` (see the header comment).
loaded_data load_files(const file_spec& spec, label_task task);

// The error for LIBSVM training data with no feature in any of its `rows` rows (load_files, and
// prepare_sharded across --distributed ranks): `names` are the files.
std::string no_feature_message(const std::string& names, std::size_t rows);

// Reads one set of files in `format` (automatic → detect_format on the first), raw labels; the
// result's origin names the files.
dataset read_any(const std::vector<std::string>& paths, file_format format, const std::string& idx_labels);

// read_any through the binary cache; `note` says hit / written / rebuilt (why) / off.
dataset read_cached(const std::vector<std::string>& paths, file_format format, const std::string& idx_labels,
                    const cache_options& cache, std::string& note);

// The pieces, for tests and for applying a saved model.
label_map make_label_map(const dataset& train, label_task task, const std::string& where);
void map_labels(dataset& d, const label_map& m, const std::string& where);
scaling fit_scaling(const dataset& train, scale_kind kind, bool images);
// Keeps columns < dims only.
void restrict_columns(dataset& d, std::size_t dims);
// --bias B: appends `column` (>= every column of d; d.dims becomes column + 1) with value B to
// every row, for an intercept.
void append_bias(dataset& d, std::size_t column, float value);
// Moves round(fraction × rows) rows, chosen by a seeded shuffle, from d into a new dataset.
dataset split_off(dataset& d, double fraction, std::uint64_t seed);
// Largest squared row norm.
double max_row_norm2(const dataset& d);

}  // namespace hogwild::data
