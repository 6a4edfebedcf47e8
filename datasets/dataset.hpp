// A dataset held in the coordinator's memory before it is copied into the segment: CSR rows
// (the canonical form) and one float label per row.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shared/data_view.hpp"

namespace hogwild::data {

enum class file_format { automatic, libsvm, cifar10, idx };

// The files a dataset's rows were read from, in order, so that a row found bad after reading (a
// test label the training data lacks: map_labels in loader.hpp) can be named by its file and line
// or record. Rows made in memory have none (format automatic).
struct row_origin {
  file_format format = file_format::automatic;
  std::vector<std::string> files;
  std::string labels_file;  // IDX: the file the labels were read from
};

struct dataset {
  std::size_t dims = 0;
  std::vector<std::uint64_t> row_ptr{0};
  std::vector<std::uint32_t> idx;
  std::vector<float> val;
  std::vector<float> labels;
  row_origin origin;  // set by read_any / read_cached (loader.hpp); not kept by the row-copying steps

  std::size_t rows() const { return labels.size(); }
  std::size_t nnz() const { return val.size(); }
  kernel::csr_view csr() const { return {row_ptr.data(), idx.data(), val.data(), rows(), dims}; }
  // Appends a row; entries must come with strictly increasing columns < dims.
  void add_row(const std::uint32_t* cols, const float* vals, std::size_t n, float label) {
    idx.insert(idx.end(), cols, cols + n);
    val.insert(val.end(), vals, vals + n);
    row_ptr.push_back(val.size());
    labels.push_back(label);
  }
  // Appends a copy of row i of `from` (same dims).
  void add_row_of(const dataset& from, std::size_t i) {
    const auto k0 = from.row_ptr[i], k1 = from.row_ptr[i + 1];
    add_row(from.idx.data() + k0, from.val.data() + k0, k1 - k0, from.labels[i]);
  }
};

// Writes the rows into `out`, a zeroed row-major rows × dims array (only stored entries are
// written); after_row(k) runs after each row, with k the end of that row's entries (fill_segment
// gives the consumed entries back there).
template <class AfterRow>
void scatter_dense(const dataset& d, float* out, AfterRow&& after_row) {
  for (std::size_t i = 0; i < d.rows(); ++i) {
    const auto k1 = d.row_ptr[i + 1];
    for (auto k = d.row_ptr[i]; k < k1; ++k) out[i * d.dims + d.idx[k]] = d.val[k];
    after_row(k1);
  }
}

// Row-major dense copy of the rows (rows × dims floats).
std::vector<float> to_dense(const dataset& d);

// d_u = number of rows with a nonzero value in column u; returns 1/d_u (0 where d_u = 0).
std::vector<double> inverse_column_counts(const dataset& d);

}  // namespace hogwild::data
