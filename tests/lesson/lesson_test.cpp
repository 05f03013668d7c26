#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/job_reader.hpp"
#include "core/messages.hpp"
#include "core/trained_model.hpp"
#include "lesson/lesson.hpp"
#include "lesson/lesson_writer.hpp"
#include "lesson/toml_syntax.hpp"

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
  EXPECT_NE(
      at(parse_lesson(with("unlock = [\"learning_rate\"]", "unlock = [\"learning_rat\"]"), "l"), "steps[0].unlock[0]"),
      nullptr);
  EXPECT_NE(at(parse_lesson(with("answer = 1", "answer = 2"), "l"), "steps[1].quiz.answer"), nullptr);
  EXPECT_NE(at(parse_lesson(with("metric = \"test_accuracy\"", "metric = \"test_mae\""), "l"), "steps[0].goal.metric"),
            nullptr);
  EXPECT_NE(
      at(parse_lesson(with("choices.ko = [\"가\", \"나\"]", "choices.ko = [\"가\"]"), "l"), "steps[1].quiz.choices"),
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
)",
                                      "l.toml");
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
)",
                                      "l.toml");
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

// The goal line of kGood with another goal in its place.
std::string with_goal(const std::string& goal) {
  return with("goal = { metric = \"test_accuracy\", at_least = 0.9 }", "goal = " + goal);
}

struct GoalCase {
  std::string goal;
  std::string path;     // where the error is
  std::string message;  // part of it
};

TEST(Lesson, ImpossibleGoalsAreErrorsThatSayWhy) {
  const std::vector<GoalCase> cases = {
      {R"({ metric = "test_accuracy", at_least = 95 })", "steps[0].goal.at_least",
       "test_accuracy goes from 0 to 1, not 0 to 100: for 95% write at_least = 0.95"},
      {R"({ metric = "train_accuracy", at_most = 150 })", "steps[0].goal.at_most",
       "train_accuracy is never above 1, so at_most = 150 cannot work as a goal"},
      {R"({ metric = "test_accuracy", at_least = 0.9, at_most = 0.5 })", "steps[0].goal.at_least",
       "at_least = 0.9 is above at_most = 0.5: no value can meet both"},
      {R"({ metric = "test_accuracy", at_least = -1 })", "steps[0].goal.at_least",
       "test_accuracy is never below 0, so at_least = -1 cannot work as a goal"},
      {R"({ metric = "epoch", at_least = -3 })", "steps[0].goal.at_least", "epoch is never below 0"},
      {R"({ metric = "test_loss", at_most = -0.1 })", "steps[0].goal.at_most", "test_loss is never below 0"},
      {R"({ metric = "test_loss", at_least = 0.1 })", "steps[0].goal.at_least",
       "test_loss is better when it is lower, so its goal is an upper limit: use at_most = 0.1 instead of at_least"},
      {R"({ metric = "train_loss", at_least = 0.01, at_most = 0.5 })", "steps[0].goal.at_least", "use at_most"},
  };
  for (const auto& c : cases) {
    const std::string text = with_goal(c.goal);
    const LessonResult r = parse_lesson(text, "l.toml");
    EXPECT_FALSE(r.ok()) << c.goal;
    const Diagnostic* d = at(r, c.path);
    ASSERT_NE(d, nullptr) << c.goal << "\n" << format_diagnostics(r, "l.toml");
    EXPECT_EQ(d->severity, Severity::error) << c.goal;
    EXPECT_NE(d->message.find(c.message), std::string::npos) << c.goal << "\n" << d->message;
    // FILE:LINE:COL of the bound's key, like every other checker error.
    const std::string key = c.path.substr(c.path.rfind('.') + 1);
    const int column = static_cast<int>(c.goal.find(key) + std::string("goal = ").size()) + 1;
    EXPECT_NE(format_diagnostics(r, "l.toml").find("l.toml:24:" + std::to_string(column) + ": error: " + c.path + ": "),
              std::string::npos)
        << format_diagnostics(r, "l.toml");
    EXPECT_FALSE(render_diagnostic(*d, "ko").empty());
    EXPECT_NE(render_diagnostic(*d, "ko"), d->message) << c.goal;
  }
  // Goals a run can meet stay fine.
  for (const std::string goal :
       {R"({ metric = "test_accuracy", at_least = 1 })", R"({ metric = "test_accuracy", at_least = 0, at_most = 1 })",
        R"({ metric = "test_loss", at_most = 0.1 })", R"({ metric = "test_accuracy", at_most = 0.6 })",
        R"({ metric = "epoch", at_least = 3 })"}) {
    const LessonResult r = parse_lesson(with_goal(goal), "l.toml");
    EXPECT_TRUE(r.ok()) << goal << "\n" << format_diagnostics(r, "l.toml");
  }
}

