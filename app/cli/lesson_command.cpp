#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "backend/solution.hpp"
#include "cli/commands.hpp"
#include "cli/usage.hpp"
#include "core/files.hpp"
#include "core/messages.hpp"
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
  for (const auto& name : paths) {
    const fs::path p = path_of_utf8(name);
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
      (p.filename() == "course.toml" ? f.courses : f.lessons).emplace_back(p);
    } else {
      std::cerr << name << ":1:1: error: " << message_text("cli.no_such_path", language()) << "\n";
      ++f.missing;
    }
  }
  return f;
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// "reaches test_accuracy 0.91 at best, not at least 0.95", in every language.
Message shortfall(const GoalResult& g) {
  char best[32] = "";
  if (g.best) std::snprintf(best, sizeof best, "%.4g", *g.best);
  MsgArg want;
  if (g.goal.at_least && g.goal.at_most) {
    want = phrase("goal.want_between", {short_number(*g.goal.at_least), short_number(*g.goal.at_most)});
  } else if (g.goal.at_least) {
    want = phrase("goal.want_at_least", {short_number(*g.goal.at_least)});
  } else {
    want = phrase("goal.want_at_most", {short_number(g.goal.at_most.value_or(0))});
  }
  return msg("cli.solution_short", {g.goal.metric, g.best ? MsgArg(best) : phrase("cli.nothing"), want});
}

// Trains the solution and turns every goal it misses into a warning.
void check_solution(LessonResult& r) {
  if (!r.ok() || !r.lesson.solution) return;
  const SolutionReport report = run_solution(r.lesson);
  if (report.reason != "completed") {
    r.diags.warning("solution", report.message.empty()
                                    ? msg("cli.solution_ended", {report.reason})
                                    : msg("cli.solution_ended_why", {report.reason, report.message}));
    return;
  }
  for (const auto& g : report.goals) {
    if (!g.reached) r.diags.warning("steps[" + std::to_string(g.step) + "].goal", shortfall(g));
  }
}

// Course-level rules: lesson ids unique, every lesson file in the folder listed.
void check_course(CourseResult& c, const fs::path& file, const std::map<fs::path, std::string>& ids) {
  const fs::path dir = file.parent_path();
  std::map<std::string, std::string> seen;  // id -> file
  std::set<fs::path> listed;
  for (size_t i = 0; i < c.course.lessons.size(); ++i) {
    const fs::path lesson = fs::weakly_canonical(dir / path_of_utf8(c.course.lessons[i]));
    listed.insert(lesson);
    const auto id = ids.find(lesson);
    if (id == ids.end() || id->second.empty()) continue;
    const auto [at, fresh] = seen.emplace(id->second, c.course.lessons[i]);
    if (!fresh) {
      c.diags.error("lessons[" + std::to_string(i) + "]", msg("cli.duplicate_id", {id->second, at->second}));
    }
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path p = fs::weakly_canonical(entry.path());
    if (entry.path().extension() == ".toml" && entry.path().filename() != "course.toml" && !listed.count(p)) {
      c.diags.warning("lessons", msg("cli.unlisted", {utf8_of(entry.path().filename())}));
    }
  }
}

}  // namespace

int check_lessons(const std::vector<std::string>& paths, bool train_solutions) {
  const std::string& lang = language();
  const Found found = find_files(paths);
  int bad = 0, warnings = 0;
  std::map<fs::path, std::string> ids;  // canonical lesson path -> id
  const auto report = [&](const TomlResult& r, const fs::path& file) {
    std::cerr << format_diagnostics(r, utf8_of(file), lang);
    if (!r.ok()) ++bad;
    warnings += static_cast<int>(r.diags.warning_count());
  };
  for (const auto& f : found.lessons) {
    LessonResult r = load_lesson(f, /*decode_images=*/true);
    if (r.data) {  // what the teacher's file gave, so a surprise shows at once
      const DataSummary& d = *r.data;
      std::cout << utf8_of(f) << ": "
                << (d.per_class.empty()
                        ? message_text(
                              "dataset.summary_csv", lang,
                              {d.name, std::to_string(d.rows), std::to_string(d.columns), d.encoding,
                               std::to_string(d.samples), std::to_string(r.lesson.job.dataset.input_names.size())})
                        : message_text("dataset.summary_images", lang,
                                       {d.name, std::to_string(d.samples), std::to_string(d.per_class.size())}))
                << "\n";
    }
    if (train_solutions) check_solution(r);
    ids[fs::weakly_canonical(f)] = r.lesson.id;
    report(r, f);
  }
  for (const auto& f : found.courses) {
    CourseResult c = load_course(f);
    check_course(c, f, ids);
    report(c, f);
  }
  const size_t n = found.lessons.size(), courses = found.courses.size();
  std::string what = n == 1 ? message_text("cli.count_one_lesson", lang)
                            : message_text("cli.count_lessons", lang, {std::to_string(n)});
  if (courses == 1) what += message_text("cli.count_in_one_course", lang);
  if (courses > 1) what += message_text("cli.count_in_courses", lang, {std::to_string(courses)});
  if (bad > 0 || found.missing > 0) {
    std::cout << message_text("cli.checked_with_errors", lang, {what, std::to_string(bad)})
              << (found.missing ? message_text("cli.paths_not_found", lang, {std::to_string(found.missing)}) : "")
              << "\n";
    return bad_input;
  }
  if (n == 0) {
    std::cout << message_text("cli.no_lesson_files", lang) << "\n";
    return bad_input;
  }
  std::cout << message_text("cli.all_good", lang, {what});
  if (warnings == 1) std::cout << message_text("cli.one_warning", lang);
  if (warnings > 1) std::cout << message_text("cli.warnings", lang, {std::to_string(warnings)});
  std::cout << "\n";
  return ok;
}

int print_job(const std::string& lesson) {
  const LessonResult r = load_lesson(path_of_utf8(lesson));
  std::cerr << format_diagnostics(r, lesson, language());
  if (!r.ok()) return bad_input;
  std::cout << to_json(r.lesson.job).dump(2) << "\n";
  return ok;
}

}  // namespace aisb::cli
