#include "center/config.hpp"

#include <array>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <vector>

#include <arpa/inet.h>
#include <toml++/toml.h>

#include "core/diagnostics.hpp"
#include "core/job_reader.hpp"

namespace aisb::center {

namespace {

// An address as 16 bytes (IPv4 as IPv4-mapped IPv6), so that one comparison
// serves both families.
std::optional<std::array<unsigned char, 16>> address_bytes(const std::string& text, bool* v4 = nullptr) {
  std::array<unsigned char, 16> a{};
  if (::inet_pton(AF_INET, text.c_str(), a.data() + 12) == 1) {
    a[10] = a[11] = 0xff;
    if (v4 != nullptr) *v4 = true;
    return a;
  }
  if (::inet_pton(AF_INET6, text.c_str(), a.data()) == 1) {
    if (v4 != nullptr) *v4 = false;
    return a;
  }
  return std::nullopt;
}

// "ADDRESS" or "ADDRESS/BITS" as 16 bytes and a prefix length over them.
std::optional<std::pair<std::array<unsigned char, 16>, int>> network_of(const std::string& text) {
  const size_t slash = text.find('/');
  bool v4 = false;
  const auto a = address_bytes(text.substr(0, slash), &v4);
  if (!a) return std::nullopt;
  int bits = 128;
  if (slash != std::string::npos) {
    const std::string b = text.substr(slash + 1);
    if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    bits = std::stoi(b);
    if (bits > (v4 ? 32 : 128)) return std::nullopt;
    if (v4) bits += 96;
  }
  return std::make_pair(*a, bits);
}

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
        {"login_failures_per_minute",
         {1, 1e7, [](Config& c, double v) { c.limits.login_failures_per_minute = static_cast<int>(v); }}},
        {"logins_per_name_per_minute",
         {1, 1e7, [](Config& c, double v) { c.limits.logins_per_name_per_minute = static_cast<int>(v); }}},
        {"sign_in_failures_per_name_per_minute",
         {1, 1e7, [](Config& c, double v) { c.limits.sign_in_failures_per_name_per_minute = static_cast<int>(v); }}},
        {"sign_in_failures_per_class_per_minute",
         {1, 1e7, [](Config& c, double v) { c.limits.sign_in_failures_per_class_per_minute = static_cast<int>(v); }}},
        {"max_lessons_per_class",
         {1, 1e5, [](Config& c, double v) { c.limits.max_lessons_per_class = static_cast<int>(v); }}},
        {"max_lesson_bytes",
         {1024, 16 << 20, [](Config& c, double v) { c.limits.max_lesson_bytes = static_cast<int64_t>(v); }}},
        {"unknown_tokens_per_minute",
         {1, 1e7, [](Config& c, double v) { c.limits.unknown_tokens_per_minute = static_cast<int>(v); }}},
        {"max_students_per_class",
         {1, 1e6, [](Config& c, double v) { c.limits.max_students_per_class = static_cast<int>(v); }}},
        {"max_queued_per_class",
         {1, 1e6, [](Config& c, double v) { c.limits.max_queued_per_class = static_cast<int>(v); }}},
        {"token_days", {1e-5, 3650, [](Config& c, double v) { c.limits.token_days = v; }}},
        {"max_tokens_per_student",
         {1, 1e6, [](Config& c, double v) { c.limits.max_tokens_per_student = static_cast<int>(v); }}},
        {"max_body_bytes", {1024, 1e9, [](Config& c, double v) { c.limits.max_body_bytes = static_cast<int64_t>(v); }}},
        {"max_upload_mb", {0.001, 1e6, [](Config& c, double v) { c.limits.max_upload_mb = v; }}},
        {"data_quota_mb_per_class", {0, 1e8, [](Config& c, double v) { c.limits.data_quota_mb_per_class = v; }}},
        {"max_uploads_per_student",
         {1, 1000, [](Config& c, double v) { c.limits.max_uploads_per_student = static_cast<int>(v); }}},
        {"max_streams_per_student",
         {1, 1e5, [](Config& c, double v) { c.limits.max_streams_per_student = static_cast<int>(v); }}},
        {"max_streams_per_class",
         {1, 1e6, [](Config& c, double v) { c.limits.max_streams_per_class = static_cast<int>(v); }}},
        {"max_streams_per_address",
         {1, 1e6, [](Config& c, double v) { c.limits.max_streams_per_address = static_cast<int>(v); }}},
        {"max_job_memory_mb", {64, 1e7, [](Config& c, double v) { c.limits.max_job_memory_mb = v; }}},
        {"max_job_log_mb", {1, 1e6, [](Config& c, double v) { c.limits.max_job_log_mb = v; }}},
        {"max_job_model_mb", {1, 1e6, [](Config& c, double v) { c.limits.max_job_model_mb = v; }}}}},
      {"stream",
       {{"heartbeat_seconds", {0.05, 3600, [](Config& c, double v) { c.stream.heartbeat_seconds = v; }}},
        {"poll_ms", {1, 5000, [](Config& c, double v) { c.stream.poll_ms = v; }}}}},
      {"slurm",
       {{"time_factor", {1, 100, [](Config& c, double v) { c.slurm.time_factor = v; }}},
        {"min_time_minutes", {0.01, 1e5, [](Config& c, double v) { c.slurm.min_time_minutes = v; }}},
        {"poll_seconds", {0.1, 600, [](Config& c, double v) { c.slurm.poll_seconds = v; }}}}},
      {"local", {{"workers", {1, 1024, [](Config& c, double v) { c.workers = static_cast<int>(v); }}}}},
      {"worker", {{"checkpoint_seconds", {0, 86400, [](Config& c, double v) { c.checkpoint_seconds = v; }}}}},
      {"retention", {{"days", {0, 36500, [](Config& c, double v) { c.retention_days = v; }}}}},
      {"disk", {{"min_free_mb", {0, 1e9, [](Config& c, double v) { c.min_free_disk_mb = v; }}}}},
      {"server",
       {{"max_connections", {16, 1e6, [](Config& c, double v) { c.server.max_connections = v; }}},
        {"max_connections_per_address",
         {1, 1e6, [](Config& c, double v) { c.server.max_connections_per_address = v; }}},
        {"head_timeout_seconds", {0.5, 600, [](Config& c, double v) { c.server.head_timeout_seconds = v; }}},
        {"idle_timeout_seconds", {0.5, 3600, [](Config& c, double v) { c.server.idle_timeout_seconds = v; }}},
        {"body_timeout_seconds", {0.5, 600, [](Config& c, double v) { c.server.body_timeout_seconds = v; }}},
        {"write_timeout_seconds", {1, 3600, [](Config& c, double v) { c.server.write_timeout_seconds = v; }}}}},
  };
  return k;
}

