// The arithmetic of our plot widget, without any UI: nice axis ticks, ranges
// that fit the data, log-scale ticks, and min/max decimation that keeps every
// spike of a long loss curve while drawing at most a few thousand points.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace aisb::plot {

struct Range {
  double lo = 0.0;
  double hi = 1.0;
};

// "Nice" tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi],
// at most about `max_ticks` of them. Never empty for finite input. With
// `whole`, only whole numbers (an axis of epochs or time steps, where "0.2"
// means nothing): at least 1 apart.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks = 6, bool whole = false);

// Ticks for a log axis: the powers of ten in [lo, hi] (lo > 0), with 2 and 5
// between them when the range spans fewer than three decades.
std::vector<double> log_ticks(double lo, double hi);

// The range of the finite values of every series, padded by `pad` of its
// span; a flat series gets a unit-wide range; no finite value gives [0, 1].
// With `log_y`, only positive values count and padding is multiplicative.
Range autofit(const std::vector<const std::vector<float>*>& series, double pad = 0.05, bool log_y = false);

// Indices of the points to draw: all of them when there are at most
// 2 * buckets, else per bucket the first, the minimum and the maximum (in x
// order), so no spike disappears.
std::vector<size_t> decimate_minmax(const std::vector<float>& ys, size_t buckets);

// Text for a tick value: no trailing zeros, thousands as "12k", small values
// in scientific notation.
std::string format_tick(double v);

// A fraction (0 .. 1) as people read it: 0.1 -> "10%", 0.125 -> "12.5%".
// Noise and the training share are fractions in a lesson file and percents
// on every screen.
std::string format_percent(double fraction);

}  // namespace aisb::plot
