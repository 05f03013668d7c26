// "Save as lesson": the student's current network, data and settings as a
// lesson file with one free step, checked by the lesson reader before it is
// written (atomically) into their lessons folder. No UI.
#pragma once

#include <filesystem>
#include <string>

#include "lesson/lesson.hpp"

namespace aisb::app {

struct SaveResult {
  bool ok = false;
  std::filesystem::path file;
  std::string problem;     // when not ok (English)
  LocalText problem_text;  // ... in both languages, for the screen
};

// `step_ko` / `step_en`: what the one step says, under a heading of the name.
Lesson shared_lesson(const JobSpec& job, const std::string& name, const std::string& step_ko,
                     const std::string& step_en);

// Writes `lesson` as DIR/<id>.toml (replacing one of the same id). A lesson
// on a file of its own (csv:, images:, read from dataset.location) gets a
// copy of it in DIR/data/ (own_data.hpp, copy_data_beside), so that the
// folder is all a classmate needs; the lesson names the copy. With
// `trained` (a model of the lesson's network), the weights go along too:
// DIR/<id>.aimodel and `trained = "<id>.aimodel"`, so the lesson opens as
// at the end of that run.
SaveResult save_lesson(const Lesson& lesson, const std::filesystem::path& dir, const TrainedModel* trained = nullptr);

}  // namespace aisb::app
