// Shape inference must count what torch actually creates.
#include <gtest/gtest.h>

#include "core/shape.hpp"
#include "engine/engine.hpp"

namespace aisb {
namespace {

struct Model {
  std::string name;
  std::vector<LayerSpec> layers;
  Shape input;
  int64_t outputs;
};

void PrintTo(const Model& m, std::ostream* os) { *os << m.name; }

class TorchShapes : public ::testing::TestWithParam<Model> {};

TEST_P(TorchShapes, NamesShapesAndCountsMatch) {
  const Model& m = GetParam();
  ModelSpec spec;
  spec.layers = m.layers;
  Diagnostics d;
  const ModelInfo info = infer_model(spec, m.input, m.outputs, d);
  ASSERT_TRUE(info.ok) << d.first_error();
  std::vector<std::pair<std::string, Shape>> inferred;
  for (const auto& l : info.layers) {
    for (const auto& p : l.param_list) inferred.emplace_back(p.name, p.shape);
  }
  const auto actual = torch_parameters(spec, m.input, m.outputs);
  EXPECT_EQ(inferred, actual);
  int64_t total = 0;
  for (const auto& [name, shape] : actual) total += shape_elements(shape);
  EXPECT_EQ(info.params, total);
}

INSTANTIATE_TEST_SUITE_P(
    Engine, TorchShapes,
    ::testing::Values(
        Model{"playground", {{.type = "dense", .units = 8, .activation = "tanh"}, {.type = "dense", .units = 8, .activation = "tanh"}}, {2}, 2},
        Model{"deep_features",
              {{.type = "dense", .units = 8, .activation = "relu"},
               {.type = "batchnorm"},
               {.type = "dropout", .rate = 0.3},
               {.type = "dense", .units = 3, .activation = "gelu"}},
              {7},
              1},
        Model{"cnn",
              {{.type = "conv2d", .activation = "relu", .filters = 8, .kernel = 3, .padding = "same"},
               {.type = "batchnorm"},
               {.type = "maxpool2d", .size = 2},
               {.type = "conv2d", .activation = "relu", .filters = 16, .kernel = 5, .stride = 2},
               {.type = "flatten"},
               {.type = "dense", .units = 32, .activation = "relu"}},
              {1, 28, 28},
              10},
        Model{"lstm", {{.type = "lstm", .units = 16}}, {24, 3}, 1},
        Model{"gru", {{.type = "gru", .units = 12}}, {24, 5}, 4}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace aisb
