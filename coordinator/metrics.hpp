// Per-epoch metrics: a line on stdout and a row in FILE.csv or FILE.jsonl. Rows go to a temporary
// beside FILE, flushed every epoch; FILE appears (atomically renamed) when the run ends — normally,
// interrupted or failed — and with every checkpoint, so an interrupted run keeps what it measured
// and FILE is never half-written.
#pragma once
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "coordinator/atomic_file.hpp"

namespace hogwild {

// --profile: where an epoch's wall time went (seconds) and what the workers cost the kernel.
// launch: from starting the epoch's workers to the last one running its task; attach: longest
// map + header check (+ pre-fault); compute: first compute start to last compute end; join:
// last compute end to the coordinator having reaped/collected everyone; evaluation: objective
// and errors after the epoch. Faults and switches are summed over the workers: whole-process
// rusage (wait4) for per-epoch processes, the worker thread's own for threads and run-long workers.
struct epoch_profile {
  double launch_seconds = 0, attach_seconds = 0, compute_seconds = 0, join_seconds = 0, evaluation_seconds = 0;
  long long minor_faults = 0, major_faults = 0, voluntary_switches = 0, involuntary_switches = 0;
};

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
  epoch_profile profile;       // written only when the writer was made with profile = true
  double comm_seconds = 0;     // --distributed: seconds in MPI collectives so far (cumulative, this rank)
};

// What a resumed run carries over from an existing metrics file: the rows of epochs 1..epochs,
// when the row of the last of them has step size last_step (a row of another schedule, or of a
// run that stopped elsewhere, is not carried).
struct metrics_carry {
  unsigned epochs = 0;
  double last_step = 0;
};

class metrics_writer {
 public:
  // "" = no file; distributed adds the comm_seconds column. A resumed run passes `carry`: the rows
  // of epochs 1..carry.epochs already in FILE (a regular file written by the run that made the
  // checkpoint: the same columns, each of those epochs once, the last one's step size
  // carry.last_step) are copied into the new FILE ahead of this run's rows, so resuming with the
  // same flags does not lose them.
  explicit metrics_writer(const std::string& path, bool profile = false, bool distributed = false,
                          metrics_carry carry = {});
  ~metrics_writer() = default;  // commits the rows so far (see atomic_output)
  metrics_writer(const metrics_writer&) = delete;
  metrics_writer& operator=(const metrics_writer&) = delete;
  void write(const epoch_metrics& m);
  // What was done with an existing FILE's rows on resume ("" if nothing was there to carry).
  const std::string& carried_note() const { return carried_note_; }
  void finish() {
    if (out_) out_->commit();
  }  // renames the rows to FILE; throws runtime_failure on an I/O error
  // Makes FILE hold every row written so far and goes on writing: called with each checkpoint,
  // so that a run killed outright (SIGKILL, power loss) leaves FILE with the rows of the epochs
  // its last checkpoint finished, which a resumed run carries over. Throws runtime_failure.
  void publish();

 private:
  std::optional<atomic_output> out_;
  std::string path_;
  std::string carried_note_;
  bool jsonl_ = false;
  bool profile_ = false;
  bool distributed_ = false;
};

}  // namespace hogwild