TEST(Lesson, RegressionGoalsAreCheckedToo) {
  std::string text = with("source = \"circle\"", "source = \"plane\"");
  text.replace(text.find("task = \"classification\""), 23, "task = \"regression\"");
  const auto check = [&](const std::string& goal) {
    std::string t = text;
    t.replace(t.find("goal = { metric = \"test_accuracy\", at_least = 0.9 }"), 51, "goal = " + goal);
    return parse_lesson(t, "l.toml");
  };
  const LessonResult fine = check(R"({ metric = "test_r2", at_least = 0.9 })");
  EXPECT_TRUE(fine.ok()) << format_diagnostics(fine, "l.toml");
  EXPECT_NE(at(check(R"({ metric = "test_r2", at_least = 90 })"), "steps[0].goal.at_least"), nullptr);
  const LessonResult below = check(R"({ metric = "test_r2", at_least = -0.5 })");
  ASSERT_NE(at(below, "steps[0].goal.at_least"), nullptr) << format_diagnostics(below, "l.toml");
  EXPECT_NE(at(below, "steps[0].goal.at_least")->message.find("always predicting the average"), std::string::npos);
  const LessonResult mae = check(R"({ metric = "test_mae", at_least = 0.2 })");
  ASSERT_NE(at(mae, "steps[0].goal.at_least"), nullptr) << format_diagnostics(mae, "l.toml");
  EXPECT_NE(at(mae, "steps[0].goal.at_least")->message.find("use at_most"), std::string::npos);
}

// An unclosed [, {, """, ''', " or ' is named where it starts, in plain words.
TEST(Lesson, UnclosedConstructsAreNamedWhereTheyStart) {
  struct Case {
    std::string text;
    int line, column;
    std::string message;
  };
  const std::string texts = with("text.ko = \"안녕\"\ntext.en = \"Hello\"",
                                 "text.ko = \"\"\"\n안녕\n\"\"\"\ntext.en = \"\"\"\nHello\n\"\"\"");
  std::string open_text = texts;  // the first text's closing """ is gone
  open_text.replace(open_text.find("안녕\n\"\"\"") + std::string("안녕\n").size(), 3, "");
  const std::vector<Case> cases = {
      {with("inputs = [\"x1\", \"x2\", \"x1_sq\"]", "inputs = [\"x1\", \"x2\", \"x1_sq\""), 13, 10,
       "the list opened on line 13 with `[` is never closed: add `]`"},
      // The list's last line is gone: the next table header comes while it is open.
      {with("layers = [ { type = \"dense\", units = 3, activation = \"relu\" } ]",
            "layers = [\n  { type = \"dense\", units = 3, activation = \"relu\" },"),
       14, 10, "the list opened on line 14 with `[` is never closed: add `]`"},
      {open_text, 21, 11, "the text opened on line 21 with `\"\"\"` is never closed: add `\"\"\"` where the text ends"},
      {kGood + "[solution]\n# '''\nmodel = { layers = [] }\nx = '''\nnever closed", 36, 5,
       "the text opened on line 36 with `'''` is never closed"},
      {with("source = \"circle\"", "source = \"circle"), 8, 10,
       "the text opened on line 8 with `\"` is never closed: add `\"` at its end"},
      {with("at_least = 0.9 }", "at_least = 0.9"), 24, 8,
       "the table opened on line 24 with `{` is never closed: add `}` on the same line"},
      {with("[training]", "[training"), 16, 1, "the table name on line 16 is never closed: add `]`"},
      {with("[[steps]]", "[[steps]"), 20, 1, "the table name on line 20 is never closed: add `]]`"},
  };
  for (const auto& c : cases) {
    const LessonResult r = parse_lesson(c.text, "l.toml");
    ASSERT_FALSE(r.ok()) << c.message;
    ASSERT_EQ(r.diags.all().size(), 1u) << format_diagnostics(r, "l.toml");
    EXPECT_NE(r.diags.all()[0].message.find(c.message), std::string::npos) << r.diags.all()[0].message;
    EXPECT_EQ(r.position_of("<toml>").line, c.line) << c.message;
    EXPECT_EQ(r.position_of("<toml>").column, c.column) << c.message;
    EXPECT_EQ(r.diags.all()[0].message.find("Error while parsing"), std::string::npos);
  }
  const LessonResult ko = parse_lesson(cases[0].text, "l.toml");
  EXPECT_NE(
      format_diagnostics(ko, "l.toml", "ko")
          .find("l.toml:13:10: error: 13번째 줄에서 `[`로 연 목록이 닫히지 않았습니다. 목록 끝에 `]`를 넣으세요."),
      std::string::npos)
      << format_diagnostics(ko, "l.toml", "ko");
}

