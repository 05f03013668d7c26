#include <gtest/gtest.h>

#include "core/job_reader.hpp"
#include "core/shape.hpp"
#include "support/job_fixtures.hpp"

namespace aisb {
namespace {

ModelInfo infer(const std::vector<LayerSpec>& layers, const Shape& input, int64_t outputs) {
  ModelSpec m;
  m.layers = layers;
  Diagnostics d;
  ModelInfo info = infer_model(m, input, outputs, d);
  EXPECT_TRUE(info.ok) << d.first_error();
  return info;
}

TEST(Shape, PlaygroundNetwork) {
  Diagnostics d;
  const ModelInfo info = describe_model(test::xor_job(), d);
  ASSERT_TRUE(info.ok);
  ASSERT_EQ(info.layers.size(), 3u);  // two hidden layers and the implied output
  EXPECT_EQ(info.layers[2].name, "output");
  EXPECT_EQ(info.layers[2].out, (Shape{2}));
  EXPECT_EQ(info.params, (2 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2));
  EXPECT_EQ(info.flops_per_sample, (2 * 2 * 8 + 8) + (2 * 8 * 8 + 8) + (2 * 8 * 2 + 2));
  EXPECT_EQ(info.layers[0].param_list[0].name, "layers.0.weight");
  EXPECT_EQ(info.layers[0].param_list[0].shape, (Shape{8, 2}));
}

TEST(Shape, ConvolutionPoolingFlatten) {
  const ModelInfo info = infer({{.type = "conv2d", .activation = "relu", .filters = 8, .kernel = 3, .padding = "same"},
                                {.type = "maxpool2d", .size = 2},
                                {.type = "conv2d", .activation = "relu", .filters = 16, .kernel = 5, .stride = 2},
                                {.type = "batchnorm"},
                                {.type = "flatten"},
                                {.type = "dropout", .rate = 0.5},
                                {.type = "dense", .units = 32, .activation = "relu"}},
                               {1, 28, 28}, 10);
  EXPECT_EQ(info.layers[0].out, (Shape{8, 28, 28}));
  EXPECT_EQ(info.layers[0].params, 8 * 1 * 3 * 3 + 8);
  EXPECT_EQ(info.layers[1].out, (Shape{8, 14, 14}));
  EXPECT_EQ(info.layers[2].out, (Shape{16, 5, 5}));  // (14 - 5) / 2 + 1
  EXPECT_EQ(info.layers[2].params, 16 * 8 * 5 * 5 + 16);
  EXPECT_EQ(info.layers[3].params, 2 * 16);
  EXPECT_EQ(info.layers[4].out, (Shape{400}));
  EXPECT_EQ(info.layers[6].params, 400 * 32 + 32);
  EXPECT_EQ(info.layers[7].params, 32 * 10 + 10);
  EXPECT_EQ(info.layers[0].flops, 2 * 9 * 8 * 28 * 28 + 8 * 28 * 28);
}

TEST(Shape, RecurrentLayers) {
  const ModelInfo lstm = infer({{.type = "lstm", .units = 16}}, {10, 3}, 1);
  EXPECT_EQ(lstm.layers[0].out, (Shape{16}));
  EXPECT_EQ(lstm.layers[0].params, 4 * 16 * (3 + 16) + 2 * 4 * 16);
  const ModelInfo gru = infer({{.type = "gru", .units = 16}}, {10, 3}, 1);
  EXPECT_EQ(gru.layers[0].params, 3 * 16 * (3 + 16) + 2 * 3 * 16);
  EXPECT_GT(lstm.flops_per_sample, gru.flops_per_sample);
}

TEST(Shape, RefusesWhatCannotFollow) {
  ModelSpec m;
  m.layers = {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 3}};
  Diagnostics d;
  EXPECT_FALSE(infer_model(m, {1, 8, 8}, 2, d).ok);  // the output needs a flat input
  ASSERT_TRUE(d.has_errors());
  EXPECT_NE(d.first_error().find("flatten"), std::string::npos);

  m.layers = {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 9}};
  Diagnostics d2;
  EXPECT_FALSE(infer_model(m, {1, 8, 8}, 2, d2).ok);
  EXPECT_EQ(d2.all().at(0).path, "model.layers[0].kernel");
}

TEST(Shape, MemoryEstimateGrowsWithBatchAndOptimizerState) {
  Diagnostics d;
  const ModelInfo info = describe_model(test::xor_job(), d);
  const int64_t sgd = training_memory_bytes(info, 10, "sgd");
  EXPECT_GT(training_memory_bytes(info, 100, "sgd"), sgd);
  EXPECT_EQ(training_memory_bytes(info, 10, "adam") - sgd, 2 * 4 * info.params);
  EXPECT_EQ(training_flops_per_sample(info), 3 * info.flops_per_sample);
}

}  // namespace
}  // namespace aisb
