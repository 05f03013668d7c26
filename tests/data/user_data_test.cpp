// A lesson's own data from its folder to the samples the engine trains on:
// resolve_data through load_lesson, make_dataset, standardisation, and the
// job's facts held to the data. Real files, written here.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <stb_image_write.h>

#include "core/event.hpp"
#include "core/job_reader.hpp"
#include "core/trained_model.hpp"
#include "data/dataset.hpp"
#include "data/user_data.hpp"
#include "lesson/lesson.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;

class UserData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aisb-user-data-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
  }

  // A lesson whose [dataset] is `dataset` and whose model is `layers`.
  fs::path lesson(const std::string& dataset, const std::string& task = "regression",
                  const std::string& layers = R"([ { type = "dense", units = 4, activation = "tanh" } ])",
                  const std::string& extra = "") {
    const fs::path file = dir_ / "lesson.toml";
    write(file, "format = 1\nid = \"own\"\ntitle.en = \"Own data\"\ntitle.ko = \"내 데이터\"\n\n[dataset]\n" + dataset +
                    "\n\n[model]\ntask = \"" + task + "\"\nlayers = " + layers +
                    "\n\n[training]\noptimizer = \"adam\"\nlearning_rate = 0.01\nbatch_size = 8\nepochs = 3\n" + extra +
                    "\n[[steps]]\ntext.en = \"Go\"\ntext.ko = \"가요\"\n");
    return file;
  }

  // Twelve rows of a small farm table: two numbers, a text column, a target.
  void farm_csv() {
    std::string csv = "temp,humidity,crop,yield\n";
    for (int i = 0; i < 12; ++i) {
      csv += std::to_string(18 + i) + "," + std::to_string(40 + 3 * (i % 5)) + "," +
             (i % 3 == 0 ? "tomato" : "pepper") + "," + std::to_string(2 * i + 1) + "\n";
    }
    write(dir_ / "data" / "farm.csv", csv);
  }

  fs::path dir_;
};

std::string dump(const TomlResult& r, const std::string& file = "lesson.toml") {
  return format_diagnostics(r, file);
}

TEST_F(UserData, ACsvLessonKnowsItsInputsAndTrainsOnStandardisedNumbers) {
  farm_csv();
  const LessonResult r =
      load_lesson(lesson("source = \"csv:data/farm.csv\"\ntarget = \"yield\"\ntest_fraction = 0.25"));
  ASSERT_TRUE(r.ok()) << dump(r);
  const DatasetSpec& d = r.lesson.job.dataset;
  EXPECT_EQ(d.input_names, (std::vector<std::string>{"temp", "humidity"}));  // text is used only when named
  EXPECT_EQ(d.samples, 12);
  EXPECT_EQ(d.data_sha256.size(), 64u);
  EXPECT_TRUE(d.class_names.empty());
  EXPECT_EQ(fs::path(d.location), dir_ / "data" / "farm.csv");
  ASSERT_TRUE(r.data.has_value());
  EXPECT_EQ(r.data->rows, 12);

  const Dataset ds = make_dataset(r.lesson.job);
  EXPECT_EQ(ds.train.size(), 9);
  EXPECT_EQ(ds.test.size(), 3);
  ASSERT_EQ(ds.standardization.mean.size(), 2u);
  // The training split's numbers: its inputs now have mean 0 and spread 1.
  for (size_t k = 0; k < 2; ++k) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < ds.train.size(); ++i) sum += ds.train.x[static_cast<size_t>(i) * 2 + k];
    for (int64_t i = 0; i < ds.train.size(); ++i) {
      const double v = ds.train.x[static_cast<size_t>(i) * 2 + k] - sum / 9;
      sq += v * v;
    }
    EXPECT_NEAR(sum / 9, 0.0, 1e-5);
    EXPECT_NEAR(std::sqrt(sq / 9), 1.0, 1e-5);
  }
  // The test split uses the training split's numbers, not its own: undoing
  // them gives back a temperature of the file (18..29, whole degrees).
  for (int64_t i = 0; i < ds.test.size(); ++i) {
    const double temp =
        ds.test.x[static_cast<size_t>(i) * 2] * ds.standardization.scale[0] + ds.standardization.mean[0];
    EXPECT_NEAR(temp, std::round(temp), 1e-4);
    EXPECT_GE(temp, 18);
    EXPECT_LE(temp, 29);
  }
  // A regression's target is scaled too, and undoing it gives the file's
  // yields back (odd numbers 1..23); the metrics are reported in those units.
  EXPECT_GT(ds.standardization.target_scale, 1.0F);
  for (const float y : ds.test.y) {
    const double v = y * ds.standardization.target_scale + ds.standardization.target_mean;
    EXPECT_NEAR(v, std::round(v), 1e-4);
    EXPECT_EQ(static_cast<int>(std::lround(v)) % 2, 1);
  }
  // The same files and seed give the same samples.
  EXPECT_EQ(make_dataset(r.lesson.job).train.x, ds.train.x);
  // And the numbers travel with the model.
  const auto model = to_json(make_trained_model(r.lesson.job, {}, ds.standardization));
  Diagnostics back;
  EXPECT_EQ(standardization_from_json(model["standardization"], "standardization", back), ds.standardization);
}