TEST(Lesson, OtherSyntaxErrorsKeepTheParsersPositionInPlainWords) {
  const auto first = [](const std::string& text) {
    const LessonResult r = parse_lesson(text, "l.toml");
    EXPECT_EQ(r.diags.all().size(), 1u);
    return std::make_pair(r.position_of("<toml>"), r.diags.all().empty() ? std::string() : r.diags.all()[0].message);
  };
  const auto [p1, m1] = first(with("source = \"circle\"", "source = circle"));
  EXPECT_EQ(p1.line, 8);
  EXPECT_NE(m1.find("if it is text, put it in quotes"), std::string::npos) << m1;
  const auto [p2, m2] = first(with("epochs = 5", "epochs = 5\nepochs = 6"));
  EXPECT_EQ(p2.line, 19);
  EXPECT_EQ(m2, "'epochs' is defined twice: keep only one");
  const auto [p3, m3] = first(with("inputs = [\"x1\", \"x2\"", "inputs = [\"x1\" \"x2\""));
  EXPECT_EQ(p3.line, 13);
  EXPECT_NE(m3.find("need commas"), std::string::npos) << m3;
}

// The scan never cries wolf: every shipped lesson and course scans clean.
TEST(Lesson, ShippedFilesScanClean) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(AISB_SOURCE_DIR) / "lessons")) {
    if (e.path().extension() != ".toml") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::optional<SyntaxProblem> p = find_unclosed(text.str());
    EXPECT_FALSE(p.has_value()) << e.path() << ":" << (p ? p->line : 0) << ": "
                                << (p ? render_message(p->message, "en") : "");
    ++n;
  }
  EXPECT_GT(n, 10);
  EXPECT_FALSE(find_unclosed("a = \"x # not a comment\" # [\nb = '''\n[ \"\"\" { '''\nc = [\n  1, # ]\n  2,\n]\n"));
  EXPECT_FALSE(find_unclosed("t = \"\"\"\nq \\\"\"\" still text\n\"\"\"\"\"\nd = { e = [1, 2] }\n[[f]]\n"));
}

// The checker speaks Korean to a Korean author: every message, with the key's name.
TEST(Lesson, KoreanCheckOfABrokenLessonIsKorean) {
  std::string text = with("learning_rate = 0.1", "learning_rate = 20");
  text.replace(text.find("activation = \"relu\""), 19, "activation = \"rleu\"");
  text.replace(text.find("at_least = 0.9"), 14, "at_least = 95");
  text.replace(text.find("answer = 1"), 10, "answr = 1");
  const LessonResult r = parse_lesson(text, "l.toml");
  const std::string ko = format_diagnostics(r, "l.toml", "ko");
  EXPECT_NE(ko.find("l.toml:17:1: error: 학습률(training.learning_rate): 0보다 크고 10 이하여야 합니다. 지금 값: 20"),
            std::string::npos)
      << ko;
  EXPECT_NE(ko.find("활성화 함수(model.layers[0].activation): 알 수 없는 값입니다: 'rleu' (혹시 'relu' 아닌가요?)"),
            std::string::npos)
      << ko;
  EXPECT_NE(ko.find("목표 하한(steps[0].goal.at_least): test_accuracy의 값은 0에서 100이 아니라 0에서 1 사이입니다. "
                    "95%를 뜻했다면 이렇게 쓰세요: at_least = 0.95"),
            std::string::npos)
      << ko;
  EXPECT_NE(ko.find("steps[1].quiz.answr: 알 수 없는 항목입니다: 'answr' (혹시 'answer' 아닌가요?)"), std::string::npos)
      << ko;
  EXPECT_NE(ko.find("정답 번호(steps[1].quiz.answer): 'answer' 항목이 빠졌습니다."), std::string::npos) << ko;
  // No English sentence is left.
  for (const char* english : {"must be", "unknown", "did you mean", "missing", "goes from"}) {
    EXPECT_EQ(ko.find(english), std::string::npos) << english << "\n" << ko;
  }
  // The English view is what it always was.
  EXPECT_NE(format_diagnostics(r, "l.toml")
                .find("l.toml:17:1: error: training.learning_rate: must be greater than 0 and at most 10, got 20"),
            std::string::npos);
  for (const auto& d : r.diags.all()) EXPECT_FALSE(d.key.empty()) << d.path << ": " << d.message;
}

