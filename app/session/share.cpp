#include "session/share.hpp"

#include <fstream>

#include "core/files.hpp"
#include "lesson/lesson_writer.hpp"
#include "session/keep_model.hpp"
#include "session/own_data.hpp"

namespace fs = std::filesystem;

namespace aisb::app {

Lesson shared_lesson(const JobSpec& job, const std::string& name, const std::string& step_ko,
                     const std::string& step_en) {
  Lesson l;
  l.id = lesson_id_from(name);
  l.title.ko = name;
  l.title.en = name;
  l.minutes = 10;
  l.tags = {"shared"};
  l.job = job;
  l.job.lesson = l.id;
  Step s;
  s.text.ko = "## " + name + "\n\n" + step_ko;
  s.text.en = "## " + name + "\n\n" + step_en;
  s.unlock = names::controls;
  l.steps.push_back(std::move(s));
  return l;
}

SaveResult save_lesson(const Lesson& lesson, const fs::path& dir, const TrainedModel* trained) {
  SaveResult r;
  r.file = dir / path_of_utf8(lesson.id + ".toml");
  const auto refuse = [&](const LessonResult& check) {
    r.problem = format_diagnostics(check, r.file.string(), "en");
    r.problem_text = {format_diagnostics(check, r.file.string(), "ko"), r.problem};
  };
  // The checker's word before anything is written: what we save must open.
  if (const LessonResult check = parse_lesson(write_lesson(lesson), r.file.string()); !check.ok()) {
    refuse(check);
    return r;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  // The data goes along, into data/ beside the lesson.
  Lesson saved = lesson;
  if (is_file_source(lesson.job.dataset)) {
    std::string why;
    const std::optional<std::string> source = copy_data_beside(lesson.job.dataset, dir, &why);
    if (!source) {
      r.problem = why;
      r.problem_text = {why, why};
      return r;
    }
    saved.job.dataset.source = *source;
  }
  // The trained weights beside it, written first: the lesson names them.
  // Its job is the lesson's, as a classmate's app reads it.
  fs::path model_file;
  if (trained != nullptr) {
    TrainedModel m = *trained;
    m.job = saved.job;
    m.job.dataset.location.clear();
    model_file = dir / path_of_utf8(lesson.id + kModelFileExtension);
    const KeepResult k = save_model_file(m, model_file);
    if (!k.ok) {
      r.problem = k.problem;
      r.problem_text = {k.problem, k.problem};
      return r;
    }
    saved.trained = model_file.filename().string();
  }
  const auto forget_model = [&] {
    if (!model_file.empty()) fs::remove(model_file, ec);
  };
  const std::string text = write_lesson(saved);
  fs::path tmp = r.file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) {
      forget_model();
      r.problem = "cannot write " + tmp.string();
      return r;
    }
  }
  // With its data and its weights beside it, it must open as a classmate
  // opens it.
  if (is_file_source(saved.job.dataset) || !saved.trained.empty()) {
    if (const LessonResult check = load_lesson(tmp); !check.ok()) {
      fs::remove(tmp, ec);
      forget_model();
      refuse(check);
      return r;
    }
  }
  fs::rename(tmp, r.file, ec);
  if (ec) {
    forget_model();
    r.problem = "cannot write " + r.file.string() + ": " + ec.message();
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace aisb::app
