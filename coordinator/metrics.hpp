// Per-epoch metrics: a line on stdout and a row in FILE.csv or FILE.jsonl (flushed every epoch,
// so an interrupted run keeps what it measured).
#pragma once
#include <cmath>
#include <cstdio>
#include <string>

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
  double validation_error = std::nan("");  // NaN without --validation-fraction
};

class metrics_writer {
 public:
  explicit metrics_writer(const std::string& path);  // "" = no file
  ~metrics_writer();
  metrics_writer(const metrics_writer&) = delete;
  metrics_writer& operator=(const metrics_writer&) = delete;
  void write(const epoch_metrics& m);

 private:
  std::FILE* f_ = nullptr;
  bool jsonl_ = false;
  std::string path_;
};

}  // namespace hogwild
