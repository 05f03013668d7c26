// The trained-model file end to end through the engine: train, save,
// reopen, predict (bit for bit on the CPU); continue training equals one
// longer run; a file from someone else is checked before anything is built.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/job_reader.hpp"
#include "core/trained_model.hpp"
#include "data/dataset.hpp"
#include "engine/engine.hpp"
#include "engine/predict.hpp"
#include "support/job_fixtures.hpp"
#include "support/train_to_model.hpp"

namespace aisb {
namespace {

using nlohmann::json;

TrainedModel train_model(const JobSpec& job) {
  RunSummary s;
  TrainedModel m = test::train_to_model(job, &s);
  EXPECT_EQ(s.reason, "completed") << s.message;
  return m;
}

TrainedModel reopen(const TrainedModel& m) {
  Diagnostics diags;
  TrainedModel back = read_trained_model(model_file_text(m), diags);
  EXPECT_FALSE(diags.has_errors()) << diags.first_error();
  return back;
}

// The test split as raw values (standardisation undone is not needed: a
// generator's data is not standardised), for predictions.
std::vector<float> test_inputs(const JobSpec& job) {
  return make_dataset(job).test.x;
}

JobSpec cnn_job(int epochs) {
  JobSpec j;
  j.lesson = "test-digits";
  j.dataset.source = "digits";
  j.dataset.samples = 240;
  j.dataset.noise = 0.1;
  j.dataset.test_fraction = 0.25;
  j.dataset.seed = 5;
  j.model.task = "classification";
  j.model.inputs = {};
  j.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 3, .padding = "same"},
                    {.type = "batchnorm"},
                    {.type = "maxpool2d", .size = 2},
                    {.type = "flatten"},
                    {.type = "dense", .units = 16, .activation = "gelu"}};
  j.training.optimizer = "adam";
  j.training.learning_rate = 0.01;
  j.training.batch_size = 32;
  j.training.epochs = epochs;
  j.training.seed = 2;
  return j;
}

JobSpec lstm_job(int epochs) {
  JobSpec j;
  j.lesson = "test-battery";
  j.dataset.source = "battery-fade";
  j.dataset.samples = 120;
  j.dataset.test_fraction = 0.25;
  j.dataset.seed = 4;
  j.model.task = "regression";
  j.model.inputs = {};
  j.model.layers = {{.type = "lstm", .units = 8}, {.type = "dense", .units = 8, .activation = "tanh"}};
  j.training.optimizer = "momentum";
  j.training.learning_rate = 0.01;
  j.training.batch_size = 16;
  j.training.epochs = epochs;
  j.training.seed = 6;
  return j;
}

void expect_same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
}

TEST(TrainedModel, RoundTripKeepsEveryBitAndPredictsTheSame) {
  for (const JobSpec& job : {test::xor_job(4), test::plane_job(3), cnn_job(2), lstm_job(2)}) {
    SCOPED_TRACE(job.lesson);
    const TrainedModel trained = train_model(job);
    const TrainedModel back = reopen(trained);
    EXPECT_EQ(back.weights, trained.weights);
    EXPECT_EQ(back.buffers, trained.buffers);
    EXPECT_EQ(back.standardization, trained.standardization);
    EXPECT_EQ(back.curves.size(), trained.curves.size());
    EXPECT_EQ(back.job, trained.job);
    EXPECT_EQ(back.optimizer_state, trained.optimizer_state);
    const std::vector<float> x = test_inputs(job);
    Predictor before(trained), after(back);
    expect_same_bits(before.raw_outputs(x), after.raw_outputs(x));
  }
}

