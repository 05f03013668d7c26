#include "session/share.hpp"

#include <fstream>

#include "lesson/lesson_writer.hpp"

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

SaveResult save_lesson(const Lesson& lesson, const fs::path& dir) {
  SaveResult r;
  const std::string text = write_lesson(lesson);
  r.file = dir / (lesson.id + ".toml");
  // The checker's word before anything is written: what we save must open.
  const LessonResult check = parse_lesson(text, r.file.string());
  if (!check.ok()) {
    r.problem = format_diagnostics(check, r.file.string(), "en");
    r.problem_text = {format_diagnostics(check, r.file.string(), "ko"), r.problem};
    return r;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path tmp = r.file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) {
      r.problem = "cannot write " + tmp.string();
      return r;
    }
  }
  fs::rename(tmp, r.file, ec);
  if (ec) {
    r.problem = "cannot write " + r.file.string() + ": " + ec.message();
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace aisb::app
