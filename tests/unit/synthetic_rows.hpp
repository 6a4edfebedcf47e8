// Synthetic SVM training rows for unit tests (datasets/synthetic.hpp, no test rows).
#pragma once
#include <cstddef>

#include "datasets/synthetic.hpp"

namespace hogwild::test {

inline data::dataset synthetic_rows(std::size_t rows, std::size_t dims, double density) {
  data::synthetic_spec spec;
  spec.rows = rows;
  spec.test_rows = 0;
  spec.dims = dims;
  spec.density = density;
  return data::make_synthetic(spec).train;
}

}  // namespace hogwild::test
