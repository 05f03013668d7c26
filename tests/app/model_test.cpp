// Take the model home (issue 14), in the app's session: a finished run
// becomes a trained model; a model opened again shows exactly its weights
// and curves; going on from it equals one longer run, bit for bit on the
// CPU; "Try it" answers what a Predictor answers; the model is saved,
// exported and saved with a lesson. No window: tests/app/model_screens_test.cpp
// draws on the canvas with a pointer.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include "../support/job_fixtures.hpp"
#include "../support/session_pump.hpp"
#include "core/trained_model.hpp"
#include "engine/predict.hpp"
#include "lesson/lesson.hpp"
#include "session/keep_model.hpp"
#include "session/own_data.hpp"
#include "session/session.hpp"
#include "session/share.hpp"
#include "session/try_it.hpp"

namespace fs = std::filesystem;

namespace aisb::app {
namespace {

class Model : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aisb_model_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Trains `job` to its end in a session; the trained model it recorded.
  static std::shared_ptr<const TrainedModel> train(Session& s, const JobSpec& job) {
    s.load(job);
    EXPECT_TRUE(s.valid()) << s.problem();
    EXPECT_TRUE(pump(
        s, [&] { return !s.preparing_data(); }, 30000));
    s.play();
    EXPECT_TRUE(pump(
        s, [&] { return s.state() == RunState::finished; }, 60000));
    EXPECT_EQ(s.done()->reason, "completed") << s.done()->message;
    return s.trained_model();
  }

  // A small CNN on the digits, as the digits lesson (the fast CNN path).
  static JobSpec digits_cnn(int epochs) {
    JobSpec job = test::xor_job(epochs);
    job.lesson = "test-digits";
    job.dataset.source = "digits";
    job.dataset.samples = 240;
    job.dataset.test_fraction = 0.25;
    job.model.inputs.clear();
    job.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 3, .padding = "same"},
                        {.type = "maxpool2d", .size = 2},
                        {.type = "flatten"}};
    job.training.optimizer = "adam";
    job.training.learning_rate = 0.005;
    job.training.batch_size = 32;
    return job;
  }

  fs::path dir_;
};

TEST_F(Model, AFinishedRunBecomesATrainedModelAndAnyChangeForgetsIt) {
  Session s;
  const auto m = train(s, test::xor_job(10));
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->epochs_done, 10);
  EXPECT_EQ(m->steps_done, s.steps());
  EXPECT_EQ(m->engine, "fast");
  EXPECT_FALSE(m->optimizer_state.empty());  // from the engine's last checkpoint
  EXPECT_EQ(m->weights, s.weights());
  ASSERT_EQ(m->curves.size(), 11u);  // epoch 0, the untrained network, and ten more
  EXPECT_EQ(static_cast<float>(m->curves.back().test_loss), s.history().test_loss.back());
  EXPECT_TRUE(m->has_metrics);
  EXPECT_EQ(m->classes, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(s.can_continue());
  // A new run, a reset, an edited weight: the model on screen is no longer it.
  s.play();
  EXPECT_EQ(s.trained_model(), nullptr);
  s.reset();
  EXPECT_EQ(s.trained_model(), nullptr);
  EXPECT_FALSE(s.continue_training(1));
}

