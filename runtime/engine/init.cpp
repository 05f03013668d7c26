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
        if (p.init == Init::ones)
          v = 1.0f;
        else if (limit > 0.0)
          v = static_cast<float>(rng.uniform(-limit, limit));
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

namespace {

// A small dense network on a flat input: fast_mlp.cpp.
bool fast_mlp_fits(const JobSpec& job, const ModelInfo& info) {
  for (const auto& l : job.model.layers) {
    if (l.type != "dense") return false;
  }
  // Past this, BLAS kernels beat plain loops even with their overhead.
  constexpr int64_t kMaxFlopsPerSample = 200000;
  return info.input.size() == 1 && info.flops_per_sample <= kMaxFlopsPerSample;
}

}  // namespace

// Kept in step with core/shape.cpp's training_uses_torch (the memory
// estimate's rule); tests/engine/fast_cnn_test.cpp checks that they agree.
bool fast_cnn_fits(const JobSpec& job, const ModelInfo& info) {
  if (!info.ok || info.input.size() != 3) return false;
  // The shipped CNN lessons: up to 32 filters, 16 MFLOPs a sample and dense
  // layers of 131,072 weights, where the fast path trains 2.5 to 6 times as
  // fast as libtorch (docs/PERFORMANCE.md). It multiplies a dense layer's
  // weights by one sample at a time; for larger matrices libtorch's BLAS,
  // a batch at a time, wins. Past what was measured, libtorch as before.
  constexpr int kMaxFilters = 64;
  constexpr int64_t kMaxDenseWeights = 262144;
  constexpr int64_t kMaxFlopsPerSample = 20'000'000;
  for (const auto& l : job.model.layers) {
    const bool known = l.type == "dense" || l.type == "flatten" || l.type == "maxpool2d" ||
                       (l.type == "conv2d" && l.stride == 1 && l.filters <= kMaxFilters);
    if (!known) return false;
  }
  for (const auto& l : info.layers) {
    if (l.spec.type == "dense" && l.in[0] * l.out[0] > kMaxDenseWeights) return false;
  }
  return info.flops_per_sample <= kMaxFlopsPerSample;
}

bool fast_path_fits(const JobSpec& job, const ModelInfo& info) {
  return info.ok && (fast_mlp_fits(job, info) || fast_cnn_fits(job, info));
}

std::unique_ptr<Net> make_fast_net(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                   const WeightSet& init) {
  if (info.input.size() == 3) return make_fast_cnn(job, info, data, init);
  return make_fast_mlp(job, info, data, init);
}

}  // namespace aisb