TEST_F(UserData, OneHotColumnsAndClassesComeFromTheValues) {
  farm_csv();
  const LessonResult r = load_lesson(lesson(
      "source = \"csv:data/farm.csv\"\ntarget = \"crop\"\nfeatures = [\"temp\", \"humidity\"]", "classification"));
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.lesson.job.dataset.class_names, (std::vector<std::string>{"pepper", "tomato"}));
  Diagnostics diags;
  EXPECT_EQ(output_units(r.lesson.job), 2);

  const LessonResult h =
      load_lesson(lesson("source = \"csv:data/farm.csv\"\ntarget = \"yield\"\nfeatures = [\"temp\", \"crop\"]"));
  ASSERT_TRUE(h.ok()) << dump(h);
  const auto& names = h.lesson.job.dataset.input_names;
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0], "temp");
  const Dataset ds = make_dataset(h.lesson.job);
  // One-hot inputs stay 0 or 1: never standardised.
  for (size_t k = 1; k < 3; ++k) {
    EXPECT_EQ(ds.standardization.mean[k], 0.0F) << names[k];
    EXPECT_EQ(ds.standardization.scale[k], 1.0F) << names[k];
    for (int64_t i = 0; i < ds.train.size(); ++i) {
      const float v = ds.train.x[static_cast<size_t>(i) * 3 + k];
      EXPECT_TRUE(v == 0.0F || v == 1.0F) << v;
    }
  }
}

TEST_F(UserData, ASequenceLessonCutsWindows) {
  std::string csv = "station,hour,pm25,wind\n";
  for (const char* s : {"A", "B"}) {
    for (int h = 0; h < 20; ++h) csv += std::string(s) + "," + std::to_string(h) + "," + std::to_string(h % 7) + ",1\n";
  }
  write(dir_ / "data" / "air.csv", csv);
  const LessonResult r =
      load_lesson(lesson("source = \"csv:data/air.csv\"\ntarget = \"pm25\"\nwindow = 4\nhorizon = 2\ngroup = "
                         "\"station\"\norder = \"hour\"",
                         "regression", R"([ { type = "lstm", units = 4 } ])"));
  ASSERT_TRUE(r.ok()) << dump(r);
  // Per station: 20 rows, windows of 4 with a target 2 rows later: 15.
  EXPECT_EQ(r.lesson.job.dataset.samples, 30);
  EXPECT_EQ(input_shape(r.lesson.job), (Shape{4, static_cast<int64_t>(r.lesson.job.dataset.input_names.size())}));
  const Dataset ds = make_dataset(r.lesson.job);
  EXPECT_EQ(ds.train.size() + ds.test.size(), 30);
}