// Keys whose value is a list of strings, each checked by `check` ("" or why not).
struct ListKey {
  std::function<std::string(const std::string&)> check;
  std::function<void(Config&, std::vector<std::string>)> set;
};

const std::map<std::string, std::map<std::string, ListKey>>& list_keys() {
  static const std::map<std::string, std::map<std::string, ListKey>> k = {
      {"server",
       {{"trusted_proxies",
         {[](const std::string& v) {
            return valid_address_or_network(v) ? "" : "'" + v + "' is not an IP address or ADDRESS/BITS";
          },
          [](Config& c, std::vector<std::string> v) { c.trusted_proxies = std::move(v); }}}}},
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

bool valid_address_or_network(const std::string& text) {
  return network_of(text).has_value();
}

bool address_in(const std::string& ip, const std::vector<std::string>& networks) {
  const auto a = address_bytes(ip);
  if (!a) return false;
  for (const std::string& n : networks) {
    const auto net = network_of(n);
    if (!net) continue;
    const auto& [b, bits] = *net;
    bool same = true;
    for (int i = 0; i < bits && same; ++i) {
      const int mask = 0x80 >> (i % 8);
      same = ((*a)[i / 8] & mask) == (b[i / 8] & mask);
    }
    if (same) return true;
  }
  return false;
}

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
  const auto& known_lists = list_keys();
  static const std::map<std::string, Key> no_keys;
  static const std::map<std::string, ListKey> no_list_keys;
  for (const auto& [section, node] : root) {
    const std::string s(section.str());
    const auto sec_it = known.find(s);
    const auto list_sec = known_lists.find(s);
    if (sec_it == known.end() && list_sec == known_lists.end()) {
      std::vector<std::string> sections = names_of(known);
      for (const auto& [name, keys_of] : known_lists) sections.push_back(name);
      throw ConfigError(where(file, node.source()) + ": unknown section [" + s + "]" + did_you_mean(s, sections));
    }
    const auto& numeric = sec_it != known.end() ? sec_it->second : no_keys;
    const auto& lists = list_sec != known_lists.end() ? list_sec->second : no_list_keys;
    const auto* table = node.as_table();
    if (table == nullptr) throw ConfigError(where(file, node.source()) + ": [" + s + "] must be a table");
    for (const auto& [key, value] : *table) {
      const std::string k(key.str());
      if (const auto li = lists.find(k); li != lists.end()) {
        const auto* array = value.as_array();
        if (array == nullptr) throw ConfigError(where(file, value.source()) + ": " + s + "." + k + " must be a list");
        std::vector<std::string> items;
        for (const auto& item : *array) {
          const auto text = item.value<std::string>();
          if (!text) throw ConfigError(where(file, item.source()) + ": " + s + "." + k + " holds strings only");
          if (const std::string why = li->second.check(*text); !why.empty()) {
            throw ConfigError(where(file, item.source()) + ": " + s + "." + k + ": " + why);
          }
          items.push_back(*text);
        }
        li->second.set(c, std::move(items));
        continue;
      }
      const auto it = numeric.find(k);
      if (it == numeric.end()) {
        std::vector<std::string> names = names_of(numeric);
        for (const auto& [name, lk] : lists) names.push_back(name);
        throw ConfigError(where(file, value.source()) + ": unknown key " + s + "." + k + did_you_mean(k, names));
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
  // A class's own table or photos come by content hash (the gateway checks
  // that the class uploaded them); pictures a lesson shows do not travel.
  if (!job.files.empty() || (job.dataset.source.find(':') != std::string::npos && !is_file_source(job.dataset))) {
    return Refusal{"dataset.source", "this center runs the built-in datasets and a class's uploaded data only"};
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
  // Memory, as the worker will measure it (the limit it runs under): a job
  // that needs too much even one sample at a time is too big a model.
  if (const double mb = static_cast<double>(training_memory_bytes(job, info)) / (1 << 20);
      mb > limits.max_job_memory_mb) {
    JobSpec one = job;
    one.training.batch_size = 1;
    const bool model = static_cast<double>(training_memory_bytes(one, info)) / (1 << 20) > limits.max_job_memory_mb;
    return Refusal{
        model ? "model.layers" : "training.batch_size",
        "training this job would need about " + number(std::ceil(mb)) + " MB of memory; this center allows " +
            number(limits.max_job_memory_mb) + " MB a job: use " +
            (model ? "a smaller model or fewer samples" : "a smaller batch_size or model, or fewer samples")};
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
