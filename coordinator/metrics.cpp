#include "coordinator/metrics.hpp"

#include <sys/stat.h>

#include <algorithm>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <iterator>
#include <vector>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace hogwild {

namespace {
constexpr const char* profile_columns[] = {"launch_seconds", "attach_seconds", "compute_seconds", "join_seconds",
                                           "evaluation_seconds", "minor_faults", "major_faults",
                                           "voluntary_switches", "involuntary_switches"};

constexpr const char* base_columns[] = {"epoch",           "wall_seconds", "cpu_seconds", "epoch_seconds",
                                        "step_size",       "train_objective", "train_error", "test_error",
                                        "validation_error"};

// The names of a JSON line's fields, in order ("{"epoch":3,"wall_seconds":...}" → epoch,
// wall_seconds, ...): our rows hold numbers and null only, so every '"' opens or closes a name.
std::vector<std::string> json_keys(const std::string& line) {
  std::vector<std::string> keys;
  for (std::size_t at = line.find('"'); at != std::string::npos; at = line.find('"', at)) {
    const std::size_t end = line.find('"', at + 1);
    if (end == std::string::npos) break;
    keys.push_back(line.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return keys;
}

// The epoch a row starts with (CSV "3,..." or JSON "{"epoch":3,..."), 0 if none.
unsigned row_epoch(const std::string& line, bool jsonl) {
  const std::size_t at = jsonl ? (line.starts_with("{\"epoch\":") ? 9 : line.size()) : 0;
  unsigned e = 0;
  const char* end = line.data() + line.size();
  const auto [p, ec] = std::from_chars(line.data() + std::min(at, line.size()), end, e);
  return ec == std::errc() && p != end && (*p == ',' || *p == '}') ? e : 0;
}
// The step_size of a row: CSV field 5, JSON "step_size"; NaN if absent.
double row_step(const std::string& line, bool jsonl) {
  std::size_t at = 0;
  if (jsonl) {
    at = line.find("\"step_size\":");
    if (at == std::string::npos) return std::nan("");
    at += 12;
  } else {
    for (int commas = 0; commas < 4; ++commas) {
      at = line.find(',', at);
      if (at == std::string::npos) return std::nan("");
      ++at;
    }
  }
  double v = std::nan("");
  std::from_chars(line.data() + at, line.data() + line.size(), v);
  return v;
}
}  // namespace

metrics_writer::metrics_writer(const std::string& path, bool profile, bool distributed, metrics_carry carry)
    : profile_(profile), distributed_(distributed) {
  if (path.empty()) return;
  path_ = path;
  jsonl_ = path.ends_with(".jsonl");
  std::vector<std::string> columns(std::begin(base_columns), std::end(base_columns));
  if (profile_) columns.insert(columns.end(), std::begin(profile_columns), std::end(profile_columns));
  if (distributed_) columns.emplace_back("comm_seconds");
  std::string head;
  for (const auto& c : columns) head += (head.empty() ? "" : ",") + c;
  // Read before the output is opened (it may be the same file, through its temporary's rename).
  // Only a regular file: opening a FIFO to read would wait for a writer, which is this run.
  std::string carried;
  struct stat st {};
  if (carry.epochs > 0 && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    std::ifstream old(path);
    std::string line;
    std::vector<bool> seen(carry.epochs + 1, false);
    double last_step = std::nan("");
    bool same_columns = old && (jsonl_ || (std::getline(old, line) && line == head));
    while (same_columns && std::getline(old, line)) {
      if (jsonl_ && json_keys(line) != columns) same_columns = false;
      const unsigned e = row_epoch(line, jsonl_);
      if (e < 1 || e > carry.epochs) continue;
      if (seen[e]) same_columns = false;  // two runs' rows in one file: not this checkpoint's
      seen[e] = true;
      if (e == carry.epochs) last_step = row_step(line, jsonl_);
      carried += line + "\n";
    }
    const bool all = std::all_of(seen.begin() + 1, seen.end(), [](bool b) { return b; });
    const bool ours = same_columns && all && std::fabs(last_step - carry.last_step) <= 1e-12 * std::fabs(carry.last_step);
    if (!same_columns)
      carried_note_ = fmt::format("'{}' has other columns than this run writes, or an epoch twice; its rows are not "
                                  "carried over", path);
    else if (!ours)
      carried_note_ = fmt::format("'{}' does not hold epochs 1-{} of the run that wrote the checkpoint (missing rows, "
                                  "or another step size); its rows are not carried over", path, carry.epochs);
    else
      carried_note_ = fmt::format("{} rows of epochs 1-{} carried over from '{}'", carry.epochs, carry.epochs, path);
    if (!ours) carried.clear();
  }
  out_.emplace("--metrics", path);
  if (!jsonl_) out_->append(head + "\n");
  if (!carried.empty()) out_->append(carried);
}

void metrics_writer::publish() {
  if (!out_ || out_->in_place()) return;  // a FIFO or device has every row already
  out_->commit();
  // FILE now holds every row so far; the rows to come go to a new temporary that starts with them.
  std::ifstream published(path_, std::ios::binary);
  std::string rows{std::istreambuf_iterator<char>(published), std::istreambuf_iterator<char>()};
  if (!published && !published.eof())
    throw runtime_failure(fmt::format("--metrics: reading back '{}' failed", path_));
  out_.emplace("--metrics", path_);
  out_->append(rows);
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
