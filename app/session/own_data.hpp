// "Use my own data": a CSV file or a folder of photos a student drops on the
// window, types or picks, turned into what the app shows before using it (the
// table's first rows and each column's type, range and empty cells; each
// class's count and a few of its photos) and into the job that trains on it.
// Reading happens on a worker thread (a big CSV or thousands of photos must
// never stall a frame); nothing here touches the UI, so tests drive it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "core/spec.hpp"

namespace aisb::app {

// A path as a job names it: relative to a base folder, never absolute
// (is_safe_relative_path), so /home/mina/Downloads/air.csv is the source
// "csv:air.csv" read from the base /home/mina/Downloads.
struct DataPath {
  std::filesystem::path base;
  std::string source;  // "csv:NAME" or "images:NAME"
  [[nodiscard]] std::filesystem::path full() const;
  [[nodiscard]] bool table() const;  // a CSV
  bool operator==(const DataPath&) const = default;
};

// Why a path cannot be used, as a string-table key ("own.not_found") and its
// arguments: the app says it in the student's language.
struct Refusal {
  std::string key;
  std::vector<std::string> args;
};

// A file gives csv: (any extension but a photo's), a folder images:.
std::optional<DataPath> data_path_of(const std::filesystem::path& dropped, Refusal* why);

// One column as the preview shows it.
struct ColumnFacts {
  std::string name;
  bool numeric = true, integer = true;
  int64_t missing = 0;
  double min = 0, max = 0;
  int64_t distinct = 0;         // counted up to one past the most categories a column may have
  bool too_many_kinds = false;  // text with more categories than a feature or a target may have
  std::string task;             // what this column as the target suggests (suggested_task)
};

// One class folder: its name, how many photos, and a few of them (RGBA,
// kThumb x kThumb each, as the network will see them: squeezed to a square).
struct ClassFacts {
  std::string name;
  int64_t count = 0;
  std::vector<std::vector<uint8_t>> thumbs;
};

inline constexpr int kThumb = 64;
inline constexpr int kPreviewRows = 8;
inline constexpr int kThumbsPerClass = 6;

struct DataPreview {
  DataPath path;
  // CSV
  std::string encoding;
  int64_t rows = 0;
  std::vector<ColumnFacts> columns;
  std::vector<std::vector<std::string>> first_rows;  // up to kPreviewRows, each a cell per column ("" when empty)
  // Photos
  std::vector<ClassFacts> classes;
  int64_t images = 0;
  // What reading found wrong (errors) or worth saying (warnings); data
  // places in `where` ("air.csv:57", "photos/cat/x.png").
  Diagnostics problems;
  [[nodiscard]] bool ok() const { return !problems.has_errors(); }
  [[nodiscard]] const ColumnFacts* column(const std::string& name) const;
};

// Reads the file or folder (slow: call it on a worker thread).
DataPreview preview_data(const DataPath& path);

// What the student chose in the preview.
struct DataChoice {
  std::string target;                 // a CSV's answer column
  std::vector<std::string> features;  // the columns the network looks at
  std::vector<int> size = {32, 32};   // photos: height and width the network sees
  int channels = 3;                   // photos: 3 colour, 1 grey
  bool operator==(const DataChoice&) const = default;
};

// The first choice for new data: the last column as the answer (where a
// table usually keeps it; else the last one that can be an answer), every
// other numeric column as a feature; photos at 32 x 32 in colour (or as the
// current job sees photos already).
DataChoice default_choice(const DataPreview& preview, const JobSpec& current);
// Makes `column` the answer: it leaves the features, and the old answer, when
// it is a number, joins them.
void choose_target(DataChoice& choice, const DataPreview& preview, const std::string& column);
// Whether a column may be a feature (and may be the target): not text with
// too many kinds, not a column of empty cells.
bool usable_feature(const ColumnFacts& c);
bool usable_target(const ColumnFacts& c);
// The task the choice gives: classification or regression (photos: classification).
std::string task_of(const DataChoice& choice, const DataPreview& preview);

// The job that trains on the data: the current job's training settings where
// they suit it (the same kind of data as before), else settings that train
// such data well; the model's hidden layers kept when they fit the data's
// shape (dense for a table, a convolutional net for photos), else a small
// one that does. The dataset's facts are left for the session to read
// (resolve_data), from `preview.path.base`.
JobSpec job_with_data(const JobSpec& current, const DataPreview& preview, const DataChoice& choice);

// "Save as lesson" with a file source: copies the data into DIR/data/ (a CSV
// file, or the photos list_images finds, class by class) and returns the
// source that names the copy ("csv:data/air.csv"). The same data there
// already is used as it is; other data of the same name gets a new name
// ("air-2.csv"). None, with `problem` (English), when it cannot be copied.
std::optional<std::string> copy_data_beside(const DatasetSpec& data, const std::filesystem::path& dir,
                                            std::string* problem);

// A data place ("/home/mina/air.csv:57") short enough to read: the file's own
// name and the line, or the photo's class folder and name.
std::string short_place(const std::string& where);
// A problem with the data in `lang` ("ko" or "en"), as the app shows it:
// "air.csv:57: MESSAGE" for a data place, else the key's name and the message.
std::string data_problem_text(const Diagnostic& d, std::string_view lang);

}  // namespace aisb::app
