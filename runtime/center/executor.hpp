// Executors run a job folder with aisandbox-worker: `local` (a pool of
// worker processes on this machine) or `slurm` (sbatch on a cluster). The
// gateway's scheduler decides what runs when; an executor only starts,
// watches and stops workers. Nothing a client sent reaches a command line:
// the only arguments are the center's own paths and the job's id. Workers
// read a class's uploaded data from DATA/data (--data-dir), beside
// DATA/jobs: with Slurm, the shared folder the job's own is in.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "center/config.hpp"
#include "center/store.hpp"

namespace aisb::center {

struct Launch {
  std::string executor_id;  // pid, or the Slurm job id
  std::string node;
};

struct Ended {
  std::string why;     // in words, for a worker that ended without a `done` event
  bool final = false;  // true: starting it again would not help (past its time limit, a full disk)
  std::string why_ko;  // the same for a student reading Korean, when there is one
};

// What every worker is held to (aisandbox-worker --max-memory-mb,
// --max-log-mb, --max-model-mb; 0 for no limit). The defaults are the
// center's ([limits] in center.toml).
struct WorkerLimits {
  double memory_mb = Limits{}.max_job_memory_mb;
  double log_mb = Limits{}.max_job_log_mb;
  double model_mb = Limits{}.max_job_model_mb;
};
WorkerLimits worker_limits(const Limits& limits);

// The worker's arguments for these limits.
std::vector<std::string> worker_limit_args(const WorkerLimits& limits);

// The status a worker exits with when a job ended but its log could not say
// so (the disk is full): final, since a new worker would fill it again.
// app/worker/main.cpp sets it.
inline constexpr int kWorkerCannotWrite = 74;

struct Progress {
  bool running = false;  // false: still waiting in the executor's own queue (Slurm PENDING)
  std::string node;
};

class Executor {
 public:
  virtual ~Executor() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  // Jobs the scheduler may hand over at once.
  [[nodiscard]] virtual int capacity() const = 0;
  // Starts the worker on `dir`; throws std::runtime_error saying why it cannot.
  virtual Launch launch(const JobRecord& job, const std::filesystem::path& dir, double time_limit_seconds) = 0;
  // None while the job's worker is alive; how it ended otherwise. Jobs the
  // executor does not know (after a restart of a local center) have ended.
  virtual std::optional<Ended> check(const JobRecord& job, Progress* progress) = 0;
  // Asks the worker to stop (SIGUSR1); it writes `done`/`cancelled` and exits.
  virtual void cancel(const JobRecord& job) = 0;
  // True when workers outlive the center (Slurm); false when they end with
  // it (local), so that running jobs are started again, from their checkpoints.
  [[nodiscard]] virtual bool survives_restart() const = 0;
  // Stops every worker at once, as a crash would (the center is shutting down).
  virtual void shutdown() {}
};

// Where aisandbox-worker is: beside this program, else on PATH.
std::filesystem::path find_worker_binary();

class LocalExecutor final : public Executor {
 public:
  LocalExecutor(std::filesystem::path worker, int workers, double checkpoint_seconds, WorkerLimits limits = {});
  ~LocalExecutor() override;
  [[nodiscard]] std::string name() const override { return "local"; }
  [[nodiscard]] int capacity() const override { return workers_; }
  Launch launch(const JobRecord& job, const std::filesystem::path& dir, double time_limit_seconds) override;
  std::optional<Ended> check(const JobRecord& job, Progress* progress) override;
  void cancel(const JobRecord& job) override;
  [[nodiscard]] bool survives_restart() const override { return false; }
  void shutdown() override;

 private:
  struct Child {
    int pid = 0;
    double deadline = 0;  // steady seconds; past it the worker is stopped
    bool timed_out = false;
  };
  std::filesystem::path worker_;
  int workers_;
  double checkpoint_seconds_;
  WorkerLimits limits_;
  std::mutex mutex_;
  std::map<std::string, Child> children_;  // by job id
};

struct SlurmOptions {
  std::filesystem::path worker;
  std::string partition, gres;
  SlurmSettings settings;
  double checkpoint_seconds = 10;
  int max_jobs = 1000;  // handed to Slurm at once; Slurm queues them
  // Also asked of Slurm as --mem: the worker's limit and room for its code
  // and the page cache of its files, so that the worker's own limit, which
  // ends the job with a message, comes first.
  WorkerLimits limits;
};

class SlurmExecutor final : public Executor {
 public:
  explicit SlurmExecutor(SlurmOptions options);
  [[nodiscard]] std::string name() const override { return "slurm"; }
  [[nodiscard]] int capacity() const override { return options_.max_jobs; }
  Launch launch(const JobRecord& job, const std::filesystem::path& dir, double time_limit_seconds) override;
  std::optional<Ended> check(const JobRecord& job, Progress* progress) override;
  void cancel(const JobRecord& job) override;
  [[nodiscard]] bool survives_restart() const override { return true; }

 private:
  void refresh();
  SlurmOptions options_;
  std::atomic<bool> memory_refused_{false};  // sbatch could not satisfy --mem once: no more --mem
  std::mutex mutex_;
  double last_poll_ = -1e9;
  struct State {
    std::string state, node, reason;
  };
  std::map<std::string, State> states_;            // by Slurm job id, from the last squeue
  uint64_t generation_ = 0;                        // squeue polls so far
  std::map<std::string, uint64_t> missing_since_;  // the poll since which a job is absent
};

// Runs a program (no shell) and returns its exit status and what it printed.
struct Ran {
  int status = -1;
  std::string out;
};
Ran run_program(const std::vector<std::string>& argv, int timeout_ms = 30000);

}  // namespace aisb::center
