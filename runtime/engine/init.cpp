#include <cmath>

#include "core/rng.hpp"
#include "engine/net.hpp"

namespace aisb {

WeightSet initial_weights(const ModelInfo& info, uint64_t seed) {
  Rng rng(seed, streams::init);
  WeightSet out;
  for (const auto& layer : info.layers) {
    for (const auto& p : layer.param_list) {
      NamedTensor t{p.name, p.shape, std::vector<float>(static_cast<size_t>(shape_elements(p.shape)), 0.0f)};
      double limit = 0.0;
      if (p.init == Init::glorot) limit = std::sqrt(6.0 / static_cast<double>(p.fan_in + p.fan_out));
      if (p.init == Init::he) limit = std::sqrt(6.0 / static_cast<double>(p.fan_in));
      for (auto& v : t.data) {
        if (p.init == Init::ones) v = 1.0f;
        else if (limit > 0.0) v = static_cast<float>(rng.uniform(-limit, limit));
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

bool fast_path_fits(const JobSpec& job, const ModelInfo& info) {
  for (const auto& l : job.model.layers) {
    if (l.type != "dense") return false;
  }
  // Past this, BLAS kernels beat plain loops even with their overhead.
  constexpr int64_t kMaxFlopsPerSample = 200000;
  return info.ok && info.input.size() == 1 && info.flops_per_sample <= kMaxFlopsPerSample;
}

}  // namespace aisb
