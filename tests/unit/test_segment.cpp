#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

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
}
