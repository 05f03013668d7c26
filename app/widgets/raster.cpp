#include "widgets/raster.hpp"

#include <algorithm>
#include <cmath>

namespace aisb::raster {

void Canvas::reset(int w, int h) {
  width = std::max(0, w);
  height = std::max(0, h);
  rgba.assign(static_cast<size_t>(width) * static_cast<size_t>(height) * 4, 0);
  cover.assign(static_cast<size_t>(width) * static_cast<size_t>(height), 0.0f);
  touched.clear();
}

namespace {

Point bezier(Point p0, Point p1, Point p2, Point p3, float t) {
  const float u = 1 - t;
  const float a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
  return {a * p0.x + b * p1.x + c * p2.x + d * p3.x, a * p0.y + b * p1.y + c * p2.y + d * p3.y};
}

float distance_to_segment(float px, float py, Point a, Point b) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len2 = dx * dx + dy * dy;
  float t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0.0f;
  t = std::clamp(t, 0.0f, 1.0f);
  return std::hypot(px - (a.x + t * dx), py - (a.y + t * dy));
}

}  // namespace

void stroke_bezier(Canvas& c, Point p0, Point p1, Point p2, Point p3, float width, colors::Rgb color, float alpha) {
  if (c.width == 0 || c.height == 0) return;
  // Segments about 6 pixels long follow the curve closely enough.
  const float chord = std::hypot(p3.x - p0.x, p3.y - p0.y) + std::hypot(p1.x - p0.x, p1.y - p0.y) +
                      std::hypot(p3.x - p2.x, p3.y - p2.y);
  const int segments = std::clamp(static_cast<int>(chord / 6.0f), 2, 256);
  const float half = std::max(0.5f, width * 0.5f);
  Point a = p0;
  for (int s = 1; s <= segments; ++s) {
    const Point b = bezier(p0, p1, p2, p3, static_cast<float>(s) / static_cast<float>(segments));
    const int x0 = std::max(0, static_cast<int>(std::floor(std::min(a.x, b.x) - half - 1)));
    const int x1 = std::min(c.width - 1, static_cast<int>(std::ceil(std::max(a.x, b.x) + half + 1)));
    const int y0 = std::max(0, static_cast<int>(std::floor(std::min(a.y, b.y) - half - 1)));
    const int y1 = std::min(c.height - 1, static_cast<int>(std::ceil(std::max(a.y, b.y) + half + 1)));
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const float d = distance_to_segment(static_cast<float>(x) + 0.5f, static_cast<float>(y) + 0.5f, a, b);
        const float cov = std::clamp(half + 0.5f - d, 0.0f, 1.0f);
        if (cov <= 0) continue;
        const int i = y * c.width + x;
        float& slot = c.cover[static_cast<size_t>(i)];
        if (slot == 0) c.touched.push_back(i);
        slot = std::max(slot, cov);
      }
    }
    a = b;
  }
  // Composite the curve once ("over"), then clear the scratch.
  for (int i : c.touched) {
    float& slot = c.cover[static_cast<size_t>(i)];
    const float src = slot * alpha;
    slot = 0;
    uint8_t* o = &c.rgba[static_cast<size_t>(i) * 4];
    const float dst = o[3] / 255.0f;
    const float out = src + dst * (1 - src);
    if (out <= 0) continue;
    const auto mix = [&](uint8_t d, uint8_t s) {
      return static_cast<uint8_t>(std::lround((s * src + d * dst * (1 - src)) / out));
    };
    o[0] = mix(o[0], color.r);
    o[1] = mix(o[1], color.g);
    o[2] = mix(o[2], color.b);
    o[3] = static_cast<uint8_t>(std::lround(out * 255.0f));
  }
  c.touched.clear();
}

std::vector<Block> covered_blocks(const std::vector<uint8_t>& rgba, int width, int height, int size) {
  std::vector<Block> out;
  if (size <= 0 || width <= 0 || height <= 0 ||
      rgba.size() < static_cast<size_t>(width) * static_cast<size_t>(height) * 4) {
    return out;
  }
  for (int y0 = 0; y0 < height; y0 += size) {
    const int y1 = std::min(height, y0 + size);
    for (int x0 = 0; x0 < width; x0 += size) {
      const int x1 = std::min(width, x0 + size);
      bool any = false;
      for (int y = y0; y < y1 && !any; ++y) {
        const uint8_t* row =
            rgba.data() + (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x0)) * 4;
        for (int x = 0; x < x1 - x0; ++x) {
          if (row[x * 4 + 3] != 0) {
            any = true;
            break;
          }
        }
      }
      if (any) out.push_back({x0, y0, x1, y1});
    }
  }
  return out;
}