TEST_F(Model, AReopenedModelShowsItsWeightsCurvesAndLastMetrics) {
  Session s;
  const auto trained = train(s, test::xor_job(12));
  ASSERT_NE(trained, nullptr);
  // Through its file, as another computer would read it.
  const fs::path file = dir_ / "xor.aimodel";
  ASSERT_TRUE(save_model_file(*trained, file).ok);
  Diagnostics diags;
  const auto m = std::make_shared<const TrainedModel>(read_model_file(file.string(), diags));
  ASSERT_FALSE(diags.has_errors()) << diags.first_error();

  Session again;
  ASSERT_TRUE(again.open_model(m, dir_));
  EXPECT_EQ(again.state(), RunState::finished);
  EXPECT_TRUE(again.opened_model());  // a lesson's goal is not reached by opening it
  EXPECT_FALSE(s.opened_model());
  EXPECT_EQ(again.trained_model(), m);
  EXPECT_EQ(again.weights(), m->weights);
  EXPECT_EQ(again.job(), m->job);
  EXPECT_EQ(again.steps(), m->steps_done);
  ASSERT_EQ(again.history().size(), m->curves.size());
  for (size_t i = 0; i < m->curves.size(); ++i) {
    EXPECT_EQ(again.history().epoch[i], static_cast<float>(m->curves[i].epoch));
    EXPECT_EQ(again.history().test_loss[i], static_cast<float>(m->curves[i].test_loss));
    EXPECT_EQ(again.history().train_score[i], static_cast<float>(*m->curves[i].train_accuracy));
  }
  ASSERT_TRUE(again.latest());
  EXPECT_EQ(again.latest()->epoch, 12);
  EXPECT_EQ(again.latest()->confusion, m->metrics.confusion);  // the confusion view as at the end
  EXPECT_FALSE(again.latest()->confusion.empty());
  // The views draw from it as from a run: the data and the decision map.
  ASSERT_TRUE(pump(again, [&] { return again.data() != nullptr && again.grid_version() > 0; }));
  again.settle();
  again.update();
  EXPECT_FALSE(again.grid().output.empty());
}

// Going on from a model equals one longer run: the weights, the optimizer's
// state and the shuffling order carry over (bit for bit on the CPU), and the
// curves go on from where they were, one point an epoch.
TEST_F(Model, ContinuingOneEpochEqualsOneLongerRun) {
  // The dense fast path, the fast CNN, and libtorch (a strided convolution,
  // which only libtorch trains).
  for (const int kind : {0, 1, 2}) {
    SCOPED_TRACE(kind == 0 ? "the dense fast path" : kind == 1 ? "the fast CNN" : "libtorch (a strided CNN)");
    JobSpec job = kind == 0 ? test::xor_job(6) : digits_cnn(2);
    if (kind == 2) job.model.layers[0].stride = 2;
    Session s;
    s.set_device("cpu");
    const auto trained = train(s, job);
    ASSERT_NE(trained, nullptr);
    EXPECT_EQ(trained->engine, kind == 2 ? "torch" : "fast");
    // Reopened from its file, then one epoch more.
    Diagnostics diags;
    const auto m = std::make_shared<const TrainedModel>(read_trained_model(model_file_text(*trained), diags));
    ASSERT_FALSE(diags.has_errors()) << diags.first_error();
    Session again;
    again.set_device("cpu");
    ASSERT_TRUE(again.open_model(m));
    ASSERT_TRUE(pump(
        again, [&] { return !again.preparing_data(); }, 30000));
    ASSERT_TRUE(again.continue_training(1));
    EXPECT_EQ(again.job().training.epochs, job.training.epochs + 1);
    EXPECT_FALSE(again.opened_model());  // trained here now
    ASSERT_TRUE(pump(
        again, [&] { return again.state() == RunState::finished; }, 60000));
    ASSERT_EQ(again.done()->reason, "completed") << again.done()->message;
    const auto longer = again.trained_model();
    ASSERT_NE(longer, nullptr);

    JobSpec straight = job;
    straight.training.epochs += 1;
    Session one;
    one.set_device("cpu");
    const auto expected = train(one, straight);
    ASSERT_NE(expected, nullptr);
    EXPECT_EQ(longer->weights, expected->weights);
    EXPECT_EQ(longer->buffers, expected->buffers);
    EXPECT_EQ(longer->steps_done, expected->steps_done);
    EXPECT_EQ(longer->epochs_done, expected->epochs_done);
    EXPECT_EQ(again.weights(), one.weights());
    ASSERT_EQ(again.history().size(), one.history().size());  // no epoch twice
    EXPECT_EQ(again.history().epoch, one.history().epoch);
    EXPECT_EQ(again.history().test_loss, one.history().test_loss);
    EXPECT_EQ(again.history().train_score, one.history().train_score);
    ASSERT_EQ(longer->curves.size(), expected->curves.size());
    EXPECT_EQ(longer->curves.back().test_loss, expected->curves.back().test_loss);
    // And it can go on again.
    EXPECT_TRUE(again.can_continue());
  }
}

