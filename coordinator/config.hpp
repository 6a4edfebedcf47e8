// Everything a run needs, as parsed and validated from the command line.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "datasets/loader.hpp"
#include "datasets/synthetic.hpp"
#include "shared/data_view.hpp"
#include "shared/models/registry.hpp"
#include "shared/precision.hpp"
#include "worker/worker.hpp"

namespace hogwild {

enum class run_mode { async, serial, sync, round_robin };
enum class executor_kind { fork, spawn, thread };
enum class worker_lifetime { epoch, run };
// How process workers reach the segment; automatic = the measured best for the executor.
enum class attach_choice { automatic, populate, lazy, inherit, inherit_populate, inherit_private };
enum class layout_choice { automatic, dense, csr };
// async: every worker updates the one shared model, or its own replica that the coordinator averages.
enum class replica_mode { shared, worker };
enum class failure_policy { abort, retry };

const char* name_of(run_mode m);
const char* name_of(executor_kind k);
const char* name_of(worker_lifetime l);

struct fault_plan {
  std::uint32_t worker = 0;
  std::uint32_t epoch = 1;  // 1-based, as printed
  worker::fault action = worker::fault::none;
};

struct config {
  run_mode mode = run_mode::async;
  unsigned workers = 1;
  bool workers_default = false;  // --workers not given: one per core, then at most one per training row
  executor_kind executor = executor_kind::fork;
  worker_lifetime lifetime = worker_lifetime::epoch;
  attach_choice attach = attach_choice::automatic;
  bool profile = false;  // per-epoch timing breakdown, page faults, context switches
  models::model_kind model = models::model_kind::svm;
  // --precision: the model's weights and the kernel's arithmetic on them (data values are float).
  precision weight_precision = precision::float64;
  data::synthetic_spec synthetic;
  // File data (datasets/loader.hpp); files.train empty = synthetic data. With files, the defaults
  // differ (see cli.cpp): learning_rate 0 = "pick from the data" (1 / max squared row norm).
  data::file_spec files;
  std::string load_model_path;   // score --test with a saved model, no training
  std::string predictions_path;  // one prediction per test row
  layout_choice layout = layout_choice::automatic;
  unsigned epochs = 200;
  double learning_rate = 0.001;
  double decay = 0.99;
  unsigned batch_size = 2;
  double lambda = 0.0;
  double bias = 0.0;  // --bias B: > 0 appends a feature of value B to every row (an intercept); 0 none
  std::string metrics_path;
  std::string save_model_path;
  bool quiet = false;
  std::optional<fault_plan> fault;
  double step_timeout = 10.0;  // sync / round-robin: seconds a step or turn may take before the run fails
  replica_mode replicas = replica_mode::shared;
  unsigned average_every = 1;  // --replicas worker: average the replicas (and reset them) every N epochs
  // Reliability (docs/reliability.md).
  bool cleanup_only = false;        // --cleanup: remove orphaned /dev/shm entries and exit
  std::string checkpoint_path;      // --checkpoint FILE
  unsigned checkpoint_every = 1;    // --checkpoint-every N (epochs)
  std::string resume_path;          // --resume FILE
  failure_policy on_worker_failure = failure_policy::abort;
  unsigned max_retries = 3;         // per epoch, with --on-worker-failure retry
  // --distributed (docs/distributed.md): one rank of an MPI job; rank 0 reports and writes outputs.
  bool distributed = false;
  unsigned fault_rank = 0;     // --fault-rank: the rank whose worker --inject-fault hits
  unsigned emulate_ranks = 1;  // --emulate-ranks R: order examples as a --distributed sync run of R ranks
  // --sync-exchange: what ranks exchange per sync step: the examples of the global batch (rows and
  // coefficients; bit-identical to one machine) or per-coordinate affine maps (dense, 1e-12).
  enum class sync_exchange { rows, maps } exchange = sync_exchange::rows;
};

}  // namespace hogwild
