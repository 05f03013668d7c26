// Lesson files (format 1, SPEC.md section 2): read with toml++, keeping the
// line and column of every value so that each problem the validator finds by
// key path can be shown as FILE:LINE:COL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "core/event.hpp"
#include "core/spec.hpp"
#include "core/trained_model.hpp"
#include "data/user_data.hpp"

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

// The test sample a step shows in its view: the Nth sample of the test split
// (1-based, as the app shows "#N"), or by a class's name the first test
// sample of that class.
struct SampleRef {
  int64_t number = 0;      // 1-based; 0 when the class names the sample
  std::string class_name;  // empty when the number does
  bool operator==(const SampleRef&) const = default;
};

struct Step {
  LocalText text;
  // `view`: what the app opens at this step (names::views; empty: none), and
  // `sample`: the test sample it shows there (views that show one sample:
  // names::sample_views).
  std::string view;
  std::optional<SampleRef> sample;
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
  // [navigation] require: what a step needs before the student may go on
  // (names::requirements): "none" (free, the default), "goals" (its goal
  // reached), "quizzes" (its quiz answered right) or "both".
  std::string require = "none";
  // [solution]: a model and training (overriding the lesson's keys) that
  // reach every goal; for teachers and tests.
  std::optional<JobSpec> solution;
  // `trained = "FILE.aimodel"`: a trained-model file beside the lesson
  // (docs/model-format.md) whose network is the lesson's; the lesson opens
  // with those weights, as at the end of that run. load_lesson reads it.
  std::string trained;
  std::shared_ptr<const TrainedModel> trained_model;
  // Markdown images the texts use, relative to the lesson's folder, with the
  // key path of the text that names each.
  std::vector<std::pair<std::string, std::string>> images;
};

struct SourcePosition {
  int line = 1;
  int column = 1;
};

// What reading a TOML file gives besides its content: problems by key path,
// and where each key path starts in the file.
struct TomlResult {
  Diagnostics diags;
  std::map<std::string, SourcePosition> positions;  // key path -> where its value starts

  [[nodiscard]] bool ok() const { return !diags.has_errors(); }
  // Where a key path points to, or the nearest enclosing table that exists.
  [[nodiscard]] SourcePosition position_of(const std::string& path) const;
};

struct LessonResult : TomlResult {
  Lesson lesson;                    // meaningful only without errors
  std::optional<DataSummary> data;  // what a file source holds, once read
};

// A course: a folder with a course.toml that orders its lessons.
struct Course {
  std::string id;
  LocalText title;
  std::vector<std::string> lessons;  // files, relative to the course folder, in order
};

struct CourseResult : TomlResult {
  Course course;
};

namespace names {
extern const std::vector<std::string> audiences;
extern const std::vector<std::string> controls;      // what `unlock` may name
extern const std::vector<std::string> metrics;       // what a goal may test
extern const std::vector<std::string> constraints;   // what `constraints` may limit
extern const std::vector<std::string> requirements;  // what [navigation] require may ask
extern const std::vector<std::string> views;         // what a step's `view` may open
extern const std::vector<std::string> sample_views;  // the views a step's `sample` is shown in
}  // namespace names

// Why `view` (one of names::views) cannot be shown for `job`'s lesson: the
// conv views need a conv2d layer, "mistakes" a classification of images,
// "predictions" data other than images. None when it can.
std::optional<Message> view_problem(const std::string& view, const JobSpec& job);
// How many samples the test split of `job` holds, when that is known without
// reading a file (a generator, or a file source once resolve_data read it).
std::optional<int64_t> test_split_size(const JobSpec& job);

// The value of a metric of SPEC.md section 4 by name; none when the metrics
// do not carry it (an accuracy in a regression run).
std::optional<double> metric_value(const Metrics& m, const std::string& name);
// True when `m` meets the goal.
bool goal_reached(const Goal& goal, const Metrics& m);

LessonResult parse_lesson(std::string_view text, const std::string& source_name);
// Reads the file and checks what lies beside it: every image a text uses
// must exist inside the lesson's folder, and a csv: or images: source is read
// (resolve_data) so that the job carries its data's facts. `decode_images`:
// decode every photo too (the checker), not only list and hash them.
LessonResult load_lesson(const std::filesystem::path& file, bool decode_images = false);

CourseResult parse_course(std::string_view text, const std::string& source_name);
// Also checks that every listed lesson file exists.
CourseResult load_course(const std::filesystem::path& course_toml);

// "FILE:LINE:COL: error: KEY: MESSAGE" lines, GCC style, with the messages in
// `lang` ("en" or "ko"; "error:" and "warning:" stay as editors expect them).
std::string format_diagnostics(const TomlResult& r, const std::string& file, std::string_view lang = "en");

}  // namespace aisb
