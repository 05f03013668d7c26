#include "widgets/damage.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

namespace aisb::damage {

uint64_t mix(uint64_t h, const void* data, size_t bytes) {
  // Eight bytes at a time: a frame hashes some 10,000 triangles.
  const auto* p = static_cast<const uint8_t*>(data);
  const auto step = [&h](uint64_t w) {
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  };
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    step(w);
  }
  if (i < bytes) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, bytes - i);
    step(w ^ (static_cast<uint64_t>(bytes - i) << 56));
  }
  return h;
}

std::vector<uint64_t> block_hashes(const uint8_t* rgba, int width, int height, int size) {
  if (size <= 0 || width <= 0 || height <= 0) return {};
  const int cols = (width + size - 1) / size, rows = (height + size - 1) / size;
  std::vector<uint64_t> out(static_cast<size_t>(cols) * static_cast<size_t>(rows), kSeed);
  for (int y = 0; y < height; ++y) {
    uint64_t* row = out.data() + static_cast<size_t>(y / size) * static_cast<size_t>(cols);
    for (int c = 0; c < cols; ++c) {
      const int x0 = c * size, x1 = std::min(width, x0 + size);
      row[c] = mix(row[c], rgba + (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x0)) * 4,
                   static_cast<size_t>(x1 - x0) * 4);
    }
  }
  return out;
}

void Tracker::begin(int width, int height) {
  if (width != width_ || height != height_) {
    width_ = width;
    height_ = height;
    cols_ = (width + tile_ - 1) / tile_;
    rows_ = (height + tile_ - 1) / tile_;
    valid_ = false;
  }
  now_.assign(static_cast<size_t>(cols_) * static_cast<size_t>(rows_), kSeed);
}

void Tracker::add(float x0, float y0, float x1, float y1, uint64_t hash) {
  if (!(x1 > x0 && y1 > y0) || cols_ == 0) return;  // also NaN
  const auto tile_of = [&](float v, int count) {
    return std::clamp(static_cast<int>(std::floor(v / static_cast<float>(tile_))), 0, count - 1);
  };
  if (x1 <= 0 || y1 <= 0 || x0 >= static_cast<float>(width_) || y0 >= static_cast<float>(height_)) return;
  const int c0 = tile_of(x0, cols_), c1 = tile_of(std::nextafter(x1, x0), cols_);
  const int r0 = tile_of(y0, rows_), r1 = tile_of(std::nextafter(y1, y0), rows_);
  for (int r = r0; r <= r1; ++r) {
    for (int c = c0; c <= c1; ++c) {
      uint64_t& t = now_[static_cast<size_t>(r) * static_cast<size_t>(cols_) + static_cast<size_t>(c)];
      t = mix(t, &hash, sizeof hash);
    }
  }
}

std::vector<Rect> Tracker::finish() {
  std::vector<Rect> out;
  if (cols_ == 0) return out;
  if (!valid_ || last_.size() != now_.size()) {
    out.push_back({0, 0, width_, height_});
  } else {
    std::vector<uint8_t> damaged(now_.size());
    bool any = false;
    for (size_t i = 0; i < now_.size(); ++i) {
      damaged[i] = now_[i] != last_[i];
      any = any || damaged[i] != 0;
    }
    if (any) out = merge_tiles(damaged, cols_, rows_, tile_, width_, height_);
  }
  last_.swap(now_);
  valid_ = true;
  return out;
}

std::vector<Rect> merge_tiles(const std::vector<uint8_t>& damaged, int cols, int rows, int tile, int width, int height) {
  std::vector<Rect> done, open;  // open: runs of the previous row that may grow down
  for (int r = 0; r < rows; ++r) {
    std::vector<Rect> runs;
    for (int c = 0; c < cols;) {
      if (damaged[static_cast<size_t>(r) * static_cast<size_t>(cols) + static_cast<size_t>(c)] == 0) {
        ++c;
        continue;
      }
      const int start = c;
      while (c < cols && damaged[static_cast<size_t>(r) * static_cast<size_t>(cols) + static_cast<size_t>(c)] != 0) ++c;
      runs.push_back({start * tile, r * tile, std::min(c * tile, width), std::min((r + 1) * tile, height)});
    }
    std::vector<Rect> next;
    for (Rect run : runs) {
      const auto same = std::find_if(open.begin(), open.end(), [&](const Rect& o) { return o.x0 == run.x0 && o.x1 == run.x1; });
      if (same != open.end()) {
        run.y0 = same->y0;
        open.erase(same);
      }
      next.push_back(run);
    }
    done.insert(done.end(), open.begin(), open.end());
    open.swap(next);
  }
  done.insert(done.end(), open.begin(), open.end());
  return done;
}

}  // namespace aisb::damage
