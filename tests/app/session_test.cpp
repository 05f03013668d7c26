#include "session/session.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "../support/job_fixtures.hpp"
#include "session/library.hpp"
#include "session/permissions.hpp"
#include "session/progress.hpp"
#include "session/share.hpp"
#include "session/file_watch.hpp"
#include "session/latest_worker.hpp"

namespace fs = std::filesystem;

namespace aisb::app {
namespace {

// Pumps update() like the UI's frame loop until `done` or a few seconds pass.
template <class Pred>
bool pump(Session& s, Pred done, int ms = 10000) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    s.update();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

TEST(LatestWorker, OnlyTheNewestRequestIsComputedAndTakenOnce) {
  std::mutex gate;
  gate.lock();  // holds the first request inside the worker
  std::atomic<int> calls{0};
  LatestWorker<int, int> w([&](int& in) -> std::optional<int> {
    ++calls;
    if (in == 1) std::lock_guard wait(gate);
    if (in < 0) return std::nullopt;  // "cannot compute": keeps the last result
    return in * in;
  });
  std::atomic<int> wakes{0};
  w.set_wake([&] { ++wakes; });
  w.post(1);
  while (calls == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  w.post(2);
  w.post(3);  // replaces 2, which never starts
  EXPECT_FALSE(w.take().has_value());
  gate.unlock();
  w.drain();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(w.take(), 9);
  EXPECT_FALSE(w.take().has_value());  // once
  EXPECT_GE(wakes, 1);
  w.post(-1);
  w.drain();
  EXPECT_FALSE(w.take().has_value());
}

// Images and sequences are made on a worker: the views see no data (and
// "preparing") until update() takes it, and only the newest job's data.
TEST(Session, ImageDataIsPreparedOffTheUiThreadAndTheNewestWins) {
  JobSpec job = test::xor_job(5);
  job.dataset.source = "digits";
  job.dataset.samples = 300;
  job.dataset.test_fraction = 0.2;
  job.model.inputs.clear();
  job.model.layers = {{.type = "flatten"}, {.type = "dense", .units = 4, .activation = "tanh"}};
  Session s;
  s.load(job);
  ASSERT_TRUE(s.valid()) << s.problem();
  EXPECT_EQ(s.data(), nullptr);
  EXPECT_TRUE(s.preparing_data());
  EXPECT_EQ(s.steps_per_epoch(), 0);
  // A second job before the first one's data arrived: its data is the one shown.
  job.dataset.samples = 500;
  s.load(job);
  ASSERT_TRUE(pump(s, [&] { return s.data() != nullptr; }));
  EXPECT_FALSE(s.preparing_data());
  EXPECT_EQ(s.data()->train.size() + s.data()->test.size(), 500);
  EXPECT_EQ(s.data()->input_shape, (Shape{1, 28, 28}));
  EXPECT_EQ(s.steps_per_epoch(), (s.data()->train.size() + 9) / 10);
  s.settle();
  s.update();
  EXPECT_EQ(s.data()->train.size() + s.data()->test.size(), 500) << "the first job's data came late and won";
  // Changing only the model keeps the data.
  const uint64_t version = s.data_version();
  job.model.layers[1].units = 8;
  s.apply(job);
  EXPECT_NE(s.data(), nullptr);
  EXPECT_EQ(s.data_version(), version);
}

TEST(Session, ShowsTheStartingNetworkBeforeTraining) {
  Session s;
  s.load(test::xor_job(20));
  ASSERT_TRUE(s.valid()) << s.problem();
  EXPECT_EQ(s.state(), RunState::idle);
  ASSERT_NE(s.data(), nullptr);
  EXPECT_EQ(s.data()->train.size(), 100);
  EXPECT_EQ(s.steps_per_epoch(), 10);
  EXPECT_GT(s.seconds_per_epoch(), 0.0);
  EXPECT_EQ(s.weights().size(), 6u);  // three dense layers, weight and bias each
  EXPECT_TRUE(s.grid_supported());
  s.settle();
  s.update();
  EXPECT_EQ(s.grid().resolution, 100);
  EXPECT_EQ(s.grid().hidden.size(), 2u);
  EXPECT_EQ(s.grid().output.size(), 100u * 100u);
}

TEST(Session, TrainsWithCurvesWeightsAndMaps) {
  Session s;
  s.load(test::xor_job(30));
  const auto initial = s.weights();
  s.play();
  EXPECT_EQ(s.state(), RunState::running);
  ASSERT_TRUE(pump(s, [&] { return s.state() == RunState::finished; }));
  ASSERT_TRUE(s.done());
  EXPECT_EQ(s.done()->reason, "completed");
  EXPECT_EQ(s.history().size(), 31u);  // epoch 0 and 30 more
  EXPECT_EQ(s.history().epoch.back(), 30.0f);
  EXPECT_LT(s.history().train_loss.back(), s.history().train_loss.front());
  EXPECT_EQ(s.steps(), 300);
  EXPECT_NE(s.weights(), initial);
  EXPECT_EQ(s.gradients().size(), s.weights().size());
  ASSERT_TRUE(s.started());
  EXPECT_EQ(s.started()->engine, "fast");
  // Measured now, not guessed: the run's own seconds per epoch.
  EXPECT_NEAR(s.seconds_per_epoch(), s.latest()->elapsed / 30.0, 1e-9);
}

TEST(Session, PauseStepAndResetGoBackToTheStart) {
  Session s;
  s.load(test::xor_job(1000));
  s.step();
  EXPECT_EQ(s.state(), RunState::paused);
  ASSERT_TRUE(pump(s, [&] { return s.steps() == 1; }));
  s.step();
  ASSERT_TRUE(pump(s, [&] { return s.steps() == 2; }));
  EXPECT_EQ(s.state(), RunState::paused);
  s.play();
  ASSERT_TRUE(pump(s, [&] { return s.history().size() > 5; }));
  s.pause();
  EXPECT_EQ(s.state(), RunState::paused);
  s.reset();
  EXPECT_EQ(s.state(), RunState::idle);
  EXPECT_EQ(s.history().size(), 0u);
  // Nothing of the cancelled run leaks into the reset view.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  s.update();
  EXPECT_EQ(s.history().size(), 0u);
  EXPECT_EQ(s.steps(), 0);
  EXPECT_FALSE(s.done());
}

TEST(Session, AnEditedWeightIsWhereTheNextRunStarts) {
  Session s;
  s.load(test::xor_job(5));
  s.play();
  ASSERT_TRUE(pump(s, [&] { return s.state() == RunState::finished; }));
  EXPECT_FALSE(s.set_weight("no.such.weight", 0, 1.0f));
  ASSERT_TRUE(s.set_weight("layers.0.weight", 3, 2.5f));
  EXPECT_TRUE(s.edited());
  EXPECT_EQ(s.state(), RunState::idle);
  EXPECT_EQ(s.history().size(), 0u);
  EXPECT_EQ(s.weights()[0].data[3], 2.5f);
  const WeightSet edited = s.weights();
  s.step();  // paused before the first step: the snapshot shows the start
  ASSERT_TRUE(pump(s, [&] { return s.steps() == 1; }));
  s.play();
  ASSERT_TRUE(pump(s, [&] { return s.state() == RunState::finished; }));
  EXPECT_EQ(s.done()->reason, "completed");
  const float edited_start_loss = s.history().train_loss.front();
  // Reset forgets the edit; while training, edits are refused.
  s.reset();
  EXPECT_FALSE(s.edited());
  EXPECT_NE(s.weights()[0].data[3], 2.5f);
  s.play();
  EXPECT_FALSE(s.set_weight("layers.0.weight", 3, 1.0f));
  ASSERT_TRUE(pump(s, [&] { return s.state() == RunState::finished; }));
  // The edited run really started elsewhere: its epoch-0 loss differs.
  EXPECT_NE(s.history().train_loss.front(), edited_start_loss);
  (void)edited;
}

TEST(Session, SpeedPacesTheRun) {
  Session s;
  s.load(test::xor_job(10));
  s.set_speed(50);  // 10 epochs at 50 a second: at least 0.2 s
  const auto t0 = std::chrono::steady_clock::now();
  s.play();
  ASSERT_TRUE(pump(s, [&] { return s.state() == RunState::finished; }));
  EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0.15);
  EXPECT_EQ(s.done()->reason, "completed");
}

TEST(Session, ApplyKeepsDataUnlessTheDatasetChanged) {
  Session s;
  JobSpec job = test::xor_job(10);
  s.load(job);
  const auto points = s.data()->train.points;
  job.training.learning_rate = 0.1;
  s.apply(job);
  EXPECT_EQ(s.data()->train.points, points);
  job.dataset.seed = 99;  // "regenerate"
  s.apply(job);
  EXPECT_NE(s.data()->train.points, points);
}

TEST(Session, AnInvalidJobSaysWhyAndDoesNotStart) {
  Session s;
  JobSpec job = test::xor_job(10);
  job.training.learning_rate = -1;
  s.load(job);
  EXPECT_FALSE(s.valid());
  EXPECT_NE(s.problem().find("training.learning_rate"), std::string::npos) << s.problem();
  s.play();
  EXPECT_EQ(s.state(), RunState::idle);
}

TEST(Permissions, FollowTheStep) {
  Step step;
  step.unlock = {"layers", "learning_rate"};
  step.constraints = {{"max_hidden_units", 6}, {"max_layers", 2}};
  const Permissions p = Permissions::for_step(step);
  EXPECT_TRUE(p.allows("layers"));
  EXPECT_FALSE(p.allows("activation"));
  EXPECT_TRUE(Permissions{}.allows("activation"));

  JobSpec job = test::xor_job();
  job.model.layers = {{.type = "dense", .units = 3, .activation = "tanh"}};
  EXPECT_TRUE(p.can_add_layer(job));     // 3 + 2 <= 6
  EXPECT_TRUE(p.can_add_unit(job, 0));   // 4 <= 6
  job.model.layers.push_back({.type = "dense", .units = 3, .activation = "tanh"});
  EXPECT_FALSE(p.can_add_layer(job));    // a third layer
  EXPECT_FALSE(p.can_add_unit(job, 1));  // 7 > 6
  EXPECT_FALSE(p.broken(job, {}));
  job.model.layers[1].units = 5;
  EXPECT_EQ(p.broken(job, {}), "max_hidden_units");
  job.model.layers[0].units = 8;
  EXPECT_FALSE(Permissions{}.can_add_unit(job, 0));  // the playground's own bound
}

class ProgressTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("aisb_progress_" + std::to_string(::getpid()));
  void SetUp() override { fs::remove_all(dir); }
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(ProgressTest, SurvivesARestart) {
  const fs::path file = dir / "sub" / "progress.json";
  {
    ProgressStore store(file);
    LessonProgress p;
    p.step = 2;
    p.mark(0);
    p.mark(2);
    p.answers[1] = 1;
    ASSERT_TRUE(store.put("xor-hidden-layer", p)) << store.error();
  }
  ProgressStore again(file);
  EXPECT_TRUE(again.error().empty());
  const LessonProgress p = again.get("xor-hidden-layer");
  EXPECT_EQ(p.step, 2);
  EXPECT_TRUE(p.has(0));
  EXPECT_FALSE(p.has(1));
  EXPECT_EQ(p.answers.at(1), 1);
  EXPECT_EQ(again.get("another").step, 0);
  EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
}

TEST_F(ProgressTest, ABrokenFileIsKeptAsideNotLost) {
  fs::create_directories(dir);
  const fs::path file = dir / "progress.json";
  std::ofstream(file) << "{ not json";
  ProgressStore store(file);
  EXPECT_NE(store.error().find(".bad"), std::string::npos);
  EXPECT_TRUE(fs::exists(file.string() + ".bad"));
  LessonProgress p;
  p.step = 1;
  EXPECT_TRUE(store.put("a", p));
  EXPECT_EQ(ProgressStore(file).get("a").step, 1);
}

TEST(Library, FindsTheShippedCoursesInOrder) {
  const fs::path root = find_data_dir("lessons");
  ASSERT_FALSE(root.empty());
  const Library lib = scan_library(root);
  ASSERT_GE(lib.courses.size(), 3u);
  EXPECT_EQ(lib.courses[0].course.id, "basics");
  ASSERT_NE(lib.first_lesson(), nullptr);
  EXPECT_EQ(lib.first_lesson()->lesson->id, "single-neuron");
  EXPECT_GE(lib.size(), 12u);
  for (const auto& c : lib.courses)
    for (const auto& l : c.lessons) EXPECT_TRUE(l.lesson.has_value()) << l.problem;
}

TEST(Library, TheUsersOwnLessonsFolderFollowsXdg) {
  ::setenv("XDG_DATA_HOME", "/srv/school", 1);
  EXPECT_EQ(user_lessons_dir(), fs::path("/srv/school/aisandbox/lessons"));
  ::setenv("XDG_DATA_HOME", "relative/ignored", 1);  // the spec wants absolute paths
  ::setenv("HOME", "/home/minji", 1);
  EXPECT_EQ(user_lessons_dir(), fs::path("/home/minji/.local/share/aisandbox/lessons"));
  ::unsetenv("XDG_DATA_HOME");
}

TEST(Library, ABrokenLessonShowsItsProblem) {
  const fs::path dir = fs::temp_directory_path() / ("aisb_lib_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "bad.toml") << "format = 1\nid = \"Bad Id\"\n";
  const Library lib = scan_library(dir);
  ASSERT_EQ(lib.loose.size(), 1u);
  EXPECT_FALSE(lib.loose[0].lesson);
  EXPECT_NE(lib.loose[0].problem.find("bad.toml:2:"), std::string::npos) << lib.loose[0].problem;
  fs::remove_all(dir);
}

TEST(Share, ASavedNetworkOpensAsItWas) {
  const fs::path dir = fs::temp_directory_path() / ("aisb_share_" + std::to_string(::getpid()));
  JobSpec job = test::xor_job(300);
  job.model.inputs = {"x1", "x2", "x1_x2"};
  job.training.learning_rate = 0.1;
  const Lesson l = shared_lesson(job, "Mina's XOR net", "친구가 만든 신경망", "A classmate's network");
  const SaveResult r = save_lesson(l, dir);
  ASSERT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.file, dir / "mina-s-xor-net.toml");
  const LibraryLesson opened = load_library_lesson(r.file);
  ASSERT_TRUE(opened.lesson) << opened.problem;
  JobSpec expected = job;
  expected.lesson = "mina-s-xor-net";
  EXPECT_EQ(opened.lesson->job, expected);
  EXPECT_EQ(opened.lesson->title.ko, "Mina's XOR net");
  ASSERT_EQ(opened.lesson->steps.size(), 1u);
  EXPECT_TRUE(Permissions::for_step(opened.lesson->steps[0]).allows("layers"));
  // It shows up among the student's lessons.
  EXPECT_EQ(scan_library(dir).loose.size(), 1u);
  // A job the checker refuses is not written.
  job.training.learning_rate = -1;
  const SaveResult bad = save_lesson(shared_lesson(job, "bad", "", "x"), dir);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.problem.find("training.learning_rate"), std::string::npos) << bad.problem;
  EXPECT_FALSE(fs::exists(dir / "bad.toml"));
  fs::remove_all(dir);
}

TEST(FileWatch, SeesAnOutsideEditWithinASecond) {
  const fs::path file = fs::temp_directory_path() / ("aisb_watch_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << "format = 1\n";
  std::atomic<int> woken{0};
  FileWatch w([&] { ++woken; }, std::chrono::milliseconds(50));
  w.watch(file);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_FALSE(w.take_changed());  // nothing changed yet
  std::ofstream(file, std::ios::app) << "id = \"x\"\n";  // another editor saves
  const auto t0 = std::chrono::steady_clock::now();
  while (!w.take_changed()) {
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1)) << "not seen within a second";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(woken.load(), 1);
  EXPECT_FALSE(w.take_changed());  // once per change
  // Our own save is the new baseline, not a change.
  std::ofstream(file, std::ios::app) << "# ours\n";
  w.rebase();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(w.take_changed());
  fs::remove(file);
  const auto t1 = std::chrono::steady_clock::now();
  while (!w.take_changed()) {  // a deleted file is a change too
    ASSERT_LT(std::chrono::steady_clock::now() - t1, std::chrono::seconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace
}  // namespace aisb::app
