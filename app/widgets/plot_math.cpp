#include "widgets/plot_math.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace aisb::plot {

std::vector<double> nice_ticks(double lo, double hi, int max_ticks, bool whole) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (lo > hi) std::swap(lo, hi);
  if (whole) {
    // Only the whole numbers in [lo, hi]; none there: the nearest one.
    const double first = std::ceil(lo - 1e-9), last = std::floor(hi + 1e-9);
    if (first > last) return {std::round((lo + hi) / 2)};
    lo = first;
    hi = last;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) return {lo};
  max_ticks = std::max(2, max_ticks);
  const double raw = whole ? std::max(1.0, (hi - lo) / (max_ticks - 1)) : (hi - lo) / (max_ticks - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double mult = 1.0;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    mult = m;
    if (m * magnitude >= raw) break;
  }
  const double step = mult * magnitude;
  // Tick k is k * mult * 10^e; for e < 0 divide by 10^-e, which rounds 0.6
  // to 0.6 where 3 * 0.2 would give 0.6000000000000001.
  const double inv = magnitude < 1.0 ? std::round(1.0 / magnitude) : 0.0;
  const auto value = [&](double k) { return inv > 0 ? (k * mult) / inv : k * step; };
  std::vector<double> out;
  for (double k = std::ceil(lo / step - 1e-9); value(k) <= hi + step * 1e-9; k += 1.0) {
    const double v = value(k);
    out.push_back(v == 0.0 ? 0.0 : v);  // no "-0"
    if (out.size() > static_cast<size_t>(4 * max_ticks)) break;
  }
  return out;
}

std::vector<double> log_ticks(double lo, double hi) {
  if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (lo > hi) std::swap(lo, hi);
  const int first = static_cast<int>(std::floor(std::log10(lo))), last = static_cast<int>(std::ceil(std::log10(hi)));
  const bool fine = last - first < 3;
  std::vector<double> out;
  for (int e = first; e <= last; ++e) {
    const double p = std::pow(10.0, e);
    for (const double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && !fine) continue;
      const double v = m * p;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push_back(v);
    }
  }
  if (out.empty()) out.push_back(lo);
  return out;
}

Range autofit(const std::vector<const std::vector<float>*>& series, double pad, bool log_y) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto* s : series) {
    if (s == nullptr) continue;
    for (const float v : *s) {
      if (!std::isfinite(v) || (log_y && v <= 0.0f)) continue;
      lo = std::min(lo, static_cast<double>(v));
      hi = std::max(hi, static_cast<double>(v));
    }
  }
  if (!std::isfinite(lo)) return log_y ? Range{0.1, 1.0} : Range{0.0, 1.0};
  if (log_y) {
    if (hi <= lo) return {lo / 2, hi * 2};
    const double f = std::pow(hi / lo, pad);
    return {lo / f, hi * f};
  }
  if (hi - lo < 1e-12) return {lo - 0.5, hi + 0.5};
  const double p = (hi - lo) * pad;
  return {lo - p, hi + p};
}

std::vector<size_t> decimate_minmax(const std::vector<float>& ys, size_t buckets) {
  std::vector<size_t> out;
  const size_t n = ys.size();
  if (buckets == 0 || n <= 2 * buckets) {
    out.resize(n);
    for (size_t i = 0; i < n; ++i) out[i] = i;
    return out;
  }
  out.reserve(3 * buckets + 1);
  for (size_t b = 0; b < buckets; ++b) {
    const size_t from = b * n / buckets, to = (b + 1) * n / buckets;
    size_t mn = from, mx = from;
    for (size_t i = from; i < to; ++i) {
      if (ys[i] < ys[mn]) mn = i;
      if (ys[i] > ys[mx]) mx = i;
    }
    out.push_back(from);
    for (const size_t i : {std::min(mn, mx), std::max(mn, mx)}) {
      if (i != out.back()) out.push_back(i);
    }
  }
  if (out.back() != n - 1) out.push_back(n - 1);
  return out;
}

std::string format_tick(double v) {
  std::vector<char> buf(32, '\0');
  const double a = std::fabs(v);
  if (v == 0.0)
    std::snprintf(buf.data(), buf.size(), "0");
  else if (a >= 1e6)
    std::snprintf(buf.data(), buf.size(), "%gM", v / 1e6);
  else if (a >= 1e4)
    std::snprintf(buf.data(), buf.size(), "%gk", v / 1e3);
  else if (a < 1e-3)
    std::snprintf(buf.data(), buf.size(), "%.0e", v);
  else
    std::snprintf(buf.data(), buf.size(), "%.6g", v);
  return buf.data();
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "–";
  // Whole percents where the value is one (0.1 is 10.000000000000002 in
  // doubles), else one decimal.
  const double pct = fraction * 100.0;
  std::vector<char> buf(32, '\0');
  if (std::fabs(pct - std::round(pct)) < 1e-6)
    std::snprintf(buf.data(), buf.size(), "%.0f%%", std::round(pct) + 0.0);
  else
    std::snprintf(buf.data(), buf.size(), "%.1f%%", pct);
  return buf.data();
}

}  // namespace aisb::plot
