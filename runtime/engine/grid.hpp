// What the playground view draws, computed from a snapshot's weights alone
// (so a run on the compute center draws the same as a local one): every
// hidden neuron's and the output's value over the input plane, and the
// network's prediction for given points. Dense networks on 2-D sets only;
// no torch.
#pragma once

#include <stdexcept>
#include <vector>

#include "core/event.hpp"
#include "core/spec.hpp"

namespace aisb {

struct GridMaps {
  int resolution = 0;   // maps are resolution x resolution, row 0 at x2 = hi
  double lo = -6.0, hi = 6.0;
  std::vector<std::vector<float>> inputs;               // per input feature
  std::vector<std::vector<std::vector<float>>> hidden;  // [layer][neuron]
  std::vector<float> output;  // classification: P(class 1) - P(class 0) in [-1, 1]; regression: the value
};

// True when the views can evaluate this model from its weights.
bool grid_supported(const JobSpec& job);

// Throws std::invalid_argument when the model is not supported or the
// weights do not match it.
GridMaps evaluate_grid(const JobSpec& job, const WeightSet& weights, int resolution = 100, double lo = -6.0,
                       double hi = 6.0);

// The output (as in GridMaps::output) for points (x1, x2 interleaved).
std::vector<float> evaluate_points(const JobSpec& job, const WeightSet& weights, const std::vector<float>& xy);

}  // namespace aisb
