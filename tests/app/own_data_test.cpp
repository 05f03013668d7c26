// A student's own data in the app's session: a CSV or a photo folder from
// anywhere on the computer, its preview, the session reading it off the UI
// thread, and "save as lesson" taking it along. Small files, written here.
#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include "../support/job_fixtures.hpp"
#include "../support/session_pump.hpp"
#include "data/user_data.hpp"
#include "lesson/lesson.hpp"
#include "lesson/lesson_writer.hpp"
#include "session/library.hpp"
#include "session/own_data.hpp"
#include "session/session.hpp"
#include "session/share.hpp"

namespace fs = std::filesystem;

namespace aisb::app {
namespace {

class OwnData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aisb_own_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "Downloads");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A day's weather and the air: two numbers, a text column, one empty
  // cell, and the air's grade (three kinds of words) last.
  fs::path air_csv(const std::string& name = "air.csv", int rows = 40) {
    std::string csv = "temp,humidity,town,grade\n";
    for (int i = 0; i < rows; ++i) {
      const int t = (i * 7) % 30, h = 20 + (i * 13) % 70;
      const char* grade = t + h / 10 < 12 ? "good" : t + h / 10 < 22 ? "fair" : "bad";
      csv += std::to_string(t) + "," + (i == 3 ? std::string() : std::to_string(h)) + "," +
             (i % 2 == 0 ? "Seoul" : "Busan") + "," + grade + "\n";
    }
    const fs::path file = dir_ / "Downloads" / name;
    std::ofstream(file, std::ios::binary) << csv;
    return file;
  }

  // Photos by class: red discs and blue discs, `n` of each, as PNG.
  fs::path photos(const std::string& name = "fruit", int n = 5) {
    const fs::path folder = dir_ / "Downloads" / name;
    const std::pair<const char*, std::array<uint8_t, 3>> classes[] = {{"apple", {220, 20, 20}},
                                                                      {"blueberry", {20, 40, 220}}};
    for (const auto& [cls, rgb] : classes) {
      fs::create_directories(folder / cls);
      for (int k = 0; k < n; ++k) {
        constexpr int W = 24;
        std::vector<uint8_t> px(W * W * 3);
        for (int y = 0; y < W; ++y)
          for (int x = 0; x < W; ++x) {
            const bool in = (x - 12) * (x - 12) + (y - 12) * (y - 12) < (6 + k) * (6 + k);
            for (int c = 0; c < 3; ++c) px[static_cast<size_t>((y * W + x) * 3 + c)] = in ? rgb[c] : 240;
          }
        std::string leaf = "p";  // (not "p" + ...: GCC 12 warns wrongly about that)
        leaf += std::to_string(k) + ".png";
        const std::string file = (folder / cls / leaf).string();
        EXPECT_NE(stbi_write_png(file.c_str(), W, W, 3, px.data(), W * 3), 0);
      }
    }
    std::ofstream(folder / "apple" / "notes.txt") << "not a photo";
    return folder;
  }

  fs::path dir_;
};

TEST_F(OwnData, ADroppedFileIsNamedRelativeToItsFolder) {
  const fs::path csv = air_csv();
  Refusal why;
  const auto path = data_path_of(csv, &why);
  ASSERT_TRUE(path);
  EXPECT_EQ(path->base, dir_ / "Downloads");
  EXPECT_EQ(path->source, "csv:air.csv");
  EXPECT_EQ(path->full(), csv);
  // A folder (also written with a trailing slash) is photos.
  const fs::path folder = photos();
  const auto p2 = data_path_of(folder.string() + "/", &why);
  ASSERT_TRUE(p2);
  EXPECT_EQ(p2->source, "images:fruit");
  EXPECT_FALSE(p2->table());
  // What cannot be used says why, for the app to say in words.
  EXPECT_FALSE(data_path_of(dir_ / "nothing.csv", &why));
  EXPECT_EQ(why.key, "own.not_found");
  EXPECT_FALSE(data_path_of(folder / "apple" / "p0.png", &why));
  EXPECT_EQ(why.key, "own.one_photo");
  std::ofstream(dir_ / "Downloads" / "a:b.csv") << "x,y\n1,2\n";
  EXPECT_FALSE(data_path_of(dir_ / "Downloads" / "a:b.csv", &why));
  EXPECT_EQ(why.key, "own.bad_name");
}

