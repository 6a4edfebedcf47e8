#include "coordinator/executor.hpp"

namespace hogwild {

worker::attach_mode resolve_attach(attach_choice choice, executor_kind kind) {
  switch (choice) {
    case attach_choice::populate: return worker::attach_mode::populate;
    case attach_choice::lazy: return worker::attach_mode::lazy;
    case attach_choice::inherit: return worker::attach_mode::inherit;
    case attach_choice::inherit_populate: return worker::attach_mode::inherit_populate;
    // To the worker the private data copy is plain inheritance: the trainer makes the copy and
    // hands the executor a view of it (coordinator/private_data.hpp).
    case attach_choice::inherit_private: return worker::attach_mode::inherit;
    case attach_choice::automatic: break;
  }
  // Measured in docs/overheads.md: a forked worker that keeps the coordinator's mapping pays
  // neither the mmap nor MAP_POPULATE's walk over the whole segment, and faults in only the
  // pages it touches (with --attach auto the trainer also hands the executor a view whose data
  // comes from a private huge-page copy when that is small enough: wants_private_copy). Spawned
  // workers must map by name; MAP_POPULATE beats lazy faulting there.
  return kind == executor_kind::fork ? worker::attach_mode::inherit : worker::attach_mode::populate;
}

std::unique_ptr<executor> make_executor(const executor_setup& s) {
  if (s.lifetime == worker_lifetime::run) return make_run_executor(s);
  switch (s.kind) {
    case executor_kind::spawn: return make_spawn_executor(s);
    case executor_kind::thread: return make_thread_executor(s);
    case executor_kind::fork: break;
  }
  return make_fork_executor(s);
}

}  // namespace hogwild
