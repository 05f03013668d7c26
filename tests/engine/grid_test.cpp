#include <gtest/gtest.h>

#include "data/dataset.hpp"
#include "engine/engine.hpp"
#include "engine/grid.hpp"
#include "support/job_fixtures.hpp"

namespace aisb {
namespace {

struct Trained {
  WeightSet weights;
  Metrics last;
};

Trained train_to_end(const JobSpec& job) {
  Trained t;
  RunControl control;
  train(job, {.snapshot_hz = 0, .final_snapshot = true}, control, [&](Event&& e) {
    if (e.type == EventType::snapshot) t.weights = e.weights;
    if (e.type == EventType::metrics) t.last = e.metrics;
  });
  return t;
}

TEST(Grid, PredictionsMatchTheEnginesAccuracy) {
  const JobSpec job = test::xor_job(40);
  const Trained t = train_to_end(job);
  ASSERT_FALSE(t.weights.empty());
  const Dataset d = make_dataset(job);
  const std::vector<float> out = evaluate_points(job, t.weights, d.test.points);
  ASSERT_EQ(out.size(), static_cast<size_t>(d.test.size()));
  int correct = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_GE(out[i], -1.0f);
    ASSERT_LE(out[i], 1.0f);
    correct += (out[i] > 0 ? 1.0f : 0.0f) == d.test.y[i];
  }
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / static_cast<double>(out.size()), *t.last.test_accuracy);
}

TEST(Grid, MapsEveryNeuronOverThePlane) {
  const JobSpec job = test::xor_job(40);
  const Trained t = train_to_end(job);
  const GridMaps g = evaluate_grid(job, t.weights, 20);
  ASSERT_EQ(g.inputs.size(), 2u);
  ASSERT_EQ(g.hidden.size(), 2u);
  ASSERT_EQ(g.hidden[0].size(), 8u);
  ASSERT_EQ(g.hidden[1][7].size(), 400u);
  ASSERT_EQ(g.output.size(), 400u);
  // Row 0 is the top of the plane (x2 high), column 0 its left (x1 low).
  EXPECT_FLOAT_EQ(g.inputs[0][0], -5.7f);
  EXPECT_FLOAT_EQ(g.inputs[1][0], 5.7f);
  EXPECT_FLOAT_EQ(g.inputs[0][19], 5.7f);
  // XOR: same-sign quarters are class 1 (output > 0), the others class 0.
  const auto at = [&](double x1, double x2) {
    const int c = static_cast<int>((x1 + 6.0) / 0.6), r = static_cast<int>((6.0 - x2) / 0.6);
    return g.output[static_cast<size_t>(r * 20 + c)];
  };
  EXPECT_GT(at(4, 4), 0.0f);
  EXPECT_GT(at(-4, -4), 0.0f);
  EXPECT_LT(at(4, -4), 0.0f);
  EXPECT_LT(at(-4, 4), 0.0f);
  for (float v : g.hidden[0][3]) ASSERT_TRUE(v >= -1.0f && v <= 1.0f);  // tanh neurons
}

TEST(Grid, RegressionGivesTheValue) {
  const JobSpec job = test::plane_job(20);
  const Trained t = train_to_end(job);
  const GridMaps g = evaluate_grid(job, t.weights, 10);
  // The plane rises towards the top right: (x1 + x2) / 12.
  EXPECT_NEAR(g.output[9], (5.4 + 5.4) / 12.0, 0.2);        // top right
  EXPECT_NEAR(g.output[9 * 10 + 0], -(5.4 + 5.4) / 12.0, 0.2);  // bottom left
  EXPECT_NEAR(g.output[0], 0.0, 0.2);                          // top left
}

TEST(Grid, RefusesWhatItCannotDraw) {
  JobSpec job = test::xor_job();
  const Trained t = train_to_end(test::xor_job(1));
  EXPECT_TRUE(grid_supported(job));
  job.model.layers.push_back({.type = "dropout", .rate = 0.1});
  EXPECT_FALSE(grid_supported(job));
  EXPECT_THROW(evaluate_grid(job, t.weights), std::invalid_argument);
  JobSpec wider = test::xor_job();
  wider.model.layers[0].units = 9;
  EXPECT_THROW(evaluate_grid(wider, t.weights), std::invalid_argument);
  EXPECT_THROW(evaluate_points(test::xor_job(), {}, {0.0f, 0.0f}), std::invalid_argument);
}

}  // namespace
}  // namespace aisb