TEST_F(OwnData, TheTablePreviewShowsColumnsAndFirstRowsAndTheChoiceFollowsAClick) {
  const DataPreview p = preview_data(*data_path_of(air_csv(), nullptr));
  ASSERT_TRUE(p.ok()) << p.problems.first_error();
  EXPECT_EQ(p.rows, 40);
  ASSERT_EQ(p.columns.size(), 4u);
  EXPECT_EQ(p.columns[0].name, "temp");
  EXPECT_TRUE(p.columns[0].numeric && p.columns[0].integer);
  EXPECT_EQ(p.columns[0].min, 0);
  EXPECT_EQ(p.columns[0].max, 29);
  EXPECT_EQ(p.columns[1].missing, 1);
  EXPECT_FALSE(p.columns[2].numeric);
  EXPECT_EQ(p.columns[2].distinct, 2);
  EXPECT_EQ(p.columns[3].task, "classification");
  EXPECT_EQ(p.columns[0].task, "regression");
  ASSERT_EQ(p.first_rows.size(), static_cast<size_t>(kPreviewRows));
  EXPECT_EQ(p.first_rows[0], (std::vector<std::string>{"0", "20", "Seoul", "good"}));
  EXPECT_EQ(p.first_rows[3][1], "");  // the empty cell
  // The answer is the last column; the network looks at the other numbers.
  DataChoice c = default_choice(p, test::xor_job());
  EXPECT_EQ(c.target, "grade");
  EXPECT_EQ(c.features, (std::vector<std::string>{"temp", "humidity"}));
  EXPECT_EQ(task_of(c, p), "classification");
  // A click on "temp": it becomes the answer (a number to predict), and the
  // old answer, words, does not join the features.
  choose_target(c, p, "temp");
  EXPECT_EQ(c.target, "temp");
  EXPECT_EQ(c.features, (std::vector<std::string>{"humidity"}));
  EXPECT_EQ(task_of(c, p), "regression");
  choose_target(c, p, "humidity");
  EXPECT_EQ(c.features, (std::vector<std::string>{"temp"}));  // a number goes back, in the file's order
  // The job: the data's own inputs, a dense model, settings for tables.
  const JobSpec job = job_with_data(test::xor_job(), p, default_choice(p, test::xor_job()));
  EXPECT_EQ(job.dataset.source, "csv:air.csv");
  EXPECT_EQ(job.dataset.target, "grade");
  EXPECT_TRUE(job.model.inputs.empty());
  EXPECT_EQ(job.model.task, "classification");
  for (const auto& l : job.model.layers) EXPECT_EQ(l.type, "dense");
  EXPECT_FALSE(data_resolved(job.dataset));  // the session reads it
}

TEST_F(OwnData, ThePhotoPreviewCountsEachClassAndShowsAFewInColour) {
  const DataPreview p = preview_data(*data_path_of(photos(), nullptr));
  ASSERT_TRUE(p.ok()) << p.problems.first_error();
  ASSERT_EQ(p.classes.size(), 2u);
  EXPECT_EQ(p.classes[0].name, "apple");
  EXPECT_EQ(p.classes[0].count, 5);
  EXPECT_EQ(p.images, 10);
  ASSERT_EQ(p.classes[0].thumbs.size(), 5u);
  // The middle of an apple is red, of a blueberry blue.
  const size_t mid = static_cast<size_t>((kThumb / 2 * kThumb + kThumb / 2) * 4);
  const auto& apple = p.classes[0].thumbs[0];
  const auto& berry = p.classes[1].thumbs[0];
  EXPECT_GT(apple[mid], 180);
  EXPECT_LT(apple[mid + 2], 60);
  EXPECT_GT(berry[mid + 2], 180);
  EXPECT_LT(berry[mid], 60);
  // The note among the photos is worth a word, not an error.
  EXPECT_FALSE(p.problems.all().empty());
  const JobSpec job = job_with_data(test::xor_job(), p, default_choice(p, test::xor_job()));
  EXPECT_EQ(job.dataset.source, "images:fruit");
  EXPECT_EQ(job.dataset.size, (std::vector<int>{32, 32}));
  EXPECT_EQ(job.dataset.channels, 3);
  EXPECT_EQ(job.model.layers.front().type, "conv2d");
}

TEST_F(OwnData, ALessonsFileReadBeforeTheSessionStillTellsWhatItLeftOut) {
  // As load_lesson gives it: the facts already read beside the lesson.
  const DataPreview p = preview_data(*data_path_of(air_csv(), nullptr));
  JobSpec job = job_with_data(test::xor_job(), p, default_choice(p, test::xor_job()));
  Diagnostics diags;
  ASSERT_TRUE(resolve_data(job, p.path.base, diags)) << diags.first_error();
  Session s;
  s.set_data_folder(p.path.base);
  s.load(job);
  EXPECT_FALSE(s.resolving());  // taken as they are
  ASSERT_TRUE(pump(s, [&] { return s.data() != nullptr; }));
  bool told = false;
  for (const auto& d : s.data_problems().all()) told |= d.severity == Severity::note && !d.where.empty();
  EXPECT_TRUE(told) << "the row with an empty cell is named in the data panel";
}