TEST(TrainedModel, PredictionsAgreeWithTheRunsOwnEvaluation) {
  // The reopened CNN (batch norm's running statistics included) classifies
  // the test split exactly as the run's last evaluation counted.
  const JobSpec job = cnn_job(3);
  const TrainedModel m = reopen(train_model(job));
  ASSERT_FALSE(m.buffers.empty());
  const Dataset data = make_dataset(job);
  Predictor p(m);
  const auto predictions = p.predict(data.test.x);
  ASSERT_EQ(predictions.size(), data.test.y.size());
  int correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) correct += predictions[i].klass == static_cast<int>(data.test.y[i]);
  ASSERT_TRUE(m.metrics.test_accuracy.has_value());
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / static_cast<double>(predictions.size()), *m.metrics.test_accuracy);
  for (const auto& pr : predictions) {
    double sum = 0;
    for (float q : pr.probabilities) sum += q;
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
  EXPECT_EQ(m.classes.size(), 10u);
  EXPECT_EQ(m.classes[3], "3");
}

TEST(TrainedModel, ContinuingEqualsOneLongerRun) {
  for (const JobSpec& base : {test::xor_job(4), cnn_job(3), lstm_job(3)}) {
    SCOPED_TRACE(base.lesson);
    JobSpec whole = base;
    const TrainedModel straight = train_model(whole);
    JobSpec first = base;
    first.training.epochs = base.training.epochs - 1;
    const TrainedModel saved = reopen(train_model(first));
    TrainOptions options;
    options.device = "cpu";
    const JobSpec more = continue_training(saved, 1, options);
    ASSERT_TRUE(options.resume) << "the optimizer state should carry over";
    EXPECT_EQ(more.training.epochs, base.training.epochs);
    ModelRecorder recorder(more);
    recorder.continue_from(saved);
    options.checkpoint_seconds = 1e9;
    options.on_checkpoint = [&](const Checkpoint& c) {
      recorder.on_checkpoint(c.epoch, c.step, c.weights, c.buffers, c.optimizer);
    };
    RunControl control;
    train(more, options, control, [&](Event&& e) { recorder.on_event(e); });
    ASSERT_TRUE(recorder.complete());
    const TrainedModel& continued = recorder.model();
    EXPECT_EQ(continued.weights, straight.weights);
    EXPECT_EQ(continued.buffers, straight.buffers);
    EXPECT_EQ(continued.epochs_done, straight.epochs_done);
    EXPECT_EQ(continued.steps_done, straight.steps_done);
    ASSERT_EQ(continued.curves.size(), straight.curves.size());
    for (size_t i = 0; i < straight.curves.size(); ++i) {
      EXPECT_EQ(continued.curves[i].epoch, straight.curves[i].epoch);
      EXPECT_EQ(continued.curves[i].test_loss, straight.curves[i].test_loss);
    }
  }
}

// --- files from someone else -------------------------------------------

std::string error_of(const std::string& text) {
  Diagnostics diags;
  read_trained_model(text, diags);
  return diags.has_errors() ? diags.all().front().path + ": " + diags.first_error() : std::string();
}

class BadModelFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { good_ = new std::string(model_file_text(train_model(test::xor_job(2)))); }
  static void TearDownTestSuite() { delete good_; }
  static json good() { return json::parse(*good_); }
  static std::string* good_;
};
std::string* BadModelFile::good_ = nullptr;

TEST_F(BadModelFile, TheGoodOneReads) {
  EXPECT_EQ(error_of(*good_), "");
}

TEST_F(BadModelFile, TruncatedAnywhere) {
  for (size_t cut : {size_t{0}, size_t{1}, good_->size() / 3, good_->size() / 2, good_->size() - 3}) {
    const std::string e = error_of(good_->substr(0, cut));
    EXPECT_NE(e.find("not an AI Sandbox model file"), std::string::npos) << cut << ": " << e;
  }
}

TEST_F(BadModelFile, OtherKindsOfFile) {
  EXPECT_NE(error_of("\x89PNG\r\n\x1a\n").find("not an AI Sandbox model file"), std::string::npos);
  EXPECT_NE(error_of("{\"format\": 1, \"job\": {}}").find("no \"aisandbox_model\""), std::string::npos);
  EXPECT_NE(error_of(std::string(200000, '[')).find("nested deeper"), std::string::npos);
}

