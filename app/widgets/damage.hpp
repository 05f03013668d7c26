// Which parts of the window changed since the last frame. Under a software
// OpenGL (school laptops without a GPU driver, Xvfb) every pixel drawn and
// every pixel sent to the X server costs CPU time that the trainer needs, so
// the app redraws and presents only the tiles whose primitives changed. The
// caller feeds each primitive's screen bounds and a hash of everything that
// decides its pixels (vertices, texture and its contents, clip); a tile is
// damaged when the sequence of hashes that touch it differs from the last
// frame's. No UI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace aisb::damage {

struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // pixels, top-left origin, x1 and y1 exclusive
  [[nodiscard]] int area() const { return (x1 - x0) * (y1 - y0); }
  bool operator==(const Rect&) const = default;
};

// The side of a tile in pixels: small enough that a changed number redraws
// little, large enough that hashing a frame stays well under a millisecond.
inline constexpr int kTile = 32;

// Chains raw bytes into a 64-bit hash.
uint64_t mix(uint64_t h, const void* data, size_t bytes);
inline constexpr uint64_t kSeed = 0xcbf29ce484222325ull;

// Content hashes of an RGBA image in blocks of `size` x `size` pixels, row
// by row of blocks: a primitive that shows one block of a big texture then
// counts as changed only when that block did.
std::vector<uint64_t> block_hashes(const uint8_t* rgba, int width, int height, int size);

class Tracker {
 public:
  explicit Tracker(int tile = kTile) : tile_(tile) {}

  // Starts a frame of width x height pixels.
  void begin(int width, int height);

  // A primitive covering [x0, x1) x [y0, y1) (clipped to the frame here)
  // whose pixels are decided by `hash`.
  void add(float x0, float y0, float x1, float y1, uint64_t hash);

  // The changed area as a few rectangles on tile bounds (none when nothing
  // changed). The whole frame after invalidate(), a resize or the first frame.
  std::vector<Rect> finish();

  // The next frame is redrawn whole (the window was exposed, fonts rebuilt).
  void invalidate() { valid_ = false; }

 private:
  int tile_;
  int width_ = 0, height_ = 0, cols_ = 0, rows_ = 0;
  bool valid_ = false;
  std::vector<uint64_t> now_, last_;
};

// The damaged tiles as rectangles that do not overlap: runs in a row first,
// then equal runs in consecutive rows joined. Exposed for the tests.
std::vector<Rect> merge_tiles(const std::vector<uint8_t>& damaged, int cols, int rows, int tile, int width, int height);

}  // namespace aisb::damage