TEST_F(UserData, AnImageFolderLessonGivesColourSamplesPerClass) {
  for (const char* cls : {"정상", "불량"}) {
    for (int i = 0; i < 5; ++i) {
      unsigned char px[6 * 5 * 3];
      for (int p = 0; p < 6 * 5 * 3; ++p) px[p] = static_cast<unsigned char>((p * 7 + i * 31 + (cls[0] & 0xff)) % 256);
      const fs::path f = dir_ / "data" / "photos" / cls / ("p" + std::to_string(i) + ".png");
      fs::create_directories(f.parent_path());
      ASSERT_NE(stbi_write_png(f.c_str(), 6, 5, 3, px, 6 * 3), 0);
    }
  }
  const LessonResult r = load_lesson(
      lesson("source = \"images:data/photos\"\nsize = [8, 8]\nchannels = 3\ntest_fraction = 0.2", "classification",
             R"([ { type = "conv2d", filters = 2, kernel = 3, activation = "relu" }, { type = "flatten" } ])"),
      /*decode_images=*/true);
  ASSERT_TRUE(r.ok()) << dump(r);
  const DatasetSpec& d = r.lesson.job.dataset;
  EXPECT_EQ(d.class_names.size(), 2u);
  EXPECT_EQ(d.samples, 10);
  EXPECT_EQ(input_shape(r.lesson.job), (Shape{3, 8, 8}));
  const Dataset ds = make_dataset(r.lesson.job);
  EXPECT_EQ(ds.features, 3 * 8 * 8);
  EXPECT_EQ(ds.train.size(), 8);
  EXPECT_EQ(ds.test.size(), 2);
  EXPECT_TRUE(ds.standardization.empty());  // pixels stay in [0, 1]
  for (const float v : ds.train.x) {
    EXPECT_GE(v, 0.0F);
    EXPECT_LE(v, 1.0F);
  }
}

TEST_F(UserData, ProblemsInTheDataNameTheFileAndRow) {
  write(dir_ / "data" / "farm.csv", "temp,yield\n1,2\n3,4,5\n6,7\n");
  const LessonResult r = load_lesson(lesson("source = \"csv:data/farm.csv\"\ntarget = \"yield\""));
  EXPECT_FALSE(r.ok());
  const std::string text = dump(r, (dir_ / "lesson.toml").string());
  EXPECT_NE(text.find((dir_ / "data" / "farm.csv").string() + ":3: error:"), std::string::npos) << text;
}

TEST_F(UserData, AWrongColumnNamePointsAtTheLessonWithASuggestion) {
  farm_csv();
  const LessonResult r = load_lesson(lesson("source = \"csv:data/farm.csv\"\ntarget = \"yeild\""));
  EXPECT_FALSE(r.ok());
  const std::string text = dump(r);
  EXPECT_NE(text.find("lesson.toml:8:"), std::string::npos) << text;  // the line of `target`
  EXPECT_NE(text.find("yield"), std::string::npos) << text;
}

TEST_F(UserData, TheDataMustBeThereAndInsideTheLessonFolder) {
  LessonResult r = load_lesson(lesson("source = \"csv:data/none.csv\"\ntarget = \"y\""));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(dump(r).find("is not there"), std::string::npos) << dump(r);

  r = load_lesson(lesson("source = \"csv:../outside.csv\"\ntarget = \"y\""));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(dump(r).find("inside the lesson's folder"), std::string::npos) << dump(r);

  // A link inside the folder that leads out of it is refused too.
  const fs::path outside = dir_.parent_path() / (dir_.filename().string() + "-secret.csv");
  write(outside, "a,y\n1,2\n3,4\n5,6\n");
  fs::create_symlink(outside, dir_ / "data" / "link.csv");
  r = load_lesson(lesson("source = \"csv:data/link.csv\"\ntarget = \"y\""));
  fs::remove(outside);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(dump(r).find("inside the lesson's folder"), std::string::npos) << dump(r);

  farm_csv();
  r = load_lesson(lesson("source = \"images:data/farm.csv\"\nsize = [8, 8]", "classification"));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(dump(r).find("is a file"), std::string::npos) << dump(r);
}

TEST_F(UserData, AJobIsHeldToTheDataItWasMadeFor) {
  farm_csv();
  const LessonResult r = load_lesson(lesson("source = \"csv:data/farm.csv\"\ntarget = \"yield\""));
  ASSERT_TRUE(r.ok()) << dump(r);
  JobSpec job = r.lesson.job;
  EXPECT_NO_THROW(make_dataset(job));
  // Facts a client claims that the data does not bear out are refused.
  JobSpec lies = job;
  lies.dataset.input_names = {"temp", "humidity", "extra"};
  EXPECT_THROW(make_dataset(lies), DataError);
  lies = job;
  lies.dataset.samples = 11;
  EXPECT_THROW(make_dataset(lies), DataError);
  // The file changed after the job was made: its hash no longer matches.
  std::ofstream(dir_ / "data" / "farm.csv", std::ios::app) << "30,50,pepper,99\n";
  EXPECT_THROW(make_dataset(job), DataError);
  // No location: a job from elsewhere whose data is not on this computer.
  job.dataset.location.clear();
  EXPECT_THROW(make_dataset(job), DataError);
}

}  // namespace
}  // namespace aisb