TEST(Lesson, EveryMetricHasANameInBothLanguages) {
  for (const auto& m : names::metrics) EXPECT_NE(find_message("metric." + m), nullptr) << m;
}

TEST(Course, ReadsAndChecks) {
  const CourseResult good = parse_course(R"(format = 1
id = "basics"
title.ko = "기초"
title.en = "Basics"
lessons = ["a.toml", "b.toml"]
)",
                                         "course.toml");
  ASSERT_TRUE(good.ok()) << format_diagnostics(good, "course.toml");
  EXPECT_EQ(good.course.lessons, (std::vector<std::string>{"a.toml", "b.toml"}));
  const CourseResult bad = parse_course(R"(format = 1
id = "Basics!"
title.en = "Basics"
lessons = ["a.toml", "../b.toml", "a.toml", "c.txt"]
lesons = 1
)",
                                        "course.toml");
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

// A lesson with trained weights: `trained = "FILE.aimodel"` beside it.
class TrainedLesson : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("aisb-trained-lesson-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  // A model file for `lesson_text`'s network, every weight `value`.
  void write_model(const std::string& lesson_text, const std::string& name, float value) {
    const LessonResult r = parse_lesson(lesson_text, "m.toml");
    ASSERT_TRUE(r.ok());
    Diagnostics diags;
    const ModelInfo info = describe_model(r.lesson.job, diags);
    WeightSet weights;
    for (const auto& layer : info.layers)
      for (const auto& p : layer.param_list)
        weights.push_back({p.name, p.shape, std::vector<float>(static_cast<size_t>(shape_elements(p.shape)), value)});
    std::ofstream(dir / name) << model_file_text(make_trained_model(r.lesson.job, weights));
  }
  LessonResult load(const std::string& trained_line) {
    std::ofstream(dir / "lesson.toml") << with("minutes = 5\n", "minutes = 5\n" + trained_line + "\n");
    return load_lesson(dir / "lesson.toml");
  }
  static std::string error_at_trained(const LessonResult& r) {
    for (const auto& d : r.diags.all())
      if (d.path == "trained") return d.message;
    return "";
  }
};

TEST_F(TrainedLesson, OpensWithTheFilesWeights) {
  write_model(kGood, "trained.aimodel", 0.25F);
  const LessonResult r = load("trained = \"trained.aimodel\"");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "lesson.toml");
  ASSERT_TRUE(r.lesson.trained_model);
  EXPECT_EQ(r.lesson.trained, "trained.aimodel");
  EXPECT_EQ(r.lesson.trained_model->weights.front().data.front(), 0.25F);
  // The writer keeps the key.
  const LessonResult back = parse_lesson(write_lesson(r.lesson), "back.toml");
  EXPECT_EQ(back.lesson.trained, "trained.aimodel");
}

