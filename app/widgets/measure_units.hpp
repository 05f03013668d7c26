// How the measurements of the sequence and table datasets are shown to
// people. The generators (runtime/data/series.cpp) scale every value to about
// [-1, 1] so that a student's network trains without a normalisation step;
// a chart of "capacity -1.2" means nothing to a student, so the views turn
// the values back into the units of the thing measured (a battery's capacity
// in % of a new cell's, a temperature in °C). A test holds these to the
// generators' own ranges. Micrograms are written with the Greek mu (U+03BC),
// which the Korean fonts have, not the micro sign (U+00B5), which they lack.
// Header-only, no UI.
#pragma once

#include <string_view>

namespace aisb {

struct MeasureUnit {
  double scale = 1.0, offset = 0.0;  // shown = stored * scale + offset
  const char* unit = "";             // "" when the name says it all (a count of cycles)
  int digits = 2;                    // decimals worth showing
  [[nodiscard]] double shown(double stored) const { return stored * scale + offset; }
  [[nodiscard]] bool known() const { return scale != 1.0 || offset != 0.0 || *unit != '\0'; }
};

// `name` is a measurement or a target as the catalog names them
// (core/catalog.hpp: "capacity", "capacity_1000"); unknown ones are shown
// as stored.
inline MeasureUnit measure_unit(std::string_view source, std::string_view name) {
  if (source == "battery-fade") {
    if (name == "cycle") return {600.0, 0.0, "", 0};
    if (name == "capacity") return {10.0, 90.0, "%", 1};
    if (name == "temperature") return {15.0, 30.0, "°C", 1};
    if (name == "capacity_1000") return {25.0, 80.0, "%", 1};
  } else if (source == "air-quality") {
    if (name == "pm25" || name == "pm25_ahead") return {30.0, 40.0, "μg/m³", 0};
    if (name == "temperature") return {15.0, 15.0, "°C", 1};
    if (name == "wind") return {3.0, 3.0, "m/s", 1};
    if (name == "humidity") return {30.0, 60.0, "%", 0};
  } else if (source == "smart-farm") {
    if (name == "temperature") return {12.0, 24.0, "°C", 1};
    if (name == "humidity") return {30.0, 70.0, "%", 0};
    if (name == "co2") return {425.0, 775.0, "ppm", 0};
    if (name == "light") return {12.5, 17.5, "klx", 1};
    if (name == "soil") return {25.0, 35.0, "%", 0};
  }
  return {};
}

}  // namespace aisb
