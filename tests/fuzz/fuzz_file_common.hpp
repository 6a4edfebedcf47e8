// For readers that take a path: the fuzz input is written to a private temporary file first.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

namespace hogwild::fuzz {

// Removes the temporary files when the fuzzer exits.
struct temp_files {
  std::set<std::string> paths;
  ~temp_files() {
    for (const auto& p : paths) std::remove(p.c_str());
  }
};

inline std::string write_temp(const char* tag, const std::uint8_t* data, std::size_t size) {
  static temp_files files;
  const std::string path = "/tmp/hogwild-fuzz-" + std::to_string(::getpid()) + "-" + tag;
  files.paths.insert(path);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace hogwild::fuzz