TEST_F(Model, TryItAnswersWhatAPredictorAnswers) {
  Session s;
  const auto m = train(s, test::xor_job(200));
  ASSERT_NE(m, nullptr);
  Predictor direct(*m);
  TryIt t;
  EXPECT_EQ(t.sample_size(), 0);
  t.ask({1.0f, 2.0f});  // no model: nothing asked
  EXPECT_FALSE(t.waiting());
  t.set_model(m);
  EXPECT_EQ(t.sample_size(), 2);
  EXPECT_EQ(try_kind(m->job), TryKind::point);
  t.ask({1.0f});  // the wrong number of values: ignored
  EXPECT_FALSE(t.waiting());
  for (const auto& [x1, x2] : std::vector<std::pair<double, double>>{{3, 3}, {-3, 3}, {0.5, -4}}) {
    t.ask_point(x1, x2);
    EXPECT_TRUE(t.waiting());
    t.settle();
    ASSERT_TRUE(t.update());
    EXPECT_FALSE(t.waiting());
    ASSERT_TRUE(t.answer() && t.answer()->prediction) << t.answer()->error;
    const Prediction p = direct.predict(direct.point_inputs(x1, x2)).front();
    EXPECT_EQ(t.answer()->prediction->klass, p.klass);
    EXPECT_EQ(t.answer()->prediction->probabilities, p.probabilities);
    EXPECT_EQ(t.answer()->input, direct.point_inputs(x1, x2));
  }
  // XOR: opposite quadrants, opposite classes.
  t.ask_point(4, 4);
  t.settle();
  t.update();
  const int a = t.answer()->prediction->klass;
  t.ask_point(-4, 4);
  t.settle();
  t.update();
  EXPECT_NE(t.answer()->prediction->klass, a);
  // Another model: the last one's answers are gone.
  Session other;
  const auto m2 = train(other, test::plane_job(5));
  t.set_model(m2);
  EXPECT_FALSE(t.answer());
  t.ask_point(1, 1);
  t.settle();
  ASSERT_TRUE(t.update());
  ASSERT_TRUE(t.answer()->prediction);
  EXPECT_EQ(t.answer()->prediction->value, Predictor(*m2).predict(Predictor(*m2).point_inputs(1, 1)).front().value);
}

TEST_F(Model, TryItOnADrawnDigitAndADataSample) {
  Session s;
  s.set_device("cpu");
  const auto m = train(s, digits_cnn(2));
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(try_kind(m->job), TryKind::drawing);
  TryIt t;
  t.set_model(m);
  // A sample of the test set, as raw pixels: what the network saw.
  const Dataset& d = *s.data();
  const std::vector<float> raw = raw_sample(d, d.test, 3);
  ASSERT_EQ(raw.size(), 784u);
  t.ask(raw);
  t.settle();
  ASSERT_TRUE(t.update());
  ASSERT_TRUE(t.answer()->prediction) << t.answer()->error;
  Predictor direct(*m);
  EXPECT_EQ(t.answer()->prediction->probabilities, direct.predict(raw).front().probabilities);
  // The newest question wins: a burst of strokes, one answer for the last.
  std::vector<float> ink(784, 0.0f);
  for (int i = 0; i < 20; ++i) {
    ink[static_cast<size_t>(14 * 28 + 4 + i)] = 1.0f;
    t.ask(ink);
  }
  t.settle();
  ASSERT_TRUE(t.update());
  EXPECT_EQ(t.answer()->input, ink);
  EXPECT_FALSE(t.waiting());
}

