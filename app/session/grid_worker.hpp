// Computes decision maps off the UI thread: the UI posts the latest weights,
// the worker evaluates them (older requests are dropped, only the newest
// matters) and hands back the maps.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/grid.hpp"

namespace aisb::app {

class GridWorker {
 public:
  explicit GridWorker(int resolution = 100);
  ~GridWorker();
  GridWorker(const GridWorker&) = delete;
  GridWorker& operator=(const GridWorker&) = delete;

  void post(const JobSpec& job, const WeightSet& weights);
  // The newest maps, once; none when nothing new finished since the last call.
  std::optional<GridMaps> take();
  // Blocks until nothing is pending or computing (for tests).
  void drain();
  void set_wake(std::function<void()> wake);

 private:
  void loop();

  const int resolution_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<std::pair<JobSpec, WeightSet>> pending_;
  std::optional<GridMaps> ready_;
  bool busy_ = false;
  bool stop_ = false;
  std::function<void()> wake_;
  std::thread thread_;
};

}  // namespace aisb::app
