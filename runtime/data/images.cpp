// The image datasets, generated from the seed like the playground sets:
// `digits` (28x28 handwriting-like digits drawn from strokes) and
// `steel-defects` (64x64 steel-surface textures with six defect classes, a
// nod to Pohang's steel industry). Pixels are in [0, 1]. Our Rng and det::
// maths only, so every machine draws the same images. Never put two rng
// calls in one function call's arguments: compilers evaluate them in
// different orders (the pinned checksums catch it).
#include <algorithm>
#include <cmath>

#include "core/detmath.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace aisb {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Pt {
  double x, y;
};
using Stroke = std::vector<Pt>;

// An ellipse as a closed polyline, from `from` to `to` radians.
Stroke arc(double cx, double cy, double rx, double ry, double from, double to, int n = 14) {
  Stroke s;
  for (int i = 0; i <= n; ++i) {
    const double a = from + (to - from) * i / n;
    s.push_back({cx + rx * det::cos(a), cy + ry * det::sin(a)});
  }
  return s;
}

// Each digit as strokes in a unit box (y grows downwards).
std::vector<Stroke> digit_strokes(int d) {
  switch (d) {
    case 0:
      return {arc(0.5, 0.5, 0.27, 0.38, 0, 2 * kPi, 18)};
    case 1:
      return {{{0.36, 0.25}, {0.52, 0.1}, {0.52, 0.9}}};
    case 2:
      return {
          {{0.25, 0.3}, {0.35, 0.14}, {0.55, 0.1}, {0.72, 0.2}, {0.72, 0.38}, {0.5, 0.6}, {0.25, 0.9}, {0.78, 0.9}}};
    case 3:
      return {{{0.25, 0.15}, {0.7, 0.15}, {0.45, 0.45}, {0.7, 0.58}, {0.72, 0.78}, {0.52, 0.9}, {0.25, 0.84}}};
    case 4:
      return {{{0.64, 0.9}, {0.64, 0.1}, {0.2, 0.64}, {0.8, 0.64}}};
    case 5:
      return {
          {{0.75, 0.1}, {0.32, 0.1}, {0.29, 0.45}, {0.55, 0.41}, {0.72, 0.57}, {0.7, 0.8}, {0.5, 0.9}, {0.25, 0.85}}};
    case 6:
      return {{{0.7, 0.12},
               {0.45, 0.2},
               {0.3, 0.45},
               {0.28, 0.7},
               {0.4, 0.88},
               {0.6, 0.88},
               {0.72, 0.7},
               {0.6, 0.52},
               {0.4, 0.52},
               {0.3, 0.66}}};
    case 7:
      return {{{0.22, 0.12}, {0.78, 0.12}, {0.45, 0.9}}, {{0.36, 0.5}, {0.66, 0.5}}};
    case 8:
      return {arc(0.5, 0.29, 0.2, 0.18, 0, 2 * kPi), arc(0.5, 0.69, 0.25, 0.21, 0, 2 * kPi)};
    default:
      return {arc(0.5, 0.33, 0.21, 0.21, 0, 2 * kPi), {{0.71, 0.35}, {0.62, 0.9}}};
  }
}

double segment_distance(double px, double py, const Pt& a, const Pt& b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = px - (a.x + t * dx), ey = py - (a.y + t * dy);
  return std::sqrt(ex * ex + ey * ey);
}

