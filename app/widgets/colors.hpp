// Colours that explain: the Playground's orange-to-blue diverging scale for
// signed values (class 0 orange, class 1 blue, weights negative orange and
// positive blue) and a colour-blind-safe palette for categories. No UI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace aisb::colors {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

inline constexpr Rgb kOrange{245, 147, 34};  // negative, class 0
inline constexpr Rgb kBlue{8, 119, 189};     // positive, class 1
inline constexpr Rgb kNeutral{232, 234, 235};

// v in [-1, 1] (clamped; NaN is neutral) -> orange ... neutral ... blue.
Rgb diverging(float v);

// Same, stepped into `levels` bands on each side; with 1, just the sign's
// full colour (the Playground's "discretize output").
Rgb diverging_discrete(float v, int levels = 1);

// The i-th colour of the Okabe-Ito palette (colour-blind safe), cycling.
Rgb category(size_t i);

// A map of values to RGBA bytes, values scaled by 1 / scale (scale > 0).
std::vector<uint8_t> to_rgba(const std::vector<float>& values, float scale = 1.0f, bool discrete = false,
                             uint8_t alpha = 255);

}  // namespace aisb::colors
