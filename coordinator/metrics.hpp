// Per-epoch metrics: a line on stdout and a row in FILE.csv or FILE.jsonl. Rows go to a temporary
// beside FILE, flushed every epoch; FILE appears (atomically renamed) when the run ends — normally,
// interrupted or failed — so an interrupted run keeps what it measured and FILE is never half-written.
#pragma once
#include <cstdio>
#include <optional>
#include <string>

#include "coordinator/atomic_file.hpp"

namespace hogwild {

struct epoch_metrics {
  unsigned epoch = 0;          // 1-based
  double wall_seconds = 0;     // since training started (cumulative)
  double cpu_seconds = 0;      // coordinator + all reaped workers, user + sys (cumulative)
  double epoch_seconds = 0;    // wall time of this epoch's training (no evaluation)
  double step_size = 0;
  double train_objective = 0;
  double train_error = 0;
  double test_error = 0;       // NaN when there is no test set
};

class metrics_writer {
 public:
  explicit metrics_writer(const std::string& path);  // "" = no file
  ~metrics_writer() = default;  // commits the rows so far (see atomic_output)
  metrics_writer(const metrics_writer&) = delete;
  metrics_writer& operator=(const metrics_writer&) = delete;
  void write(const epoch_metrics& m);
  void finish() {
    if (out_) out_->commit();
  }  // renames the rows to FILE; throws runtime_failure on an I/O error

 private:
  std::optional<atomic_output> out_;
  bool jsonl_ = false;
};

}  // namespace hogwild