void draw_digit(int d, double noise, Rng& rng, float* img) {
  constexpr int size = 28;
  // A slightly different hand every time: slant, size, position, pen.
  const double angle = rng.uniform(-0.2, 0.2), shear = rng.uniform(-0.25, 0.25);
  const double scale = rng.uniform(15.0, 20.0), pen = rng.uniform(1.0, 2.2);
  const double ox = 14.0 + rng.uniform(-2.0, 2.0), oy = 14.0 + rng.uniform(-2.0, 2.0);
  const double ca = det::cos(angle), sa = det::sin(angle);
  std::vector<Stroke> strokes = digit_strokes(d);
  for (auto& s : strokes) {
    for (auto& p : s) {
      const double x = p.x - 0.5 + rng.uniform(-0.03, 0.03) + shear * (0.5 - p.y);
      const double y = p.y - 0.5 + rng.uniform(-0.03, 0.03);
      p = {ox + scale * (ca * x - sa * y), oy + scale * (sa * x + ca * y)};
    }
  }
  for (int r = 0; r < size; ++r) {
    for (int c = 0; c < size; ++c) {
      double dist = 1e9;
      for (const auto& s : strokes) {
        for (size_t k = 0; k + 1 < s.size(); ++k)
          dist = std::min(dist, segment_distance(c + 0.5, r + 0.5, s[k], s[k + 1]));
      }
      const double ink = std::clamp(pen - dist + 0.5, 0.0, 1.0);
      const double v = ink + noise * 0.5 * rng.normal();
      img[r * size + c] = static_cast<float>(std::clamp(v, 0.0, 1.0));
    }
  }
}

// Smooth value noise on a lattice of `cells` x `cells`, sampled at (x, y) in [0, 1).
class ValueNoise {
 public:
  ValueNoise(int cells, Rng& rng) : cells_(cells), v_(static_cast<size_t>((cells + 1) * (cells + 1))) {
    for (auto& x : v_) x = rng.uniform();
  }
  double at(double x, double y) const {
    const double fx = x * cells_, fy = y * cells_;
    const int ix = std::min(static_cast<int>(fx), cells_ - 1), iy = std::min(static_cast<int>(fy), cells_ - 1);
    const double tx = smooth(fx - ix), ty = smooth(fy - iy);
    const auto v = [&](int i, int j) { return v_[static_cast<size_t>(j * (cells_ + 1) + i)]; };
    const double top = v(ix, iy) + (v(ix + 1, iy) - v(ix, iy)) * tx;
    const double bottom = v(ix, iy + 1) + (v(ix + 1, iy + 1) - v(ix, iy + 1)) * tx;
    return top + (bottom - top) * ty;
  }

 private:
  static double smooth(double t) { return t * t * (3.0 - 2.0 * t); }
  int cells_;
  std::vector<double> v_;
};

void line(float* img, int size, double x0, double y0, double x1, double y1, double width, double delta) {
  for (int r = 0; r < size; ++r) {
    for (int c = 0; c < size; ++c) {
      const double d = segment_distance(c + 0.5, r + 0.5, {x0, y0}, {x1, y1});
      if (d < width) img[r * size + c] += static_cast<float>(delta * (1.0 - d / width));
    }
  }
}

void blob(float* img, int size, double cx, double cy, double rx, double ry, double delta) {
  for (int r = 0; r < size; ++r) {
    for (int c = 0; c < size; ++c) {
      const double dx = (c + 0.5 - cx) / rx, dy = (r + 0.5 - cy) / ry;
      const double q = dx * dx + dy * dy;
      if (q < 1.0) img[r * size + c] += static_cast<float>(delta * (1.0 - q));
    }
  }
}

