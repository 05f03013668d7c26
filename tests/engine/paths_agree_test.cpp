// The fast path and the torch path must train the same network the same way:
// same spec, same seed, same batches -> the same loss at every step and the
// same weights after it, up to float rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/job_reader.hpp"
#include "core/rng.hpp"
#include "engine/net.hpp"
#include "support/job_fixtures.hpp"

namespace aisb {
namespace {

struct Config {
  std::string name;
  JobSpec job;
};

JobSpec variant(const std::string& optimizer, const std::string& activation, const std::string& reg,
                bool regression = false) {
  JobSpec j = regression ? test::plane_job() : test::xor_job();
  j.model.inputs = {"x1", "x2", "x1_x2", "sin_x1"};
  j.model.layers = {{.type = "dense", .units = 6, .activation = activation},
                    {.type = "dense", .units = 5, .activation = activation}};
  j.training.optimizer = optimizer;
  j.training.learning_rate = optimizer == "adam" ? 0.01 : regression ? 0.002 : 0.05;
  j.training.batch_size = 7;  // leaves a short last batch
  j.training.regularization = reg;
  j.training.regularization_rate = reg == "none" ? 0.0 : 0.003;
  return j;
}

void PrintTo(const Config& c, std::ostream* os) { *os << c.name; }

class PathsAgree : public ::testing::TestWithParam<Config> {};

TEST_P(PathsAgree, EveryStepLossAndWeights) {
  const JobSpec& job = GetParam().job;
  ASSERT_FALSE(validate(job).has_errors()) << validate(job).first_error();
  Diagnostics d;
  const ModelInfo info = describe_model(job, d);
  const Dataset data = make_dataset(job);
  const WeightSet init = initial_weights(info, job.training.seed);
  ASSERT_TRUE(fast_path_fits(job, info));
  auto fast = make_fast_net(job, info, data, init);
  auto torch = make_torch_net(job, info, data, init, "cpu");
  ASSERT_EQ(fast->weights(), torch->weights());  // the same starting point, bit for bit

  std::vector<int64_t> order(static_cast<size_t>(data.train.size()));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(1, streams::order);
  const int64_t batch = job.training.batch_size;
  int steps = 0;
  for (int epoch = 0; epoch < 4; ++epoch) {
    rng.shuffle(order);
    for (int64_t at = 0; at < data.train.size(); at += batch) {
      const int64_t n = std::min(batch, data.train.size() - at);
      const double lf = fast->train_step(order.data() + at, n);
      const double lt = torch->train_step(order.data() + at, n);
      ASSERT_NEAR(lf, lt, 1e-5 + 1e-4 * std::fabs(lt)) << "step " << steps;
      const WeightSet wf = fast->weights(), wt = torch->weights();
      ASSERT_EQ(wf.size(), wt.size());
      for (size_t k = 0; k < wf.size(); ++k) {
        ASSERT_EQ(wf[k].name, wt[k].name);
        ASSERT_EQ(wf[k].shape, wt[k].shape);
        for (size_t i = 0; i < wf[k].data.size(); ++i) {
          ASSERT_NEAR(wf[k].data[i], wt[k].data[i], 2e-5 + 2e-4 * std::fabs(wt[k].data[i]))
              << wf[k].name << "[" << i << "] after step " << steps;
        }
      }
      const std::vector<float> gf = fast->gradient_norms(), gt = torch->gradient_norms();
      ASSERT_EQ(gf.size(), gt.size());
      for (size_t k = 0; k < gf.size(); ++k) {
        ASSERT_NEAR(gf[k], gt[k], 1e-4 + 1e-3 * gt[k]) << "gradient of " << wf[k].name << " at step " << steps;
      }
      ++steps;
    }
  }
  EXPECT_GT(steps, 50);
  for (const Split* s : {&data.train, &data.test}) {
    const EvalResult ef = fast->evaluate(*s), et = torch->evaluate(*s);
    EXPECT_NEAR(ef.loss, et.loss, 1e-4 + 1e-4 * et.loss);
    EXPECT_NEAR(ef.accuracy, et.accuracy, 1.5 / static_cast<double>(s->size()));  // a tie may fall either way
    EXPECT_NEAR(ef.mae, et.mae, 1e-4);
    EXPECT_NEAR(ef.r2, et.r2, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Engine, PathsAgree,
    ::testing::Values(Config{"sgd_tanh", variant("sgd", "tanh", "none")},
                      Config{"momentum_relu_l2", variant("momentum", "relu", "l2")},
                      Config{"adam_sigmoid_l1", variant("adam", "sigmoid", "l1")},
                      Config{"sgd_gelu", variant("sgd", "gelu", "l2")},
                      Config{"adam_leaky_relu", variant("adam", "leaky_relu", "none")},
                      Config{"regression_linear", variant("sgd", "linear", "none", true)},
                      Config{"regression_adam_tanh", variant("adam", "tanh", "l1", true)}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace aisb