TEST_F(OwnData, TheSessionReadsTheFileOffTheUiThreadAndTrainsOnIt) {
  const DataPreview p = preview_data(*data_path_of(air_csv(), nullptr));
  JobSpec job = job_with_data(test::xor_job(), p, default_choice(p, test::xor_job()));
  job.training.epochs = 40;
  Session s;
  s.set_data_folder(p.path.base);
  s.load(job);
  // While the file is read the model has no shape and nothing starts.
  EXPECT_TRUE(s.resolving());
  EXPECT_TRUE(s.valid());
  s.play();
  EXPECT_EQ(s.state(), RunState::idle);
  ASSERT_TRUE(pump(s, [&] { return !s.resolving() && s.data() != nullptr; }));
  ASSERT_TRUE(s.valid()) << s.problem();
  // Its facts: the columns it looks at, the classes of its answer.
  EXPECT_EQ(s.job().dataset.input_names, (std::vector<std::string>{"temp", "humidity"}));
  EXPECT_EQ(s.job().dataset.class_names, (std::vector<std::string>{"bad", "fair", "good"}));  // sorted
  EXPECT_EQ(s.job().dataset.samples, 39);  // the row with an empty cell left out...
  bool said = false;
  for (const auto& d : s.data_problems().all()) said |= d.severity != Severity::error;
  EXPECT_TRUE(said) << "...and the student is told";
  EXPECT_EQ(s.info().input, (Shape{2}));
  EXPECT_EQ(s.info().layers.back().out, (Shape{3}));  // the output layer adapts
  EXPECT_EQ(s.data()->train.size() + s.data()->test.size(), 39);
  EXPECT_EQ(s.data()->standardization.mean.size(), 2u);
  EXPECT_FALSE(s.weights().empty());
  s.play();
  ASSERT_TRUE(pump(s, [&] { return s.state() == RunState::finished; }));
  EXPECT_EQ(s.done()->reason, "completed");
  EXPECT_LT(s.history().train_loss.back(), s.history().train_loss.front());

  // A new learning rate keeps what was read; a new answer reads it again.
  const uint64_t version = s.data_version();
  JobSpec faster = s.job();
  faster.training.learning_rate = 0.03;
  s.apply(faster);
  EXPECT_FALSE(s.resolving());
  EXPECT_EQ(s.data_version(), version);
  DataChoice c = default_choice(p, s.job());
  choose_target(c, p, "temp");
  s.apply(job_with_data(s.job(), p, c));
  EXPECT_TRUE(s.resolving());
  ASSERT_TRUE(pump(s, [&] { return !s.resolving() && s.data() != nullptr; }));
  ASSERT_TRUE(s.valid()) << s.problem();
  EXPECT_EQ(s.job().model.task, "regression");
  EXPECT_TRUE(s.job().dataset.class_names.empty());
  EXPECT_EQ(s.info().layers.back().out, (Shape{1}));

  // The same name in another folder is other data: read again.
  fs::create_directories(dir_ / "other");
  fs::copy_file(dir_ / "Downloads" / "air.csv", dir_ / "other" / "air.csv");
  std::ofstream(dir_ / "other" / "air.csv", std::ios::app) << "40,50,Seoul,bad\n";
  s.set_data_folder(dir_ / "other");
  s.apply(s.job());
  EXPECT_TRUE(s.resolving());
  ASSERT_TRUE(pump(s, [&] { return !s.resolving() && s.data() != nullptr; }));
  EXPECT_EQ(s.job().dataset.samples, 40);
}

TEST_F(OwnData, ABrokenFileSaysWhereAndWhatInBothLanguages) {
  std::ofstream(dir_ / "Downloads" / "bad.csv") << "a,b,c\n1,2,x\n3,\"4,y\n";  // a quote never closed
  const DataPreview p = preview_data(*data_path_of(dir_ / "Downloads" / "bad.csv", nullptr));
  EXPECT_FALSE(p.ok());
  JobSpec job = test::xor_job();
  job.model.inputs.clear();
  job.dataset = DatasetSpec{};
  job.dataset.source = "csv:bad.csv";
  job.dataset.target = "c";
  Session s;
  s.set_data_folder(dir_ / "Downloads");
  s.load(job);
  ASSERT_TRUE(pump(s, [&] { return !s.resolving(); }));
  EXPECT_FALSE(s.valid());
  ASSERT_TRUE(s.data_problems().has_errors());
  const std::string en = s.problem_in("en"), ko = s.problem_in("ko");
  EXPECT_EQ(en.rfind("bad.csv:", 0), 0u) << en;  // the file and its line, not the whole path
  EXPECT_EQ(ko.rfind("bad.csv:", 0), 0u) << ko;
  EXPECT_NE(en, ko);
  s.play();
  EXPECT_EQ(s.state(), RunState::idle);
}

