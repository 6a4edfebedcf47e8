#include "coordinator/metrics.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild {

metrics_writer::metrics_writer(const std::string& path) {
  if (path.empty()) return;
  jsonl_ = path.ends_with(".jsonl");
  out_.emplace("--metrics", path);
  if (!jsonl_) out_->append("epoch,wall_seconds,cpu_seconds,epoch_seconds,step_size,train_objective,train_error,test_error\n");
}

void metrics_writer::write(const epoch_metrics& m) {
  if (!out_) return;
  const auto num = [&](double v) { return std::isnan(v) ? std::string(jsonl_ ? "null" : "") : fmt::format("{}", v); };
  std::string line;
  if (jsonl_)
    line = fmt::format(
        "{{\"epoch\":{},\"wall_seconds\":{},\"cpu_seconds\":{},\"epoch_seconds\":{},\"step_size\":{},"
        "\"train_objective\":{},\"train_error\":{},\"test_error\":{}}}\n",
        m.epoch, num(m.wall_seconds), num(m.cpu_seconds), num(m.epoch_seconds), num(m.step_size),
        num(m.train_objective), num(m.train_error), num(m.test_error));
  else
    line = fmt::format("{},{},{},{},{},{},{},{}\n", m.epoch, num(m.wall_seconds), num(m.cpu_seconds),
                       num(m.epoch_seconds), num(m.step_size), num(m.train_objective), num(m.train_error),
                       num(m.test_error));
  out_->append(line);
}

}  // namespace hogwild
