// RemoteBackend: a run on the compute center behind the same Backend
// interface as a run on this computer, so the app's views draw it the same
// way. It submits the job, says where it waits in the queue, follows its
// events (reconnecting by itself), and can attach to a run submitted before
// (after the app restarted). Pausing and stepping are not offered remotely.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "backend/backend.hpp"
#include "backend/center_client.hpp"

namespace aisb {

struct RemoteStatus {
  std::string job_id;
  std::string state;       // "", "submitting", "queued", "running", "done", "failed", "cancelled"
  int queue_position = 0;  // while queued
  std::string node;
  // While "submitting": the job's own data going up first (0 when the
  // center had it), and how much of it has gone.
  uint64_t upload_bytes = 0, uploaded_bytes = 0;
  std::string error;  // the last problem, in words ("" when none)
  bool unreachable = false;
};

class RemoteBackend final : public Backend {
 public:
  RemoteBackend() = default;
  ~RemoteBackend() override;
  RemoteBackend(const RemoteBackend&) = delete;
  RemoteBackend& operator=(const RemoteBackend&) = delete;

  // The center and the token the next runs use.
  void set_login(const std::string& url, const std::string& token, net::ClientOptions options = {});

  void start(const JobSpec& job, const TrainOptions& options, bool start_paused = false) override;
  // Follows a job already at the center from its first event.
  bool attach(const std::string& job_id) override;
  void pause() override {}
  void resume() override {}
  void step() override {}
  void cancel() override;
  void set_pace(double) override {}
  // Passes the choice to the center on a thread of its own (the UI never waits).
  void probe(int64_t sample) override;
  size_t poll(std::vector<Event>& out) override;
  bool wait(std::chrono::milliseconds timeout) override;
  [[nodiscard]] bool running() const override;

  [[nodiscard]] RemoteStatus status() const;
  // A completed run whose snapshots carried no weights (too large for the
  // stream's budget): its model file, fetched before `done` is passed on, so
  // that the inside views can go on probing the trained network.
  [[nodiscard]] std::shared_ptr<const TrainedModel> trained_model() const override;

 private:
  void run(std::optional<JobSpec> job, std::string job_id);
  void push(Event e);
  void fail(const std::string& message, const std::string& message_ko);
  void stop();

  EventQueue events_;
  mutable std::mutex mutex_;  // status_ and the login
  RemoteStatus status_;
  std::shared_ptr<const TrainedModel> model_;  // under mutex_
  std::string url_, token_;
  net::ClientOptions options_;
  std::atomic<bool> cancel_{false};
  std::thread thread_;
  // The newest sample to pass on, and the thread that passes it.
  std::condition_variable probe_cv_;
  std::optional<int64_t> probe_pending_;
  bool probe_stop_ = false;
  std::thread probe_thread_;
};

}  // namespace aisb