TEST_F(BadModelFile, WrongVersion) {
  json j = good();
  j["aisandbox_model"] = 2;
  EXPECT_NE(error_of(j.dump()).find("version 2 is not supported"), std::string::npos);
  j["aisandbox_model"] = "1";
  EXPECT_NE(error_of(j.dump()).find("must be a whole number"), std::string::npos);
}

TEST_F(BadModelFile, WeightsThatDoNotFitTheNetwork) {
  json j = good();
  j["weights"][1]["shape"] = {9};
  EXPECT_NE(error_of(j.dump()).find("does not fit the network"), std::string::npos) << error_of(j.dump());
  j = good();
  j["weights"].erase(j["weights"].size() - 1);
  EXPECT_NE(error_of(j.dump()).find("weights do not fit"), std::string::npos);
  j = good();
  j["job"]["model"]["layers"][0]["units"] = 9;  // the network changed, the weights did not
  EXPECT_NE(error_of(j.dump()).find("does not fit the network"), std::string::npos);
  j = good();
  j["weights"][0]["f32"] = "AAAAAA==";  // one number where 16 belong
  EXPECT_NE(error_of(j.dump()).find("holds 1 numbers"), std::string::npos);
  j = good();
  j["weights"][0]["f32"] = "not base64!";
  EXPECT_NE(error_of(j.dump()).find("base64"), std::string::npos);
  j = good();
  j["weights"][1]["f32"] = "AADAfw==";  // NaN, with a shape of one
  j["weights"][1]["shape"] = {1};
  EXPECT_FALSE(error_of(j.dump()).empty());
}

TEST_F(BadModelFile, HugeSizesAreRefusedBeforeAnythingIsMade) {
  json j = good();
  j["weights"][0]["shape"] = {2000000000, 2000000000};
  EXPECT_NE(error_of(j.dump()).find("expected up to 4 sizes"), std::string::npos);
  j = good();
  j["job"]["model"]["layers"][0]["units"] = 100000;
  EXPECT_NE(error_of(j.dump()).find("job.model.layers[0].units"), std::string::npos) << error_of(j.dump());
  j = good();
  j["curves"] = json::array();
  for (int i = 0; i < 100001; ++i) j["curves"].push_back(json::object());
  EXPECT_NE(error_of(j.dump()).find("more points than epochs"), std::string::npos);
  EXPECT_NE(error_of(std::string(kMaxModelFileBytes + 1, ' ')).find("larger than"), std::string::npos);
}

TEST_F(BadModelFile, NamesThatDoNotFit) {
  json j = good();
  j["classes"] = {"only one"};
  EXPECT_NE(error_of(j.dump()).find("class names for a network with 2 outputs"), std::string::npos);
  j = good();
  j["buffers"] = json::array({{{"name", "layers.0.running_mean"}, {"shape", {8}}, {"f32", j["weights"][1]["f32"]}}});
  EXPECT_NE(error_of(j.dump()).find("not a running statistic"), std::string::npos);
  j = good();
  j["standardization"] = {{"mean", {1, 2, 3}}, {"scale", {1, 1, 1}}};
  EXPECT_NE(error_of(j.dump()).find("means and scales"), std::string::npos);
}

TEST_F(BadModelFile, AFileOnDiskSaysWhere) {
  Diagnostics diags;
  read_model_file("/nonexistent/m.aimodel", diags);
  ASSERT_TRUE(diags.has_errors());
  EXPECT_EQ(diags.all().front().where, "/nonexistent/m.aimodel");
  // Not a plain file: a folder, or a FIFO that would block a reader forever.
  const std::string fifo = ::testing::TempDir() + "model-fifo-" + std::to_string(::getpid());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {::testing::TempDir(), fifo}) {
    Diagnostics d;
    read_model_file(path, d);
    EXPECT_NE(d.first_error().find("cannot open the model file"), std::string::npos) << path;
  }
  ::unlink(fifo.c_str());
}

}  // namespace
}  // namespace aisb
