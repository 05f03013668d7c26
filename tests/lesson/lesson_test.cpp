#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lesson/lesson.hpp"
#include "lesson/lesson_writer.hpp"

namespace fs = std::filesystem;

namespace aisb {
namespace {

const std::string kGood = R"(format = 1
id = "tiny"
title.ko = "작은 수업"
title.en = "A tiny lesson"
minutes = 5

[dataset]
source = "circle"
samples = 100

[model]
task = "classification"
inputs = ["x1", "x2", "x1_sq"]
layers = [ { type = "dense", units = 3, activation = "relu" } ]

[training]
learning_rate = 0.1
epochs = 5

[[steps]]
text.ko = "안녕"
text.en = "Hello"
unlock = ["learning_rate"]
goal = { metric = "test_accuracy", at_least = 0.9 }

[[steps]]
[steps.quiz]
question.en = "Which?"
question.ko = "어느 것?"
choices.en = ["a", "b"]
choices.ko = ["가", "나"]
answer = 1
)";

// Replaces the first occurrence of `from` in the good lesson.
std::string with(const std::string& from, const std::string& to) {
  std::string s = kGood;
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

const Diagnostic* at(const LessonResult& r, const std::string& path) {
  for (const auto& d : r.diags.all()) {
    if (d.path == path) return &d;
  }
  return nullptr;
}

TEST(Lesson, ReadsEveryTable) {
  const LessonResult r = parse_lesson(kGood, "tiny.toml");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "tiny.toml");
  const Lesson& l = r.lesson;
  EXPECT_EQ(l.id, "tiny");
  EXPECT_EQ(l.title.in("ko"), "작은 수업");
  EXPECT_EQ(l.title.in("en"), "A tiny lesson");
  EXPECT_EQ(l.minutes, 5);
  EXPECT_EQ(l.job.lesson, "tiny");
  EXPECT_EQ(l.job.dataset.source, "circle");
  EXPECT_EQ(l.job.model.inputs.size(), 3u);
  EXPECT_EQ(l.job.model.layers.at(0).units, 3);
  EXPECT_DOUBLE_EQ(l.job.training.learning_rate, 0.1);
  ASSERT_EQ(l.steps.size(), 2u);
  EXPECT_EQ(l.steps[0].unlock, std::vector<std::string>{"learning_rate"});
  ASSERT_TRUE(l.steps[0].goal);
  EXPECT_EQ(l.steps[0].goal->metric, "test_accuracy");
  EXPECT_DOUBLE_EQ(*l.steps[0].goal->at_least, 0.9);
  ASSERT_TRUE(l.steps[1].quiz);
  EXPECT_EQ(l.steps[1].quiz->answer, 1);
  EXPECT_EQ(l.steps[1].quiz->choices_ko.at(1), "나");
}

TEST(Lesson, ErrorsPointToLineAndColumn) {
  const LessonResult r = parse_lesson(with("learning_rate = 0.1", "learning_rate = 20"), "l.toml");
  ASSERT_FALSE(r.ok());
  const Diagnostic* d = at(r, "training.learning_rate");
  ASSERT_NE(d, nullptr);
  const SourcePosition p = r.position_of("training.learning_rate");
  EXPECT_EQ(p.line, 17);
  EXPECT_EQ(p.column, 1);
  const std::string text = format_diagnostics(r, "l.toml");
  EXPECT_NE(text.find("l.toml:17:1: error: training.learning_rate: must be greater than 0 and at most 10, got 20"),
            std::string::npos)
      << text;
}

TEST(Lesson, NestedValuesKeepTheirPosition) {
  const LessonResult r = parse_lesson(with("units = 3", "units = 0"), "l.toml");
  ASSERT_NE(at(r, "model.layers[0].units"), nullptr);
  const SourcePosition p = r.position_of("model.layers[0].units");
  EXPECT_EQ(p.line, 14);
  EXPECT_GT(p.column, 20);
}

TEST(Lesson, MisspeltKeysGetASuggestion) {
  const LessonResult r = parse_lesson(with("learning_rate = 0.1", "learnig_rate = 0.1"), "l.toml");
  const Diagnostic* d = at(r, "training.learnig_rate");
  ASSERT_NE(d, nullptr) << format_diagnostics(r, "l.toml");
  EXPECT_NE(d->message.find("did you mean 'learning_rate'"), std::string::npos);
  EXPECT_EQ(r.position_of("training.learnig_rate").line, 17);
  // and the now-missing required key is reported too
  EXPECT_NE(at(r, "training.learning_rate"), nullptr);
}

TEST(Lesson, TomlSyntaxErrorsHaveAPosition) {
  const LessonResult r = parse_lesson(with("epochs = 5", "epochs = = 5"), "l.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.position_of("<toml>").line, 18);
  EXPECT_NE(format_diagnostics(r, "l.toml").find("l.toml:18:"), std::string::npos);
}

TEST(Lesson, FormatIsCheckedFirst) {
  const LessonResult r = parse_lesson(with("format = 1", "format = 2"), "l.toml");
  ASSERT_EQ(r.diags.all().size(), 1u);
  EXPECT_NE(r.diags.all()[0].message.find("unsupported format 2"), std::string::npos);
  const LessonResult none = parse_lesson(with("format = 1", ""), "l.toml");
  EXPECT_FALSE(none.ok());
}

TEST(Lesson, StepRules) {
  EXPECT_NE(at(parse_lesson(with("unlock = [\"learning_rate\"]", "unlock = [\"learning_rat\"]"), "l"), "steps[0].unlock[0]"),
            nullptr);
  EXPECT_NE(at(parse_lesson(with("answer = 1", "answer = 2"), "l"), "steps[1].quiz.answer"), nullptr);
  EXPECT_NE(at(parse_lesson(with("metric = \"test_accuracy\"", "metric = \"test_mae\""), "l"), "steps[0].goal.metric"),
            nullptr);
  EXPECT_NE(at(parse_lesson(with("choices.ko = [\"가\", \"나\"]", "choices.ko = [\"가\"]"), "l"), "steps[1].quiz.choices"),
            nullptr);
  EXPECT_NE(at(parse_lesson(with("at_least = 0.9", "at_lest = 0.9"), "l"), "steps[0].goal.at_lest"), nullptr);
}

TEST(Lesson, MissingTranslationIsAWarning) {
  const LessonResult r = parse_lesson(with("text.en = \"Hello\"\n", ""), "l.toml");
  EXPECT_TRUE(r.ok());
  const Diagnostic* d = at(r, "steps[0].text");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::warning);
  EXPECT_NE(format_diagnostics(r, "l.toml").find("warning: steps[0].text: has no English text"), std::string::npos);
}

TEST(Lesson, ValidatorRulesApplyToLessons) {
  const LessonResult r = parse_lesson(with("source = \"circle\"", "source = \"circel\""), "l.toml");
  const Diagnostic* d = at(r, "dataset.source");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("did you mean 'circle'"), std::string::npos);
  EXPECT_EQ(r.position_of("dataset.source").line, 8);
}

