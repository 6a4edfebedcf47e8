// --distributed with one plain (not gzip) LIBSVM training file, no scaling and no validation split:
// each rank reads and parses only the lines of its shard (rows partition(n, R, rank)), and what
// the trainer needs from the whole set comes from collectives instead (docs/distributed.md):
// the row count, the dimension, the label set, the column counts d_u, the longest row and, for
// the default learning rate, the largest squared row norm. The shard is the same rows, parsed the
// same way, as when every rank parses the whole file and keeps its part.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/config.hpp"
#include "coordinator/data_setup.hpp"

namespace hogwild {

class cluster;

struct shard_facts {
  std::size_t global_rows = 0;
  std::vector<double> inv_du;         // 1/d_u over all shards (0 where d_u = 0)
  std::uint64_t max_row_entries = 0;  // over all shards
};

// Whether this run's training data can be read by shards (otherwise every rank reads it all).
bool can_read_sharded(const config& c);

// This rank's rows (train), rank 0's test set, labels; resolves --learning-rate 0 like
// resolve_data_defaults does, over all shards (note: the "defaults:" line).
run_data prepare_sharded(config& c, cluster& net, shard_facts& facts, std::string& note);

}  // namespace hogwild
