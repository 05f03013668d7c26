// The platform layer: a GLFW window with an OpenGL 3.3 context and Dear
// ImGui on it; fonts for Hangul and Latin built from the text the app will
// show; frames that sleep while nothing changes (idle throttling); and PNG
// screenshots of the framebuffer. Nothing here knows about lessons or training.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "widgets/damage.hpp"
#include "widgets/raster.hpp"

struct GLFWwindow;
struct ImDrawList;
struct ImVec2;

namespace aisb::ui {

struct WindowOptions {
  int width = 1600, height = 1000;
  bool visible = true;
  std::string title = "AI Sandbox";
};

class Platform {
 public:
  // Throws std::runtime_error (with what is missing: a display, OpenGL 3.3)
  // when no window can be made.
  explicit Platform(const WindowOptions& options);
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  // Builds the font atlas: every character of `text` plus ASCII, in the
  // sizes the views use, scaled by em. Call again when new text or a new
  // size appears; it takes effect before the next frame.
  void set_fonts(const std::filesystem::path& font_dir, const std::string& text, float em_px);
  // Adds characters seen later (a lesson opened from disk, a typed name);
  // true when the atlas had to be rebuilt.
  bool ensure_glyphs(const std::string& text);

  // Waits for input when `busy` is false (at most `idle_wait`; anything that
  // changes by itself calls wake()), polls when true; then starts an ImGui
  // frame. False when the window should close.
  bool begin_frame(bool busy, std::chrono::milliseconds idle_wait = std::chrono::milliseconds(5000));
  // Renders and presents. With a path, saves the frame as PNG first
  // (throws std::runtime_error when it cannot be written).
  void end_frame(const std::string& screenshot_png = "");
  // Wakes a begin_frame() that waits for input (any thread).
  static void wake();

  // Files and folders dropped on the window since the last call (GLFW's drop
  // callback), as the system names them.
  std::vector<std::string> take_drops();

  // Screenshots: the pointer (wherever the X server left it) hovers nothing.
  void set_ignore_mouse(bool ignore) { ignore_mouse_ = ignore; }
  // A pointer of the app's own from the next frame on, at (x, y) in window
  // coordinates with the left button down or up, instead of the system's:
  // tests and demos draw on the "Try it" canvas with it (--try-draw).
  // stop_scripted_mouse() gives the pointer back.
  void script_mouse(float x, float y, bool down) {
    scripted_ = true;
    script_x_ = x;
    script_y_ = y;
    script_down_ = down;
  }
  void stop_scripted_mouse() { scripted_ = false; }
  [[nodiscard]] float content_scale() const { return content_scale_; }
  [[nodiscard]] GLFWwindow* window() const { return window_; }
  // True while input arrived in the last few frames (ImGui needs a couple
  // of frames to settle after a click).
  [[nodiscard]] bool settling() const { return settle_frames_ > 0; }
  // True when frames redraw and present only what changed (a software
  // OpenGL with GLX_MESA_copy_sub_buffer; AISB_PARTIAL_REDRAW=0 turns it off).
  [[nodiscard]] bool partial_redraw() const { return partial_; }
  // The next frame is drawn whole (the window was uncovered).
  void redraw_all() { damage_.invalidate(); }
  // For tests and bench/: the next frame is drawn both ways, changes only
  // and whole, and redraw_mismatch() then says in how many pixels they
  // differ (0 when partial redraw is off).
  void verify_next_frame() { verify_ = true; }
  [[nodiscard]] long redraw_mismatch() const { return redraw_mismatch_; }

 private:
  void rebuild_fonts();
  void init_partial_redraw();
  std::vector<damage::Rect> changed_area(int width, int height);
  void render(int width, int height, const std::vector<damage::Rect>& area);

