#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/error.hpp"
#include "shared/segment.hpp"

using namespace hogwild;

namespace {

bool in_dev_shm(const std::string& name) { return std::filesystem::exists("/dev/shm/" + name); }

shm::segment_spec small_spec() {
  shm::segment_spec s;
  s.rows = 10;
  s.dims = 4;
  s.nnz = 20;
  s.workers = 2;
  s.batch_size = 2;
  s.lambda = 1.0;
  return s;
}

}  // namespace

TEST_CASE("a segment is created 0600 and exclusively and removed by its owner") {
  const std::string name = shm::unique_name("hogwild-test");
  CHECK(name.find(std::to_string(::getpid())) != std::string::npos);
  {
    shm::owned_segment seg(name, small_spec());
    REQUIRE(in_dev_shm(name));
    struct stat st {};
    REQUIRE(::stat(("/dev/shm/" + name).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(seg.view().hdr().rows == 10);
    CHECK(reinterpret_cast<std::uintptr_t>(seg.view().weights()) % 4096 == 0);
    // A second creator with the same name must fail, not attach.
    CHECK_THROWS_AS(shm::owned_segment(name, small_spec()), runtime_failure);
    CHECK(in_dev_shm(name));  // the failed creator did not remove the first one's segment
  }
  CHECK_FALSE(in_dev_shm(name));
}

TEST_CASE("attaching validates the header") {
  const std::string name = shm::unique_name("hogwild-test");
  shm::owned_segment seg(name, small_spec());
  auto& h = seg.view().hdr();
  seg.view().row_ptr()[10] = 20;  // consistent CSR ends
  SUBCASE("a valid segment attaches and shares memory") {
    shm::attached_segment a(name);
    a.view().weights()[3] = 42.0;
    CHECK(seg.view().weights()[3] == 42.0);
  }
  SUBCASE("foreign magic") {
    h.magic = 0x1234;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("foreign magic"), usage_error);
  }
  SUBCASE("other version") {
    h.version = 99;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("layout version 99"), usage_error);
  }
  SUBCASE("section outside the segment") {
    h.weights.offset = h.total_bytes + 64;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("outside"), usage_error);
  }
  SUBCASE("size larger than the mapping") {
    h.total_bytes *= 4;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("mapped"), usage_error);
  }
  SUBCASE("shape does not match sections") {
    h.rows = 11;
    CHECK_THROWS_AS(shm::attached_segment{name}, usage_error);
  }
  SUBCASE("inconsistent CSR") {
    seg.view().row_ptr()[10] = 7;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("CSR"), usage_error);
  }
  SUBCASE("missing segment") {
    CHECK_THROWS_AS(shm::attached_segment{name + "-missing"}, usage_error);
  }
  SUBCASE("unknown prefetch setting") {
    h.stream_rows = 2;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("prefetch"), usage_error);
  }
}

TEST_CASE("the prefetch hint follows the header's data sections outputs and batch") {
  constexpr std::size_t MiB = std::size_t{1} << 20;
  shm::header h{};
  h.rows = 500000;
  h.dims = 100;
  h.outputs = 1;
  h.batch_size = 2;
  h.values.bytes = h.rows * h.dims * sizeof(float);  // dense rows: 200 MB, 400 bytes a row
  CHECK(shm::stream_rows_for(h, 8 * MiB));
  CHECK_FALSE(shm::stream_rows_for(h, 128 * MiB));  // fits twice in the cache
  CHECK_FALSE(shm::stream_rows_for(h, 0));          // cache unknown
  h.batch_size = 64;
  CHECK_FALSE(shm::stream_rows_for(h, 8 * MiB));
  h.batch_size = 2;
  h.outputs = 10;
  CHECK_FALSE(shm::stream_rows_for(h, 8 * MiB));
  h.outputs = 1;
  h.values.bytes = 20'000'000 * sizeof(float);  // CSR: 40 nonzeros a row, counted with idx and row_ptr
  h.col_idx.bytes = 20'000'000 * sizeof(std::uint32_t);
  h.row_ptr.bytes = (h.rows + 1) * sizeof(std::uint64_t);
  CHECK(shm::stream_rows_for(h, 8 * MiB));
  CHECK_FALSE(shm::stream_rows_for(h, 100 * MiB));  // 168 MB of CSR: not over twice 100 MiB
}

