// Work the UI thread hands off and picks up later, where only the newest
// request matters: a post replaces one not yet started, the worker computes
// on its own thread, and take() returns the newest result once. Decision
// maps and the network's links are computed this way, so that a frame never
// waits for them.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "core/thread_priority.hpp"

namespace aisb::app {

using aisb::idle_this_thread;
using aisb::lower_this_threads_priority;  // a worker fills the time between frames

// How a worker's thread runs beside the frames: at the UI's priority (the
// student waits for its result), lowered (core/thread_priority.hpp), or on
// CPU time nothing else wants (a picture for a later frame).
enum class WorkerPriority { normal, lower, idle };

template <class In, class Out>
class LatestWorker {
 public:
  // `work` runs on the worker's thread; no result (std::nullopt) keeps the
  // last one, for a request that has been overtaken or cannot be computed.
  explicit LatestWorker(std::function<std::optional<Out>(In&)> work, WorkerPriority priority)
      : work_(std::move(work)), priority_(priority), thread_([this] { loop(); }) {}

  ~LatestWorker() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  LatestWorker(const LatestWorker&) = delete;
  LatestWorker& operator=(const LatestWorker&) = delete;

  // post, take and drain are called from one thread (the UI's), which never
  // waits here for a worker that the scheduler has put aside while it held
  // the lock: a worker that runs only on idle CPU time (WorkerPriority::idle)
  // may wait long for its next turn. A post that finds the lock taken is
  // handed over by the next post or take.
  void post(In in) {
    outbox_.emplace(std::move(in));
    hand_over();
  }

  // The newest result, once; none when nothing new finished since the last
  // call, or while the worker holds the lock.
  std::optional<Out> take() {
    std::optional<Out> out;
    {
      std::unique_lock lock(mutex_, std::try_to_lock);
      if (!lock.owns_lock()) return out;
      out.swap(ready_);
    }
    hand_over();
    return out;
  }

  // A post waits to be handed over: the caller keeps drawing frames (each
  // takes), so that it is not left until the next input.
  [[nodiscard]] bool handing_over() const { return outbox_.has_value(); }

  // Blocks until nothing is pending or being computed.
  void drain() {
    std::unique_lock lock(mutex_);
    if (outbox_) {
      pending_ = std::move(outbox_);
      outbox_.reset();
      cv_.notify_all();
    }
    cv_.wait(lock, [&] { return !pending_ && !busy_; });
  }

  // Called (on the worker's thread) when a result is ready: wakes a UI that
  // waits for input.
  void set_wake(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }

 private:
  void hand_over() {
    if (!outbox_) return;
    std::optional<In> replaced;  // a request not yet started, freed outside the lock
    {
      std::unique_lock lock(mutex_, std::try_to_lock);
      if (!lock.owns_lock()) return;
      replaced.swap(pending_);
      pending_.swap(outbox_);
    }
    cv_.notify_all();
  }

  void loop() {
    if (priority_ == WorkerPriority::lower) lower_this_threads_priority();
    if (priority_ == WorkerPriority::idle) idle_this_thread();
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || pending_; });
      if (stop_) return;
      std::optional<Out> out;
      {
        In in = std::move(*pending_);
        pending_.reset();
        busy_ = true;
        lock.unlock();
        out = work_(in);
      }  // the request is freed before the lock is taken again
      lock.lock();
      busy_ = false;
      // The lock is held as briefly as can be: a result not taken is freed
      // once it is let go.
      if (out) ready_.swap(out);
      const auto wake = ready_ ? wake_ : nullptr;
      cv_.notify_all();
      if (wake || out) {
        lock.unlock();
        out.reset();
        if (wake) wake();
        lock.lock();
      }
    }
  }

  std::function<std::optional<Out>(In&)> work_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<In> pending_;
  std::optional<In> outbox_;  // the UI thread's own: a post not yet handed over
  std::optional<Out> ready_;
  bool busy_ = false;
  bool stop_ = false;
  std::function<void()> wake_;
  WorkerPriority priority_;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace aisb::app
