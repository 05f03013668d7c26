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

using aisb::lower_this_threads_priority;  // a worker fills the time between frames

template <class In, class Out>
class LatestWorker {
 public:
  // `work` runs on the worker's thread; no result (std::nullopt) keeps the
  // last one, for a request that has been overtaken or cannot be computed.
  // The thread runs at a lower priority unless someone waits for its result
  // (`lower_priority` false).
  explicit LatestWorker(std::function<std::optional<Out>(In&)> work, bool lower_priority = true)
      : work_(std::move(work)), lower_(lower_priority), thread_([this] { loop(); }) {}

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

  void post(In in) {
    {
      std::lock_guard lock(mutex_);
      pending_.emplace(std::move(in));
    }
    cv_.notify_all();
  }

  // The newest result, once; none when nothing new finished since the last
  // call, or while the worker holds the lock: a frame never waits for a
  // worker that the scheduler has put aside (it may run at a lower priority).
  std::optional<Out> take() {
    std::unique_lock lock(mutex_, std::try_to_lock);
    std::optional<Out> out;
    if (lock.owns_lock()) out.swap(ready_);
    return out;
  }

  // Blocks until nothing is pending or being computed.
  void drain() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !pending_ && !busy_; });
  }

  // Called (on the worker's thread) when a result is ready: wakes a UI that
  // waits for input.
  void set_wake(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }

 private:
  void loop() {
    if (lower_) lower_this_threads_priority();
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || pending_; });
      if (stop_) return;
      In in = std::move(*pending_);
      pending_.reset();
      busy_ = true;
      lock.unlock();
      std::optional<Out> out = work_(in);
      lock.lock();
      busy_ = false;
      if (out) ready_ = std::move(out);
      const auto wake = wake_;
      cv_.notify_all();
      if (wake && ready_) {
        lock.unlock();
        wake();
        lock.lock();
      }
    }
  }

  std::function<std::optional<Out>(In&)> work_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<In> pending_;
  std::optional<Out> ready_;
  bool busy_ = false;
  bool stop_ = false;
  std::function<void()> wake_;
  bool lower_ = true;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace aisb::app
