// The fast paths held to libtorch (paths_agree_test.cpp for the dense one,
// fast_cnn_test.cpp for the CNN): both engines on one job, and training steps
// on both compared, each test with its own bounds.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "core/job_reader.hpp"
#include "core/rng.hpp"
#include "engine/net.hpp"

namespace aisb::test {

// How far a value may be from libtorch's b: abs + rel * |b|.
struct Bound {
  double abs = 0.0, rel = 0.0;
  [[nodiscard]] double at(double b) const { return abs + rel * std::fabs(b); }
};

// A step's loss, each weight after it and each gradient norm.
struct StepBounds {
  Bound loss, weight, gradient;
};

// A job's model, data and starting weights, and both engines on them. The
// nets keep a reference to `data`: fill one in place and keep it there.
struct BothNets {
  ModelInfo info;
  Dataset data;
  WeightSet init;
  std::unique_ptr<Net> fast, torch;
};

// For a job the fast path takes; use as ASSERT_NO_FATAL_FAILURE(make_both(job, b)).
inline void make_both(const JobSpec& job, BothNets& b) {
  ASSERT_FALSE(validate(job).has_errors()) << validate(job).first_error();
  Diagnostics d;
  b.info = describe_model(job, d);
  b.data = make_dataset(job);
  b.init = initial_weights(b.info, job.training.seed);
  ASSERT_TRUE(fast_path_fits(job, b.info));
  b.fast = make_fast_net(job, b.info, b.data, b.init);
  b.torch = make_torch_net(job, b.info, b.data, b.init, "cpu");
}

inline void expect_near_weights(const WeightSet& a, const WeightSet& b, const Bound& bound, const std::string& when) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    ASSERT_EQ(a[k].name, b[k].name);
    ASSERT_EQ(a[k].shape, b[k].shape);
    ASSERT_EQ(a[k].data.size(), b[k].data.size());
    for (size_t i = 0; i < a[k].data.size(); ++i) {
      ASSERT_NEAR(a[k].data[i], b[k].data[i], bound.at(b[k].data[i])) << a[k].name << "[" << i << "] " << when;
    }
  }
}

// `epochs` epochs of both nets over `samples` training rows in batches of
// `batch`, shuffled as the trainer does, each step held to the bounds.
// Leaves the last epoch's order in `order` and the steps taken in `steps`.
// Use as ASSERT_NO_FATAL_FAILURE(train_both(...)).
inline void train_both(Net& fast, Net& torch, int64_t samples, int64_t batch, int epochs, const StepBounds& bounds,
                       std::vector<int64_t>& order, int& steps) {
  order.resize(static_cast<size_t>(samples));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(1, streams::order);
  steps = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    rng.shuffle(order);
    for (int64_t at = 0; at < samples; at += batch) {
      const int64_t n = std::min(batch, samples - at);
      const double lf = fast.train_step(order.data() + at, n);
      const double lt = torch.train_step(order.data() + at, n);
      ASSERT_NEAR(lf, lt, bounds.loss.at(lt)) << "step " << steps;
      expect_near_weights(fast.weights(), torch.weights(), bounds.weight, "after step " + std::to_string(steps));
      if (::testing::Test::HasFatalFailure()) return;
      const std::vector<float> gf = fast.gradient_norms(), gt = torch.gradient_norms();
      ASSERT_EQ(gf.size(), gt.size());
      for (size_t k = 0; k < gf.size(); ++k)
        ASSERT_NEAR(gf[k], gt[k], bounds.gradient.at(gt[k])) << "gradient " << k << " at step " << steps;
      ++steps;
    }
  }
}

}  // namespace aisb::test
