#include "datasets/idx.hpp"

#include <algorithm>

#include <sys/stat.h>

#include <fmt/format.h>

#include "datasets/file_input.hpp"
#include "datasets/interrupt.hpp"
#include "shared/error.hpp"
#include "shared/page_release.hpp"

namespace hogwild::data {
namespace {

std::uint32_t be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) | u[3];
}

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

bool looks_like_idx(const char* b, std::size_t n) {
  return n >= 8 && b[0] == 0 && b[1] == 0 && b[2] == 0x08 && (b[3] == 0x01 || b[3] == 0x03);
}

std::string idx_labels_for(const std::string& images_path) {
  const auto slash = images_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : images_path.substr(0, slash + 1);
  std::string base = images_path.substr(dir.size());
  const auto at = base.find("-images-idx3-ubyte");
  if (at == std::string::npos) return "";
  const std::string stem = dir + base.substr(0, at) + "-labels-idx1-ubyte";
  for (const char* ext : {"", ".gz"})
    if (exists(stem + ext)) return stem + ext;
  return "";
}

dataset read_idx(const std::string& images_path, const std::string& labels_path) {
  const file_bytes img = read_file(images_path);
  const char* b = img.bytes.data();
  const std::size_t n = img.bytes.size();
  if (n < 4 || be32(b) != 0x00000803)
    throw usage_error(fmt::format("{}: not an IDX images file: expected magic 0x00000803 (ubyte, 3 dims) and a "
                                  "16-byte header, found {}", images_path,
                                  n < 4 ? fmt::format("a file of {} bytes", n) : fmt::format("magic 0x{:08x}", be32(b))));
  // The right magic in a file cut short: the header itself is incomplete (not a foreign file).
  if (n < 16)
    throw usage_error(fmt::format("{}: truncated IDX images header: expected 16 bytes (magic, image count, rows, "
                                  "columns), found {} bytes", images_path, n));
  const std::uint64_t count = be32(b + 4), h = be32(b + 8), w = be32(b + 12);
  if (h == 0 || w == 0 || h * w > (1u << 24))
    throw usage_error(fmt::format("{}: IDX image size {}x{} is not valid", images_path, h, w));
  const std::uint64_t pixels = h * w;
  if (n - 16 != count * pixels)
    throw usage_error(fmt::format("{}: IDX header says {} images of {}x{} ({} bytes of pixels) but the file has {} "
                                  "bytes after its 16-byte header", images_path, count, h, w, count * pixels, n - 16));
  if (labels_path.empty())
    throw usage_error(fmt::format("{}: no labels file found next to it (expected {}); give it with --train-labels/"
                                  "--test-labels", images_path,
                                  images_path.find("-images-idx3-ubyte") != std::string::npos
                                      ? "the matching *-labels-idx1-ubyte[.gz]"
                                      : "a name like train-labels-idx1-ubyte[.gz]"));
  const file_bytes lab = read_file(labels_path);
  const char* l = lab.bytes.data();
  const std::size_t ln = lab.bytes.size();
  if (ln < 4 || be32(l) != 0x00000801)
    throw usage_error(fmt::format("{}: not an IDX labels file: expected magic 0x00000801 (ubyte, 1 dim), found {}",
                                  labels_path,
                                  ln < 4 ? fmt::format("a file of {} bytes", ln) : fmt::format("magic 0x{:08x}", be32(l))));
  if (ln < 8)
    throw usage_error(fmt::format("{}: truncated IDX labels header: expected 8 bytes (magic, label count), found {} "
                                  "bytes", labels_path, ln));
  const std::uint64_t lcount = be32(l + 4);
  if (ln - 8 != lcount)
    throw usage_error(fmt::format("{}: IDX header says {} labels but the file has {} bytes after its 8-byte header",
                                  labels_path, lcount, ln - 8));
  if (lcount != count)
    throw usage_error(fmt::format("{} has {} images but {} has {} labels; expected the same count", images_path,
                                  count, labels_path, lcount));
  if (count == 0) throw usage_error(fmt::format("{}: no images", images_path));
  dataset d;
  d.dims = pixels;
  d.row_ptr.reserve(count + 1);
  d.labels.reserve(count);
  // The exact number of stored entries up front: the arrays fill without growth copies, which
  // would briefly hold them twice (peak memory).
  const auto* pixel_bytes = reinterpret_cast<const unsigned char*>(b + 16);
  const auto stored = static_cast<std::size_t>(count * pixels - static_cast<std::uint64_t>(std::count(pixel_bytes, pixel_bytes + count * pixels, 0)));
  d.idx.reserve(stored);
  d.val.reserve(stored);
  std::vector<std::uint32_t> cols;
  std::vector<float> vals;
  page_releaser consumed(pixel_bytes);  // gives the decoded image bytes back as rows are built
  for (std::uint64_t i = 0; i < count; ++i) {
    if (i % poll_every_rows == 0) poll_interrupt();
    cols.clear();
    vals.clear();
    const auto* px = reinterpret_cast<const unsigned char*>(b + 16 + i * pixels);
    for (std::uint32_t j = 0; j < pixels; ++j)
      if (px[j]) {
        cols.push_back(j);
        vals.push_back(px[j]);
      }
    d.add_row(cols.data(), vals.data(), cols.size(), static_cast<unsigned char>(l[8 + i]));
    consumed.release_to(px + pixels);  // the pixels are not read again
  }
  return d;
}

}  // namespace hogwild::data
