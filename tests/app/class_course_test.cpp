// The classroom as the app sees it (issue 12), against a real center on
// loopback: the Class course synced into its cache (added, changed,
// removed) and shown from the cache with the center gone; the student's
// progress sent in the background and shown in the teacher's
// class_progress, also after the center was away for a while; the
// teacher's roster (names added, a code reset), the report and the cards.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../center/center_process.hpp"
#include "backend/center_client.hpp"
#include "session/class_codes.hpp"
#include "session/class_course.hpp"
#include "session/class_watch.hpp"
#include "session/progress_sync.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::app {
namespace {

// A small lesson: a goal in step 0, a quiz (answer 1) in step 1, text in step 2.
std::string lesson_text(const std::string& id, const std::string& title_en) {
  return "format = 1\nid = \"" + id + "\"\ntitle.ko = \"반 수업 " + id + "\"\ntitle.en = \"" + title_en +
         "\"\n"
         "audience = \"high-school\"\nminutes = 10\n\n"
         "[dataset]\nsource = \"linear\"\nsamples = 200\nnoise = 0.0\ntest_fraction = 0.5\nseed = 1\n\n"
         "[model]\ntask = \"classification\"\ninputs = [\"x1\", \"x2\"]\nlayers = []\n\n"
         "[training]\noptimizer = \"sgd\"\nlearning_rate = 0.03\nbatch_size = 10\nepochs = 20\nseed = 1\n\n"
         "[[steps]]\ntext.ko = \"학습해 보세요.\"\ntext.en = \"Train it.\"\n"
         "goal = { metric = \"test_accuracy\", at_least = 0.9 }\n\n"
         "[[steps]]\ntext.ko = \"퀴즈\"\ntext.en = \"Quiz\"\n[steps.quiz]\nquestion.ko = \"직선은 몇 개?\"\n"
         "question.en = \"How many lines?\"\nchoices.ko = [\"0\", \"1\", \"2\"]\nchoices.en = [\"0\", \"1\", \"2\"]\n"
         "answer = 1\nexplanation.ko = \"하나\"\nexplanation.en = \"One\"\n\n"
         "[[steps]]\ntext.ko = \"끝\"\ntext.en = \"The end\"\n";
}

Lesson parsed(const std::string& id, const std::string& title_en = "Class lesson") {
  LessonResult r = parse_lesson(lesson_text(id, title_en), id + ".toml");
  EXPECT_TRUE(r.ok()) << format_diagnostics(r, id + ".toml");
  return r.lesson;
}

template <class F>
bool eventually(F&& f, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

class Classroom : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("aisb_classroom_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<test::CenterProcess> center;
  json klass;

  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
    // The login a test saves (remote::log_in) stays in the test's folder.
    ::setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
    klass = test::CenterProcess::create_class(dir / "data", "2-3반");
    center = std::make_unique<test::CenterProcess>(dir / "data");
    center->start();
  }
  void TearDown() override {
    center.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  [[nodiscard]] std::string class_id() const { return klass["class"].get<std::string>(); }
  [[nodiscard]] std::string class_code() const { return klass["class_code"].get<std::string>(); }
  remote::CenterClient teacher() { return {center->url(), klass["teacher_token"].get<std::string>()}; }
  // A student's sign-in: the login, with its token and class.
  remote::CenterLogin student(const std::string& name, const std::string& code = "") {
    return remote::log_in(center->url(), class_code(), name, code);
  }
};

TEST_F(Classroom, ClassCourseSyncsAddsUpdatesRemovesAndWorksOffline) {
  remote::CenterClient t = teacher();
  t.publish(class_id(), "alpha", lesson_text("alpha", "Alpha"));
  t.publish(class_id(), "beta", lesson_text("beta", "Beta"));
  const remote::CenterLogin s = student("민지");
  EXPECT_FALSE(s.new_code.empty()) << "a first sign-in gets its personal code";
  EXPECT_EQ(s.class_id, class_id());
  remote::CenterClient client(s.url, s.token);
  const fs::path cache = dir / "cache" / class_id();

  ClassSyncReport r = sync_class_lessons(client, class_id(), cache);
  EXPECT_EQ(r.added, 2);
  std::vector<LibraryLesson> lessons = load_class_lessons(cache);
  ASSERT_EQ(lessons.size(), 2u);
  ASSERT_TRUE(lessons[0].lesson) << lessons[0].problem;
  EXPECT_EQ(lessons[0].lesson->id, "alpha");  // the teacher's order
  EXPECT_EQ(lessons[1].lesson->id, "beta");
  EXPECT_EQ(lessons[1].lesson->title.en, "Beta");

  // Nothing changed: nothing fetched.
  r = sync_class_lessons(client, class_id(), cache);
  EXPECT_EQ(r.unchanged, 2);
  EXPECT_FALSE(r.changed());

  // A changed lesson is fetched again; an unpublished one leaves the cache.
  t.publish(class_id(), "alpha", lesson_text("alpha", "Alpha, second version"));
  t.unpublish(class_id(), "beta");
  r = sync_class_lessons(client, class_id(), cache);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.removed, 1);
  EXPECT_FALSE(fs::exists(cache / "beta.toml"));
  lessons = load_class_lessons(cache);
  ASSERT_EQ(lessons.size(), 1u);
  ASSERT_TRUE(lessons[0].lesson);
  EXPECT_EQ(lessons[0].lesson->title.en, "Alpha, second version");

  // The center gone: the course follows the login and shows the cache.
  center->kill(SIGKILL);
  ClassCourse course(dir / "cache", {}, {}, std::chrono::seconds(30));
  course.follow(s);
  ASSERT_TRUE(course.wait_syncs(1, std::chrono::seconds(20)));
  const ClassCourse::View v = course.view();
  EXPECT_EQ(v.class_id, class_id());
  ASSERT_EQ(v.lessons.size(), 1u);
  ASSERT_TRUE(v.lessons[0].lesson);
  EXPECT_EQ(v.lessons[0].lesson->id, "alpha");
  EXPECT_FALSE(v.synced);
  EXPECT_FALSE(v.error.empty()) << "the view says the center could not be reached";
}

TEST_F(Classroom, ClassCourseFollowsInTheBackgroundAndAsksForTheClassWhenTheLoginLacksIt) {
  remote::CenterClient t = teacher();
  t.publish(class_id(), "alpha", lesson_text("alpha", "Alpha"));
  remote::CenterLogin s = student("Joon");
  s.class_id.clear();  // a login saved before logins kept their class
  std::atomic<int> wakes{0};
  ClassCourse course(
      dir / "cache", [&] { ++wakes; }, {}, std::chrono::milliseconds(200));
  course.follow(s);
  ASSERT_TRUE(eventually([&] { return course.view().lessons.size() == 1; }));
  EXPECT_TRUE(course.view().synced);
  EXPECT_EQ(course.view().class_id, class_id());
  EXPECT_GT(wakes.load(), 0);
  const uint64_t seen = course.view().version;
  EXPECT_FALSE(course.take(seen).has_value()) << "nothing new since";

  t.publish(class_id(), "gamma", lesson_text("gamma", "Gamma"));
  ASSERT_TRUE(eventually([&] { return course.view().lessons.size() == 2; }));
  const auto v = course.take(seen);
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(v->lessons[1].lesson);
  EXPECT_EQ(v->lessons[1].lesson->id, "gamma");

  // Logged out: nothing shown, and the cache stays for the next login.
  course.follow({});
  EXPECT_TRUE(course.view().lessons.empty());
  EXPECT_TRUE(fs::exists(dir / "cache" / class_id() / "gamma.toml"));

  // A sign-in the center ended: the cache, and the center's 401 to say
  // "log in again" rather than "offline".
  remote::CenterClient(s.url, s.token).logout();
  s.class_id = class_id();
  course.follow(s);
  ASSERT_TRUE(eventually([&] { return course.view().refused == 401; }));
  EXPECT_EQ(course.view().lessons.size(), 2u);
}

TEST(ClassCache, EveryCachedLessonGoesThroughTheLoaderAndNoIdNamesAFileOutside) {
  const fs::path dir = fs::temp_directory_path() / ("aisb_class_cache_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "good.toml") << lesson_text("good", "Good");
  std::ofstream(dir / "bad.toml") << "format = 1\nid = \"bad\"\n";  // no title, no steps
  std::ofstream(dir / "index.json")
      << R"({"lessons": [{"id": "good"}, {"id": "../../etc/passwd"}, {"id": "bad"}, {"id": "missing"}, {"id": 3}]})";
  const std::vector<LibraryLesson> lessons = load_class_lessons(dir);
  ASSERT_EQ(lessons.size(), 2u);
  EXPECT_TRUE(lessons[0].lesson);
  EXPECT_FALSE(lessons[1].lesson);
  EXPECT_NE(lessons[1].problem.find("bad.toml"), std::string::npos) << lessons[1].problem;
  EXPECT_FALSE(safe_file_name("../x"));
  EXPECT_FALSE(safe_file_name(""));
  EXPECT_FALSE(safe_file_name("index"));
  EXPECT_TRUE(safe_file_name("c1a2-b_3"));
  // Not valid JSON: an empty course, never a crash.
  std::ofstream(dir / "index.json") << "{\"lessons\": [";
  EXPECT_TRUE(load_class_lessons(dir).empty());
  fs::remove_all(dir);
}

TEST(ProgressJson, TurnsTheLocalRecordIntoTheCentersFields) {
  const Lesson lesson = parsed("alpha");
  LessonProgress p;
  p.step = 1;
  p.reached = {0, 2};                    // an old record: step 0 marked by its goal
  p.answers = {{1, 0}, {2, 1}, {9, 1}};  // step 2 has no quiz, step 9 does not exist
  p.completed = false;
  json j = progress_json(lesson, p);
  EXPECT_EQ(j["step"], 1);
  EXPECT_EQ(j["steps"], 3);
  EXPECT_EQ(j["reached"], 2);
  EXPECT_EQ(j["goals_met"], json::array({0}));
  ASSERT_EQ(j["quiz"].size(), 1u);
  EXPECT_EQ(j["quiz"][0], json({{"step", 1}, {"answer", 0}, {"correct", false}, {"tries", 1}}));
  EXPECT_EQ(j["finished"], false);
  p.answers = {{1, 1}};
  p.goals = {0};
  p.completed = true;
  j = progress_json(lesson, p, {{1, 3}});
  EXPECT_EQ(j["quiz"][0], json({{"step", 1}, {"answer", 1}, {"correct", true}, {"tries", 3}}));
  EXPECT_EQ(j["finished"], true);
  p.step = 40;  // past the end (a lesson that lost steps): the last
  EXPECT_EQ(progress_json(lesson, p)["step"], 2);
}

TEST_F(Classroom, ProgressGoesToTheCenterAndTheTeacherSeesIt) {
  remote::CenterClient t = teacher();
  t.publish(class_id(), "alpha", lesson_text("alpha", "Alpha"));
  const Lesson lesson = parsed("alpha");
  const remote::CenterLogin minji = student("민지"), joon = student("Joon");

  ProgressSync sync({}, std::chrono::milliseconds(50));
  sync.set_login(minji.url, minji.token);
  LessonProgress p;
  sync.update(lesson, p);  // opened the lesson
  p.mark_goal(0);
  p.step = 1;
  sync.update(lesson, p);
  p.answers[1] = 2;  // wrong
  sync.update(lesson, p);
  p.answers[1] = 1;  // right, at the second try
  p.mark(1);
  p.step = 2;
  p.completed = true;
  sync.update(lesson, p);
  ASSERT_TRUE(sync.flush(std::chrono::seconds(20)));
  EXPECT_GE(sync.sent(), 1u);
  EXPECT_LE(sync.sent(), 3u) << "quick changes go together";

  // Joon gets the quiz wrong.
  ProgressSync other({}, std::chrono::milliseconds(10));
  other.set_login(joon.url, joon.token);
  LessonProgress q;
  q.step = 1;
  q.answers[1] = 0;
  other.update(lesson, q);
  ASSERT_TRUE(other.flush(std::chrono::seconds(20)));

  const json progress = t.class_progress(class_id());
  json m, j;
  for (const auto& s : progress["students"]) (s["name"] == "민지" ? m : j) = s["lessons"]["alpha"];
  ASSERT_TRUE(m.is_object()) << progress.dump();
  EXPECT_EQ(m["step"], 2);
  EXPECT_EQ(m["steps"], 3);
  EXPECT_EQ(m["finished"], true);
  EXPECT_EQ(m["goals_met"], json::array({0}));
  ASSERT_EQ(m["quiz"].size(), 1u);
  EXPECT_EQ(m["quiz"][0]["correct"], true);
  EXPECT_EQ(m["quiz"][0]["tries"], 2);
  ASSERT_TRUE(j.is_object()) << progress.dump();
  EXPECT_EQ(j["step"], 1);
  EXPECT_EQ(j["quiz"][0]["correct"], false);
  ASSERT_FALSE(progress["hardest_quiz"].empty());
  EXPECT_EQ(progress["hardest_quiz"][0], json({{"lesson", "alpha"}, {"step", 1}, {"answered", 2}, {"wrong", 1}}));

  // The app closes right after a change: what waits goes before it ends.
  const remote::CenterLogin ha = student("하은");
  {
    ProgressSync closing({}, std::chrono::seconds(60));
    closing.set_login(ha.url, ha.token);
    LessonProgress h;
    h.step = 2;
    closing.update(lesson, h);
  }
  bool found = false;
  const json after = t.class_progress(class_id());
  for (const auto& s : after["students"]) {
    if (s["name"] == "하은") found = s["lessons"].contains("alpha") && s["lessons"]["alpha"]["step"] == 2;
  }
  EXPECT_TRUE(found) << "the last change was lost when the app closed: " << after.dump();

  // Logged out: nothing is sent.
  sync.set_login("", "");
  p.step = 0;
  sync.update(lesson, p);
  EXPECT_EQ(sync.waiting(), 0u);
}

TEST_F(Classroom, ProgressWaitsQuietlyWhileTheCenterIsAwayAndGoesWhenItIsBack) {
  teacher().publish(class_id(), "alpha",
                    lesson_text("alpha", "Alpha"));  // the center keeps progress of published lessons
  const Lesson lesson = parsed("alpha");
  const remote::CenterLogin s = student("민지");
  const int port = center->port();
  center->kill(SIGKILL);
  ProgressSync sync({}, std::chrono::milliseconds(10));
  sync.set_login(s.url, s.token);
  LessonProgress p;
  p.step = 1;
  sync.update(lesson, p);
  p.step = 2;  // the latest wins
  sync.update(lesson, p);
  EXPECT_FALSE(sync.flush(std::chrono::milliseconds(500)));
  EXPECT_EQ(sync.waiting(), 1u);
  EXPECT_EQ(sync.sent(), 0u);
  // The same center back on its port.
  center = std::make_unique<test::CenterProcess>(dir / "data");
  center->start(port);
  ASSERT_TRUE(sync.flush(std::chrono::seconds(30)));
  EXPECT_EQ(sync.sent(), 1u);
  const json progress = teacher().class_progress(class_id());
  ASSERT_EQ(progress["students"].size(), 1u);
  EXPECT_EQ(progress["students"][0]["lessons"]["alpha"]["step"], 2);
}

TEST_F(Classroom, TheTeachersRosterCodesReportAndCards) {
  ClassWatch watch(center->url(), klass["teacher_token"].get<std::string>(), {}, {}, 60, "");
  ASSERT_TRUE(eventually([&] { return watch.progress().is_object() && watch.roster().is_object(); }))
      << watch.progress_error();
  EXPECT_EQ(watch.class_id(), class_id());
  EXPECT_EQ(watch.class_name(), "2-3반");

  watch.add_students({"민지", "Joon"});
  ASSERT_TRUE(eventually([&] { return watch.last_action().id == 1; }));
  ClassWatch::Action a = watch.last_action();
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_EQ(a.codes.size(), 2u);
  EXPECT_EQ(a.codes[0].name, "민지");
  EXPECT_EQ(watch.fresh_codes().size(), 2u);
  ASSERT_EQ(watch.roster()["students"].size(), 2u) << "the roster is fetched again at once";

  // The student signs in with the code; a wrong one is refused on "code".
  EXPECT_NO_THROW(student("민지", a.codes[0].code));
  try {
    student("Joon", "ZZZZ-ZZZZ");
    ADD_FAILURE() << "a wrong code signed in";
  } catch (const remote::Refused& e) {
    EXPECT_EQ(e.status, 401);
    EXPECT_EQ(e.field, "code");
  }

  // A new code for 민지: the old one stops working; the list shows the new one only.
  const std::string old = a.codes[0].code;
  watch.reset_code("민지");
  ASSERT_TRUE(eventually([&] { return watch.last_action().id == 2; }));
  a = watch.last_action();
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_EQ(a.codes.size(), 1u);
  EXPECT_NE(a.codes[0].code, old);
  const auto fresh = watch.fresh_codes();
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(fresh.back().name, "민지");
  EXPECT_EQ(fresh.back().code, a.codes[0].code);
  EXPECT_THROW(student("민지", old), remote::Refused);

  // A name the center refuses: the action says why.
  watch.reset_code("nobody");
  ASSERT_TRUE(eventually([&] { return watch.last_action().id == 3; }));
  EXPECT_FALSE(watch.last_action().ok);
  EXPECT_EQ(watch.last_action().status, 404);

  // The report, written where asked.
  const fs::path report = dir / "report.csv";
  watch.save_report(report);
  ASSERT_TRUE(eventually([&] { return watch.last_action().id == 4; }));
  ASSERT_TRUE(watch.last_action().ok) << watch.last_action().error;
  std::ifstream in(report);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("student,lesson,title"), std::string::npos);
  EXPECT_NE(text.str().find("민지"), std::string::npos);

  // Publishing from the app: every file checked first; a broken one sends none.
  const std::string basics = std::string(AISB_SOURCE_DIR) + "/lessons/basics/";
  fs::create_directories(dir / "broken");
  std::ofstream(dir / "broken" / "b.toml") << "format = 1\nid = \"b\"\n[training\n";
  watch.publish({basics + "02-xor-hidden-layer.toml", dir / "broken" / "b.toml"});
  ASSERT_TRUE(eventually([&] { return watch.last_action().id == 5; }));
  EXPECT_FALSE(watch.last_action().ok);
  EXPECT_NE(watch.last_action().error.find("b.toml:3:"), std::string::npos) << watch.last_action().error;
  watch.publish({basics + "02-xor-hidden-layer.toml", basics + "06-overfitting.toml"});
  ASSERT_TRUE(eventually([&] { return watch.last_action().id == 6; }));
  ASSERT_TRUE(watch.last_action().ok) << watch.last_action().error;
  EXPECT_EQ(watch.last_action().published, 2);
  ASSERT_TRUE(eventually([&] {
    const auto p = watch.published();
    return p.is_object() && p["lessons"].size() == 2;
  }));
  EXPECT_EQ(watch.published()["lessons"][1]["id"], "overfitting");
  watch.unpublish("xor-hidden-layer");
  ASSERT_TRUE(eventually([&] { return watch.last_action().id == 7; }));
  ASSERT_TRUE(watch.last_action().ok) << watch.last_action().error;
  ASSERT_TRUE(eventually([&] { return watch.published()["lessons"].size() == 1; }));

  // The cards: every name and code, escaped.
  const std::string html =
      code_cards_html("2-3반", class_code(), center->url(), {{"민지", "KMQ7-X3PD"}, {"<b>Joon</b>", "ABCD-EFGH"}});
  EXPECT_NE(html.find("KMQ7-X3PD"), std::string::npos);
  EXPECT_NE(html.find(class_code()), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;Joon&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>Joon"), std::string::npos);
  EXPECT_NE(html.find("개인 코드"), std::string::npos);
  EXPECT_NE(html.find("Personal code"), std::string::npos);
}

TEST(ClassFiles, HomeFilesKeepWhatIsThereWhenAsked) {
  const fs::path home = fs::temp_directory_path() / ("aisb_home_" + std::to_string(::getpid()));
  fs::create_directories(home);
  const std::string old_home = std::getenv("HOME") != nullptr ? std::getenv("HOME") : "";
  ::setenv("HOME", home.c_str(), 1);
  EXPECT_EQ(home_file("codes.html", true), home / "codes.html");
  std::string why;
  ASSERT_TRUE(save_text_file(home / "codes.html", "x", &why)) << why;
  EXPECT_EQ(home_file("codes.html", true), home / "codes-2.html");
  EXPECT_EQ(home_file("codes.html", false), home / "codes.html");
  EXPECT_FALSE(save_text_file(home / "no" / "such" / "folder.csv", "x", &why));
  EXPECT_NE(why.find("cannot write"), std::string::npos);
  ::setenv("HOME", old_home.c_str(), 1);
  fs::remove_all(home);
}

}  // namespace
}  // namespace aisb::app