TEST_F(OwnData, PhotosAreReadByFolderInColour) {
  const DataPreview p = preview_data(*data_path_of(photos(), nullptr));
  DataChoice c = default_choice(p, test::xor_job());
  c.size = {16, 16};
  Session s;
  s.set_data_folder(p.path.base);
  s.load(job_with_data(test::xor_job(), p, c));
  ASSERT_TRUE(pump(s, [&] { return !s.resolving() && s.data() != nullptr; }));
  ASSERT_TRUE(s.valid()) << s.problem();
  EXPECT_EQ(s.job().dataset.class_names, (std::vector<std::string>{"apple", "blueberry"}));
  EXPECT_EQ(s.data()->input_shape, (Shape{3, 16, 16}));
  EXPECT_EQ(s.info().layers.back().out, (Shape{2}));
  // An apple's middle pixel: red high, blue low (channel-major planes).
  const Split& train = s.data()->train;
  const size_t plane = 16 * 16, mid = 8 * 16 + 8;
  for (int64_t i = 0; i < train.size(); ++i) {
    const float* img = train.x.data() + static_cast<size_t>(i) * 3 * plane;
    const bool apple = train.y[static_cast<size_t>(i)] == 0.0f;
    EXPECT_GT(img[(apple ? 0 : 2) * plane + mid], 0.6f);
    EXPECT_LT(img[(apple ? 2 : 0) * plane + mid], 0.3f);
  }
}

TEST_F(OwnData, ASavedLessonTakesItsDataAlongAndOpensAsItIs) {
  const fs::path lessons = dir_ / "My lessons";
  for (const bool table : {true, false}) {
    const DataPreview p = preview_data(*data_path_of(table ? air_csv() : photos(), nullptr));
    Session s;
    s.set_data_folder(p.path.base);
    s.load(job_with_data(test::xor_job(), p, default_choice(p, test::xor_job())));
    ASSERT_TRUE(pump(s, [&] { return !s.resolving(); }));
    ASSERT_TRUE(s.valid()) << s.problem();
    const Lesson l = shared_lesson(s.job(), table ? "Mina's air" : "Mina's fruit", "친구", "A classmate's");
    const SaveResult r = save_lesson(l, lessons);
    ASSERT_TRUE(r.ok) << r.problem;
    // The copy beside the lesson, named by the lesson.
    const fs::path copy = lessons / "data" / (table ? "air.csv" : "fruit");
    EXPECT_TRUE(fs::exists(copy));
    std::ifstream in(r.file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find(table ? "source = \"csv:data/air.csv\"" : "source = \"images:data/fruit\""), std::string::npos)
        << text;
    if (!table) {
      EXPECT_TRUE(fs::exists(copy / "blueberry" / "p4.png"));
      EXPECT_FALSE(fs::exists(copy / "apple" / "notes.txt")) << "only the photos travel";
    }
    // A classmate opens it: the same data, the same network.
    const LibraryLesson opened = load_library_lesson(r.file);
    ASSERT_TRUE(opened.lesson) << opened.problem;
    const DatasetSpec& d = opened.lesson->job.dataset;
    EXPECT_EQ(d.data_sha256, s.job().dataset.data_sha256);
    EXPECT_EQ(d.input_names, s.job().dataset.input_names);
    EXPECT_EQ(d.class_names, s.job().dataset.class_names);
    EXPECT_EQ(fs::path(d.location), copy);
    EXPECT_EQ(opened.lesson->job.model, s.job().model);
  }
  // Other data of the same name gets a name of its own; the same data is
  // not copied twice.
  const DataPreview other = preview_data(*data_path_of(air_csv("air.csv", 30), nullptr));
  Session s;
  s.set_data_folder(other.path.base);
  s.load(job_with_data(test::xor_job(), other, default_choice(other, test::xor_job())));
  ASSERT_TRUE(pump(s, [&] { return !s.resolving(); }));
  const SaveResult r = save_lesson(shared_lesson(s.job(), "Second air", "", "x"), lessons);
  ASSERT_TRUE(r.ok) << r.problem;
  EXPECT_TRUE(fs::exists(lessons / "data" / "air-2.csv"));
  const SaveResult again = save_lesson(shared_lesson(s.job(), "Second air", "", "x"), lessons);
  ASSERT_TRUE(again.ok) << again.problem;
  EXPECT_FALSE(fs::exists(lessons / "data" / "air-3.csv"));
}

}  // namespace
}  // namespace aisb::app
