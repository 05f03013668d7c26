// The fast path and the torch path must train the same network the same way:
// same spec, same seed, same batches -> the same loss at every step and the
// same weights after it, up to float rounding.
#include <gtest/gtest.h>

#include "core/job_reader.hpp"
#include "engine/net.hpp"
#include "support/job_fixtures.hpp"
#include "torch_compare.hpp"

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

void PrintTo(const Config& c, std::ostream* os) {
  *os << c.name;
}

class PathsAgree : public ::testing::TestWithParam<Config> {};

TEST_P(PathsAgree, EveryStepLossAndWeights) {
  const JobSpec& job = GetParam().job;
  test::BothNets b;
  ASSERT_NO_FATAL_FAILURE(test::make_both(job, b));
  ASSERT_EQ(b.fast->weights(), b.torch->weights());  // the same starting point, bit for bit

  constexpr test::StepBounds kBounds{.loss = {1e-5, 1e-4}, .weight = {2e-5, 2e-4}, .gradient = {1e-4, 1e-3}};
  std::vector<int64_t> order;
  int steps = 0;
  ASSERT_NO_FATAL_FAILURE(
      test::train_both(*b.fast, *b.torch, b.data.train.size(), job.training.batch_size, 4, kBounds, order, steps));
  EXPECT_GT(steps, 50);
  for (const Split* s : {&b.data.train, &b.data.test}) {
    const EvalResult ef = b.fast->evaluate(*s), et = b.torch->evaluate(*s);
    EXPECT_NEAR(ef.loss, et.loss, 1e-4 + 1e-4 * et.loss);
    EXPECT_NEAR(ef.accuracy, et.accuracy, 1.5 / static_cast<double>(s->size()));  // a tie may fall either way
    EXPECT_NEAR(ef.mae, et.mae, 1e-4);
    EXPECT_NEAR(ef.r2, et.r2, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Engine, PathsAgree,
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
