// Take the model home (issue 14), in the real app under Xvfb: a digits CNN
// trained here (the shipped lesson's network, through the engine and the
// ModelRecorder as `aisandbox-cli train --model` does) is opened with
// --model; "Try it" shows; a pointer draws a "3" on its canvas stroke by
// stroke (--try-draw moves the app's own pointer through ImGui, as a mouse
// would); and what the window shows is what a Predictor of this test's own
// says about the very same pixels, in Korean and in English. A file that is
// not a model shows why, and nothing crashes.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/trained_model.hpp"
#include "engine/engine.hpp"
#include "engine/predict.hpp"
#include "lesson/lesson.hpp"
#include "screens.hpp"
#include "support/train_to_model.hpp"

namespace fs = std::filesystem;

namespace aisb {
namespace {

const auto* const kX = ::testing::AddGlobalTestEnvironment(new test::XServer);

// A "3" in the digits generator's own strokes (runtime/data/images.cpp,
// digit_strokes(3) at 18 pixels high), in the 28-pixel picture: across the
// top, down to the middle, round the bottom.
constexpr const char* kThree = "9.5,7.7 17.6,7.7 13.1,13.1 17.6,15.4 18,19 14.4,21.2 9.5,20.1";

class ModelScreens : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("aisb_model_screens_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "state");
    // The digits lesson's CNN, trained for a few epochs, recorded as the
    // CLI records it: every event, and the checkpoint after the last epoch.
    const LessonResult lesson = load_lesson(fs::path(AISB_SOURCE_DIR) / "lessons/images/02-digits-cnn.toml");
    ASSERT_TRUE(lesson.ok());
    JobSpec job = lesson.lesson.job;
    job.training.epochs = 4;
    RunSummary run;
    TrainedModel trained = test::train_to_model(job, &run);
    ASSERT_EQ(run.reason, "completed") << run.message;
    model_ = new TrainedModel(std::move(trained));
    std::ofstream(dir_ / "digits.aimodel", std::ios::binary) << model_file_text(*model_);
  }
  static void TearDownTestSuite() {
    delete model_;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs the app; its exit code, the screenshot and the --stats it wrote.
  int shoot(const std::string& args, test::Image& image, nlohmann::json& stats, const std::string& name) {
    const fs::path png = dir_ / (name + "_" + GetParam() + ".png");
    const fs::path json = dir_ / (name + "_" + GetParam() + ".json");
    const std::string cmd = "DISPLAY=" + test::XServer::display + " XDG_STATE_HOME=" + (dir_ / "state").string() +
                            " XDG_DATA_HOME=" + (dir_ / "data").string() + " LIBGL_ALWAYS_SOFTWARE=1 " + AISB_APP +
                            " --lang " + GetParam() + " " + args + " --stats " + json.string() + " --screenshot " +
                            png.string() + " 2>" + (dir_ / "stderr.txt").string();
    const int status = std::system(cmd.c_str());
    image = test::load(png);
    std::ifstream in(json);
    stats = nlohmann::json::parse(in, nullptr, false);
    if (const char* keep = std::getenv("AISB_KEEP_SCREENSHOTS"); keep != nullptr && *keep != '\0') {
      fs::create_directories(keep);
      fs::copy_file(png, fs::path(keep) / png.filename(), fs::copy_options::overwrite_existing);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static inline fs::path dir_;
  static inline TrainedModel* model_ = nullptr;
};

TEST_P(ModelScreens, ADigitDrawnOnTheCanvasGetsThePredictorsAnswer) {
  ASSERT_NE(model_, nullptr);
  test::Image im;
  nlohmann::json stats;
  const fs::path file = dir_ / "digits.aimodel";
  ASSERT_EQ(shoot("--model " + file.string() + " --open try --try-draw \"" + kThree + "\" --frames 400", im, stats,
                  "try_digit"),
            0);
  ASSERT_EQ(im.w, 1600);
  ASSERT_TRUE(stats.is_object() && stats.contains("try")) << "the Try it window is not open";
  const nlohmann::json& t = stats["try"];
  ASSERT_TRUE(t.value("script_done", false)) << "the pointer did not finish drawing";
  ASSERT_TRUE(t.value("answered", false)) << "no answer shown for the drawing";
  // The answer is for the canvas as drawn: ink where the strokes went, a
  // black ground around, as the training digits are.
  const std::vector<float> canvas = t["canvas"].get<std::vector<float>>();
  ASSERT_EQ(canvas.size(), 784u);
  EXPECT_EQ(t["input"].get<std::vector<float>>(), canvas);
  const auto px = [&](int x, int y) { return canvas[static_cast<size_t>(y * 28 + x)]; };
  EXPECT_GT(px(13, 7), 0.9f);   // the top bar
  EXPECT_GT(px(15, 10), 0.5f);  // the diagonal
  EXPECT_LT(px(2, 2), 0.01f);   // the ground
  EXPECT_LT(px(25, 25), 0.01f);
  double ink = 0;
  for (float v : canvas) ink += v;
  EXPECT_GT(ink, 40.0);
  EXPECT_LT(ink, 300.0);
  // What the window shows is what the model says about those pixels.
  Predictor predictor(*model_);
  const Prediction expected = predictor.predict(canvas).front();
  EXPECT_EQ(t["class"].get<int>(), expected.klass);
  EXPECT_EQ(t["class_name"].get<std::string>(), model_->classes[static_cast<size_t>(expected.klass)]);
  const std::vector<float> shown = t["probabilities"].get<std::vector<float>>();
  ASSERT_EQ(shown.size(), expected.probabilities.size());
  for (size_t k = 0; k < shown.size(); ++k) EXPECT_FLOAT_EQ(shown[k], expected.probabilities[k]) << "class " << k;
  EXPECT_EQ(expected.klass, 3) << "a drawn 3, read as " << expected.klass;
  // On screen: the canvas (white strokes on black) and the answer's bar in
  // the accent colour, in the window at the right.
  EXPECT_GT(test::share(im, 0.66, 0.2, 1.0, 0.55, 0, 0, 0, 10), 0.03) << "the black canvas";
  EXPECT_GT(test::share(im, 0.66, 0.2, 1.0, 0.55, 255, 255, 255, 30), 0.1);
  EXPECT_GT(test::share(im, 0.66, 0.5, 1.0, 0.95, 11, 105, 170, 30), 0.005) << "the answer's bar";
  // The views as at the end of the run: the epoch counter's run is over.
  EXPECT_EQ(stats.value("state", ""), "finished");
}

TEST_P(ModelScreens, AFileThatIsNotAModelSaysWhyAndNothingCrashes) {
  const fs::path bad = dir_ / "broken.aimodel";
  std::ofstream(bad) << "{\"aisandbox_model\": 1, \"job\": ";  // cut short
  test::Image im;
  nlohmann::json stats;
  ASSERT_EQ(shoot("--model " + bad.string() + " --frames 40", im, stats, "bad_model"), 0);
  ASSERT_EQ(im.w, 1600);
  // The "Open a trained model" window with the problem in the warning colour.
  EXPECT_GT(test::share(im, 0.25, 0.15, 0.75, 0.85, 200, 80, 0, 40), 0.002) << "no problem shown";
  EXPECT_EQ(stats.value("state", ""), "idle");
}

INSTANTIATE_TEST_SUITE_P(Languages, ModelScreens, ::testing::Values("ko", "en"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace aisb