  GLFWwindow* window_ = nullptr;
  float content_scale_ = 1.0f;
  int settle_frames_ = 3;
  std::filesystem::path font_dir_;
  std::u32string glyphs_;  // sorted, unique
  float em_px_ = 17.0f;
  bool fonts_dirty_ = false;
  bool ignore_mouse_ = false;
  bool scripted_ = false, script_down_ = false;
  float script_x_ = 0, script_y_ = 0;
  std::chrono::steady_clock::time_point last_frame_{};
  damage::Tracker damage_{damage::kTile};
  bool partial_ = false;
  bool verify_ = false;
  long redraw_mismatch_ = 0;
};

// Writes RGBA rows (top row first) as PNG; false on failure.
bool write_png(const std::string& path, int width, int height, const std::vector<uint8_t>& rgba);

// GL textures for heatmaps and images (RGBA, nearest or linear filtering).
class Texture {
 public:
  Texture() = default;
  ~Texture();
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;
  Texture(Texture&& o) noexcept;
  Texture& operator=(Texture&& o) noexcept;
  // An upload counts as a change of every pixel that shows the texture; the
  // same pixels again are neither uploaded nor counted.
  void upload(int width, int height, const uint8_t* rgba, bool smooth = false);
  // Only the blocks whose hash changed count as changed (big overlays drawn
  // block by block, see Overlay). `hashes`: damage::block_hashes of rgba.
  void upload_blocks(int width, int height, const uint8_t* rgba, int block, std::vector<uint64_t> hashes,
                     bool smooth = false);
  // Only these blocks of `image` (what the texture shows now, blocks and
  // hashes included) changed since the last upload: they alone are sent.
  void update_blocks(const raster::Overlay& image, const std::vector<raster::Block>& changed);
  [[nodiscard]] void* id() const { return reinterpret_cast<void*>(static_cast<uintptr_t>(tex_)); }
  [[nodiscard]] bool valid() const { return tex_ != 0; }
  [[nodiscard]] int width() const { return w_; }
  [[nodiscard]] int height() const { return h_; }

 private:
  void put(int width, int height, const uint8_t* rgba, bool smooth);

  unsigned tex_ = 0;
  int w_ = 0, h_ = 0;
};

// Decodes a PNG/JPEG file into a texture; false when it cannot be read.
// A mostly transparent image shown pixel for pixel over other things (the
// network's links, the data points): drawn as its non-empty blocks only,
// and a frame redraws only the blocks whose pixels changed. Under a
// software OpenGL the empty blocks would cost as much as the full ones.
class Overlay {
 public:
  static constexpr int kBlock = damage::kTile;
  // Where to start an overlay that covers `p` so that its blocks fall on the
  // damage grid: each changed block is then one tile redrawn, not four.
  static ImVec2 aligned(ImVec2 p);
  void upload(int width, int height, std::vector<uint8_t> rgba);
  void upload(raster::Overlay&& image);  // made ready elsewhere (raster::make_overlay)
  // What the overlay is to show next, brought on screen by step(): a few
  // blocks a frame (see raster::approach). A new aim replaces one not
  // reached yet; one of another size is shown whole at the first step.
  void aim(raster::Overlay&& image);
  // Copies at most `budget` changed blocks of the aim; returns how many
  // still differ (0: the aim is on screen).
  size_t step(size_t budget);
  [[nodiscard]] bool pending() const { return aim_.has_value(); }
  void draw(ImDrawList* list, float x, float y) const;
  // Stretched over a..b, block by block (every block, empty or not), so that
  // a block that changed redraws only its part of the window. Smooth
  // overlays (set_smooth) count a block as changed with its neighbours,
  // whose texels its edges blend.
  void draw_stretched(ImDrawList* list, ImVec2 a, ImVec2 b) const;
  void set_smooth(bool smooth) { smooth_ = smooth; }
  [[nodiscard]] bool valid() const { return tex_.valid(); }
  [[nodiscard]] void* id() const { return tex_.id(); }
  [[nodiscard]] int block() const { return shown_.block; }

 private:
  bool smooth_ = false;
  Texture tex_;
  raster::Overlay shown_;  // what the texture holds
  size_t cursor_ = 0;      // the block step() looks at first
  std::optional<raster::Overlay> aim_;
};

bool load_image(const std::filesystem::path& file, Texture& out);

}  // namespace aisb::ui