Overlay make_overlay(int width, int height, std::vector<uint8_t> rgba, int block) {
  Overlay o{std::max(0, width), std::max(0, height), std::move(rgba), {}, {}, std::max(1, block)};
  o.blocks = covered_blocks(o.rgba, o.width, o.height, o.block);
  o.hashes = damage::block_hashes(o.rgba.data(), o.width, o.height, o.block);
  return o;
}

std::vector<Block> approach(Overlay& shown, const Overlay& target, size_t budget, size_t& cursor, size_t& left) {
  left = 0;
  const int size = target.block;
  const int cols = size > 0 ? (target.width + size - 1) / size : 0;
  const int rows = size > 0 ? (target.height + size - 1) / size : 0;
  const size_t count = static_cast<size_t>(cols) * static_cast<size_t>(rows);
  if (shown.width != target.width || shown.height != target.height || shown.block != size ||
      shown.hashes.size() != count || target.hashes.size() != count || shown.rgba.size() != target.rgba.size()) {
    shown = target;
    cursor = 0;
    if (shown.width <= 0 || shown.height <= 0) return {};
    return {Block{0, 0, shown.width, shown.height}};
  }
  // Which blocks hold anything, before and after, by index.
  const auto flags = [&](const std::vector<Block>& blocks) {
    std::vector<uint8_t> f(count, 0);
    for (const Block& b : blocks)
      f[static_cast<size_t>(b.y0 / size) * static_cast<size_t>(cols) + static_cast<size_t>(b.x0 / size)] = 1;
    return f;
  };
  std::vector<uint8_t> covered = flags(shown.blocks);
  std::vector<uint8_t> wanted;
  std::vector<Block> copied;
  const size_t first = count > 0 ? cursor % count : 0;
  for (size_t n = 0; n < count; ++n) {
    const size_t i = (first + n) % count;
    if (shown.hashes[i] == target.hashes[i]) continue;
    if (copied.size() >= budget) {
      ++left;
      continue;
    }
    if (wanted.empty()) wanted = flags(target.blocks);
    const int x0 = static_cast<int>(i % static_cast<size_t>(cols)) * size;
    const int y0 = static_cast<int>(i / static_cast<size_t>(cols)) * size;
    const Block b{x0, y0, std::min(target.width, x0 + size), std::min(target.height, y0 + size)};
    for (int y = b.y0; y < b.y1; ++y) {
      const size_t at = (static_cast<size_t>(y) * static_cast<size_t>(target.width) + static_cast<size_t>(b.x0)) * 4;
      std::copy_n(target.rgba.begin() + static_cast<std::ptrdiff_t>(at), static_cast<size_t>(b.x1 - b.x0) * 4,
                  shown.rgba.begin() + static_cast<std::ptrdiff_t>(at));
    }
    shown.hashes[i] = target.hashes[i];
    covered[i] = wanted[i];
    copied.push_back(b);
    cursor = (i + 1) % count;
  }
  if (!copied.empty()) {
    shown.blocks.clear();
    for (size_t i = 0; i < count; ++i) {
      if (covered[i] == 0) continue;
      const int x0 = static_cast<int>(i % static_cast<size_t>(cols)) * size;
      const int y0 = static_cast<int>(i / static_cast<size_t>(cols)) * size;
      shown.blocks.push_back({x0, y0, std::min(shown.width, x0 + size), std::min(shown.height, y0 + size)});
    }
  }
  return copied;
}

Overlay paint_curves(int width, int height, const std::vector<Curve>& curves) {
  Canvas canvas;
  canvas.reset(width, height);
  for (const Curve& c : curves) stroke_bezier(canvas, c.p0, c.p1, c.p2, c.p3, c.width, c.color, c.alpha);
  return make_overlay(canvas.width, canvas.height, std::move(canvas.rgba));
}

}  // namespace aisb::raster
