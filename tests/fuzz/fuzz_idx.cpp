// libFuzzer target: the IDX reader (images + labels files, raw or gzip). The first input byte
// says where the rest splits into the images file and the labels file. It must return as many
// labels as image rows, or throw usage_error (magic, dimensions, counts, truncation).
#include <cstdint>
#include <cstdlib>

#include "datasets/idx.hpp"
#include "fuzz_file_common.hpp"
#include "shared/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t rest = size - 1;
  const std::size_t cut = rest * data[0] / 255;
  const std::string images = hogwild::fuzz::write_temp("images", data + 1, cut);
  const std::string labels = hogwild::fuzz::write_temp("labels", data + 1 + cut, rest - cut);
  try {
    const hogwild::data::dataset d = hogwild::data::read_idx(images, labels);
    if (d.row_ptr.size() != d.rows() + 1) std::abort();
  } catch (const hogwild::usage_error&) {
  }
  return 0;
}
