// A student's progress through lessons, kept on this computer: which step
// each lesson is at, which goals were reached and which quizzes answered.
// Every change is written at once, atomically (a new file renamed over the
// old), so a crash or a pulled plug loses at most the change being made.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lesson/lesson.hpp"

namespace aisb::app {

struct LessonProgress {
  int step = 0;                // the step the student is on
  std::vector<int> reached;    // steps whose goal was reached or quiz answered right
  std::vector<int> goals;      // steps whose goal was reached (a step can have a quiz too)
  std::map<int, int> answers;  // step -> the choice picked in its quiz
  bool completed = false;      // every step done
  [[nodiscard]] bool has(int step_index) const;
  void mark(int step_index);
  // The step's goal was reached: marks the step, and its goal.
  void mark_goal(int step_index);
  bool operator==(const LessonProgress&) const = default;
};

// What keeps the student on `step` under the lesson's [navigation] require
// (lesson.require): nothing, the step's goal (not reached yet) or its quiz
// (not answered right yet). A goal reached once stays reached, even when a
// later change of the network loses it again; steps without a goal or a
// quiz never hold anyone back.
enum class NextBlocker { none, goal, quiz };
NextBlocker next_blocker(const Lesson& lesson, int step, const LessonProgress& progress);

class ProgressStore {
 public:
  // Reads `file` if it exists. A file that cannot be read is kept aside as
  // FILE.bad (never overwritten silently) and the store starts empty.
  explicit ProgressStore(std::filesystem::path file);
  // $XDG_STATE_HOME/aisandbox/progress.json (default ~/.local/state/...).
  static std::filesystem::path default_file();

  [[nodiscard]] LessonProgress get(const std::string& lesson_id) const;
  // Stores and writes at once; false (with error()) when it cannot be written.
  bool put(const std::string& lesson_id, const LessonProgress& p);
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  bool write();

  std::filesystem::path file_;
  std::map<std::string, LessonProgress> lessons_;
  std::string error_;
};

}  // namespace aisb::app
