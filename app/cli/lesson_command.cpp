#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "backend/solution.hpp"
#include "cli/commands.hpp"
#include "lesson/lesson.hpp"

namespace aisb::cli {

namespace fs = std::filesystem;

namespace {

struct Found {
  std::vector<fs::path> lessons;
  std::vector<fs::path> courses;
  int missing = 0;
};

Found find_files(const std::vector<std::string>& paths) {
  Found f;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".toml") found.push_back(it->path());
      }
      std::sort(found.begin(), found.end());
      for (auto& file : found) (file.filename() == "course.toml" ? f.courses : f.lessons).push_back(file);
    } else if (fs::is_regular_file(p, ec)) {
      (fs::path(p).filename() == "course.toml" ? f.courses : f.lessons).emplace_back(p);
    } else {
      std::cerr << p << ":1:1: error: no such file or folder\n";
      ++f.missing;
    }
  }
  return f;
}

// Trains the solution and turns every goal it misses into a warning.
void check_solution(LessonResult& r) {
  if (!r.ok() || !r.lesson.solution) return;
  const SolutionReport report = run_solution(r.lesson);
  if (report.reason != "completed") {
    r.diags.warning("solution", "the solution's run ended '" + report.reason + "'" +
                                    (report.message.empty() ? "" : ": " + report.message));
    return;
  }
  for (const auto& g : report.goals) {
    if (!g.reached) r.diags.warning("steps[" + std::to_string(g.step) + "].goal", describe_shortfall(g));
  }
}

// Course-level rules: lesson ids unique, every lesson file in the folder listed.
void check_course(CourseResult& c, const fs::path& file, const std::map<fs::path, std::string>& ids) {
  const fs::path dir = file.parent_path();
  std::map<std::string, std::string> seen;  // id -> file
  std::set<fs::path> listed;
  for (size_t i = 0; i < c.course.lessons.size(); ++i) {
    const fs::path lesson = fs::weakly_canonical(dir / c.course.lessons[i]);
    listed.insert(lesson);
    const auto id = ids.find(lesson);
    if (id == ids.end() || id->second.empty()) continue;
    const auto [at, fresh] = seen.emplace(id->second, c.course.lessons[i]);
    if (!fresh) {
      c.diags.error("lessons[" + std::to_string(i) + "]",
                    "the lesson id '" + id->second + "' is used by " + at->second + " too; ids must be unique");
    }
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path p = fs::weakly_canonical(entry.path());
    if (entry.path().extension() == ".toml" && entry.path().filename() != "course.toml" && !listed.count(p)) {
      // Built with append: GCC 12's -Wrestrict misfires on "'" + std::string (its bug 105651).
      std::string message = "'";
      message.append(entry.path().filename().string())
          .append("' is in the course's folder but not in its list, so students will not see it");
      c.diags.warning("lessons", std::move(message));
    }
  }
}

}  // namespace

int check_lessons(const std::vector<std::string>& paths, bool train_solutions) {
  const Found found = find_files(paths);
  int bad = 0, warnings = 0;
  std::map<fs::path, std::string> ids;  // canonical lesson path -> id
  const auto report = [&](const TomlResult& r, const fs::path& file) {
    std::cerr << format_diagnostics(r, file.string());
    if (!r.ok()) ++bad;
    warnings += static_cast<int>(r.diags.all().size() - r.diags.error_count());
  };
  for (const auto& f : found.lessons) {
    LessonResult r = load_lesson(f);
    if (train_solutions) check_solution(r);
    ids[fs::weakly_canonical(f)] = r.lesson.id;
    report(r, f);
  }
  for (const auto& f : found.courses) {
    CourseResult c = load_course(f);
    check_course(c, f, ids);
    report(c, f);
  }
  const size_t n = found.lessons.size();
  const std::string what = std::to_string(n) + (n == 1 ? " lesson" : " lessons") +
                           (found.courses.empty() ? "" : " in " + std::to_string(found.courses.size()) +
                                                             (found.courses.size() == 1 ? " course" : " courses"));
  if (bad > 0 || found.missing > 0) {
    std::cout << "checked " << what << ": " << bad << " with errors"
              << (found.missing ? ", " + std::to_string(found.missing) + " path(s) not found" : "") << "\n";
    return bad_input;
  }
  if (n == 0) {
    std::cout << "no lesson files (*.toml) found\n";
    return bad_input;
  }
  std::cout << "checked " << what << ": all good"
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
