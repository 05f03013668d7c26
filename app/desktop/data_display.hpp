// How the views show a job's data: its classes' names, a measurement in its
// unit, an image's pixels. Shared by the data, model and inside views.
#pragma once

#include <cstdint>
#include <string>

#include "core/spec.hpp"
#include "data/dataset.hpp"
#include "widgets/measure_units.hpp"

namespace aisb::ui {

// A class's name: a file's own (a value of its answer column, a photo
// folder's name), or from the one table of them (assets/i18n,
// "class.steel.N"), the names the lesson texts use too (tests/app/i18n_test.cpp).
std::string class_name(const JobSpec& job, int c);

// The catalog's name of a measurement, or a file's column (or "" past the list).
std::string measure_name(const JobSpec& job, int index);

// How a measurement is shown: a built-in set's in its unit; a file's column
// as the file had it, before the standardisation the network reads (a
// one-hot column's 0 or 1 as it is).
MeasureUnit unit_of(const JobSpec& job, const Dataset& d, int k);

// The unit a built-in set's answer is shown in (a file's answers are in its
// own units already).
MeasureUnit target_unit(const JobSpec& job);

// "Capacity (%)": a measurement's name with the unit it is shown in.
std::string with_unit(const std::string& label, const MeasureUnit& u);

// Pixel `at` of a channel-major image (`channels` planes of `plane` values
// in [0, 1]: grey has one, colour three) as opaque RGBA at `out`.
void image_pixel(const float* img, int channels, int plane, int at, uint8_t* out);

}  // namespace aisb::ui
