// Every shipped lesson: both languages, a solution, and a solution that
// reaches every goal. This is `make test` training the course.
#include <gtest/gtest.h>

#include <filesystem>

#include "backend/solution.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> shipped_lessons() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(AISB_SOURCE_DIR) / "lessons")) {
    if (e.path().extension() == ".toml" && e.path().filename() != "course.toml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ShippedLesson : public ::testing::TestWithParam<fs::path> {};

TEST_P(ShippedLesson, IsCleanBilingualAndItsSolutionReachesEveryGoal) {
  const LessonResult r = load_lesson(GetParam());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, GetParam().string());
  // Notes (what a file's empty cells cost) are reports, not problems.
  EXPECT_EQ(r.diags.warning_count(), 0u) << "the shipped course has no warnings (every text in ko and en):\n"
                                         << format_diagnostics(r, GetParam().string());
  ASSERT_TRUE(r.lesson.solution.has_value()) << "every shipped lesson has a [solution]";
  const SolutionReport report = run_solution(r.lesson);
  EXPECT_EQ(report.reason, "completed") << report.message;
  for (const auto& g : report.goals) EXPECT_TRUE(g.reached) << "steps[" << g.step << "]: " << describe_shortfall(g);
}

INSTANTIATE_TEST_SUITE_P(Lessons, ShippedLesson, ::testing::ValuesIn(shipped_lessons()), [](const auto& info) {
  std::string name = info.param.stem().string();
  for (auto& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
});

TEST(ShippedCourses, EachListsEveryLessonOfItsFolderInOrder) {
  int courses = 0;
  for (const auto& dir : fs::directory_iterator(fs::path(AISB_SOURCE_DIR) / "lessons")) {
    if (!dir.is_directory()) continue;
    const CourseResult c = load_course(dir.path() / "course.toml");
    ASSERT_TRUE(c.ok()) << dir.path() << ":\n" << format_diagnostics(c, "course.toml");
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      files += e.path().extension() == ".toml" && e.path().filename() != "course.toml";
    }
    EXPECT_EQ(c.course.lessons.size(), files) << dir.path();
    EXPECT_TRUE(std::is_sorted(c.course.lessons.begin(), c.course.lessons.end())) << dir.path();
    ++courses;
  }
  EXPECT_GE(courses, 2);
}

TEST(Solution, ReportsAGoalItMisses) {
  LessonResult r = parse_lesson(R"(format = 1
id = "hard"
title.en = "Hard"
[dataset]
source = "spiral"
[model]
task = "classification"
[training]
learning_rate = 0.03
epochs = 3
[[steps]]
text.en = "Go"
goal = { metric = "test_accuracy", at_least = 0.99 }
[[steps]]
text.en = "Low loss"
goal = { metric = "train_loss", at_most = 0.001 }
[solution]
)",
                                "hard.toml");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "hard.toml");
  const SolutionReport report = run_solution(r.lesson);
  ASSERT_EQ(report.goals.size(), 2u);
  EXPECT_FALSE(report.all_reached());
  EXPECT_FALSE(report.goals[0].reached);
  ASSERT_TRUE(report.goals[0].best);
  EXPECT_LT(*report.goals[0].best, 0.99);
  EXPECT_NE(describe_shortfall(report.goals[0]).find("not at least 0.99"), std::string::npos);
  EXPECT_NE(describe_shortfall(report.goals[1]).find("not at most 0.001"), std::string::npos);
}

}  // namespace
}  // namespace aisb
