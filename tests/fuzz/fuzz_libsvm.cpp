// libFuzzer target: the LIBSVM/SVMlight text parser on arbitrary bytes. It must return a dataset
// whose CSR structure is consistent, or throw usage_error (file, line, what was expected).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "datasets/libsvm.hpp"
#include "shared/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const hogwild::data::dataset d = hogwild::data::parse_libsvm(text, "fuzz");
    if (d.row_ptr.size() != d.rows() + 1 || d.row_ptr.back() != d.nnz() || d.idx.size() != d.nnz()) std::abort();
    for (std::size_t i = 0; i < d.rows(); ++i)
      for (auto k = d.row_ptr[i]; k < d.row_ptr[i + 1]; ++k)
        if (d.idx[k] >= d.dims || (k > d.row_ptr[i] && d.idx[k] <= d.idx[k - 1])) std::abort();
  } catch (const hogwild::usage_error&) {
  }
  return 0;
}
