// Lesson files (format 1, SPEC.md section 2): read with toml++, keeping the
// line and column of every value so that each problem the validator finds by
// key path can be shown as FILE:LINE:COL.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "core/spec.hpp"

namespace aisb {

struct LocalText {
  std::string ko;
  std::string en;
  [[nodiscard]] bool empty() const { return ko.empty() && en.empty(); }
  // The text in `lang` ("ko" or "en"), falling back to the other language.
  [[nodiscard]] const std::string& in(std::string_view lang) const;
};

struct Goal {
  std::string metric;  // a metric of SPEC.md section 4
  std::optional<double> at_least;
  std::optional<double> at_most;
};

struct Quiz {
  LocalText question;
  std::vector<std::string> choices_ko, choices_en;
  int answer = 0;
  LocalText explanation;
};

struct Step {
  LocalText text;
  std::vector<std::string> unlock;  // controls the student may change in this step
  std::optional<Goal> goal;
  std::map<std::string, int64_t> constraints;
  LocalText hint;
  std::optional<Quiz> quiz;
};

struct Lesson {
  std::string id;
  LocalText title;
  std::string audience = "high-school";
  int minutes = 0;
  std::vector<std::string> tags;
  JobSpec job;  // the starting network, its data and training
  std::vector<Step> steps;
};

struct SourcePosition {
  int line = 1;
  int column = 1;
};

struct LessonResult {
  Lesson lesson;                                   // meaningful only without errors
  Diagnostics diags;                               // with key paths
  std::map<std::string, SourcePosition> positions;  // key path -> where its value starts

  [[nodiscard]] bool ok() const { return !diags.has_errors(); }
  // Where a key path points to, or the nearest enclosing table that exists.
  [[nodiscard]] SourcePosition position_of(const std::string& path) const;
};

namespace names {
extern const std::vector<std::string> audiences;
extern const std::vector<std::string> controls;     // what `unlock` may name
extern const std::vector<std::string> metrics;      // what a goal may test
extern const std::vector<std::string> constraints;  // what `constraints` may limit
}  // namespace names

LessonResult parse_lesson(std::string_view text, const std::string& source_name);
LessonResult load_lesson(const std::filesystem::path& file);

// "FILE:LINE:COL: error: MESSAGE (at KEY)" lines, GCC style.
std::string format_diagnostics(const LessonResult& r, const std::string& file);

}  // namespace aisb
