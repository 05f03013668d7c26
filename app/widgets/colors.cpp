#include "widgets/colors.hpp"

#include <algorithm>
#include <cmath>

namespace aisb::colors {

namespace {

uint8_t mix(uint8_t a, uint8_t b, float t) { return static_cast<uint8_t>(std::lround(a + (b - a) * t)); }

Rgb lerp(Rgb a, Rgb b, float t) { return {mix(a.r, b.r, t), mix(a.g, b.g, t), mix(a.b, b.b, t)}; }

}  // namespace

Rgb diverging(float v) {
  if (std::isnan(v)) return kNeutral;
  v = std::clamp(v, -1.0f, 1.0f);
  return v < 0 ? lerp(kNeutral, kOrange, -v) : lerp(kNeutral, kBlue, v);
}

Rgb diverging_discrete(float v, int levels) {
  if (std::isnan(v)) return kNeutral;
  levels = std::max(1, levels);
  v = std::clamp(v, -1.0f, 1.0f);
  // Bands of equal width on each side; the outermost band is the full colour.
  const float step = 1.0f / static_cast<float>(levels);
  const float snapped = std::copysign(std::min(1.0f, std::ceil(std::fabs(v) / step - 1e-6f) * step), v);
  return diverging(snapped);
}

Rgb category(size_t i) {
  static constexpr Rgb palette[] = {{230, 159, 0},  {86, 180, 233}, {0, 158, 115}, {240, 228, 66},
                                    {0, 114, 178}, {213, 94, 0},   {204, 121, 167}, {0, 0, 0}};
  return palette[i % (sizeof palette / sizeof palette[0])];
}

std::vector<uint8_t> to_rgba(const std::vector<float>& values, float scale, bool discrete, uint8_t alpha) {
  std::vector<uint8_t> out(values.size() * 4);
  const float inv = scale > 0 ? 1.0f / scale : 1.0f;
  for (size_t i = 0; i < values.size(); ++i) {
    const Rgb c = discrete ? diverging_discrete(values[i] * inv) : diverging(values[i] * inv);
    out[4 * i] = c.r;
    out[4 * i + 1] = c.g;
    out[4 * i + 2] = c.b;
    out[4 * i + 3] = alpha;
  }
  return out;
}

}  // namespace aisb::colors