// Classes in the order of SPEC.md: crazing, inclusion, patches, pitted, rolled-in scale, scratches.
void draw_steel(int cls, double noise, Rng& rng, float* img) {
  constexpr int size = 64;
  const ValueNoise grain(16, rng), shade(3, rng);
  const double base = rng.uniform(0.45, 0.6);
  for (int r = 0; r < size; ++r) {
    for (int c = 0; c < size; ++c) {
      const double x = (c + 0.5) / size, y = (r + 0.5) / size;
      img[r * size + c] = static_cast<float>(base + 0.12 * (shade.at(x, y) - 0.5) + 0.06 * (grain.at(x, y) - 0.5));
    }
  }
  switch (cls) {
    case 0:  // crazing: a net of short, fine dark cracks
      for (int k = 0; k < 28; ++k) {
        const double x = rng.uniform(0, size), y = rng.uniform(0, size), a = rng.uniform(0, kPi),
                     l = rng.uniform(5, 12);
        line(img, size, x, y, x + l * det::cos(a), y + l * det::sin(a), 0.9, -0.25);
      }
      break;
    case 1:  // inclusion: a few dark specks stretched along the rolling direction
      for (int k = 0, n = 2 + static_cast<int>(rng.below(4)); k < n; ++k) {
        const double x = rng.uniform(8, 56), y = rng.uniform(8, 56), rx = rng.uniform(4, 9), ry = rng.uniform(1.2, 2.5);
        blob(img, size, x, y, rx, ry, -0.35);
      }
      break;
    case 2: {  // patches: large soft areas of another brightness
      const ValueNoise big(4, rng);
      const double sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
      for (int r = 0; r < size; ++r) {
        for (int c = 0; c < size; ++c) {
          const double v = big.at((c + 0.5) / size, (r + 0.5) / size);
          if (v > 0.55) img[r * size + c] += static_cast<float>(sign * 0.6 * (v - 0.55));
        }
      }
      break;
    }
    case 3:  // pitted: many small dark pits
      for (int k = 0; k < 45; ++k) {
        const double r = rng.uniform(0.8, 1.8), x = rng.uniform(0, size), y = rng.uniform(0, size);
        blob(img, size, x, y, r, r, -0.35);
      }
      break;
    case 4:  // rolled-in scale: flaky streaks along the rolling direction
      for (int k = 0; k < 9; ++k) {
        const double x = rng.uniform(0, size), y = rng.uniform(0, size), rx = rng.uniform(6, 14);
        const double ry = rng.uniform(0.8, 2.0), depth = rng.uniform(-0.3, -0.15);
        blob(img, size, x, y, rx, ry, depth);
      }
      break;
    default: {  // scratches: a few long thin straight lines
      for (int k = 0, n = 1 + static_cast<int>(rng.below(3)); k < n; ++k) {
        const double a = rng.uniform(-0.5, 0.5) + (rng.uniform() < 0.5 ? 0.0 : kPi / 2);
        const double cx = rng.uniform(10, 54), cy = rng.uniform(10, 54), l = rng.uniform(25, 50);
        const double dx = 0.5 * l * det::cos(a), dy = 0.5 * l * det::sin(a);
        line(img, size, cx - dx, cy - dy, cx + dx, cy + dy, 1.1, rng.uniform() < 0.5 ? 0.3 : -0.3);
      }
      break;
    }
  }
  for (int i = 0; i < size * size; ++i) {
    img[i] = static_cast<float>(std::clamp(img[i] + noise * 0.15 * rng.normal(), 0.0, 1.0));
  }
}

}  // namespace

Images generate_images(const std::string& source, int samples, double noise, uint64_t seed) {
  Images out;
  const bool digits = source == "digits";
  if (!digits && source != "steel-defects") throw std::invalid_argument("no image generator named '" + source + "'");
  out.channels = 1;
  out.height = out.width = digits ? 28 : 64;
  const int classes = digits ? 10 : 6;
  const size_t pixels = static_cast<size_t>(out.height * out.width);
  out.pixels.assign(pixels * static_cast<size_t>(samples), 0.0f);
  out.label.resize(static_cast<size_t>(samples));
  Rng rng(seed, streams::data);
  for (int i = 0; i < samples; ++i) {
    const int cls = i % classes;  // balanced; the split shuffles
    out.label[static_cast<size_t>(i)] = static_cast<float>(cls);
    float* img = out.pixels.data() + pixels * static_cast<size_t>(i);
    if (digits)
      draw_digit(cls, noise, rng, img);
    else
      draw_steel(cls, noise, rng, img);
  }
  return out;
}

}  // namespace aisb
