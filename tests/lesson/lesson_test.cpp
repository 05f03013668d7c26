#include <gtest/gtest.h>

#include "lesson/lesson.hpp"

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

TEST(Lesson, MissingFile) {
  const LessonResult r = load_lesson("/nonexistent/lesson.toml");
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace aisb
