// One interface for every place a run can happen: this computer
// (LocalBackend) or a compute center (RemoteBackend, with the center issue).
// Both yield the same events; the UI drains them once per frame.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/event.hpp"
#include "core/spec.hpp"
#include "core/trained_model.hpp"
#include "engine/engine.hpp"

namespace aisb {

class Backend {
 public:
  virtual ~Backend() = default;
  // Starts a run; a run still going is cancelled first.
  virtual void start(const JobSpec& job, const TrainOptions& options, bool start_paused = false) = 0;
  virtual void pause() = 0;
  virtual void resume() = 0;
  virtual void step() = 0;  // one optimizer step, then paused
  virtual void cancel() = 0;
  // At most this many optimizer steps a second (0: full speed); kept for
  // the next runs too. A remote run ignores it.
  virtual void set_pace(double steps_per_second) = 0;
  // Moves the events that arrived since the last call to `out` (appending);
  // never blocks. Returns how many were moved.
  virtual size_t poll(std::vector<Event>& out) = 0;
  // Blocks until an event is waiting or `timeout` passes; true if one is.
  virtual bool wait(std::chrono::milliseconds timeout) = 0;
  // True from start() until the run's `done` event has been queued.
  [[nodiscard]] virtual bool running() const = 0;
  // Follows a run started elsewhere (a job at the compute center) from its
  // first event; false where the backend has no such runs.
  virtual bool attach(const std::string& /*job_id*/) { return false; }
  // The inside views chose test sample `sample` to probe (issue 15): the run
  // probes it at once, even while paused. A local run reads the choice from
  // TrainOptions::probe_sample; a remote one passes it to the center.
  virtual void probe(int64_t /*sample*/) {}
  // The trained network of a run that completed, when the backend fetched
  // it whole (a center's run whose snapshots could not carry the weights);
  // null otherwise. Ready before the run's `done` event is polled.
  [[nodiscard]] virtual std::shared_ptr<const TrainedModel> trained_model() const { return nullptr; }
};

// Events crossing from a run's thread to the caller, for every backend.
class EventQueue {
 public:
  // Empty, for a run that starts now.
  void reset();
  // Queues an event (a `done` ends the run); nothing once closed.
  void push(Event e);
  // The run ended without a `done` for the caller (its thread is over).
  void end();
  // The caller left the run: what waits is dropped and nothing more comes.
  void close();
  size_t poll(std::vector<Event>& out);
  bool wait(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Event> queue_;
  bool running_ = false;
  bool closed_ = false;
};

// The engine on its own thread; events cross to the caller through a queue.
class LocalBackend final : public Backend {
 public:
  LocalBackend() = default;
  ~LocalBackend() override;
  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;

  void start(const JobSpec& job, const TrainOptions& options, bool start_paused = false) override;
  void pause() override;
  void resume() override;
  void step() override;
  void cancel() override;
  void set_pace(double steps_per_second) override;
  void probe(int64_t sample) override;
  // Training gives way to an app's frames: its thread (and the threads it
  // starts) run at a lower priority; as fast as before when nothing else
  // wants the cores. For the app; the CLI and the worker train at full priority.
  void yield_to_frames(bool yes) { yield_ = yes; }
  size_t poll(std::vector<Event>& out) override;
  bool wait(std::chrono::milliseconds timeout) override;
  [[nodiscard]] bool running() const override;

 private:
  void stop();

  EventQueue events_;
  double pace_ = 0.0;
  bool yield_ = false;
  std::unique_ptr<RunControl> control_;
  std::thread thread_;
};

}  // namespace aisb
