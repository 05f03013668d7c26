#include "session/session.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "../support/job_fixtures.hpp"
#include "../support/session_pump.hpp"
#include "core/catalog.hpp"
#include "data/dataset.hpp"
#include "lesson/lesson_writer.hpp"
#include "session/class_watch.hpp"
#include "session/file_watch.hpp"
#include "session/latest_worker.hpp"
#include "session/library.hpp"
#include "session/permissions.hpp"
#include "session/progress.hpp"
#include "session/share.hpp"
#include "widgets/measure_units.hpp"

namespace fs = std::filesystem;

namespace aisb::app {
namespace {

TEST(LatestWorker, OnlyTheNewestRequestIsComputedAndTakenOnce) {
  std::mutex gate;
  gate.lock();  // holds the first request inside the worker
  std::atomic<int> calls{0};
  LatestWorker<int, int> w(
      [&](int& in) -> std::optional<int> {
        ++calls;
        if (in == 1) std::lock_guard wait(gate);
        if (in < 0) return std::nullopt;  // "cannot compute": keeps the last result
        return in * in;
      },
      WorkerPriority::idle);
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
  EXPECT_FALSE(w.handing_over());  // the lock was free: handed over at once
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

TEST(Session, ACellOfTheConfusionMatrixChoosesItsPicturesInTurn) {
  Session s;
  s.load(test::steel_job(240, 2,
                         {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 3, .padding = "same"},
                          {.type = "maxpool2d", .size = 2},
                          {.type = "flatten"},
                          {.type = "dense", .units = 8, .activation = "relu"}}));
  ASSERT_FALSE(s.choose_next(0, 0));  // no answers yet
  s.play();
  ASSERT_TRUE(pump(
      s, [&] { return s.state() == RunState::finished && s.inside().has_predictions(); }, 60000));
  const Dataset* d = s.data();
  ASSERT_NE(d, nullptr);
  const auto& said = s.inside().predictions;
  ASSERT_EQ(said.size(), static_cast<size_t>(d->test.size()));
  // Every cell the matrix counts: the samples it holds, in turn from the
  // chosen one, round to the start; a cell with none chooses nothing.
  const int k = 6;
  std::vector<int64_t> counts(static_cast<size_t>(k * k), 0);
  for (size_t i = 0; i < said.size(); ++i) {
    ++counts[static_cast<size_t>(static_cast<int>(d->test.y[i]) * k + static_cast<int>(said[i]))];
  }
  // (The answers may be an epoch older than the last metrics: the views
  // take them as they come. inside_test holds them to the matrix.)
  int tried = 0;
  for (int r = 0; r < k; ++r) {
    for (int c = 0; c < k; ++c) {
      const int64_t n = counts[static_cast<size_t>(r * k + c)];
      if (n == 0) {
        const int64_t before = s.chosen_sample();
        EXPECT_FALSE(s.choose_next(r, c));
        EXPECT_EQ(s.chosen_sample(), before);
        continue;
      }
      std::set<int64_t> seen;
      for (int64_t t = 0; t < n + 1; ++t) {
        ASSERT_TRUE(s.choose_next(r, c));
        const auto i = static_cast<size_t>(s.chosen_sample());
        EXPECT_EQ(static_cast<int>(d->test.y[i]), r);
        EXPECT_EQ(static_cast<int>(said[i]), c);
        seen.insert(s.chosen_sample());
      }
      EXPECT_EQ(static_cast<int64_t>(seen.size()), n);  // every one, then the first again
      ++tried;
    }
  }
  EXPECT_GE(tried, 6);
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
  EXPECT_TRUE(p.can_add_layer(job));    // 3 + 2 <= 6
  EXPECT_TRUE(p.can_add_unit(job, 0));  // 4 <= 6
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
  EXPECT_FALSE(w.take_changed());                        // nothing changed yet
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

// A lesson that holds students on each step until its goal is reached or its
// quiz answered right ([navigation] require = "both").
constexpr const char* kGatedLesson = R"(format = 1
id = "my-battery"
title.ko = "나의 배터리 수업"
title.en = "My battery lesson"

[dataset]
source = "xor"
samples = 100

[model]
task = "classification"
layers = []

[training]
learning_rate = 0.03

[navigation]
require = "both"

[[steps]]
text.ko = "목표"
text.en = "A goal"
goal = { metric = "test_accuracy", at_least = 0.9 }

[[steps]]
[steps.quiz]
question.ko = "질문"
question.en = "A question"
choices.ko = ["가", "나"]
choices.en = ["a", "b"]
answer = 1

[[steps]]
text.ko = "끝"
text.en = "The end"
goal = { metric = "test_accuracy", at_least = 0.9 }
[steps.quiz]
question.ko = "질문"
question.en = "A question"
choices.ko = ["가", "나"]
choices.en = ["a", "b"]
answer = 0
)";

Lesson gated(const std::string& require) {
  std::string text = kGatedLesson;
  text.replace(text.find("\"both\""), 6, "\"" + require + "\"");
  LessonResult r = parse_lesson(text, "gated.toml");
  EXPECT_TRUE(r.ok()) << format_diagnostics(r, "gated.toml");
  return r.lesson;
}

TEST(Navigation, TheLessonSaysWhatHoldsAStudentBack) {
  EXPECT_EQ(gated("both").require, "both");
  EXPECT_EQ(gated("goals").require, "goals");
  // Free by default: a lesson written before the setting works as it did.
  std::string text = kGatedLesson;
  text.erase(text.find("[navigation]"), std::string("[navigation]\nrequire = \"both\"\n").size());
  const LessonResult free = parse_lesson(text, "free.toml");
  ASSERT_TRUE(free.ok());
  EXPECT_EQ(free.lesson.require, "none");
  // A misspelt value is an error that names the key and the nearest value.
  std::string bad = kGatedLesson;
  bad.replace(bad.find("\"both\""), 6, "\"goal\"");
  const LessonResult r = parse_lesson(bad, "bad.toml");
  ASSERT_FALSE(r.ok());
  const std::string d = format_diagnostics(r, "bad.toml");
  EXPECT_NE(d.find("bad.toml:18:"), std::string::npos) << d;
  EXPECT_NE(d.find("navigation.require"), std::string::npos) << d;
  EXPECT_NE(d.find("goals"), std::string::npos) << d;
  std::string unknown = kGatedLesson;
  unknown.replace(unknown.find("require ="), 7, "requires");
  EXPECT_FALSE(parse_lesson(unknown, "x.toml").ok());
}

TEST(Navigation, TheSettingIsWrittenBackAndReadAgain) {
  for (const std::string require : {"none", "goals", "quizzes", "both"}) {
    const Lesson l = gated(require);
    const std::string text = write_lesson(l);
    EXPECT_EQ(text.find("[navigation]") != std::string::npos, require != "none") << text;
    const LessonResult again = parse_lesson(text, "again.toml");
    ASSERT_TRUE(again.ok()) << format_diagnostics(again, "again.toml") << text;
    EXPECT_EQ(again.lesson.require, require);
  }
}

TEST(Navigation, NextWaitsForTheGoalAndTheQuizTheLessonAsksFor) {
  const Lesson both = gated("both");
  LessonProgress p;
  EXPECT_EQ(next_blocker(both, 0, p), NextBlocker::goal);
  p.mark_goal(0);
  EXPECT_EQ(next_blocker(both, 0, p), NextBlocker::none);
  // The quiz: a wrong answer holds, the right one lets go.
  EXPECT_EQ(next_blocker(both, 1, p), NextBlocker::quiz);
  p.answers[1] = 0;
  EXPECT_EQ(next_blocker(both, 1, p), NextBlocker::quiz);
  p.answers[1] = 1;
  p.mark(1);
  EXPECT_EQ(next_blocker(both, 1, p), NextBlocker::none);
  // A step with both: its quiz answered right does not count as its goal.
  p.answers[2] = 0;
  p.mark(2);
  EXPECT_EQ(next_blocker(both, 2, p), NextBlocker::goal);
  p.mark_goal(2);
  EXPECT_EQ(next_blocker(both, 2, p), NextBlocker::none);
  // Only what the lesson asks for holds.
  LessonProgress fresh;
  EXPECT_EQ(next_blocker(gated("none"), 0, fresh), NextBlocker::none);
  EXPECT_EQ(next_blocker(gated("none"), 1, fresh), NextBlocker::none);
  EXPECT_EQ(next_blocker(gated("goals"), 0, fresh), NextBlocker::goal);
  EXPECT_EQ(next_blocker(gated("goals"), 1, fresh), NextBlocker::none);
  EXPECT_EQ(next_blocker(gated("quizzes"), 0, fresh), NextBlocker::none);
  EXPECT_EQ(next_blocker(gated("quizzes"), 1, fresh), NextBlocker::quiz);
  // Progress kept before goals were recorded apart: a goal-only step that
  // was marked counts as reached.
  LessonProgress old;
  old.reached = {0};
  EXPECT_EQ(next_blocker(both, 0, old), NextBlocker::none);
  EXPECT_EQ(next_blocker(both, 7, old), NextBlocker::none);  // no such step
}

TEST_F(ProgressTest, ReachedGoalsSurviveARestart) {
  const fs::path file = dir / "progress.json";
  {
    ProgressStore store(file);
    LessonProgress p;
    p.mark_goal(2);
    p.mark(1);
    ASSERT_TRUE(store.put("my-battery", p));
  }
  const LessonProgress p = ProgressStore(file).get("my-battery");
  EXPECT_EQ(p.goals, std::vector<int>{2});
  EXPECT_EQ(p.reached, (std::vector<int>{1, 2}));
}

// The class view and the center panel name a run's lesson by its title in
// the app's language, for a teacher's own lessons too (issue 12: "my-battery").
TEST(Library, TitlesOfEveryLessonSeenByIdInTheAppsLanguage) {
  const fs::path dir = fs::temp_directory_path() / ("aisb_titles_" + std::to_string(::getpid()));
  fs::create_directories(dir / "nested");
  std::ofstream(dir / "my-battery.toml") << kGatedLesson;
  std::string other = kGatedLesson;
  other.replace(other.find("my-battery"), 10, "my-farm");
  other.replace(other.find("나의 배터리 수업"), std::string("나의 배터리 수업").size(), "우리 농장");
  other.replace(other.find("My battery lesson"), 17, "Our farm");
  std::ofstream(dir / "nested" / "farm.toml") << other;
  std::ofstream(dir / "broken.toml") << "format = 1\nid = \"Bad Id\"\n";
  LessonTitles titles;
  EXPECT_EQ(titles.title_of("my-battery", "ko"), "my-battery");  // not seen: the id
  titles.add_folder(dir);
  EXPECT_EQ(titles.title_of("my-battery", "ko"), "나의 배터리 수업");
  EXPECT_EQ(titles.title_of("my-battery", "en"), "My battery lesson");
  EXPECT_FALSE(titles.knows("my-farm"));  // only the folder itself, not below it
  titles.add(scan_library(dir));
  EXPECT_EQ(titles.title_of("my-farm", "en"), "Our farm");
  // The shipped library, and a lesson opened by hand wins over what was there.
  titles.add(scan_library(find_data_dir("lessons")));
  EXPECT_EQ(titles.title_of("xor-hidden-layer", "en").rfind("XOR", 0), 0u) << titles.title_of("xor-hidden-layer", "en");
  Lesson edited = gated("both");
  edited.title.en = "My battery lesson, edited";
  edited.title.ko.clear();
  titles.add(edited);
  EXPECT_EQ(titles.title_of("my-battery", "ko"), "My battery lesson, edited");  // falls back to the other language
  fs::remove_all(dir);
}

// A run that diverged is not a finished one (issue 12: it showed as a green
// "done"): the center's listing ("done", reason "diverged") and its `done`
// event both say so, and the event brings the student's words.
TEST(ClassWatch, ADivergedRunKeepsItsOutcomeAndItsWords) {
  EXPECT_EQ(run_outcome("done", "diverged"), RunOutcome::diverged);
  EXPECT_EQ(run_outcome("done", "completed"), RunOutcome::completed);
  EXPECT_EQ(run_outcome("done", ""), RunOutcome::completed);
  EXPECT_EQ(run_outcome("failed", "the worker stopped"), RunOutcome::failed);
  EXPECT_EQ(run_outcome("cancelled", ""), RunOutcome::cancelled);
  EXPECT_EQ(run_outcome("running", ""), RunOutcome::running);
  EXPECT_EQ(run_outcome("queued", ""), RunOutcome::queued);

  ClassRun run;
  run.state = "running";
  Event m;
  m.type = EventType::metrics;
  m.metrics.epoch = 1;
  m.metrics.test_loss = 1e30;
  take_event(run, m);
  ASSERT_TRUE(run.latest);
  EXPECT_EQ(run.history.size(), 1u);
  Event done;
  done.type = EventType::done;
  done.reason = "diverged";
  done.message = "The learning rate (10) is probably too high.";
  done.message_ko = "학습률(10)이 너무 큰 것 같아요.";
  take_event(run, done);
  EXPECT_EQ(run_outcome(run.state, run.reason), RunOutcome::diverged);
  EXPECT_EQ(run.message, done.message);
  EXPECT_EQ(run.message_ko, done.message_ko);
  EXPECT_EQ(run.history.size(), 1u);
}

// The data views show sequences and tables in the units of what was measured
// (issue 12: the battery chart's capacity axis had no unit). The conversion
// turns the generators' scaled values back into their own ranges.
TEST(MeasureUnits, TurnTheGeneratorsScaledValuesBackIntoTheirUnits) {
  struct Range {
    const char* name;
    double lo, hi;
    const char* unit;
  };
  const auto check = [](const std::string& source, const std::string& task, const std::vector<Range>& ranges) {
    const SourceInfo* info = find_source(source);
    ASSERT_NE(info, nullptr);
    ASSERT_EQ(info->measures.size(), ranges.size());
    const Table t = generate_table(source, task, 200, 0.0, 7);
    const size_t rows = t.x.size() / ranges.size();
    for (size_t k = 0; k < ranges.size(); ++k) {
      ASSERT_EQ(info->measures[k], ranges[k].name);
      const MeasureUnit u = measure_unit(source, ranges[k].name);
      EXPECT_STREQ(u.unit, ranges[k].unit) << source << " " << ranges[k].name;
      double lo = 1e30, hi = -1e30;
      for (size_t r = 0; r < rows; ++r) {
        const double v = u.shown(t.x[r * ranges.size() + k]);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      EXPECT_GE(lo, ranges[k].lo) << source << " " << ranges[k].name;
      EXPECT_LE(hi, ranges[k].hi) << source << " " << ranges[k].name;
      EXPECT_GT(hi - lo, (ranges[k].hi - ranges[k].lo) * 0.3) << source << " " << ranges[k].name << " spans its range";
    }
  };
  // A cell's check-ups every 25 cycles up to 600; capacity in % of a new
  // cell's; the cell's temperature (15-45 °C, measured with a little noise).
  check("battery-fade", "regression",
        {{"cycle", 25, 600, ""}, {"capacity", 30, 100.0001, "%"}, {"temperature", 5, 55, "°C"}});
  EXPECT_NEAR(measure_unit("battery-fade", "cycle").shown(generate_table("battery-fade", "regression", 1, 0, 1).x[0]),
              25.0, 1e-3);
  check("air-quality", "regression",
        {{"pm25", 2, 400, "μg/m³"},
         {"temperature", -11, 36, "°C"},
         {"wind", 0.199, 30, "m/s"},
         {"humidity", 9.999, 100.001, "%"}});
  check("smart-farm", "regression",
        {{"temperature", 12, 36, "°C"},
         {"humidity", 40, 98, "%"},
         {"co2", 350, 1200, "ppm"},
         {"light", 5, 30, "klx"},
         {"soil", 10, 60, "%"}});
  EXPECT_FALSE(measure_unit("steel-defects", "x").known());
}

}  // namespace
}  // namespace aisb::app
