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

TEST(Shape, MemoryEstimateGrowsWithBatchSamplesAndOptimizerState) {
  Diagnostics d;
  const ModelInfo info = describe_model(test::xor_job(), d);
  const auto total = [&](int batch, const std::string& optimizer, int64_t train, int64_t test) {
    return estimate_memory(info, batch, optimizer, train, test).total();
  };
  const int64_t sgd = total(10, "sgd", 100, 100);
  EXPECT_GT(total(100, "sgd", 100, 100), sgd);
  EXPECT_GT(total(10, "sgd", 1000, 100), sgd);  // the data set, and a wider evaluation
  EXPECT_EQ(total(10, "adam", 100, 100) - sgd, 2 * 4 * info.params);
  // A batch larger than the training set is the training set.
  EXPECT_EQ(total(1000, "sgd", 100, 100), total(100, "sgd", 100, 100));
  // The fast path needs no libtorch.
  EXPECT_LT(estimate_memory(info, 10, "sgd", 100, 100, false).total(), sgd);
  EXPECT_FALSE(training_uses_torch(test::xor_job().model, info));
  EXPECT_EQ(training_memory_bytes(test::xor_job(), info), estimate_memory(info, 10, "sgd", 100, 100, false).total());
  EXPECT_EQ(training_flops_per_sample(info), 3 * info.flops_per_sample);
}

// Issue 11: one conv2d of 1,024 filters on the digits, pooled by 8, batch
// 300, was estimated at 1.84 GiB, taken, and passed 10 GiB on a worker.
// Training keeps the convolution's output, the relu's and the unfolded input
// for 300 samples, and evaluation runs the whole test set at once.
TEST(Shape, TheThousandFilterJobIsEstimatedHonestlyAndRefused) {
  JobSpec job = test::xor_job(1);
  job.dataset.source = "digits";
  job.dataset.samples = 1000;
  job.model.inputs.clear();
  job.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 1024, .kernel = 3, .padding = "same"},
                      {.type = "maxpool2d", .size = 8},
                      {.type = "flatten"}};
  job.training.batch_size = 300;
  Diagnostics d;
  const ModelInfo info = describe_model(job, d);
  ASSERT_TRUE(info.ok);
  const MemoryEstimate m = estimate_memory(info, 300, "sgd", 500, 500);
  // 300 x 1,024 x 28 x 28 floats twice (convolution, relu) is 1.9 GB alone.
  EXPECT_GT(m.training, int64_t{1900} << 20);
  EXPECT_GT(m.evaluation, int64_t{3000} << 20);
  EXPECT_EQ(training_memory_bytes(job, info), m.total());
  const Diagnostics v = validate(job);
  ASSERT_TRUE(v.has_errors());
  EXPECT_EQ(v.all().front().path, "training.batch_size");
  EXPECT_NE(v.first_error().find("more than the 2048 MB allowed"), std::string::npos) << v.first_error();
}

}  // namespace
}  // namespace aisb
