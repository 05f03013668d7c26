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
#include <vector>

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
  double class_gpu_minutes_per_day = 600;          // running time of a class's jobs in the last 24 hours
  int requests_per_minute = 600;                   // per token
  int logins_per_minute = 600;                     // accepted, limits nothing: see docs/center.md
  int login_failures_per_minute = 30;              // logins with an unknown class code, per address and per code
  int logins_per_name_per_minute = 10;             // per class and name
  int sign_in_failures_per_name_per_minute = 5;    // wrong personal codes for one name of one class
  int sign_in_failures_per_class_per_minute = 60;  // wrong codes and names not on the roster, per class
  int max_lessons_per_class = 200;                 // lessons a teacher may publish to one class
  int64_t max_lesson_bytes = 256 * 1024;           // one lesson file
  int unknown_tokens_per_minute = 300;             // requests with a token the center does not know, per address
  int max_students_per_class = 100;                // names a class may have (each is a student with quotas)
  int max_queued_per_class = 100;                  // jobs of a class queued or running
  double token_days = 30;                          // a student's token lasts this long (then log in again)
  int max_tokens_per_student = 10;                 // a login past this logs out the student's oldest token
  int64_t max_body_bytes = int64_t{1} << 20;       // 413 past this
  // A class's own data (PUT /api/v1/data/SHA256): 413 past the first two.
  double max_upload_mb = 512;             // one file (a CSV, or an image folder's tar)
  double data_quota_mb_per_class = 2048;  // the files a class uploaded, together (its uploads in flight too)
  int max_uploads_per_student = 2;        // uploads one student (or a class's teacher) sends at once (429 past it)
  // What one worker may use (its --max-memory-mb, --max-log-mb and
  // --max-model-mb): past one, the job ends failed with a message that says
  // which. The memory is resident memory, libtorch's included; a job whose
  // estimate passes it is refused (422). The validator refuses estimates
  // over 2 GiB anyway; the rest is room for the estimate's error (1.5x).
  int max_streams_per_student = 10;   // event streams one student holds open at once (429 past it)
  int max_streams_per_class = 1000;   // ... a class's students together, and its teacher's class view apart
  int max_streams_per_address = 400;  // ... from one client address (a school behind one NAT)
  double max_job_memory_mb = 3072;
  double max_job_log_mb = 64;     // events.jsonl: snapshots stop at 3/4 of it
  double max_job_model_mb = 256;  // model.json
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

// [server]: how long a connection may take and how many there may be (the
// HTTP server's defaults; docs/center.md says what each protects against).
struct ServerSettings {
  double max_connections = 10000;             // in all; capped at 3/4 of the open-file limit
  double max_connections_per_address = 1024;  // but none for trusted_proxies
  double head_timeout_seconds = 10;           // TLS handshake and first request head, in all
  double idle_timeout_seconds = 15;           // a kept-alive connection until its next head is in
  double body_timeout_seconds = 10;           // a body: this plus a second per 64 KiB
  double write_timeout_seconds = 30;          // an answer the client takes nothing of
};

struct Config {
  Limits limits;
  ServerSettings server;
  StreamSettings stream;
  SlurmSettings slurm;
  int workers = 2;                 // [local] workers: worker processes at once
  double checkpoint_seconds = 10;  // [worker] checkpoint_seconds: work a crash can cost
  double retention_days = 30;      // [retention] days: a finished job's folder goes this long after it ended (0: never)
  double min_free_disk_mb = 1024;  // [disk] min_free_mb: less free space than this is trouble (/health)
  // [server] trusted_proxies: peers whose X-Forwarded-For names the client
  // (IP addresses, or networks as ADDRESS/BITS). From anyone else the header
  // is ignored: it would let a client pick the address it is limited as.
  // None by default, not even 127.0.0.1: any process on the machine could
  // forge the header. With nginx on the same machine, name it.
  std::vector<std::string> trusted_proxies;
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

// Whether `text` is an IPv4 or IPv6 address, or a network as ADDRESS/BITS.
bool valid_address_or_network(const std::string& text);
// Whether the address `ip` lies in one of `networks` (addresses or
// ADDRESS/BITS; an IPv4 address matches its IPv4-mapped IPv6 form).
bool address_in(const std::string& ip, const std::vector<std::string>& networks);

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