TEST_F(TrainedLesson, AnotherNetworkMissingOrOutsideIsAnErrorAtTheKey) {
  write_model(with("units = 3", "units = 4"), "other.aimodel", 0.1F);
  LessonResult r = load("trained = \"other.aimodel\"");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(error_at_trained(r).find("another network"), std::string::npos) << error_at_trained(r);
  r = load("trained = \"nothing.aimodel\"");
  EXPECT_NE(error_at_trained(r).find("cannot open"), std::string::npos) << error_at_trained(r);
  std::ofstream(dir / "cut.aimodel") << "{\"aisandbox_model\": 1, \"job\"";
  r = load("trained = \"cut.aimodel\"");
  EXPECT_NE(error_at_trained(r).find("not an AI Sandbox model file"), std::string::npos) << error_at_trained(r);
  r = load("trained = \"../secret.aimodel\"");
  EXPECT_NE(error_at_trained(r).find("inside the lesson's folder"), std::string::npos) << error_at_trained(r);
  // A link in the folder that leads out of it is refused as well.
  const fs::path outside = dir.parent_path() / ("aisb-outside-" + std::to_string(::getpid()) + ".aimodel");
  fs::copy_file(dir / "other.aimodel", outside, fs::copy_options::overwrite_existing);
  fs::create_symlink(outside, dir / "link.aimodel");
  r = load("trained = \"link.aimodel\"");
  fs::remove(outside);
  EXPECT_NE(error_at_trained(r).find("inside the lesson's folder"), std::string::npos) << error_at_trained(r);
  // Placed at its line, like every problem of the file.
  EXPECT_NE(format_diagnostics(r, "lesson.toml").find("lesson.toml:6:"), std::string::npos)
      << format_diagnostics(r, "lesson.toml");
}

// Steps that open a view (issue 15): `view` and `sample`, checked against the
// lesson's network and data at the step's key.
const std::string kSteel = R"(format = 1
id = "views"
title.en = "Views"
title.ko = "보기"

[dataset]
source = "steel-defects"
samples = 40
test_fraction = 0.25

[model]
task = "classification"
layers = [ { type = "conv2d", filters = 2, kernel = 3 }, { type = "flatten" } ]

[training]
learning_rate = 0.01
epochs = 1
)";  // 10 test samples; the first step starts on line 19

const std::string kBattery = R"(format = 1
id = "seq"
title.en = "Sequence"
title.ko = "시계열"

[dataset]
source = "battery-fade"
samples = 40
test_fraction = 0.25

[model]
task = "regression"
layers = [ { type = "lstm", units = 4 } ]

[training]
learning_rate = 0.01
epochs = 1
)";

// A step with a text and `extra` (its view at line 22 when `extra` starts with it).
std::string step(const std::string& extra) {
  return "\n[[steps]]\ntext.en = \"a\"\ntext.ko = \"가\"\n" + extra;
}

std::string message_at(const LessonResult& r, const std::string& path) {
  const Diagnostic* d = at(r, path);
  return d != nullptr ? d->message : "(no problem at " + path + ")\n" + format_diagnostics(r, "l.toml");
}

TEST(LessonViews, BothFormsOfSampleAreRead) {
  const LessonResult r = parse_lesson(kSteel + step("view = \"filters\"\n") + step("view = \"maps\"\nsample = 10\n") +
                                          step("view = \"saliency\"\nsample = \"scratches\"\n") +
                                          step("view = \"mistakes\"\n") + step("view = \"model\"\n") + step(""),
                                      "l.toml");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "l.toml");
  const auto& s = r.lesson.steps;
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].view, "filters");
  EXPECT_FALSE(s[0].sample);
  EXPECT_EQ(s[1].view, "maps");
  ASSERT_TRUE(s[1].sample);
  EXPECT_EQ(s[1].sample->number, 10);  // the last of 40 x 0.25 test samples
  EXPECT_EQ(s[1].sample->class_name, "");
  ASSERT_TRUE(s[2].sample);
  EXPECT_EQ(s[2].sample->class_name, "scratches");
  EXPECT_EQ(s[2].sample->number, 0);
  EXPECT_EQ(s[4].view, "model");
  EXPECT_EQ(s[5].view, "");
  EXPECT_FALSE(s[5].sample);
  // A digit's class is its digit, as text: sample = "7" is the first 7, sample = 7 the seventh test image.
  std::string digits = kSteel + step("view = \"maps\"\nsample = \"7\"\n");
  digits.replace(digits.find("steel-defects"), 13, "digits");
  const LessonResult d = parse_lesson(digits, "d.toml");
  ASSERT_TRUE(d.ok()) << format_diagnostics(d, "d.toml");
  EXPECT_EQ(d.lesson.steps[0].sample->class_name, "7");
  // Sequences and tables: predictions against the truth, by number.
  const LessonResult b = parse_lesson(kBattery + step("view = \"predictions\"\nsample = 3\n"), "b.toml");
  ASSERT_TRUE(b.ok()) << format_diagnostics(b, "b.toml");
  EXPECT_EQ(b.lesson.steps[0].view, "predictions");
  EXPECT_EQ(b.lesson.steps[0].sample->number, 3);
}

