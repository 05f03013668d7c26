#include <algorithm>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "lesson/lesson.hpp"

namespace aisb::cli {

namespace fs = std::filesystem;

int check_lessons(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  int missing = 0;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".toml" && it->path().filename() != "course.toml") {
          found.push_back(it->path());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      std::cerr << p << ":1:1: error: no such file or folder\n";
      ++missing;
    }
  }
  int bad = 0, warnings = 0;
  for (const auto& f : files) {
    const LessonResult r = load_lesson(f);
    std::cerr << format_diagnostics(r, f.string());
    if (!r.ok()) ++bad;
    warnings += static_cast<int>(r.diags.all().size() - r.diags.error_count());
  }
  const size_t n = files.size();
  if (bad > 0 || missing > 0) {
    std::cout << "checked " << n << (n == 1 ? " lesson: " : " lessons: ") << bad << " with errors"
              << (missing ? ", " + std::to_string(missing) + " path(s) not found" : "") << "\n";
    return bad_input;
  }
  if (n == 0) {
    std::cout << "no lesson files (*.toml) found\n";
    return bad_input;
  }
  std::cout << "checked " << n << (n == 1 ? " lesson" : " lessons") << ": all good"
            << (warnings ? " (" + std::to_string(warnings) + " warning" + (warnings == 1 ? ")" : "s)") : "") << "\n";
  return ok;
}

int print_job(const std::string& lesson) {
  const LessonResult r = load_lesson(lesson);
  std::cerr << format_diagnostics(r, lesson);
  if (!r.ok()) return bad_input;
  std::cout << to_json(r.lesson.job).dump(2) << "\n";
  return ok;
}

}  // namespace aisb::cli
