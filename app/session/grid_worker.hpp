// Computes decision maps off the UI thread: the UI posts the latest weights,
// the worker evaluates them (older requests are dropped, only the newest
// matters) and hands back the maps.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "engine/grid.hpp"
#include "session/latest_worker.hpp"

namespace aisb::app {

class GridWorker {
 public:
  explicit GridWorker(int resolution = 100);

  void post(const JobSpec& job, const WeightSet& weights) { worker_.post({job, weights}); }
  // The newest maps, once; none when nothing new finished since the last call.
  std::optional<GridMaps> take() { return worker_.take(); }
  [[nodiscard]] bool handing_over() const { return worker_.handing_over(); }
  // Blocks until nothing is pending or computing (for tests).
  void drain() { worker_.drain(); }
  void set_wake(std::function<void()> wake) { worker_.set_wake(std::move(wake)); }

 private:
  LatestWorker<std::pair<JobSpec, WeightSet>, GridMaps> worker_;
};

}  // namespace aisb::app
