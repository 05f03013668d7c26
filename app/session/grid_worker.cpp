#include "session/grid_worker.hpp"

namespace aisb::app {

GridWorker::GridWorker(int resolution)
    : worker_(
          [resolution](std::pair<JobSpec, WeightSet>& in) -> std::optional<GridMaps> {
            try {
              return evaluate_grid(in.first, in.second, resolution);
            } catch (const std::exception&) {
              return std::nullopt;  // weights of a job that has since changed shape: a newer post follows
            }
          },
          WorkerPriority::idle) {}

}  // namespace aisb::app
