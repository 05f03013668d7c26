#include "center/config.hpp"

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <vector>

#include <toml++/toml.h>

#include "core/diagnostics.hpp"
#include "core/job_reader.hpp"

namespace aisb::center {

namespace {

std::string where(const std::filesystem::path& file, const toml::source_region& r) {
  return file.string() + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

// One key: how to read it into the config, with the range it must lie in.
struct Key {
  double low, high;
  std::function<void(Config&, double)> set;
};

const std::map<std::string, std::map<std::string, Key>>& keys() {
  static const std::map<std::string, std::map<std::string, Key>> k = {
      {"limits",
       {{"max_parameters", {1, 1e9, [](Config& c, double v) { c.limits.max_parameters = static_cast<int64_t>(v); }}},
        {"max_work", {1, 1e20, [](Config& c, double v) { c.limits.max_work = v; }}},
        {"max_wall_minutes", {0.1, 1e5, [](Config& c, double v) { c.limits.max_wall_minutes = v; }}},
        {"max_samples", {1, 1e9, [](Config& c, double v) { c.limits.max_samples = static_cast<int64_t>(v); }}},
        {"node_flops", {1e3, 1e18, [](Config& c, double v) { c.limits.node_flops = v; }}},
        {"max_running_per_student",
         {1, 1000, [](Config& c, double v) { c.limits.max_running_per_student = static_cast<int>(v); }}},
        {"max_queued_per_student",
         {0, 100000, [](Config& c, double v) { c.limits.max_queued_per_student = static_cast<int>(v); }}},
        {"class_gpu_minutes_per_day", {0, 1e7, [](Config& c, double v) { c.limits.class_gpu_minutes_per_day = v; }}},
        {"requests_per_minute",
         {1, 1e7, [](Config& c, double v) { c.limits.requests_per_minute = static_cast<int>(v); }}},
        {"logins_per_minute", {1, 1e7, [](Config& c, double v) { c.limits.logins_per_minute = static_cast<int>(v); }}},
        {"max_body_bytes",
         {1024, 1e9, [](Config& c, double v) { c.limits.max_body_bytes = static_cast<int64_t>(v); }}}}},
      {"stream",
       {{"heartbeat_seconds", {0.05, 3600, [](Config& c, double v) { c.stream.heartbeat_seconds = v; }}},
        {"poll_ms", {1, 5000, [](Config& c, double v) { c.stream.poll_ms = v; }}}}},
      {"slurm",
       {{"time_factor", {1, 100, [](Config& c, double v) { c.slurm.time_factor = v; }}},
        {"min_time_minutes", {0.01, 1e5, [](Config& c, double v) { c.slurm.min_time_minutes = v; }}},
        {"poll_seconds", {0.1, 600, [](Config& c, double v) { c.slurm.poll_seconds = v; }}}}},
      {"local", {{"workers", {1, 1024, [](Config& c, double v) { c.workers = static_cast<int>(v); }}}}},
      {"worker", {{"checkpoint_seconds", {0, 86400, [](Config& c, double v) { c.checkpoint_seconds = v; }}}}},
  };
  return k;
}

std::vector<std::string> names_of(const auto& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

Config load_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string() + ": cannot be read");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_config(text, file);
}

Config parse_config(std::string_view text, const std::filesystem::path& file) {
  Config c;
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(where(file, e.source()) + ": " + std::string(e.description()));
  }
  const auto& known = keys();
  for (const auto& [section, node] : root) {
    const std::string s(section.str());
    const auto sec = known.find(s);
    if (sec == known.end()) {
      throw ConfigError(where(file, node.source()) + ": unknown section [" + s + "]" +
                        did_you_mean(s, names_of(known)));
    }
    const auto* table = node.as_table();
    if (table == nullptr) throw ConfigError(where(file, node.source()) + ": [" + s + "] must be a table");
    for (const auto& [key, value] : *table) {
      const std::string k(key.str());
      const auto it = sec->second.find(k);
      if (it == sec->second.end()) {
        throw ConfigError(where(file, value.source()) + ": unknown key " + s + "." + k +
                          did_you_mean(k, names_of(sec->second)));
      }
      const auto v = value.value<double>();
      if (!v || !std::isfinite(*v) || *v < it->second.low || *v > it->second.high) {
        throw ConfigError(where(file, value.source()) + ": " + s + "." + k + " must be a number from " +
                          number(it->second.low) + " to " + number(it->second.high));
      }
      it->second.set(c, *v);
    }
  }
  return c;
}

std::optional<Refusal> check_limits(const JobSpec& job, const Limits& limits, double* estimate_seconds) {
  if (!job.files.empty() || job.dataset.source.find(':') != std::string::npos) {
    return Refusal{"dataset.source", "this center runs the built-in datasets only; files cannot be uploaded yet"};
  }
  if (job.dataset.samples > limits.max_samples) {
    return Refusal{"dataset.samples", "this center takes at most " + std::to_string(limits.max_samples) +
                                          " samples a job (asked: " + std::to_string(job.dataset.samples) + ")"};
  }
  Diagnostics diags;
  const ModelInfo info = describe_model(job, diags);
  if (!info.ok) return Refusal{"model.layers", diags.has_errors() ? diags.first_error() : "the model does not fit"};
  if (info.params > limits.max_parameters) {
    return Refusal{"model.layers", "the model has " + std::to_string(info.params) +
                                       " parameters; this center takes at most " +
                                       std::to_string(limits.max_parameters)};
  }
  const double train_samples = std::ceil(job.dataset.samples * (1.0 - job.dataset.test_fraction));
  const double work = static_cast<double>(training_flops_per_sample(info)) * train_samples * job.training.epochs;
  if (work > limits.max_work) {
    return Refusal{"training.epochs", "the job needs about " + number(work) + " FLOPs (model x samples x epochs); " +
                                          "this center takes at most " + number(limits.max_work)};
  }
  const double seconds = work / limits.node_flops;
  if (estimate_seconds != nullptr) *estimate_seconds = seconds;
  if (seconds > limits.max_wall_minutes * 60) {
    return Refusal{"training.epochs", "the job would take about " + number(std::ceil(seconds / 60)) +
                                          " minutes; this center allows " + number(limits.max_wall_minutes)};
  }
  return std::nullopt;
}

}  // namespace aisb::center
