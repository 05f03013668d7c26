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
#include "widgets/damage.hpp"

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

// The blocks of `size` x `size` pixels of an RGBA image (rows top first)
// that hold any pixel that is not fully transparent, as pixel rectangles
// (x1, y1 exclusive; the last row and column of blocks may be smaller).
// Drawing only these skips the empty parts of an overlay, which a software
// OpenGL would otherwise blend pixel by pixel.
struct Block {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool operator==(const Block&) const = default;
};
std::vector<Block> covered_blocks(const std::vector<uint8_t>& rgba, int width, int height, int size);

// An overlay made ready off the UI thread: its pixels, the blocks of
// `block` pixels (damage::kTile unless said) that hold any, and every
// block's content hash.
struct Overlay {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
  std::vector<Block> blocks;
  std::vector<uint64_t> hashes;  // damage::block_hashes, all blocks
  int block = damage::kTile;
};
Overlay make_overlay(int width, int height, std::vector<uint8_t> rgba, int block = damage::kTile);

// Brings `shown` toward `target` a few blocks at a time: copies at most
// `budget` of the blocks whose hashes differ (pixels, hash, and whether the
// block holds anything), in reading order from block `cursor` on, round to
// the start, and returns the blocks copied as pixel rectangles; `cursor`
// moves past the last block copied (so a target that keeps changing before
// it is reached still reaches every block in turn), and `left` gets how
// many still differ. A target of another size or block becomes `shown`
// whole (one rectangle, the whole picture). Under a software OpenGL every
// changed block is redrawn on screen, so a big picture that changes
// everywhere at once (a network's links, its neurons' maps) would cost one
// frame what the eye cannot tell from a few.
std::vector<Block> approach(Overlay& shown, const Overlay& target, size_t budget, size_t& cursor, size_t& left);

struct Curve {
  Point p0, p1, p2, p3;
  float width = 1;
  colors::Rgb color;
  float alpha = 1;
};
// Curves stroked in order onto a transparent canvas.
Overlay paint_curves(int width, int height, const std::vector<Curve>& curves);

}  // namespace aisb::raster
