// The arithmetic of the controls bar and the data panel's sliders, without
// any UI: where a slider's thumb sits for a value and which value lies under
// the mouse, and how a row of combos shares the width it has so that no
// chosen word ("Classification") hides under its arrow. Header-only.
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace aisb::controls {

// A slider's thumb travels with its centre from x0 to x1 (the track's ends
// less the thumb's radius). The value under x: a whole step, clamped to
// [lo, hi].
inline int slider_value(float x, float x0, float x1, int lo, int hi) {
  if (hi <= lo || x1 <= x0) return lo;
  const float t = std::clamp((x - x0) / (x1 - x0), 0.0f, 1.0f);
  return std::clamp(lo + static_cast<int>(std::lround(t * static_cast<float>(hi - lo))), lo, hi);
}

// Where the thumb's centre sits for value v (clamped to the track).
inline float slider_position(int v, float x0, float x1, int lo, int hi) {
  if (hi <= lo) return x0;
  const float t = static_cast<float>(std::clamp(v, lo, hi) - lo) / static_cast<float>(hi - lo);
  return x0 + t * (x1 - x0);
}

// Widths for a row of controls that each want `wanted[i]` and together have
// `room`: all they want when it fits; else the widest give way first (every
// control gets the same cap), never below `at_least`. The narrow ones keep
// their width, so "SGD" does not grow while "Classification" is cut.
inline std::vector<float> fit_widths(const std::vector<float>& wanted, float room, float at_least) {
  std::vector<float> out = wanted;
  for (float& w : out) w = std::max(w, at_least);
  const float total = std::accumulate(out.begin(), out.end(), 0.0f);
  if (total <= room || out.empty()) return out;
  // The cap c with sum(min(w_i, c)) = room, found over the sorted widths.
  std::vector<float> sorted = out;
  std::sort(sorted.begin(), sorted.end());
  float below = 0.0f, cap = at_least;
  const auto n = sorted.size();
  for (size_t i = 0; i < n; ++i) {
    const float c = (room - below) / static_cast<float>(n - i);
    if (c <= sorted[i]) {
      cap = c;
      break;
    }
    below += sorted[i];
    cap = sorted[i];
  }
  cap = std::max(cap, at_least);
  for (float& w : out) w = std::min(w, cap);
  return out;
}

}  // namespace aisb::controls