TEST_F(Model, APhotoBecomesThePictureTheNetworkReads) {
  // Dark ink on light paper, 56 x 56: a vertical bar.
  constexpr int W = 56;
  std::vector<uint8_t> px(W * W, 235);
  for (int y = 8; y < 48; ++y)
    for (int x = 25; x < 31; ++x) px[static_cast<size_t>(y * W + x)] = 20;
  const fs::path file = dir_ / "one.png";
  ASSERT_NE(stbi_write_png(file.c_str(), W, W, 1, px.data(), W), 0);
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bool flipped = false;
  std::string why;
  auto p = photo_input(bytes, {1, 28, 28}, true, &flipped, &why);
  ASSERT_TRUE(p) << why;
  EXPECT_TRUE(flipped);  // light strokes on black, like the digits
  ASSERT_EQ(p->size(), 784u);
  EXPECT_GT((*p)[14 * 28 + 14], 0.8f);  // the bar
  EXPECT_LT((*p)[14 * 28 + 3], 0.2f);   // the paper
  // The same photo for a colour network: three planes, not turned over.
  p = photo_input(bytes, {3, 16, 16}, false, &flipped, &why);
  ASSERT_TRUE(p) << why;
  EXPECT_FALSE(flipped);
  EXPECT_EQ(p->size(), 3u * 16 * 16);
  EXPECT_FALSE(photo_input("not a picture", {1, 28, 28}, true, &flipped, &why));
  EXPECT_FALSE(why.empty());
}

TEST_F(Model, ADataSampleIsGivenBackInRawValues) {
  Dataset d;
  d.features = 2;
  d.standardization.mean = {10.0f, -2.0f};
  d.standardization.scale = {2.0f, 0.5f};
  d.test.x = {0.0f, 0.0f, 1.0f, -2.0f};
  d.test.y = {0.0f, 1.0f};
  EXPECT_EQ(raw_sample(d, d.test, 0), (std::vector<float>{10.0f, -2.0f}));
  EXPECT_EQ(raw_sample(d, d.test, 1), (std::vector<float>{12.0f, -3.0f}));
  EXPECT_TRUE(raw_sample(d, d.test, 2).empty());
}

// A model whose data file is not on this computer still opens: its network,
// curves and answers, but no data and no training.
TEST_F(Model, AModelWhoseDataIsElsewhereOpensWithoutIt) {
  fs::create_directories(dir_ / "class");
  std::string csv = "temp,humidity,grade\n";
  for (int i = 0; i < 40; ++i) {
    const int t = (i * 7) % 30, h = 20 + (i * 13) % 70;
    csv += std::to_string(t) + "," + std::to_string(h) + "," + (t + h / 10 < 15 ? "good" : "bad") + "\n";
  }
  std::ofstream(dir_ / "class" / "air.csv") << csv;
  const DataPreview p = preview_data(*data_path_of(dir_ / "class" / "air.csv", nullptr));
  Session s;
  s.set_data_folder(p.path.base);
  JobSpec job = job_with_data(test::xor_job(5), p, default_choice(p, test::xor_job(5)));
  s.load(job);
  ASSERT_TRUE(pump(s, [&] { return !s.resolving() && s.data() != nullptr; }));
  s.play();
  ASSERT_TRUE(pump(s, [&] { return s.state() == RunState::finished; }));
  const auto m = s.trained_model();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->inputs, (std::vector<std::string>{"temp", "humidity"}));

  Session elsewhere;
  ASSERT_TRUE(elsewhere.open_model(m, dir_ / "nowhere"));
  EXPECT_TRUE(elsewhere.data_missing());
  EXPECT_TRUE(elsewhere.valid()) << elsewhere.problem();
  EXPECT_FALSE(elsewhere.resolving());
  EXPECT_EQ(elsewhere.weights(), m->weights);
  EXPECT_EQ(elsewhere.history().size(), m->curves.size());
  EXPECT_FALSE(elsewhere.can_continue());
  elsewhere.play();
  EXPECT_EQ(elsewhere.state(), RunState::finished);  // nothing to train on
  pump(
      elsewhere, [] { return false; }, 200);
  EXPECT_EQ(elsewhere.data(), nullptr);
  EXPECT_EQ(elsewhere.weights(), m->weights);  // not replaced by starting weights

  // Beside its data, it trains on.
  Session beside;
  ASSERT_TRUE(beside.open_model(m, dir_ / "class"));
  EXPECT_FALSE(beside.data_missing());
  ASSERT_TRUE(pump(beside, [&] { return beside.data() != nullptr; }));
  EXPECT_EQ(beside.weights(), m->weights);
  EXPECT_TRUE(beside.can_continue());
}

