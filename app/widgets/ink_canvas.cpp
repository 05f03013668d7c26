#include "widgets/ink_canvas.hpp"

#include <algorithm>
#include <cmath>

namespace aisb::canvas {

namespace {

double segment_distance(double px, double py, Point a, Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  const double t = len2 > 0 ? std::clamp(((px - a.x) * dx + (py - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
  const double ex = px - (a.x + t * dx), ey = py - (a.y + t * dy);
  return std::sqrt(ex * ex + ey * ey);
}

}  // namespace

InkCanvas::InkCanvas(int width, int height, double pen) : pen_(pen) {
  resize(width, height);
}

void InkCanvas::resize(int width, int height) {
  width_ = std::max(1, width);
  height_ = std::max(1, height);
  clear();
}

void InkCanvas::clear() {
  pixels_.assign(static_cast<size_t>(width_) * static_cast<size_t>(height_), 0.0f);
  empty_ = true;
  down_ = false;
  ++version_;
}

void InkCanvas::set_pixels(const std::vector<float>& pixels) {
  if (pixels.size() != pixels_.size()) return;
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels_[i] = std::isfinite(pixels[i]) ? std::clamp(pixels[i], 0.0f, 1.0f) : 0.0f;
  empty_ = false;
  down_ = false;
  ++version_;
}

void InkCanvas::begin_stroke(double x, double y) {
  last_ = {x, y};
  down_ = true;
  paint_segment(last_, last_);
}

void InkCanvas::extend_stroke(double x, double y) {
  if (!down_) return;
  const Point p{x, y};
  if (p.x == last_.x && p.y == last_.y) return;
  paint_segment(last_, p);
  last_ = p;
}

void InkCanvas::paint_segment(Point a, Point b) {
  // As draw_digit: ink = clamp(pen - distance + 0.5) at each pixel's centre.
  const double r = pen();
  const int x0 = std::max(0, static_cast<int>(std::floor(std::min(a.x, b.x) - r - 1)));
  const int x1 = std::min(width_ - 1, static_cast<int>(std::ceil(std::max(a.x, b.x) + r + 1)));
  const int y0 = std::max(0, static_cast<int>(std::floor(std::min(a.y, b.y) - r - 1)));
  const int y1 = std::min(height_ - 1, static_cast<int>(std::ceil(std::max(a.y, b.y) + r + 1)));
  bool changed = false;
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const double ink = std::clamp(r - segment_distance(x + 0.5, y + 0.5, a, b) + 0.5, 0.0, 1.0);
      float& px = pixels_[static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)];
      if (static_cast<float>(ink) > px) {
        px = static_cast<float>(ink);
        changed = true;
      }
    }
  }
  if (changed) {
    empty_ = false;
    ++version_;
  }
}

}  // namespace aisb::canvas
