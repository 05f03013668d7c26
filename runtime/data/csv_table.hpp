// CSV files a class brings (SPEC.md section 2, `source = "csv:FILE"`): a
// teacher's export from a public-data portal or Excel, a farm's sensor log.
// Who reads it: the lesson checker, the app's preview, the local engine and a
// center's worker (which gets the bytes from an upload). What it does not
// trust: anything in the file. Sizes, rows, columns, field lengths and
// categories are bounded before use; every problem names FILE:LINE.
//
// Encodings as Korean files come: UTF-8 with or without a BOM, CP949/EUC-KR
// (converted with iconv), and UTF-16 with a BOM (Excel's "Unicode text").
// Delimiters `,` `;` and tab, found from the header line (or Excel's "sep=;"
// first line). Quoted fields with delimiters and newlines (RFC 4180), parsed
// by libcsv in its forgiving mode (a stray quote inside a cell is kept).
//
// Cells: spaces around a value are trimmed. Numbers may have a sign and an
// exponent; a decimal comma ("3,5") only where ';' separates cells;
// thousands separators never. Missing: an empty cell, "NA", "N/A", "#N/A",
// "NaN", "-", "null" (any case), and numbers a float cannot hold.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "core/spec.hpp"

namespace aisb {

namespace csv_limits {
inline constexpr int64_t max_bytes = int64_t{128} << 20;  // a file
inline constexpr int64_t max_rows = 1'000'000;
inline constexpr int64_t max_columns = 256;
inline constexpr int64_t max_field_bytes = 4096;  // one cell
inline constexpr int64_t max_cells = 32'000'000;  // rows x columns: 256 MB as numbers, however short the cells
inline constexpr int64_t max_categories = 50;     // distinct values of a text column used as a feature or a target
}  // namespace csv_limits

// One column of the file, with what the preview shows.
struct CsvColumn {
  std::string name;     // from the header, trimmed, in UTF-8
  bool numeric = true;  // every cell that is not missing is a number
  bool integer = true;  // numeric and every value a whole number
  int64_t missing = 0;  // empty cells (also "NA", "N/A", "#N/A", "NaN", "-", "null")
  double min = 0, max = 0;
  // Text columns: distinct values in order of first appearance, at most
  // csv_limits::max_categories + 1 of them (one more says "too many").
  // Numeric columns with few distinct values list them too (as text).
  std::vector<std::string> levels;
  // Distinct values: exact for text columns; for numeric ones counted up to
  // max_categories + 1.
  int64_t distinct = 0;
  // The cells, one per row: numbers (NaN where missing) for numeric columns,
  // else the text's distinct value, numbered in order of first appearance
  // (-1 where missing). Codes below levels.size() name a level; a column with
  // more distinct values than levels still tells them apart (a group of
  // sequences, a time to sort by).
  std::vector<double> numbers;
  std::vector<int32_t> codes;
  // Text columns: for each code, its place when the values are sorted as
  // people sort times and names (runs of digits by value: "9:00" before
  // "10:00"), for `order`.
  std::vector<int32_t> rank;
  // Text columns: the first cell that is not a number, and its line (0 for a
  // numeric column), to say why a column is text.
  std::string first_text;
  int64_t first_text_line = 0;
};

struct CsvTable {
  std::string encoding;  // "utf-8", "utf-8 (BOM)", "cp949" or "utf-16"
  char delimiter = ',';
  std::vector<CsvColumn> columns;
  std::vector<int64_t> line;  // the file line each row starts on (the header is line 1, or 2 after "sep=")
  [[nodiscard]] int64_t rows() const { return static_cast<int64_t>(line.size()); }
  // The column with this name, or null.
  [[nodiscard]] const CsvColumn* column(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;
};

// Parses a whole file. `name` is how problems name the file ("data/air.csv").
// Problems go to `diags` with the path "NAME:LINE" (or "NAME"); returns
// nothing when the file cannot be used at all.
std::optional<CsvTable> read_csv(std::string_view bytes, const std::string& name, Diagnostics& diags);

// What a csv: source trains on: the rows (or windows of rows) as numbers.
struct TableData {
  std::vector<std::string> inputs;   // one per input value: a column, or "column=value" for one-hot
  std::vector<bool> one_hot;         // per input: a one-hot column (never standardised)
  std::vector<std::string> classes;  // classification: class names by index; empty for regression
  int steps = 0;                     // 0: a table; else the window (each sample steps x inputs)
  std::vector<float> x;              // samples back to back
  std::vector<float> y;              // one per sample: class index or value
  int64_t dropped_rows = 0;          // missing = "drop": rows left out
  int64_t filled_cells = 0;          // missing = "mean": cells given their column's mean
  [[nodiscard]] int64_t samples() const { return static_cast<int64_t>(y.size()); }
};

// The task a target column suggests: "classification" for text, or for
// whole numbers with at most 10 distinct values; else "regression".
std::string suggested_task(const CsvColumn& target);

// Builds the samples from `d` (target, features, missing, window, horizon,
// group, order) for `task`. Problems with names in the spec go to `diags`
// under "dataset.target", "dataset.features[i]" and so on (with "did you
// mean"); problems in the data under "NAME:LINE". How many rows or cells
// `missing` touched is reported as a warning, never silently. Returns nothing
// on an error.
//
// A table: one sample a row; the target may not be a feature too. Default
// features: every numeric column with values but the target. Text features
// are one-hot ("column=value", levels in order of first appearance).
// Classes are the target's values in the rows used, sorted (numbers by
// value, text by its UTF-8 bytes), so a file always gives the same numbering.
// missing = "drop" leaves out rows with an empty cell in a column used;
// "mean" fills numeric feature cells with the column's mean and leaves text
// ones all zero, and still leaves out rows without a target.
// A sequence (window > 0): rows are grouped by `group` (groups in order of
// first appearance), sorted by `order` within each (stable; text orders as
// `rank` says), and each run of window + horizon rows in one group is a
// sample: the window's inputs step by step (x is samples x steps x inputs,
// row-major), its target the target column `horizon` rows after the
// window's last row. The target's past values may be inputs; default
// features are every numeric column but group and order. At most
// limits::max_samples windows.
std::optional<TableData> build_table(const CsvTable& table, const DatasetSpec& d, const std::string& task,
                                     const std::string& name, Diagnostics& diags);

}  // namespace aisb
