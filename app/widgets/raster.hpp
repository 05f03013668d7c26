// A tiny software rasteriser for what is cheap to draw once and dear to
// draw every frame as geometry: smooth curves (the network's links) into an
// RGBA image that the app shows as one texture. Under a software OpenGL
// (school laptops without a GPU driver, Xvfb) a hundred thick anti-aliased
// curves cost 15 ms a frame as triangles and about 1 ms here, only when the
// weights change. No UI.
#pragma once

#include <cstdint>
#include <vector>

#include "widgets/colors.hpp"

namespace aisb::raster {

struct Canvas {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;  // straight (not premultiplied) alpha, rows top first
  std::vector<float> cover;   // scratch: per-pixel coverage of the curve being drawn
  std::vector<int> touched;   // scratch: the pixels it covers

  void reset(int w, int h);  // transparent
};

struct Point {
  float x = 0, y = 0;
};

// A cubic Bézier curve of `width` pixels, anti-aliased, composited over the
// canvas with `alpha`. Joints between its segments are not blended twice.
void stroke_bezier(Canvas& c, Point p0, Point p1, Point p2, Point p3, float width, colors::Rgb color, float alpha);

}  // namespace aisb::raster
