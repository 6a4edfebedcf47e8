#include "coordinator/metrics.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild {

metrics_writer::metrics_writer(const std::string& path) : path_(path) {
  if (path.empty()) return;
  jsonl_ = path.ends_with(".jsonl");
  f_ = std::fopen(path.c_str(), "w");
  if (!f_) throw usage_error(fmt::format("--metrics: cannot write '{}': {}", path, std::strerror(errno)));
  if (!jsonl_)
    std::fputs("epoch,wall_seconds,cpu_seconds,epoch_seconds,step_size,train_objective,train_error,test_error,validation_error\n", f_);
}

metrics_writer::~metrics_writer() {
  if (f_) std::fclose(f_);
}

void metrics_writer::write(const epoch_metrics& m) {
  if (!f_) return;
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
  if (std::fputs(line.c_str(), f_) < 0 || std::fflush(f_) != 0)
    throw runtime_failure(fmt::format("--metrics: writing '{}' failed: {}", path_, std::strerror(errno)));
}

}  // namespace hogwild
