#include "session/library.hpp"
#include "core/files.hpp"
#include "core/user_dirs.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <unistd.h>

namespace fs = std::filesystem;

namespace aisb::app {

const LibraryLesson* Library::first_lesson() const {
  for (const auto& c : courses)
    for (const auto& l : c.lessons)
      if (l.lesson) return &l;
  for (const auto& l : loose)
    if (l.lesson) return &l;
  return nullptr;
}

size_t Library::size() const {
  size_t n = loose.size();
  for (const auto& c : courses) n += c.lessons.size();
  return n;
}

LibraryLesson load_library_lesson(const fs::path& file) {
  LibraryLesson l;
  l.file = file;
  LessonResult r = load_lesson(file);
  if (r.ok()) {
    l.lesson = std::move(r.lesson);
  } else {
    const auto first = [&](const char* lang) {
      const std::string all = format_diagnostics(r, file.string(), lang);
      return all.substr(0, all.find('\n'));
    };
    l.problem = first("en");
    l.problem_text = {first("ko"), l.problem};
  }
  return l;
}

Library scan_library(const fs::path& root) {
  Library lib;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return lib;
  std::vector<fs::path> course_files, lesson_files;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".toml") continue;
    (it->path().filename() == "course.toml" ? course_files : lesson_files).push_back(it->path());
  }
  std::sort(course_files.begin(), course_files.end());
  std::sort(lesson_files.begin(), lesson_files.end());
  std::set<fs::path> in_course;
  for (const auto& cf : course_files) {
    CourseResult r = load_course(cf);
    if (!r.ok()) continue;
    LibraryCourse c;
    c.dir = cf.parent_path();
    c.course = r.course;
    for (const auto& rel : r.course.lessons) {
      const fs::path file = (c.dir / path_of_utf8(rel)).lexically_normal();
      in_course.insert(file);
      c.lessons.push_back(load_library_lesson(file));
    }
    lib.courses.push_back(std::move(c));
  }
  for (const auto& f : lesson_files) {
    if (in_course.count(f.lexically_normal()) == 0) lib.loose.push_back(load_library_lesson(f));
  }
  return lib;
}

fs::path find_data_dir(const std::string& name, std::string* looked) {
  std::vector<fs::path> candidates;
  const fs::path exe = program_dir();
#if defined(AISB_SOURCE_DIR) && defined(AISB_BUILD_DIR)
  // Only a program of this build tree reads the source tree: an installed
  // one never looks at a path of the machine it was built on.
  if (!exe.empty()) {
    const fs::path build = fs::path(AISB_BUILD_DIR).lexically_normal();
    const fs::path rel = exe.lexically_normal().lexically_relative(build);
    if (!rel.empty() && *rel.begin() != "..") candidates.push_back(fs::path(AISB_SOURCE_DIR) / path_of_utf8(name));
  }
#endif
  if (!exe.empty()) candidates.push_back(exe.parent_path() / "share" / "aisandbox" / path_of_utf8(name));
#ifdef AISB_INSTALL_DATA_DIR
  candidates.push_back(fs::path(AISB_INSTALL_DATA_DIR) / path_of_utf8(name));
#endif
  const fs::path env = path_from_env("AISANDBOX_DATA");
  const bool env_set = !env.empty();
  if (env_set) candidates.push_back(env / path_of_utf8(name));
  std::error_code ec;
  for (const auto& c : candidates)
    if (fs::is_directory(c, ec)) return c;
  if (looked != nullptr) {
    looked->clear();
    for (const auto& c : candidates) *looked += (looked->empty() ? "" : ", ") + utf8_of(c);
    if (!env_set) *looked += (looked->empty() ? "" : ", ") + std::string("$AISANDBOX_DATA (not set)");
  }
  return {};
}

fs::path user_lessons_dir() {
  return user_dir(UserDir::data) / "lessons";
}

void LessonTitles::add(const Lesson& lesson) {
  if (!lesson.id.empty() && !lesson.title.empty()) titles_[lesson.id] = lesson.title;
}

void LessonTitles::add(const Library& library) {
  for (const auto& c : library.courses)
    for (const auto& l : c.lessons)
      if (l.lesson) add(*l.lesson);
  for (const auto& l : library.loose)
    if (l.lesson) add(*l.lesson);
}

void LessonTitles::add_folder(const fs::path& dir) {
  std::error_code ec;
  const fs::path key = fs::weakly_canonical(dir, ec);
  if (dir.empty() || !folders_.insert(ec ? dir : key).second) return;
  std::vector<fs::path> files;
  for (auto it = fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::directory_iterator() && files.size() < 300; it.increment(ec)) {
    if (it->path().extension() == ".toml" && it->path().filename() != "course.toml" && it->is_regular_file(ec)) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const LibraryLesson l = load_library_lesson(f);
    if (l.lesson && !knows(l.lesson->id)) add(*l.lesson);
  }
}

std::string LessonTitles::title_of(const std::string& id, const std::string& lang) const {
  const auto it = titles_.find(id);
  return it == titles_.end() ? id : it->second.in(lang);
}

const Lesson* Library::find(const std::string& id) const {
  for (const auto& c : courses) {
    for (const auto& l : c.lessons) {
      if (l.lesson && l.lesson->id == id) return &*l.lesson;
    }
  }
  for (const auto& l : loose) {
    if (l.lesson && l.lesson->id == id) return &*l.lesson;
  }
  return nullptr;
}

}  // namespace aisb::app