TEST(LessonViews, AnUnknownViewGetsASuggestionAtItsKey) {
  const LessonResult r = parse_lesson(kSteel + step("view = \"filter\"\nsample = 3\n"), "l.toml");
  EXPECT_FALSE(r.ok());
  const std::string out = format_diagnostics(r, "l.toml");
  EXPECT_NE(out.find("l.toml:22:1: error: steps[0].view: unknown value 'filter' (did you mean 'filters'?); use model, "
                     "filters, maps, saliency, mistakes or predictions"),
            std::string::npos)
      << out;
  EXPECT_EQ(r.diags.error_count(), 1u) << out;  // not again at the sample
}

TEST(LessonViews, ConvViewsNeedAConvLayer) {
  for (const std::string view : {"filters", "maps", "saliency"}) {
    const LessonResult r = parse_lesson(kGood + step("view = \"" + view + "\"\n"), "l.toml");
    EXPECT_NE(message_at(r, "steps[2].view").find("shows what conv2d layers learned"), std::string::npos) << view;
    // kGood ends on line 32; this step's view is on line 37.
    EXPECT_NE(format_diagnostics(r, "l.toml").find("l.toml:37:1: error: steps[2].view: the view '" + view + "'"),
              std::string::npos)
        << format_diagnostics(r, "l.toml");
  }
}

TEST(LessonViews, MistakesNeedImageClassesAndPredictionsOtherData) {
  LessonResult r = parse_lesson(kGood + step("view = \"mistakes\"\n"), "l.toml");  // points
  EXPECT_NE(message_at(r, "steps[2].view").find("classification lesson on images"), std::string::npos);
  r = parse_lesson(kBattery + step("view = \"mistakes\"\n"), "l.toml");  // a sequence regression
  EXPECT_NE(message_at(r, "steps[0].view").find("classification lesson on images"), std::string::npos);
  EXPECT_EQ(r.position_of("steps[0].view").line, 22);
  r = parse_lesson(kSteel + step("view = \"predictions\"\n"), "l.toml");
  EXPECT_NE(message_at(r, "steps[0].view").find("for sequence and table lessons"), std::string::npos);
  EXPECT_NE(format_diagnostics(r, "l.toml").find("l.toml:22:1: error: steps[0].view:"), std::string::npos);
  // The layer list fits every lesson.
  EXPECT_TRUE(parse_lesson(kGood + step("view = \"model\"\n"), "l.toml").ok());
}

TEST(LessonViews, ASampleNeedsAViewThatShowsOne) {
  LessonResult r = parse_lesson(kSteel + step("sample = 3\n"), "l.toml");
  EXPECT_NE(message_at(r, "steps[0].sample")
                .find("a sample is shown in a view: add a view that shows one (maps, "
                      "saliency or predictions)"),
            std::string::npos)
      << message_at(r, "steps[0].sample");
  EXPECT_NE(format_diagnostics(r, "l.toml").find("l.toml:22:1: error: steps[0].sample:"), std::string::npos);
  r = parse_lesson(kSteel + step("view = \"filters\"\nsample = \"scratches\"\n"), "l.toml");
  EXPECT_NE(message_at(r, "steps[0].sample").find("the view 'filters' does not show one sample"), std::string::npos);
  EXPECT_EQ(r.position_of("steps[0].sample").line, 23);
  r = parse_lesson(kSteel + step("view = \"mistakes\"\nsample = 2\n"), "l.toml");
  EXPECT_NE(message_at(r, "steps[0].sample").find("the view 'mistakes' does not show one sample"), std::string::npos);
  r = parse_lesson(kSteel + step("view = \"maps\"\nsample = 2.5\n"), "l.toml");
  EXPECT_NE(message_at(r, "steps[0].sample").find("expected a sample number or a class name, got"), std::string::npos)
      << message_at(r, "steps[0].sample");
}