TEST(Lesson, GarbageDoesNotCrash) {
  for (const std::string& s : {std::string(""), std::string("\xff\xfe"), std::string("[[[["), std::string("a = [1, {"),
                              std::string("format = 1\n[model]\nlayers = 5"), std::string(1000, '[')}) {
    const LessonResult r = parse_lesson(s, "x.toml");
    EXPECT_FALSE(r.ok());
  }
}

TEST(Lesson, SolutionOverridesTheLessonKeyByKey) {
  const LessonResult r = parse_lesson(kGood + R"(
[solution]
model = { layers = [{ type = "dense", units = 6, activation = "tanh" }] }
training = { epochs = 9 }
)", "l.toml");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "l.toml");
  ASSERT_TRUE(r.lesson.solution);
  const JobSpec& s = *r.lesson.solution;
  EXPECT_EQ(s.model.layers.at(0).units, 6);
  EXPECT_EQ(s.model.inputs.size(), 3u);  // from the lesson
  EXPECT_EQ(s.training.epochs, 9);
  EXPECT_DOUBLE_EQ(s.training.learning_rate, 0.1);  // from the lesson
  EXPECT_EQ(s.dataset, r.lesson.job.dataset);
  EXPECT_EQ(r.lesson.job.training.epochs, 5);  // the lesson itself is untouched
}

