// Binary cache of parsed data files. The first load of a file writes the parsed dataset (raw
// labels, before label mapping and scaling) to
//     <cache dir>/<hash of format + absolute source paths>.hwc
// where the cache dir is --cache-dir, else $XDG_CACHE_HOME/hogwild, else ~/.cache/hogwild (the
// data directory itself may be read-only). Later loads map it and copy the arrays out in one pass
// that also checks the checksum, dropping each piece of the mapping once copied.
//
// File layout (little-endian, every array 8-byte aligned):
//   header (cache_header below) | sources text | row_ptr u64[rows+1] | idx u32[nnz] | val f32[nnz] |
//   labels f32[rows]
// `sources` lists "path\tsize\tmtime_ns\n" for each source file; a cache whose sources differ from
// the files now on disk is stale. The checksum (64-bit, word-wise multiply-rotate hash) covers
// everything after the header. A wrong magic, version, size, checksum or a stale source means the
// cache is rebuilt from the source. A cache that cannot be written is skipped (never an error).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"

namespace hogwild::data {

inline constexpr std::uint32_t cache_version = 1;

struct cache_options {
  bool enabled = true;
  std::string dir;  // "" = default location
};

// What happened, for the run report: "hit", "written", "rebuilt (REASON)", "off", "not written (REASON)".
struct cache_report {
  std::string status;
  std::string path;
};

std::string default_cache_dir();

// "path\tsize\tmtime_ns\n" per file (paths made absolute); throws usage_error for a missing file.
std::string describe_sources(const std::vector<std::string>& paths);

// Tries the cache file; nullopt and `why` set when it is missing, corrupt or stale.
std::optional<dataset> cache_load(const std::string& cache_path, const std::string& sources, std::string& why);

// Writes atomically (temporary file + rename). Returns "" on success, else the reason it failed.
std::string cache_store(const std::string& cache_path, const std::string& sources, const dataset& d);

// The cache file name for a group of sources read in `format_name` (with IDX labels if any).
std::string cache_path_for(const std::string& dir, const std::string& format_name, const std::vector<std::string>& paths);

// 64-bit checksum of a byte range (exposed for tests and the benchmark).
std::uint64_t checksum(const void* data, std::size_t bytes);

}  // namespace hogwild::data