TEST(LessonViews, SampleNumbersStayInTheTestSplit) {
  LessonResult r = parse_lesson(kSteel + step("view = \"maps\"\nsample = 0\n"), "l.toml");
  EXPECT_NE(format_diagnostics(r, "l.toml")
                .find("l.toml:23:1: error: steps[0].sample: samples are numbered from 1 (#1 is the first test "
                      "sample), got 0"),
            std::string::npos)
      << format_diagnostics(r, "l.toml");
  r = parse_lesson(kSteel + step("view = \"maps\"\nsample = 11\n"), "l.toml");
  EXPECT_NE(format_diagnostics(r, "l.toml")
                .find("l.toml:23:1: error: steps[0].sample: the test split has 10 samples, so there is no sample #11: "
                      "use 1 to 10"),
            std::string::npos)
      << format_diagnostics(r, "l.toml");
  // The split's size is the data set's own rule: 41 x 0.25 = 10.25 gives 10 test samples, 42 x 0.25 = 10.5 gives 11.
  std::string more = kSteel + step("view = \"maps\"\nsample = 11\n");
  more.replace(more.find("samples = 40"), 12, "samples = 41");
  EXPECT_FALSE(parse_lesson(more, "l.toml").ok());
  EXPECT_EQ(test_samples_of(41, 0.25), 10);
  more.replace(more.find("samples = 41"), 12, "samples = 42");
  EXPECT_TRUE(parse_lesson(more, "l.toml").ok()) << format_diagnostics(parse_lesson(more, "l.toml"), "l.toml");
  EXPECT_EQ(test_split_size(parse_lesson(more, "l.toml").lesson.job), 11);
}

TEST(LessonViews, ClassNamesAreTheLessonsOwn) {
  LessonResult r = parse_lesson(kSteel + step("view = \"saliency\"\nsample = \"scratch\"\n"), "l.toml");
  EXPECT_NE(format_diagnostics(r, "l.toml")
                .find("l.toml:23:1: error: steps[0].sample: 'scratch' is not a class of this lesson (did you mean "
                      "'scratches'?); use a sample number or crazing, inclusion, patches, pitted, rolled-in scale or "
                      "scratches"),
            std::string::npos)
      << format_diagnostics(r, "l.toml");
  r = parse_lesson(kBattery + step("view = \"predictions\"\nsample = \"new\"\n"), "l.toml");
  EXPECT_NE(message_at(r, "steps[0].sample").find("a regression lesson has no classes"), std::string::npos);
}

TEST(LessonViews, KoreanAuthorsReadKorean) {
  std::string text = kSteel + step("view = \"filter\"\n") + step("view = \"maps\"\nsample = 99\n") +
                     step("sample = \"scratch\"\n") + step("view = \"predictions\"\n");
  const LessonResult r = parse_lesson(text, "l.toml");
  const std::string ko = format_diagnostics(r, "l.toml", "ko");
  EXPECT_NE(
      ko.find("l.toml:22:1: error: 보기(steps[0].view): 알 수 없는 값입니다: 'filter' (혹시 'filters' 아닌가요?)"),
      std::string::npos)
      << ko;
  EXPECT_NE(ko.find("샘플(steps[1].sample): 테스트 데이터는 10개뿐이라 #99 샘플은 없습니다."), std::string::npos) << ko;
  EXPECT_NE(ko.find("샘플(steps[2].sample): 샘플은 보기 안에서 보여 줍니다."), std::string::npos) << ko;
  EXPECT_NE(ko.find("샘플(steps[2].sample): 이 수업에 없는 클래스입니다: 'scratch' (혹시 'scratches' 아닌가요?)"),
            std::string::npos)
      << ko;
  EXPECT_NE(ko.find("보기(steps[3].view): 'predictions' 보기는"), std::string::npos) << ko;
  for (const char* english : {"unknown", "did you mean", "the view", "sample is", "test split"}) {
    EXPECT_EQ(ko.find(english), std::string::npos) << english << "\n" << ko;
  }
}

