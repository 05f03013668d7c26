// The built-in dataset sources of SPEC.md section 2. Core owns the catalogue
// (names, kind, task, shapes) so that the validator and shape inference need no
// generator code; runtime/data implements the ones marked available.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aisb {

enum class DataKind { points, image, sequence, table };

struct SourceInfo {
  std::string name;
  DataKind kind = DataKind::points;
  std::vector<std::string> tasks;  // the tasks this source serves
  int classes = 0;                 // for classification
  std::vector<int64_t> shape;      // per-sample input shape for image/sequence sources
  bool available = false;          // false: named by the format, generated in a later version
  // Sequences and tables: what each measurement (a time step's values, or a
  // row's columns) is, and what a regression predicts. Names only; the app
  // translates "measure.NAME" and "target.NAME".
  std::vector<std::string> measures = {};
  std::string target = {};
  int headline = 0;  // the measurement that tells the story, which the data view plots first
};

const std::vector<SourceInfo>& builtin_sources();
const SourceInfo* find_source(const std::string& name);
std::vector<std::string> builtin_source_names();

// What the views need to know about a job's data: a built-in source's entry,
// or for a csv:/images: source one made from its facts (kind, classes,
// shape; `measures` the input names as the file has them, untranslated).
// Never null: an unknown generator gives a points source with no name.
struct JobSpec;
SourceInfo describe_source(const JobSpec& job);
// True for a source made from a file (its names are the file's, not the catalog's).
bool is_from_file(const SourceInfo& s);

}  // namespace aisb
