#include "coordinator/metrics.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild {

namespace {
constexpr const char* profile_columns[] = {"launch_seconds", "attach_seconds", "compute_seconds", "join_seconds",
                                           "evaluation_seconds", "minor_faults", "major_faults",
                                           "voluntary_switches", "involuntary_switches"};
}

metrics_writer::metrics_writer(const std::string& path, bool profile, bool distributed)
    : profile_(profile), distributed_(distributed) {
  if (path.empty()) return;
  jsonl_ = path.ends_with(".jsonl");
  out_.emplace("--metrics", path);
  if (!jsonl_) {
    std::string head = "epoch,wall_seconds,cpu_seconds,epoch_seconds,step_size,train_objective,train_error,test_error,validation_error";
    if (profile_)
      for (const char* c : profile_columns) head += std::string(",") + c;
    if (distributed_) head += ",comm_seconds";
    out_->append(head + "\n");
  }
}

void metrics_writer::write(const epoch_metrics& m) {
  if (!out_) return;
  const auto num = [&](double v) { return std::isnan(v) ? std::string(jsonl_ ? "null" : "") : fmt::format("{}", v); };
  std::string line;
  if (jsonl_)
    line = fmt::format(
        "{{\"epoch\":{},\"wall_seconds\":{},\"cpu_seconds\":{},\"epoch_seconds\":{},\"step_size\":{},"
        "\"train_objective\":{},\"train_error\":{},\"test_error\":{},\"validation_error\":{}}}\n",
        m.epoch, num(m.wall_seconds), num(m.cpu_seconds), num(m.epoch_seconds), num(m.step_size),
        num(m.train_objective), num(m.train_error), num(m.test_error), num(m.validation_error));
  else
    line = fmt::format("{},{},{},{},{},{},{},{},{}\n", m.epoch, num(m.wall_seconds), num(m.cpu_seconds),
                       num(m.epoch_seconds), num(m.step_size), num(m.train_objective), num(m.train_error),
                       num(m.test_error), num(m.validation_error));
  if (profile_) {
    const auto& p = m.profile;
    const std::string values[] = {num(p.launch_seconds), num(p.attach_seconds), num(p.compute_seconds),
                                  num(p.join_seconds), num(p.evaluation_seconds), std::to_string(p.minor_faults),
                                  std::to_string(p.major_faults), std::to_string(p.voluntary_switches),
                                  std::to_string(p.involuntary_switches)};
    std::string extra;
    for (std::size_t i = 0; i < std::size(values); ++i)
      extra += jsonl_ ? fmt::format(",\"{}\":{}", profile_columns[i], values[i]) : "," + values[i];
    line.pop_back();  // '\n' (and '}' for JSON lines)
    if (jsonl_) line.pop_back();
    line += extra + (jsonl_ ? "}\n" : "\n");
  }
  if (distributed_) {
    line.pop_back();
    if (jsonl_) line.pop_back();
    line += jsonl_ ? fmt::format(",\"comm_seconds\":{}}}\n", num(m.comm_seconds)) : fmt::format(",{}\n", num(m.comm_seconds));
  }
  out_->append(line);
}

}  // namespace hogwild
