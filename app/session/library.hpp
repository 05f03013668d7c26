// The lessons the app offers: every course folder (a course.toml) under a
// root, in its order, plus lessons outside any course. Each file is read with
// the same loader as `aisandbox-cli lesson check`, so a lesson that does not
// pass the checker shows its first problem instead of opening.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lesson/lesson.hpp"

namespace aisb::app {

struct LibraryLesson {
  std::filesystem::path file;
  std::optional<Lesson> lesson;  // set when it loaded without errors
  std::string problem;           // else the first problem, FILE:LINE:COL (English)
  LocalText problem_text;        // ... in both languages, for the screen
};

struct LibraryCourse {
  std::filesystem::path dir;
  Course course;
  std::vector<LibraryLesson> lessons;
};

struct Library {
  std::vector<LibraryCourse> courses;
  std::vector<LibraryLesson> loose;  // not in any course
  [[nodiscard]] const LibraryLesson* first_lesson() const;
  [[nodiscard]] size_t size() const;
  // The lesson with this id, if the library has it.
  [[nodiscard]] const Lesson* find(const std::string& id) const;
};

// Lesson titles by id, from every lesson this app has seen: its library, the
// student's own lessons, and the files opened or edited (a teacher's own
// lessons, from --lesson or --edit) with the lessons beside them. The
// center's views name a run's lesson by its title; runs carry only the id.
class LessonTitles {
 public:
  void add(const Lesson& lesson);  // a later one with the same id wins (an edited title)
  void add(const Library& library);
  // The .toml files directly in `dir` (not below it, and at most a few
  // hundred), each read with the checker's loader; broken ones are skipped.
  void add_folder(const std::filesystem::path& dir);
  // The title in `lang` ("ko" or "en", falling back to the other); the id
  // itself for a lesson this app has not seen.
  [[nodiscard]] std::string title_of(const std::string& id, const std::string& lang) const;
  [[nodiscard]] bool knows(const std::string& id) const { return titles_.count(id) > 0; }

 private:
  std::map<std::string, LocalText> titles_;
  std::set<std::filesystem::path> folders_;  // read already
};

LibraryLesson load_library_lesson(const std::filesystem::path& file);
// Courses sorted by folder name (so "01-basics" comes first), lessons in
// their course's order.
Library scan_library(const std::filesystem::path& root);

// Where the app's data (<name>: "lessons" or "assets") lies, the first that
// exists of: the source tree, when the program runs from the build tree it
// was built in; the install prefix (<prefix>/share/aisandbox/<name>, beside
// the program wherever the tree was moved, then the configured prefix);
// $AISANDBOX_DATA/<name>. Empty when none exists; then `looked`, when given,
// lists every folder tried, in order, for the message that says so.
std::filesystem::path find_data_dir(const std::string& name, std::string* looked = nullptr);

// Where a student's own lessons are saved: $XDG_DATA_HOME/aisandbox/lessons
// (default ~/.local/share/aisandbox/lessons).
std::filesystem::path user_lessons_dir();

}  // namespace aisb::app
