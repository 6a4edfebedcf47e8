#include "datasets/dataset.hpp"

namespace hogwild::data {

std::vector<float> to_dense(const dataset& d) {
  std::vector<float> out(d.rows() * d.dims, 0.0f);
  scatter_dense(d, out.data(), [](std::uint64_t) {});
  return out;
}

std::vector<double> inverse_column_counts(const dataset& d) {
  std::vector<std::uint64_t> count(d.dims, 0);
  for (std::size_t k = 0; k < d.nnz(); ++k)
    if (d.val[k] != 0.0f) ++count[d.idx[k]];
  std::vector<double> inv(d.dims, 0.0);
  for (std::size_t u = 0; u < d.dims; ++u)
    if (count[u]) inv[u] = 1.0 / static_cast<double>(count[u]);
  return inv;
}

}  // namespace hogwild::data
