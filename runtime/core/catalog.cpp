#include "core/catalog.hpp"

#include "core/job_reader.hpp"
#include "core/spec.hpp"

namespace aisb {

const std::vector<SourceInfo>& builtin_sources() {
  static const std::vector<SourceInfo> sources = {
      {"linear", DataKind::points, {"classification"}, 2, {}, true},
      {"circle", DataKind::points, {"classification"}, 2, {}, true},
      {"xor", DataKind::points, {"classification"}, 2, {}, true},
      {"gaussian", DataKind::points, {"classification"}, 2, {}, true},
      {"spiral", DataKind::points, {"classification"}, 2, {}, true},
      {"moons", DataKind::points, {"classification"}, 2, {}, true},
      {"plane", DataKind::points, {"regression"}, 0, {}, true},
      {"multi-gaussian", DataKind::points, {"regression"}, 0, {}, true},
      {"steel-defects", DataKind::image, {"classification"}, 6, {1, 64, 64}, true},
      {"digits", DataKind::image, {"classification"}, 10, {1, 28, 28}, true},
      {"battery-fade",
       DataKind::sequence,
       {"regression"},
       0,
       {24, 3},
       true,
       {"cycle", "capacity", "temperature"},
       "capacity_1000",
       1},
      {"smart-farm",
       DataKind::table,
       {"regression", "classification"},
       3,
       {5},
       true,
       {"temperature", "humidity", "co2", "light", "soil"},
       "yield"},
      {"air-quality",
       DataKind::sequence,
       {"regression"},
       0,
       {24, 4},
       true,
       {"pm25", "temperature", "wind", "humidity"},
       "pm25_ahead"},
  };
  return sources;
}

const SourceInfo* find_source(const std::string& name) {
  for (const auto& s : builtin_sources()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> builtin_source_names() {
  std::vector<std::string> out;
  for (const auto& s : builtin_sources()) out.push_back(s.name);
  return out;
}

SourceInfo describe_source(const JobSpec& job) {
  const DatasetSpec& d = job.dataset;
  if (!is_file_source(d)) {
    const SourceInfo* s = find_source(d.source);
    return s != nullptr ? *s : SourceInfo{};
  }
  SourceInfo s;
  s.name = d.source;
  s.kind = is_images_source(d) ? DataKind::image : d.window > 0 ? DataKind::sequence : DataKind::table;
  s.tasks = is_images_source(d) ? std::vector<std::string>{"classification"}
                                : std::vector<std::string>{"classification", "regression"};
  s.classes = static_cast<int>(d.class_names.size());
  s.shape = input_shape(job);
  s.available = true;
  s.measures = d.input_names;
  s.target = d.target;
  return s;
}

bool is_from_file(const SourceInfo& s) {
  return s.name.starts_with("csv:") || s.name.starts_with("images:");
}

}  // namespace aisb