// A file's classes and count come with its data: checked by load_lesson once
// the data is read, and never guessed before.
TEST(LessonViews, FileDataIsCheckedOnceRead) {
  const fs::path dir = fs::temp_directory_path() / ("aisb-views-" + std::to_string(::getpid()));
  fs::create_directories(dir / "data");
  {
    std::ofstream csv(dir / "data" / "t.csv");
    csv << "a,b,kind\n";
    for (int i = 0; i < 12; ++i) csv << i << "," << (i * 7) % 5 << "," << (i % 2 ? "좋음" : "나쁨") << "\n";
  }
  const std::string base = R"(format = 1
id = "csv"
title.en = "CSV"
title.ko = "표"
[dataset]
source = "csv:data/t.csv"
target = "kind"
test_fraction = 0.25
[model]
task = "classification"
layers = [ { type = "dense", units = 3 } ]
[training]
learning_rate = 0.1
)";
  const auto load = [&](const std::string& extra) {
    std::ofstream(dir / "l.toml") << base + step(extra);
    return load_lesson(dir / "l.toml");
  };
  // 12 rows, 3 of them test samples.
  EXPECT_TRUE(load("view = \"predictions\"\nsample = 3\n").ok());
  EXPECT_TRUE(load("view = \"predictions\"\nsample = \"좋음\"\n").ok());
  LessonResult r = load("view = \"predictions\"\nsample = 4\n");
  EXPECT_NE(message_at(r, "steps[0].sample").find("the test split has 3 samples"), std::string::npos)
      << message_at(r, "steps[0].sample");
  EXPECT_NE(format_diagnostics(r, "l.toml").find("l.toml:19:1: error: steps[0].sample:"), std::string::npos)
      << format_diagnostics(r, "l.toml");
  r = load("view = \"predictions\"\nsample = \"보통\"\n");
  EXPECT_NE(message_at(r, "steps[0].sample").find("use a sample number or 나쁨 or 좋음"), std::string::npos)
      << message_at(r, "steps[0].sample");
  // Without the file the count and the classes are unknown: no guess.
  EXPECT_TRUE(parse_lesson(base + step("view = \"predictions\"\nsample = 400\n"), "l.toml").ok());
  EXPECT_TRUE(parse_lesson(base + step("view = \"predictions\"\nsample = \"보통\"\n"), "l.toml").ok());
  EXPECT_FALSE(parse_lesson(base + step("view = \"mistakes\"\n"), "l.toml").ok());
  fs::remove_all(dir);
}

TEST(LessonViews, TheWriterKeepsViewAndSample) {
  const LessonResult r =
      parse_lesson(kSteel + step("view = \"filters\"\n") + step("view = \"maps\"\nsample = 4\n") +
                       step("view = \"saliency\"\nsample = \"rolled-in scale\"\nunlock = [\"epochs\"]\n"),
                   "l.toml");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "l.toml");
  const std::string text = write_lesson(r.lesson);
  EXPECT_NE(text.find("view = \"maps\"\nsample = 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sample = \"rolled-in scale\"\n"), std::string::npos) << text;
  const LessonResult again = parse_lesson(text, "again.toml");
  ASSERT_TRUE(again.ok()) << format_diagnostics(again, "again.toml") << "\n" << text;
  ASSERT_EQ(again.lesson.steps.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again.lesson.steps[i].view, r.lesson.steps[i].view) << i;
    EXPECT_EQ(again.lesson.steps[i].sample, r.lesson.steps[i].sample) << i;
  }
  EXPECT_EQ(again.lesson.steps[2].unlock, std::vector<std::string>{"epochs"});
}

TEST(LessonViews, EveryViewHasANameAndTheDocsListIt) {
  std::ifstream in(fs::path(AISB_SOURCE_DIR) / "docs" / "lesson-format.md");
  std::stringstream doc;
  doc << in.rdbuf();
  for (const auto& v : names::views) EXPECT_NE(doc.str().find("`" + v + "`"), std::string::npos) << v;
  for (const auto& v : names::sample_views) {
    EXPECT_NE(std::find(names::views.begin(), names::views.end(), v), names::views.end()) << v;
  }
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
    EXPECT_EQ(x.view, y.view) << where << " step " << i;
    EXPECT_EQ(x.sample, y.sample) << where << " step " << i;
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
    LessonResult again = parse_lesson(text, "written.toml");
    ASSERT_TRUE(again.ok()) << format_diagnostics(again, "written.toml") << "\n" << text;
    if (is_file_source(again.lesson.job.dataset)) {  // its file, read as load_lesson would beside it
      ASSERT_TRUE(resolve_data(again.lesson.job, e.path().parent_path(), again.diags)) << e.path();
      if (again.lesson.solution) again.lesson.solution->dataset = again.lesson.job.dataset;
    }
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