TEST_CASE("the creator records the prefetch hint in the header and the views carry it") {
  const std::string name = shm::unique_name("hogwild-test");
  shm::owned_segment seg(name, small_spec());
  auto& h = seg.view().hdr();
  seg.view().row_ptr()[10] = 20;
  CHECK(h.stream_rows == 0);  // 10 rows stream past no cache
  CHECK_FALSE(seg.view().csr().stream);
  h.stream_rows = 1;  // what the creator writes for data over twice the last-level cache
  shm::attached_segment a(name);
  CHECK(a.view().csr().stream);
  CHECK(a.view().dense().stream);
}

TEST_CASE("model replicas: one page-aligned copy per worker, validated on attach") {
  const std::string name = shm::unique_name("hogwild-test");
  shm::segment_spec spec = small_spec();
  spec.replicas = true;
  shm::owned_segment seg(name, spec);
  const auto& v = seg.view();
  auto& h = v.hdr();
  v.row_ptr()[10] = 20;
  REQUIRE(v.replica_count() == 2);
  CHECK(h.replicas.offset % 4096 == 0);
  CHECK(h.replica_stride % 4096 == 0);
  CHECK(v.weights_for(0) == v.replica(0));
  CHECK(v.weights_for(1) != v.weights_for(0));
  CHECK(v.weights_for(1) != v.weights());
  CHECK(reinterpret_cast<std::uintptr_t>(v.replica(1)) % 4096 == 0);
  SUBCASE("a worker's replica is shared memory") {
    shm::attached_segment a(name);
    a.view().weights_for(1)[2] = 7.0;
    CHECK(v.replica(1)[2] == 7.0);
    CHECK(v.weights()[2] == 0.0);
  }
  SUBCASE("replica count other than 0 or the worker count") {
    h.replica_count = 1;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("section sizes"), usage_error);
  }
  SUBCASE("replica stride smaller than the model") {
    h.replica_stride = 0;
    CHECK_THROWS_AS(shm::attached_segment{name}, usage_error);
  }
  SUBCASE("replica section outside the segment") {
    h.replicas.offset = h.total_bytes;
    CHECK_THROWS_WITH_AS(shm::attached_segment{name}, doctest::Contains("outside"), usage_error);
  }
}

TEST_CASE("without replicas every worker trains the shared model") {
  const std::string name = shm::unique_name("hogwild-test");
  shm::owned_segment seg(name, small_spec());
  CHECK(seg.view().replica_count() == 0);
  CHECK(seg.view().hdr().replicas.bytes == 0);
  CHECK(seg.view().weights_for(1) == seg.view().weights());
}

TEST_CASE("a view with a read-only copy reads data from the copy and writes the model to the segment") {
  shm::owned_segment seg(shm::unique_name("hogwild-test"), small_spec());
  const shm::segment_view& v = seg.view();
  v.values()[0] = 1.5f;
  v.labels()[0] = 1.0f;
  v.inv_du()[0] = 0.25;
  const std::size_t n = v.read_only_end();
  for (const shm::section* s : {&v.hdr().row_ptr, &v.hdr().col_idx, &v.hdr().values, &v.hdr().labels, &v.hdr().inv_du})
    CHECK(s->offset + s->bytes <= n);
  std::vector<std::byte> copy(static_cast<const std::byte*>(v.base()), static_cast<const std::byte*>(v.base()) + n);
  const shm::segment_view p = v.with_read_only_copy(copy.data());
  CHECK(p.values()[0] == 1.5f);
  v.values()[0] = 2.5f;  // the segment changes; the copy does not
  v.labels()[0] = -1.0f;
  CHECK(p.values()[0] == 1.5f);
  CHECK(p.labels()[0] == 1.0f);
  CHECK(p.inv_du()[0] == 0.25);
  CHECK(p.csr().val == reinterpret_cast<const float*>(copy.data() + v.hdr().values.offset));
  p.weights()[0] = 3.0;  // model, permutation and stats are the segment's own
  CHECK(v.weights()[0] == 3.0);
  CHECK(p.perm() == v.perm());
  CHECK(p.stats() == v.stats());
}
