#include "session/grid_worker.hpp"

namespace aisb::app {

GridWorker::GridWorker(int resolution) : resolution_(resolution), thread_([this] { loop(); }) {}

GridWorker::~GridWorker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void GridWorker::post(const JobSpec& job, const WeightSet& weights) {
  {
    std::lock_guard lock(mutex_);
    pending_.emplace(job, weights);
  }
  cv_.notify_all();
}

std::optional<GridMaps> GridWorker::take() {
  std::lock_guard lock(mutex_);
  std::optional<GridMaps> out;
  out.swap(ready_);
  return out;
}

void GridWorker::drain() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return !pending_ && !busy_; });
}

void GridWorker::set_wake(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wake_ = std::move(wake);
}

void GridWorker::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || pending_; });
    if (stop_) return;
    auto [job, weights] = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    lock.unlock();
    std::optional<GridMaps> maps;
    try {
      maps = evaluate_grid(job, weights, resolution_);
    } catch (const std::exception&) {
      // Weights of a job that has since changed shape: a newer post follows.
    }
    lock.lock();
    busy_ = false;
    if (maps) ready_ = std::move(maps);
    const auto wake = wake_;
    cv_.notify_all();
    if (wake && ready_) {
      lock.unlock();
      wake();
      lock.lock();
    }
  }
}

}  // namespace aisb::app
