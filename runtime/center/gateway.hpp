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
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "center/config.hpp"
#include "center/data_store.hpp"
#include "center/disk.hpp"
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

  // Uploads of a class's data (gateway_data.cpp), streamed by the server:
  // whether a request is one (by its head alone: cheap, no I/O), and, on
  // the handler pool, the sink its body goes to or the answer that refuses
  // it unread (net::ServerOptions::streams and open_upload).
  static bool is_upload(const net::Request& head);
  net::Upload open_upload(const net::Request& head);

 private:
  struct Caller;
  class EventSource;
  net::Response route(const net::Request& req);
  net::Response login(const net::Request& req);
  net::Response submit(const net::Request& req, const Caller& who);
  net::Response list_jobs(const net::Request& req, const Caller& who);
  net::Response class_jobs(const std::string& class_id, const net::Request& req, const Caller& who);
  net::Response job_status(const JobRecord& job);
  net::Response events(const JobRecord& job, const net::Request& req, const Caller& who);
  // A place among the streams a person and a class may hold open, given
  // back when the returned pointer goes; none when they hold all they may.
  std::shared_ptr<void> take_stream_ticket(const Caller& who, const std::string& address, std::string* which);
  net::Response cancel(const JobRecord& job);
  net::Response probe(const JobRecord& job, const net::Request& req);
  net::Response model(const JobRecord& job);
  // 410 for an ended job whose folder the retention sweep removed.
  std::optional<net::Response> files_gone(const JobRecord& job);
  nlohmann::json job_json(const JobRecord& job);
  bool allow(const std::string& key, int per_minute, double* retry_after);
  // The caller of a request that needs a token: who holds it, or the answer
  // that ends the request (401, or 429 past a rate). Looks the token up
  // first, so only known tokens get buckets of their own (per student);
  // unknown ones are limited per client address.
  std::optional<net::Response> admit(const net::Request& req, std::optional<Caller>* who);
  // The classroom (gateway_class.cpp): /classes/ID/{roster,lessons,progress,
  // report} and /progress; none when `parts` is not one of those.
  std::optional<net::Response> classroom(const std::vector<std::string>& parts, const net::Request& req,
                                         const Caller& who);
  net::Response roster(const std::string& action, const net::Request& req, const Caller& who);
  net::Response publish(const std::string& lesson_id, const net::Request& req, const Caller& who);
  net::Response put_progress(const std::string& lesson_id, const net::Request& req, const Caller& who);
  net::Response class_progress(const Caller& who);
  net::Response class_report(const Caller& who, const net::Request& req);
  // HEAD /api/v1/data/SHA256 (and 405 for what else comes there but PUT).
  net::Response data_route(const net::Request& req, const std::string& sha256, const Caller& who);
  // PUT /api/v1/data/SHA256 with its body already in memory.
  net::Response upload_in_memory(const net::Request& req);
  // POST /api/v1/logout: ends the caller's token.
  net::Response logout(const net::Request& req, const Caller& who);
  // The client's address: the peer, or from a trusted proxy the right-most
  // X-Forwarded-For entry that is not itself a trusted proxy.
  [[nodiscard]] std::string client_address(const net::Request& req) const;

  void schedule_loop();
  void schedule_once();
  // Ends `job` from the log, or requeues it when its worker died without a word.
  void finish(JobRecord job, const std::string& why, bool final = false);
  // The same with the log already read (done_reason set when it ends with
  // `done`): logs are read outside jobs_mutex_, since a long one takes
  // seconds and every submission waits for that lock.
  void finish_read(JobRecord job, const std::optional<std::string>& done_reason, const std::string& done_message,
                   const std::string& why, bool final, const std::string& why_ko = "");
  [[nodiscard]] std::filesystem::path job_dir(const std::string& id) const;
  // The data folder's disk, looked at no more than every few seconds (an
  // unauthenticated /health must not become a stream of writes).
  DiskReport disk();

  Store& store_;
  Config config_;
  std::unique_ptr<DataStore> uploads_;  // DATA/data: the data sets classes uploaded
  std::unique_ptr<Executor> executor_;
  std::filesystem::path data_;
  std::mutex jobs_mutex_;  // state changes of jobs (scheduler and cancel)
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool wake_flag_ = false;
  std::atomic<bool> stopping_{false};
  std::thread scheduler_;
  std::map<std::string, int64_t> last_start_;        // student -> when their last job started (fairness)
  std::map<std::string, int64_t> last_class_start_;  // class -> the same, for fairness between classes
  std::set<std::string> cancel_requested_;
  std::mutex streams_mutex_;
  std::map<std::string, int> streams_of_;  // open event streams per student and per "class:ID"
  std::mutex disk_mutex_;
  DiskReport disk_report_;
  double disk_checked_ = -1e300;
  RateTable rates_;
};

// "2026-11-26T03:04:05.123Z"
std::string iso_time(int64_t unix_ms);

}  // namespace aisb::center
