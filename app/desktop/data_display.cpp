#include "desktop/data_display.hpp"

#include <algorithm>
#include <cmath>

#include "core/catalog.hpp"
#include "desktop/ui.hpp"

namespace aisb::ui {

std::string class_name(const JobSpec& job, int c) {
  const DatasetSpec& d = job.dataset;
  if (is_file_source(d)) {
    return c >= 0 && static_cast<size_t>(c) < d.class_names.size() ? d.class_names[static_cast<size_t>(c)]
                                                                   : std::to_string(c);
  }
  if (d.source == "steel-defects") return tr(("class.steel." + std::to_string(c)).c_str());
  if (d.source == "smart-farm") return tr(("class.farm." + std::to_string(c)).c_str());
  return std::to_string(c);
}

std::string measure_name(const JobSpec& job, int index) {
  const SourceInfo info = describe_source(job);
  return index >= 0 && static_cast<size_t>(index) < info.measures.size() ? info.measures[static_cast<size_t>(index)]
                                                                         : std::string();
}

MeasureUnit unit_of(const JobSpec& job, const Dataset& d, int k) {
  if (!is_file_source(job.dataset)) return measure_unit(job.dataset.source, measure_name(job, k));
  MeasureUnit u;
  const auto i = static_cast<size_t>(k);
  if (k >= 0 && i < d.standardization.mean.size() && i < d.standardization.scale.size()) {
    u.scale = d.standardization.scale[i];
    u.offset = d.standardization.mean[i];
  }
  const bool one_hot = measure_name(job, k).find('=') != std::string::npos;
  u.digits = one_hot || u.scale >= 100.0 ? 0 : u.scale >= 10.0 ? 1 : 2;
  return u;
}

MeasureUnit target_unit(const JobSpec& job) {
  if (is_file_source(job.dataset)) return {};
  return measure_unit(job.dataset.source, describe_source(job).target);
}

std::string with_unit(const std::string& label, const MeasureUnit& u) {
  return *u.unit == '\0' ? label : label + " (" + u.unit + ")";
}

void image_pixel(const float* img, int channels, int plane, int at, uint8_t* out) {
  for (int ch = 0; ch < 3; ++ch) {
    const float v = std::clamp(img[(channels >= 3 ? ch : 0) * plane + at], 0.0f, 1.0f);
    out[ch] = static_cast<uint8_t>(std::lround(v * 255.0f));
  }
  out[3] = 255;
}

}  // namespace aisb::ui