TEST(Lesson, SolutionErrorsNameTheSolutionsKeys) {
  const LessonResult r = parse_lesson(kGood + R"(
[solution]
model = { layers = [{ type = "dense", units = 0 }] }
dataset = { noise = 0.5 }
)", "l.toml");
  ASSERT_NE(at(r, "solution.model.layers[0].units"), nullptr) << format_diagnostics(r, "l.toml");
  EXPECT_EQ(r.position_of("solution.model.layers[0].units").line, r.position_of("solution.model").line);
  EXPECT_NE(at(r, "solution.dataset"), nullptr);  // a solution changes the model and training, not the data
}

TEST(Lesson, ImagesMustBeBesideTheLesson) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("aisb-images-" + std::to_string(::getpid()));
  fs::create_directories(dir / "img");
  std::ofstream(dir / "img" / "ok.png") << "png";
  std::string text = with("text.en = \"Hello\"", "text.en = \"![ok](img/ok.png) ![gone](img/gone.png)\"");
  text.replace(text.find("unlock = "), 0,
               "hint.en = \"![up](../secret.png) ![web](https://example.org/x.png)\"\nhint.ko = \"힌트\"\n");
  std::ofstream(dir / "l.toml") << text;
  const LessonResult r = load_lesson(dir / "l.toml");
  const std::string out = format_diagnostics(r, "l.toml");
  EXPECT_EQ(r.lesson.images.size(), 4u) << out;
  EXPECT_NE(out.find("warning: steps[0].text.en: the image 'img/gone.png' is not there"), std::string::npos) << out;
  EXPECT_EQ(out.find("img/ok.png"), std::string::npos) << out;
  EXPECT_NE(out.find("error: steps[0].hint.en: the image '../secret.png' must be inside"), std::string::npos) << out;
  EXPECT_NE(out.find("is on the internet"), std::string::npos) << out;
  fs::remove_all(dir);
}

TEST(Lesson, Goals) {
  Metrics m;
  m.test_accuracy = 0.93;
  m.test_loss = 0.2;
  EXPECT_TRUE(goal_reached({.metric = "test_accuracy", .at_least = 0.9}, m));
  EXPECT_FALSE(goal_reached({.metric = "test_accuracy", .at_least = 0.95}, m));
  EXPECT_TRUE(goal_reached({.metric = "test_loss", .at_most = 0.25}, m));
  EXPECT_FALSE(goal_reached({.metric = "test_r2", .at_least = 0.5}, m));  // not in a classification run
  EXPECT_EQ(metric_value(m, "epoch"), 0.0);
}

TEST(Course, ReadsAndChecks) {
  const CourseResult good = parse_course(R"(format = 1
id = "basics"
title.ko = "기초"
title.en = "Basics"
lessons = ["a.toml", "b.toml"]
)", "course.toml");
  ASSERT_TRUE(good.ok()) << format_diagnostics(good, "course.toml");
  EXPECT_EQ(good.course.lessons, (std::vector<std::string>{"a.toml", "b.toml"}));
  const CourseResult bad = parse_course(R"(format = 1
id = "Basics!"
title.en = "Basics"
lessons = ["a.toml", "../b.toml", "a.toml", "c.txt"]
lesons = 1
)", "course.toml");
  const std::string out = format_diagnostics(bad, "course.toml");
  EXPECT_NE(out.find("course.toml:2:"), std::string::npos) << out;
  EXPECT_NE(out.find("lessons[1]: '../b.toml' must be a .toml file inside"), std::string::npos) << out;
  EXPECT_NE(out.find("lessons[2]: 'a.toml' is listed twice"), std::string::npos) << out;
  EXPECT_NE(out.find("lessons[3]"), std::string::npos) << out;
  EXPECT_NE(out.find("did you mean 'lessons'"), std::string::npos) << out;
}

TEST(Lesson, MissingFile) {
  const LessonResult r = load_lesson("/nonexistent/lesson.toml");
  EXPECT_FALSE(r.ok());
}

}  // namespace

