#include "session/progress.hpp"
#include "core/user_dirs.hpp"

#include "core/files.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::app {

bool LessonProgress::has(int step_index) const {
  return std::find(reached.begin(), reached.end(), step_index) != reached.end();
}

void LessonProgress::mark(int step_index) {
  if (!has(step_index)) {
    reached.push_back(step_index);
    std::sort(reached.begin(), reached.end());
  }
}

void LessonProgress::mark_goal(int step_index) {
  mark(step_index);
  if (std::find(goals.begin(), goals.end(), step_index) == goals.end()) {
    goals.push_back(step_index);
    std::sort(goals.begin(), goals.end());
  }
}

NextBlocker next_blocker(const Lesson& lesson, int step, const LessonProgress& progress) {
  if (step < 0 || static_cast<size_t>(step) >= lesson.steps.size()) return NextBlocker::none;
  const Step& s = lesson.steps[static_cast<size_t>(step)];
  const bool goals = lesson.require == "goals" || lesson.require == "both";
  const bool quizzes = lesson.require == "quizzes" || lesson.require == "both";
  if (goals && s.goal) {
    // Progress kept before goals were recorded apart: a step without a quiz
    // was marked by its goal.
    const bool reached = std::find(progress.goals.begin(), progress.goals.end(), step) != progress.goals.end() ||
                         (progress.has(step) && !s.quiz);
    if (!reached) return NextBlocker::goal;
  }
  if (quizzes && s.quiz) {
    const auto it = progress.answers.find(step);
    if (it == progress.answers.end() || it->second != s.quiz->answer) return NextBlocker::quiz;
  }
  return NextBlocker::none;
}

fs::path ProgressStore::default_file() {
  return user_dir(UserDir::state) / "progress.json";
}

ProgressStore::ProgressStore(fs::path file) : file_(std::move(file)) {
  std::error_code ec;
  if (!fs::exists(file_, ec)) return;
  std::ifstream in(file_, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const json j = parse_json(ss.str());
  bool ok = j.is_object() && j.contains("lessons") && j["lessons"].is_object();
  if (ok) {
    try {
      for (const auto& [id, v] : j["lessons"].items()) {
        LessonProgress p;
        p.step = v.value("step", 0);
        p.reached = v.value("reached", std::vector<int>{});
        p.goals = v.value("goals", std::vector<int>{});
        p.completed = v.value("completed", false);
        if (v.contains("answers")) {
          for (const auto& [k, a] : v["answers"].items()) p.answers[std::stoi(k)] = a.get<int>();
        }
        lessons_[id] = p;
      }
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) {
    lessons_.clear();
    fs::path bad = file_;
    bad += ".bad";
    fs::rename(file_, bad, ec);
    error_ = file_.string() + " could not be read; it was kept as " + file_.string() + ".bad";
  }
}

LessonProgress ProgressStore::get(const std::string& lesson_id) const {
  auto it = lessons_.find(lesson_id);
  return it == lessons_.end() ? LessonProgress{} : it->second;
}

bool ProgressStore::put(const std::string& lesson_id, const LessonProgress& p) {
  auto it = lessons_.find(lesson_id);
  if (it != lessons_.end() && it->second == p) return true;
  lessons_[lesson_id] = p;
  return write();
}

bool ProgressStore::write() {
  json lessons = json::object();
  for (const auto& [id, p] : lessons_) {
    json answers = json::object();
    for (const auto& [step, choice] : p.answers) answers[std::to_string(step)] = choice;
    lessons[id] = {
        {"step", p.step}, {"reached", p.reached}, {"goals", p.goals}, {"answers", answers}, {"completed", p.completed}};
  }
  const std::string text = json{{"format", 1}, {"lessons", lessons}}.dump(2) + "\n";
  std::error_code ec;
  fs::create_directories(file_.parent_path(), ec);
  const bool ok = write_file_atomically(file_, text, 0644, &error_);
  if (ok) error_.clear();
  return ok;
}

}  // namespace aisb::app
