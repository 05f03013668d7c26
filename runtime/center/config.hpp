// The center's settings: limits on what a job may ask for, quotas, and how
// streams behave. Defaults suit a center for a region's schools; an operator
// changes them in DATA/center.toml (or --config FILE). docs/center.md lists
// every key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/spec.hpp"

namespace aisb::center {

struct Limits {
  // What one job may ask for. Each refusal is a 422 naming the field.
  int64_t max_parameters = 5'000'000;  // model.layers
  double max_work = 5e13;              // training FLOPs x samples x epochs (training.epochs)
  double max_wall_minutes = 30;        // the estimate from max_work's count and node_flops
  int64_t max_samples = 100'000;       // dataset.samples
  double node_flops = 2e10;            // FLOPs a second a node is assumed to do, for estimates
  // Fairness and quotas: 429.
  int max_running_per_student = 1;
  int max_queued_per_student = 4;
  double class_gpu_minutes_per_day = 600;     // running time of a class's jobs in the last 24 hours
  int requests_per_minute = 600;              // per token
  int logins_per_minute = 300;                // per client address (a class may share one)
  int64_t max_body_bytes = int64_t{1} << 20;  // 413 past this
};

struct StreamSettings {
  double heartbeat_seconds = 15;  // a comment line on a quiet stream keeps proxies open
  double poll_ms = 50;            // how often a stream looks for new events
};

struct SlurmSettings {
  std::string partition;        // --slurm-partition
  std::string gres;             // --slurm-gres, e.g. "gpu:1"
  double time_factor = 3;       // the job's time limit is this x its estimate ...
  double min_time_minutes = 5;  // ... and at least this
  double poll_seconds = 2;      // how often squeue is asked
};

struct Config {
  Limits limits;
  StreamSettings stream;
  SlurmSettings slurm;
  int workers = 2;                 // [local] workers: worker processes at once
  double checkpoint_seconds = 10;  // [worker] checkpoint_seconds: work a crash can cost
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads FILE over the defaults; throws ConfigError "FILE:LINE:COL: ..." for a
// syntax error, an unknown key (with the nearest known one) or a bad value.
Config load_config(const std::filesystem::path& file);
// The same over text (`file` names it in messages).
Config parse_config(std::string_view text, const std::filesystem::path& file);

// Why a job breaks a limit: the field (a key path of the job spec) and a
// message naming the limit.
struct Refusal {
  std::string field;
  std::string message;
};

// Checks a job that passed the validator against the limits; fills the
// estimated wall time in seconds.
std::optional<Refusal> check_limits(const JobSpec& job, const Limits& limits, double* estimate_seconds);

}  // namespace aisb::center