void expect_same(const Lesson& a, const Lesson& b, const std::string& where) {
  EXPECT_EQ(a.id, b.id) << where;
  EXPECT_EQ(a.title.ko, b.title.ko) << where;
  EXPECT_EQ(a.title.en, b.title.en) << where;
  EXPECT_EQ(a.audience, b.audience) << where;
  EXPECT_EQ(a.minutes, b.minutes) << where;
  EXPECT_EQ(a.tags, b.tags) << where;
  EXPECT_EQ(a.job, b.job) << where;
  ASSERT_EQ(a.steps.size(), b.steps.size()) << where;
  for (size_t i = 0; i < a.steps.size(); ++i) {
    const Step &x = a.steps[i], &y = b.steps[i];
    EXPECT_EQ(x.text.ko, y.text.ko) << where << " step " << i;
    EXPECT_EQ(x.text.en, y.text.en) << where << " step " << i;
    EXPECT_EQ(x.hint.ko, y.hint.ko) << where;
    EXPECT_EQ(x.unlock, y.unlock) << where;
    EXPECT_EQ(x.constraints, y.constraints) << where;
    ASSERT_EQ(x.goal.has_value(), y.goal.has_value()) << where;
    if (x.goal) {
      EXPECT_EQ(x.goal->metric, y.goal->metric);
      EXPECT_EQ(x.goal->at_least, y.goal->at_least);
      EXPECT_EQ(x.goal->at_most, y.goal->at_most);
    }
    ASSERT_EQ(x.quiz.has_value(), y.quiz.has_value()) << where;
    if (x.quiz) {
      EXPECT_EQ(x.quiz->question.ko, y.quiz->question.ko);
      EXPECT_EQ(x.quiz->choices_en, y.quiz->choices_en);
      EXPECT_EQ(x.quiz->answer, y.quiz->answer);
      EXPECT_EQ(x.quiz->explanation.en, y.quiz->explanation.en);
    }
  }
}

TEST(LessonWriter, EveryShippedLessonReadsBackTheSame) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(AISB_SOURCE_DIR) / "lessons")) {
    if (e.path().extension() != ".toml" || e.path().filename() == "course.toml") continue;
    const LessonResult first = load_lesson(e.path());
    ASSERT_TRUE(first.ok()) << e.path();
    const std::string text = write_lesson(first.lesson);
    const LessonResult again = parse_lesson(text, "written.toml");
    ASSERT_TRUE(again.ok()) << format_diagnostics(again, "written.toml") << "\n" << text;
    expect_same(first.lesson, again.lesson, e.path().string());
    ++n;
  }
  EXPECT_GE(n, 12);
}

TEST(LessonWriter, AwkwardTextSurvives) {
  LessonResult r = parse_lesson(R"(format = 1
id = "x"
title.en = "t"
[dataset]
source = "xor"
[model]
task = "classification"
layers = [{ type = "dense", units = 3, activation = "relu" }, { type = "dropout", rate = 0.25 }]
[training]
learning_rate = 0.1
[[steps]]
text.en = "plain"
)",
                                "x.toml");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "x.toml");
  Lesson l = r.lesson;
  l.title.ko = "따옴표 \" 와 역슬래시 \\ 그리고 \"\"\" 세 개";
  l.steps[0].text.en = "Line one\nwith \"\"\" inside, a tab\there, a \\ and \x01 control\n\n## heading";
  l.steps[0].text.ko = "한 줄";
  l.job.training.learning_rate = 0.1 + 0.2;  // not exactly 0.3: must come back bit for bit
  const LessonResult again = parse_lesson(write_lesson(l), "y.toml");
  ASSERT_TRUE(again.ok()) << format_diagnostics(again, "y.toml") << "\n" << write_lesson(l);
  expect_same(l, again.lesson, "awkward");
  EXPECT_EQ(lesson_id_from("My Spiral Net!! 2"), "my-spiral-net-2");
  EXPECT_EQ(lesson_id_from("나선 신경망"), "my-network");
  EXPECT_EQ(lesson_id_from("--a--b--"), "a-b");
}

}  // namespace aisb
