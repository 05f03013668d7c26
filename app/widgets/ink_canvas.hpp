// The "Try it" panel's drawing canvas: what a student draws with the mouse,
// as the picture a trained network reads. Strokes are painted the way the
// digits generator draws its digits (runtime/data/images.cpp): a round pen
// with a soft edge one pixel wide, ink 1 on a background of 0, each pixel
// the darkest ink of any stroke over it. A "3" drawn with the mouse then
// looks like the threes the network learnt from, not like a thin aliased
// line. Coordinates are in the picture's pixels (0..width, 0..height), so
// the canvas knows nothing of the screen. No UI; tests/app/widgets_test.cpp.
#pragma once

#include <cstdint>
#include <vector>

namespace aisb::canvas {

struct Point {
  double x = 0, y = 0;
};

class InkCanvas {
 public:
  // `pen`: the pen's radius in pixels of a 28-pixel-wide picture; wider
  // pictures get a proportionally wider pen.
  explicit InkCanvas(int width = 28, int height = 28, double pen = 1.6);

  // A new size (a different model): the canvas is cleared.
  void resize(int width, int height);
  void clear();
  // The pen goes down at (x, y): a dot, and the start of a stroke.
  void begin_stroke(double x, double y);
  // The pen moves to (x, y) while down: a segment from the last point.
  // Ignored before begin_stroke.
  void extend_stroke(double x, double y);
  // Replaces the picture (a photo, a sample from the data): `pixels` holds
  // width * height values in [0, 1]; later strokes paint over it.
  void set_pixels(const std::vector<float>& pixels);

  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }
  [[nodiscard]] double pen() const { return pen_ * static_cast<double>(width_) / 28.0; }
  // Row by row from the top, one value per pixel in [0, 1] (1: ink).
  [[nodiscard]] const std::vector<float>& pixels() const { return pixels_; }
  // True while nothing has been drawn or set since the last clear.
  [[nodiscard]] bool empty() const { return empty_; }
  // Counts every change of the pixels (views redraw, predictions are asked).
  [[nodiscard]] uint64_t version() const { return version_; }

 private:
  void paint_segment(Point a, Point b);

  int width_ = 28, height_ = 28;
  double pen_ = 1.6;
  std::vector<float> pixels_;
  bool empty_ = true;
  bool down_ = false;
  Point last_;
  uint64_t version_ = 0;
};

}  // namespace aisb::canvas
