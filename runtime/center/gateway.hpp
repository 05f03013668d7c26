// The compute center's gateway: the HTTP API of SPEC.md section 5 over the
// store, the limits and an executor, and the scheduler that hands queued
// jobs to the executor fairly (round-robin between students, so one student
// with many jobs cannot starve a class). Every job's truth is on disk: its
// row in SQLite and its folder (job.json, events.jsonl), so a center killed
// at any moment and started again loses no job and no event.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "center/config.hpp"
#include "center/executor.hpp"
#include "center/store.hpp"
#include "net/http.hpp"

namespace aisb::center {

class Gateway {
 public:
  Gateway(Store& store, Config config, std::unique_ptr<Executor> executor, std::filesystem::path data_dir);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Picks up what a previous run left (jobs that were running), then starts
  // the scheduler.
  void start();
  // Stops the scheduler and every local worker (their jobs resume at the
  // next start).
  void stop();

  net::Response handle(const net::Request& req);

 private:
  struct Caller;
  net::Response route(const net::Request& req);
  net::Response login(const net::Request& req);
  net::Response submit(const net::Request& req, const Caller& who);
  net::Response list_jobs(const net::Request& req, const Caller& who);
  net::Response class_jobs(const std::string& class_id, const net::Request& req, const Caller& who);
  net::Response job_status(const JobRecord& job);
  net::Response events(const JobRecord& job, const net::Request& req);
  net::Response cancel(const JobRecord& job);
  net::Response model(const JobRecord& job);
  nlohmann::json job_json(const JobRecord& job);
  bool allow(const std::string& key, int per_minute, double* retry_after);

  void schedule_loop();
  void schedule_once();
  // Ends `job` from the log, or requeues it when its worker died without a word.
  void finish(JobRecord job, const std::string& why, bool final = false);
  [[nodiscard]] std::filesystem::path job_dir(const std::string& id) const;

  Store& store_;
  Config config_;
  std::unique_ptr<Executor> executor_;
  std::filesystem::path data_;
  std::mutex jobs_mutex_;  // state changes of jobs (scheduler and cancel)
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool wake_flag_ = false;
  std::atomic<bool> stopping_{false};
  std::thread scheduler_;
  std::map<std::string, int64_t> last_start_;  // student -> when their last job started (fairness)
  std::set<std::string> cancel_requested_;
  std::mutex rate_mutex_;
  struct Bucket {
    double tokens = 0, at = 0;
  };
  std::map<std::string, Bucket> buckets_;
  double last_prune_ = 0;
};

// "2026-11-26T03:04:05.123Z"
std::string iso_time(int64_t unix_ms);

}  // namespace aisb::center
