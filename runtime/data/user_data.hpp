// A lesson's own data, from the file or folder beside it to the samples the
// engine trains on: `csv:FILE` through csv_table.hpp, `images:FOLDER` through
// image_folder.hpp, hashed as data_pack.hpp says. Who calls it: loading a
// lesson (the checker, the app, `train`), the app's "use my own data", and
// make_dataset (locally from the lesson's folder, on a center's worker from
// the uploaded copy). What it does not trust: the data, and the facts a job
// spec claims about it (a job from a client): the samples are held to them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/diagnostics.hpp"
#include "core/spec.hpp"
#include "data/dataset.hpp"

namespace aisb {

// A data file's bytes, refused past `max` bytes (`why` says so in words).
bool read_data_file(const std::filesystem::path& file, int64_t max, std::string& out, std::string& why);

// Moves the readers' diagnostics into `into`: a data place ("air.csv:57", a
// photo's path) becomes `where`; key paths ("dataset.target") stay.
void take_data_diagnostics(const Diagnostics& from, Diagnostics& into);

// What reading the data found, for the checker's summary and the app.
struct DataSummary {
  std::string name;      // as the lesson names it: "data/air.csv", "photos"
  std::string encoding;  // csv: "utf-8", "utf-8 (BOM)", "cp949"
  int64_t rows = 0;      // csv: data rows in the file
  int64_t columns = 0;   // csv
  int64_t dropped_rows = 0;
  int64_t filled_cells = 0;
  std::vector<int64_t> per_class;  // images: readable files per class
  int64_t samples = 0;             // what training gets
};

// True when `file` (after symlinks) still lies inside `base`: a link in a
// lesson's folder must not lead a classmate's lesson to read /etc.
bool stays_inside(const std::filesystem::path& base, const std::filesystem::path& file);

// Reads the data a file source names, relative to `base` (the lesson's
// folder; paths never leave it), checks it against the job (columns named,
// the target against the task, and with `decode_images` every image), and
// fills the facts of job.dataset: location, data_sha256, input_names,
// class_names and samples, for the validator's shapes. Problems about the
// lesson's keys go to `diags` by key path ("dataset.target"); problems in
// the data carry `where` ("BASE/data/air.csv:57", an image's path). Returns
// false on an error. A generator's job is left alone (true).
bool resolve_data(JobSpec& job, const std::filesystem::path& base, Diagnostics& diags, DataSummary* summary = nullptr,
                  bool decode_images = false);

// The samples of a resolved file source, read again from its location and
// held to the job's facts (hash, inputs, classes, samples): rows of
// shape_elements(input_shape(job)) values and a target each. `scaled`
// marks the inputs (per time step for sequences) that standardisation may
// touch: numbers, not one-hot columns or pixels. Throws DataError.
struct FileSamples {
  std::vector<float> x;
  std::vector<float> y;
  std::vector<bool> scaled;  // per input name; empty: none (images)
  Diagnostics report;        // what was left out and why (warnings, notes), each with its `where`
};
FileSamples load_file_source(const JobSpec& job);

}  // namespace aisb