TEST_F(Model, SavedAndExportedUnderOneNameAndFolder) {
  Session s;
  const auto m = train(s, test::xor_job(5));
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(model_name_for(m->job), "test-xor");
  JobSpec playground = m->job;
  playground.lesson.clear();
  EXPECT_EQ(model_name_for(playground), "playground");
  EXPECT_EQ(keep_path(dir_, "n", "model"), dir_ / "n.aimodel");
  EXPECT_EQ(keep_path(dir_, "n", "pytorch"), dir_ / "n-pytorch");
  EXPECT_EQ(keep_path(dir_, "n", "onnx"), dir_ / "n.onnx");
  EXPECT_EQ(keep_path(dir_, "n", "notebook"), dir_ / "n.ipynb");
  const KeepResult r = keep_model(*m, "model", dir_ / "models", "mine", "en");
  ASSERT_TRUE(r.ok) << r.problem;
  EXPECT_TRUE(is_model_file(r.path));
  EXPECT_TRUE(is_model_file("A.AIMODEL"));
  EXPECT_FALSE(is_model_file("a.toml"));
  EXPECT_FALSE(fs::exists(r.path.string() + ".tmp"));
  Diagnostics diags;
  EXPECT_EQ(read_model_file(r.path.string(), diags).weights, m->weights);
  EXPECT_EQ(model_files_in(dir_ / "models"), std::vector<fs::path>{r.path});
  // The exports, under the same name (runtime/export; its own tests run them).
  for (const std::string kind : {"pytorch", "onnx", "notebook"}) {
    const KeepResult e = keep_model(*m, kind, dir_ / "models", "mine", "ko");
    EXPECT_EQ(e.path, keep_path(dir_ / "models", "mine", kind));
    EXPECT_TRUE(e.ok) << kind << ": " << e.problem;
    EXPECT_TRUE(fs::exists(e.path)) << kind;
  }
  EXPECT_TRUE(fs::exists(dir_ / "models" / "mine-pytorch" / "model.py"));
  // A folder that cannot be written: the reason comes back.
  std::ofstream(dir_ / "file") << "x";
  const KeepResult bad = keep_model(*m, "model", dir_ / "file", "mine", "en");
  EXPECT_FALSE(bad.ok);
  EXPECT_FALSE(bad.problem.empty());
}

TEST_F(Model, ALessonSavedWithItsWeightsOpensAsAtTheEndOfTheRun) {
  Session s;
  const auto m = train(s, test::xor_job(8));
  ASSERT_NE(m, nullptr);
  const Lesson l = shared_lesson(s.job(), "My XOR", "학습해 보세요.", "Train it.");
  const SaveResult r = save_lesson(l, dir_ / "lessons", m.get());
  ASSERT_TRUE(r.ok) << r.problem;
  EXPECT_TRUE(fs::exists(dir_ / "lessons" / "my-xor.aimodel"));
  const LessonResult back = load_lesson(r.file);
  ASSERT_TRUE(back.ok()) << format_diagnostics(back, r.file.string(), "en");
  EXPECT_EQ(back.lesson.trained, "my-xor.aimodel");
  ASSERT_NE(back.lesson.trained_model, nullptr);
  EXPECT_EQ(back.lesson.trained_model->weights, m->weights);
  // Opened as the app opens such a lesson.
  Session again;
  ASSERT_TRUE(again.open_model(back.lesson.trained_model, r.file.parent_path()));
  EXPECT_EQ(again.weights(), m->weights);
  EXPECT_EQ(again.history().size(), m->curves.size());
  // Without weights, as before.
  const SaveResult plain = save_lesson(shared_lesson(s.job(), "Plain", "a", "b"), dir_ / "lessons");
  ASSERT_TRUE(plain.ok) << plain.problem;
  EXPECT_FALSE(fs::exists(dir_ / "lessons" / "plain.aimodel"));
  EXPECT_EQ(load_lesson(plain.file).lesson.trained_model, nullptr);
}

}  // namespace
}  // namespace aisb::app
