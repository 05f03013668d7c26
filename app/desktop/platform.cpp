#include "desktop/platform.hpp"

#include "core/files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#ifndef GL_CLAMP_TO_EDGE
#define GL_CLAMP_TO_EDGE 0x812F  // OpenGL 1.2; Windows' gl.h stops at 1.1
#endif
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include "desktop/glx_present.hpp"
#include "desktop/ui.hpp"

namespace fs = std::filesystem;

namespace aisb::ui {

// What a texture shows between two texture coordinates, mixed into `h`.
uint64_t texture_content(void* id, const ImVec2& uv0, const ImVec2& uv1, uint64_t h);

namespace {

Platform* g_platform = nullptr;
std::string g_glfw_error;

void on_glfw_error(int code, const char* message) {
  g_glfw_error = message != nullptr ? message : std::to_string(code);
}

// Our callbacks run before ImGui's (ImGui chains to callbacks installed
// earlier): any input keeps the app drawing for a few frames.
int* g_settle = nullptr;
void touch() {
  if (g_settle != nullptr) *g_settle = 4;
}
void on_cursor(GLFWwindow*, double, double) {
  touch();
}
void on_button(GLFWwindow*, int, int, int) {
  touch();
}
void on_scroll(GLFWwindow*, double, double) {
  touch();
}
void on_key(GLFWwindow*, int, int, int, int) {
  touch();
}
void on_char(GLFWwindow*, unsigned) {
  touch();
}
void on_focus(GLFWwindow*, int) {
  touch();
}
void on_enter(GLFWwindow*, int) {
  touch();
}
void on_size(GLFWwindow*, int, int) {
  touch();
}
// Dropped paths wait here for the app (callbacks run inside glfwPollEvents,
// on the UI thread).
std::vector<std::string> g_drops;
void on_drop(GLFWwindow*, int count, const char** paths) {
  for (int i = 0; i < count; ++i) {
    if (paths[i] != nullptr) g_drops.emplace_back(paths[i]);
  }
  touch();
}
// The window manager or the X server lost what was shown (uncovered, moved
// back on screen): draw the next frame whole.
void on_refresh(GLFWwindow*);

std::u32string decode_utf8(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    int extra = 0;
    if (c < 0x80)
      cp = c;
    else if ((c & 0xE0) == 0xC0)
      cp = c & 0x1F, extra = 1;
    else if ((c & 0xF0) == 0xE0)
      cp = c & 0x0F, extra = 2;
    else if ((c & 0xF8) == 0xF0)
      cp = c & 0x07, extra = 3;
    else {
      ++i;
      continue;
    }
    ++i;
    for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    out += cp;
  }
  return out;
}

ImVector<ImWchar> g_ranges;  // must outlive the atlas

}  // namespace

Platform::Platform(const WindowOptions& o) {
  glfwSetErrorCallback(on_glfw_error);
  if (glfwInit() == GLFW_FALSE) {
    throw std::runtime_error("cannot open a window: " +
                             (g_glfw_error.empty() ? std::string("no display") : g_glfw_error));
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, o.visible ? GLFW_TRUE : GLFW_FALSE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  window_ = glfwCreateWindow(o.width, o.height, o.title.c_str(), nullptr, nullptr);
  if (window_ == nullptr) {
    glfwTerminate();
    throw std::runtime_error("cannot open an OpenGL 3.3 window: " + g_glfw_error);
  }
  glfwSetWindowSizeLimits(window_, 960, 600, GLFW_DONT_CARE, GLFW_DONT_CARE);
  glfwMakeContextCurrent(window_);
  // No vsync wait inside swap: begin_frame paces frames itself (60 a
  // second while busy), which also works where there is no vsync (Xvfb).
  glfwSwapInterval(0);
  float sx = 1, sy = 1;
  glfwGetWindowContentScale(window_, &sx, &sy);
  content_scale_ = std::clamp(std::max(sx, sy), 1.0f, 4.0f);

  g_platform = this;
  g_settle = &settle_frames_;
  glfwSetCursorPosCallback(window_, on_cursor);
  glfwSetMouseButtonCallback(window_, on_button);
  glfwSetScrollCallback(window_, on_scroll);
  glfwSetKeyCallback(window_, on_key);
  glfwSetCharCallback(window_, on_char);
  glfwSetWindowFocusCallback(window_, on_focus);
  glfwSetCursorEnterCallback(window_, on_enter);
  glfwSetWindowSizeCallback(window_, on_size);
  glfwSetWindowRefreshCallback(window_, on_refresh);
  glfwSetDropCallback(window_, on_drop);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the app lays itself out; nothing to remember
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  init_partial_redraw();
  last_frame_ = std::chrono::steady_clock::now();
}

std::vector<std::string> Platform::take_drops() {
  std::vector<std::string> out;
  out.swap(g_drops);
  return out;
}

Platform::~Platform() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
  g_platform = nullptr;
  g_settle = nullptr;
}

namespace {
void on_refresh(GLFWwindow*) {
  if (g_platform != nullptr) g_platform->redraw_all();
  touch();
}
}  // namespace

void Platform::wake() {
  glfwPostEmptyEvent();
}

void Platform::set_fonts(const fs::path& font_dir, const std::string& text, float em_px) {
  font_dir_ = font_dir;
  em_px_ = em_px;
  glyphs_.clear();
  ensure_glyphs(text);
  fonts_dirty_ = true;
}

bool Platform::ensure_glyphs(const std::string& text) {
  std::u32string add = decode_utf8(text);
  // Always: printable ASCII, Latin-1 and the punctuation the views use.
  if (glyphs_.empty()) {
    for (char32_t c = 0x20; c < 0x7F; ++c) add += c;
    for (char32_t c = 0xA0; c <= 0xFF; ++c) add += c;
    add += U"·–—‘’“”…→←↑↓≈±×÷²³√∞";
  }
  const size_t before = glyphs_.size();
  for (char32_t c : add) {
    if (c < 0x20 || c > 0xFFFF) continue;  // ImWchar is 16 bits here
    auto it = std::lower_bound(glyphs_.begin(), glyphs_.end(), c);
    if (it == glyphs_.end() || *it != c) glyphs_.insert(it, c);
  }
  if (glyphs_.size() == before) return false;
  fonts_dirty_ = true;
  return true;
}

void Platform::rebuild_fonts() {
  damage_.invalidate();  // the atlas texture is made anew
  fonts_dirty_ = false;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  g_ranges.clear();
  for (char32_t c : glyphs_) {
    g_ranges.push_back(static_cast<ImWchar>(c));
    g_ranges.push_back(static_cast<ImWchar>(c));
  }
  g_ranges.push_back(0);
  Fonts& f = ctx().fonts;
  // Digits only for the big counters: a full set at that size would double
  // the atlas, which a software renderer pays for on every first frame.
  static const ImWchar digits[] = {0x20, 0x3A, 0x2D, 0x2D, 0x2013, 0x2013, 0x25, 0x25, 0};
  const auto add = [&](const fs::path& file, float px, const ImWchar* ranges = nullptr) -> ImFont* {
    const fs::path p = font_dir_ / file;
    ImFontConfig cfg;
    // Hangul at 14 px and up is crisp without horizontal oversampling, and
    // the atlas stays a quarter of the size.
    cfg.OversampleH = 1;
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    ImFont* font = nullptr;
    std::error_code ec;
    if (fs::exists(p, ec))
      font = io.Fonts->AddFontFromFileTTF(utf8_of(p).c_str(), px, &cfg, ranges != nullptr ? ranges : g_ranges.Data);
    if (font == nullptr) {
      ImFontConfig d;
      d.SizePixels = px;
      font = io.Fonts->AddFontDefault(&d);
    }
    return font;
  };
  const float e = em_px_;
  f.body = add("NanumBarunGothic.ttf", e);
  f.bold = add("NanumBarunGothicBold.ttf", e);
  f.small = add("NanumBarunGothic.ttf", std::round(e * 0.82f));
  f.heading = add("NanumBarunGothicBold.ttf", std::round(e * 1.3f));
  f.title = add("NanumBarunGothicBold.ttf", std::round(e * 1.75f));
  f.mono = add("NanumGothicCoding.ttf", std::round(e * 0.95f));
  f.number = add("NanumBarunGothicBold.ttf", std::round(e * 2.1f), digits);
  io.Fonts->Build();
  if (std::getenv("AISB_DEBUG_FONTS") != nullptr)
    std::fprintf(stderr, "font atlas %dx%d, %zu characters\n", io.Fonts->TexWidth, io.Fonts->TexHeight, glyphs_.size());

  io.FontDefault = f.body;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

bool Platform::begin_frame(bool busy, std::chrono::milliseconds idle_wait) {
  if (glfwWindowShouldClose(window_)) return false;
  const bool active = busy || settle_frames_ > 0;
  if (active) {
    // At most 60 frames a second even without vsync (Xvfb has none).
    const auto next = last_frame_ + std::chrono::microseconds(16600);
    const auto now = std::chrono::steady_clock::now();
    if (now < next) std::this_thread::sleep_for(next - now);
    glfwPollEvents();
  } else {
    glfwWaitEventsTimeout(std::chrono::duration<double>(idle_wait).count());
  }
  if (settle_frames_ > 0) --settle_frames_;
  last_frame_ = std::chrono::steady_clock::now();
  if (fonts_dirty_) rebuild_fonts();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (scripted_) {
    ImGui::GetIO().MousePos = ImVec2(script_x_, script_y_);
    ImGui::GetIO().MouseDown[0] = script_down_;
  } else if (ignore_mouse_) {
    ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  }
  ImGui::NewFrame();
  return !glfwWindowShouldClose(window_);
}

void Platform::init_partial_redraw() {
  const char* env = std::getenv("AISB_PARTIAL_REDRAW");
  partial_ = !(env != nullptr && std::string(env) == "0") && glx::can_present_rects(window_);
}

namespace {
// The pixels (top-left origin) that ImGui's OpenGL backend lets a command
// touch: its glScissor, truncations included. Damage and partial redraw
// must use exactly these, or a row at a tile's edge goes stale.
damage::Rect scissor_of(const ImVec4& clip, const ImVec2& off, const ImVec2& scale, int fb_height) {
  const float x0 = (clip.x - off.x) * scale.x, y0 = (clip.y - off.y) * scale.y;
  const float x1 = (clip.z - off.x) * scale.x, y1 = (clip.w - off.y) * scale.y;
  if (x1 <= x0 || y1 <= y0) return {};
  const int sx = static_cast<int>(x0), sy = static_cast<int>(static_cast<float>(fb_height) - y1);
  const int sw = static_cast<int>(x1 - x0), sh = static_cast<int>(y1 - y0);
  return {sx, fb_height - sy - sh, sx + sw, fb_height - sy};
}
}  // namespace

std::vector<damage::Rect> Platform::changed_area(int width, int height) {
  const ImDrawData* dd = ImGui::GetDrawData();
  const ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
  damage_.begin(width, height);
  for (int l = 0; l < dd->CmdListsCount; ++l) {
    const ImDrawList* list = dd->CmdLists[l];
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback != nullptr) {
        damage_.invalidate();  // what a callback draws is not in the vertices
        continue;
      }
      const damage::Rect clip = scissor_of(cmd.ClipRect, off, scale, height);
      if (clip.area() <= 0) continue;
      const auto cx0 = static_cast<float>(clip.x0), cy0 = static_cast<float>(clip.y0);
      const auto cx1 = static_cast<float>(clip.x1), cy1 = static_cast<float>(clip.y1);
      uint64_t base = damage::mix(damage::kSeed, &cmd.ClipRect, sizeof cmd.ClipRect);
      base = damage::mix(base, &cmd.TextureId, sizeof cmd.TextureId);
      const ImDrawIdx* idx = list->IdxBuffer.Data + cmd.IdxOffset;
      const ImDrawVert* vtx = list->VtxBuffer.Data + cmd.VtxOffset;
      for (unsigned i = 0; i + 2 < cmd.ElemCount; i += 3) {
        const ImDrawVert* v[3] = {&vtx[idx[i]], &vtx[idx[i + 1]], &vtx[idx[i + 2]]};
        float x0 = v[0]->pos.x, x1 = x0, y0 = v[0]->pos.y, y1 = y0;
        ImVec2 uv0 = v[0]->uv, uv1 = uv0;
        uint64_t h = base;
        for (const ImDrawVert* p : v) {
          x0 = std::min(x0, p->pos.x), x1 = std::max(x1, p->pos.x);
          y0 = std::min(y0, p->pos.y), y1 = std::max(y1, p->pos.y);
          uv0 = ImVec2(std::min(uv0.x, p->uv.x), std::min(uv0.y, p->uv.y));
          uv1 = ImVec2(std::max(uv1.x, p->uv.x), std::max(uv1.y, p->uv.y));
          h = damage::mix(h, p, sizeof *p);
        }
        h = texture_content(cmd.TextureId, uv0, uv1, h);
        damage_.add(std::max(cx0, (x0 - off.x) * scale.x), std::max(cy0, (y0 - off.y) * scale.y),
                    std::min(cx1, (x1 - off.x) * scale.x + 1), std::min(cy1, (y1 - off.y) * scale.y + 1), h);
      }
    }
  }
  return damage_.finish();
}

void Platform::render(int width, int height, const std::vector<damage::Rect>& area) {
  glViewport(0, 0, width, height);
  const ImVec4 bg = vec(ctx().palette.background);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  ImDrawData* dd = ImGui::GetDrawData();
  if (!partial_) {
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(dd);
    return;
  }
  // Clear the changed rectangles, then draw every command once per rectangle
  // it reaches, clipped to it: one upload of the vertices and one scene for
  // the renderer (a pass per rectangle made llvmpipe finish the scene at
  // every re-upload). The rectangles do not overlap, so nothing blends twice.
  // The rest of the back buffer still holds the last frame.
  glEnable(GL_SCISSOR_TEST);
  for (const damage::Rect& r : area) {
    glScissor(r.x0, height - r.y1, r.x1 - r.x0, r.y1 - r.y0);
    glClear(GL_COLOR_BUFFER_BIT);
  }
  glDisable(GL_SCISSOR_TEST);
  const ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
  const auto to_display = [&](float px, float py) { return ImVec2(off.x + px / scale.x, off.y + py / scale.y); };
  // Per command and rectangle, only the triangles that reach the rectangle:
  // llvmpipe transforms and bins every triangle of a draw call before the
  // scissor drops it, so drawing a whole command once per rectangle cost
  // more than the pixels did.
  std::vector<ImVector<ImDrawCmd>> kept_cmds(static_cast<size_t>(dd->CmdListsCount));
  std::vector<ImVector<ImDrawIdx>> kept_idx(static_cast<size_t>(dd->CmdListsCount));
  for (int l = 0; l < dd->CmdListsCount; ++l) {
    ImDrawList* list = dd->CmdLists[l];
    ImVector<ImDrawCmd> cmds;
    ImVector<ImDrawIdx> idx;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      const ImDrawIdx* in = list->IdxBuffer.Data + cmd.IdxOffset;
      const ImDrawVert* vtx = list->VtxBuffer.Data + cmd.VtxOffset;
      const damage::Rect clip = scissor_of(cmd.ClipRect, off, scale, height);
      for (const damage::Rect& r : area) {
        // Whole pixels, so that the backend's scissor is exactly the part
        // of the command's own scissor inside this rectangle.
        const damage::Rect q{std::max(clip.x0, r.x0), std::max(clip.y0, r.y0), std::min(clip.x1, r.x1),
                             std::min(clip.y1, r.y1)};
        if (q.x1 <= q.x0 || q.y1 <= q.y0) continue;
        ImDrawCmd c = cmd;
        const ImVec2 lo = to_display(static_cast<float>(q.x0), static_cast<float>(q.y0));
        const ImVec2 hi = to_display(static_cast<float>(q.x1), static_cast<float>(q.y1));
        c.ClipRect = ImVec4(lo.x, lo.y, hi.x, hi.y);
        c.IdxOffset = static_cast<unsigned>(idx.Size);
        for (unsigned i = 0; i + 2 < cmd.ElemCount; i += 3) {
          const ImVec2 &a = vtx[in[i]].pos, &b = vtx[in[i + 1]].pos, &d = vtx[in[i + 2]].pos;
          if (std::max({a.x, b.x, d.x}) < c.ClipRect.x || std::min({a.x, b.x, d.x}) > c.ClipRect.z ||
              std::max({a.y, b.y, d.y}) < c.ClipRect.y || std::min({a.y, b.y, d.y}) > c.ClipRect.w) {
            continue;
          }
          idx.push_back(in[i]);
          idx.push_back(in[i + 1]);
          idx.push_back(in[i + 2]);
        }
        c.ElemCount = static_cast<unsigned>(idx.Size) - c.IdxOffset;
        if (c.ElemCount > 0) cmds.push_back(c);
      }
    }
    kept_cmds[static_cast<size_t>(l)].swap(list->CmdBuffer);
    kept_idx[static_cast<size_t>(l)].swap(list->IdxBuffer);
    list->CmdBuffer.swap(cmds);
    list->IdxBuffer.swap(idx);
  }
  ImGui_ImplOpenGL3_RenderDrawData(dd);
  for (int l = 0; l < dd->CmdListsCount; ++l) {
    dd->CmdLists[l]->CmdBuffer.swap(kept_cmds[static_cast<size_t>(l)]);
    dd->CmdLists[l]->IdxBuffer.swap(kept_idx[static_cast<size_t>(l)]);
  }
}

void Platform::end_frame(const std::string& screenshot_png) {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  const std::vector<damage::Rect> area =
      partial_ ? changed_area(w, h) : std::vector<damage::Rect>{damage::Rect{0, 0, w, h}};
  render(w, h, area);
  const auto read_back = [&] {
    std::vector<uint8_t> pixels(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    return pixels;
  };
  std::vector<damage::Rect> shown = area;
  if (verify_ && partial_) {
    // What frame after frame of changed rectangles left in the back buffer,
    // against the same frame drawn whole.
    const auto patched = read_back();
    shown = {damage::Rect{0, 0, w, h}};
    render(w, h, shown);
    const auto whole = read_back();
    redraw_mismatch_ = 0;
    for (size_t i = 0; i < whole.size(); i += 4) {
      redraw_mismatch_ += std::memcmp(&whole[i], &patched[i], 3) != 0 ? 1 : 0;
    }
  }
  verify_ = false;
  if (!screenshot_png.empty()) {
    const auto pixels = read_back();
    // OpenGL's rows start at the bottom; PNG's at the top.
    const size_t row = static_cast<size_t>(w) * 4;
    std::vector<uint8_t> flipped(pixels.size());
    for (int y = 0; y < h; ++y) {
      std::copy_n(pixels.begin() + static_cast<ptrdiff_t>(static_cast<size_t>(h - 1 - y) * row), row,
                  flipped.begin() + static_cast<ptrdiff_t>(static_cast<size_t>(y) * row));
    }
    for (size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
    if (!write_png(screenshot_png, w, h, flipped)) throw std::runtime_error("cannot write " + screenshot_png);
  }
  if (!partial_) {
    glfwSwapBuffers(window_);
    return;
  }
  for (const damage::Rect& r : shown) glx::present_rect(window_, r.x0, h - r.y1, r.x1 - r.x0, r.y1 - r.y0);
}

namespace {
// What a texture holds, as a number that changes with every upload: a
// changed heatmap must count as a change on screen though its vertices
// stayed put. GL names are reused, so every upload sets a fresh number.
struct TextureContent {
  uint64_t generation = 0;
  int width = 0, height = 0, block = 0;
  std::vector<uint64_t> blocks;  // with block > 0: content hashes, row by row
  uint64_t pixels = 0;           // a hash of all of it, filter included
  bool smooth = false;           // filtered: a pixel near a block's edge blends the next block's texels
};
std::map<uintptr_t, TextureContent> g_textures;
uint64_t g_uploads = 0;
}  // namespace

uint64_t texture_content(void* id, const ImVec2& uv0, const ImVec2& uv1, uint64_t h) {
  const auto it = g_textures.find(reinterpret_cast<uintptr_t>(id));
  if (it == g_textures.end()) return h;
  const TextureContent& t = it->second;
  const int cols = t.block > 0 ? (t.width + t.block - 1) / t.block : 0;
  const int rows = t.block > 0 ? (t.height + t.block - 1) / t.block : 0;
  if (cols == 0 || rows == 0 || t.blocks.size() != static_cast<size_t>(cols) * static_cast<size_t>(rows)) {
    return damage::mix(h, &t.generation, sizeof t.generation);
  }
  const auto cell = [&](float uv, int size, int count) {
    return std::clamp(static_cast<int>(std::floor(uv * static_cast<float>(size) / static_cast<float>(t.block))), 0,
                      count - 1);
  };
  // The far edge of a block's quad lies on the next block's first texel;
  // a filtered texture's quad also shows half a texel of each neighbour.
  const float reach = t.smooth ? 1.0f : -0.5f;
  const int c0 = cell(uv0.x - std::max(0.0f, reach) / static_cast<float>(t.width), t.width, cols);
  const int r0 = cell(uv0.y - std::max(0.0f, reach) / static_cast<float>(t.height), t.height, rows);
  const int c1 = std::max(c0, cell(uv1.x + reach / static_cast<float>(t.width), t.width, cols));
  const int r1 = std::max(r0, cell(uv1.y + reach / static_cast<float>(t.height), t.height, rows));
  const int size[2] = {t.width, t.height};
  h = damage::mix(h, size, sizeof size);
  for (int r = r0; r <= r1; ++r) {
    for (int c = c0; c <= c1; ++c) h = damage::mix(h, &t.blocks[static_cast<size_t>(r * cols + c)], sizeof(uint64_t));
  }
  return h;
}

bool write_png(const std::string& path, int width, int height, const std::vector<uint8_t>& rgba) {
  return stbi_write_png(path.c_str(), width, height, 4, rgba.data(), width * 4) != 0;
}

ImVec2 Overlay::aligned(ImVec2 p) {
  const auto down = [](float v) { return std::floor(v / static_cast<float>(kBlock)) * static_cast<float>(kBlock); };
  return ImVec2(down(p.x), down(p.y));
}

void Overlay::upload(int width, int height, std::vector<uint8_t> rgba) {
  upload(raster::make_overlay(width, height, std::move(rgba)));
}

void Overlay::upload(raster::Overlay&& image) {
  aim_.reset();
  shown_ = std::move(image);
  tex_.upload_blocks(shown_.width, shown_.height, shown_.rgba.data(), shown_.block, shown_.hashes, smooth_);
}

void Overlay::aim(raster::Overlay&& image) {
  aim_ = std::move(image);
}

size_t Overlay::step(size_t budget) {
  if (!aim_) return 0;
  size_t left = 0;
  const bool whole =
      aim_->width != shown_.width || aim_->height != shown_.height || aim_->block != shown_.block || !tex_.valid();
  if (whole) {
    raster::Overlay image = std::move(*aim_);
    upload(std::move(image));
    return 0;
  }
  const std::vector<raster::Block> changed = raster::approach(shown_, *aim_, budget, cursor_, left);
  if (!changed.empty()) tex_.update_blocks(shown_, changed);
  if (left == 0) aim_.reset();
  return left;
}

void Overlay::draw_stretched(ImDrawList* list, ImVec2 a, ImVec2 b) const {
  const int w = tex_.width(), h = tex_.height(), size = shown_.block;
  if (w <= 0 || h <= 0 || size <= 0) return;
  const float sx = (b.x - a.x) / static_cast<float>(w), sy = (b.y - a.y) / static_cast<float>(h);
  for (int y0 = 0; y0 < h; y0 += size) {
    const int y1 = std::min(h, y0 + size);
    for (int x0 = 0; x0 < w; x0 += size) {
      const int x1 = std::min(w, x0 + size);
      list->AddImage(
          tex_.id(), ImVec2(a.x + static_cast<float>(x0) * sx, a.y + static_cast<float>(y0) * sy),
          ImVec2(a.x + static_cast<float>(x1) * sx, a.y + static_cast<float>(y1) * sy),
          ImVec2(static_cast<float>(x0) / static_cast<float>(w), static_cast<float>(y0) / static_cast<float>(h)),
          ImVec2(static_cast<float>(x1) / static_cast<float>(w), static_cast<float>(y1) / static_cast<float>(h)));
    }
  }
}

void Overlay::draw(ImDrawList* list, float x, float y) const {
  const auto w = static_cast<float>(tex_.width()), h = static_cast<float>(tex_.height());
  for (const raster::Block& b : shown_.blocks) {
    list->AddImage(tex_.id(), ImVec2(x + static_cast<float>(b.x0), y + static_cast<float>(b.y0)),
                   ImVec2(x + static_cast<float>(b.x1), y + static_cast<float>(b.y1)),
                   ImVec2(static_cast<float>(b.x0) / w, static_cast<float>(b.y0) / h),
                   ImVec2(static_cast<float>(b.x1) / w, static_cast<float>(b.y1) / h));
  }
}

Texture::~Texture() {
  if (tex_ != 0) {
    g_textures.erase(tex_);
    glDeleteTextures(1, &tex_);
  }
}

Texture::Texture(Texture&& o) noexcept : tex_(o.tex_), w_(o.w_), h_(o.h_) {
  o.tex_ = 0;
}

Texture& Texture::operator=(Texture&& o) noexcept {
  if (this != &o) {
    if (tex_ != 0) {
      g_textures.erase(tex_);
      glDeleteTextures(1, &tex_);
    }
    tex_ = o.tex_;
    w_ = o.w_;
    h_ = o.h_;
    o.tex_ = 0;
  }
  return *this;
}

void Texture::upload(int width, int height, const uint8_t* rgba, bool smooth) {
  // The same pixels again (a map that training no longer changes): no upload,
  // and nothing on screen counts as changed.
  const uint64_t pixels = damage::mix(damage::mix(damage::kSeed, &smooth, sizeof smooth), rgba,
                                      static_cast<size_t>(width) * static_cast<size_t>(height) * 4);
  if (tex_ != 0 && width == w_ && height == h_) {
    const auto it = g_textures.find(tex_);
    if (it != g_textures.end() && it->second.block == 0 && it->second.pixels == pixels) return;
  }
  put(width, height, rgba, smooth);
  g_textures[tex_] = {++g_uploads, width, height, 0, {}, pixels, smooth};
}

void Texture::upload_blocks(int width, int height, const uint8_t* rgba, int block, std::vector<uint64_t> hashes,
                            bool smooth) {
  if (tex_ != 0 && width == w_ && height == h_) {
    const auto it = g_textures.find(tex_);
    if (it != g_textures.end() && it->second.block == block && it->second.blocks == hashes &&
        it->second.smooth == smooth) {
      return;
    }
  }
  put(width, height, rgba, smooth);
  g_textures[tex_] = {++g_uploads, width, height, block, std::move(hashes), 0, smooth};
}

void Texture::update_blocks(const raster::Overlay& image, const std::vector<raster::Block>& changed) {
  if (tex_ == 0 || image.width != w_ || image.height != h_) {
    upload_blocks(image.width, image.height, image.rgba.data(), image.block, image.hashes);
    return;
  }
  glBindTexture(GL_TEXTURE_2D, tex_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, image.width);
  for (const raster::Block& b : changed) {
    glPixelStorei(GL_UNPACK_SKIP_PIXELS, b.x0);
    glPixelStorei(GL_UNPACK_SKIP_ROWS, b.y0);
    glTexSubImage2D(GL_TEXTURE_2D, 0, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, GL_RGBA, GL_UNSIGNED_BYTE,
                    image.rgba.data());
  }
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glPixelStorei(GL_UNPACK_SKIP_PIXELS, 0);
  glPixelStorei(GL_UNPACK_SKIP_ROWS, 0);
  const auto it = g_textures.find(tex_);
  const bool smooth = it != g_textures.end() && it->second.smooth;
  g_textures[tex_] = {++g_uploads, image.width, image.height, image.block, image.hashes, 0, smooth};
}

void Texture::put(int width, int height, const uint8_t* rgba, bool smooth) {
  if (tex_ == 0) glGenTextures(1, &tex_);
  glBindTexture(GL_TEXTURE_2D, tex_);
  const GLint filter = smooth ? GL_LINEAR : GL_NEAREST;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (width == w_ && height == h_) {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  } else {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    w_ = width;
    h_ = height;
  }
}

bool load_image(const fs::path& file, Texture& out) {
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load(utf8_of(file).c_str(), &w, &h, &n, 4);  // UTF-8 on Windows too (STBI_WINDOWS_UTF8)
  if (data == nullptr) return false;
  out.upload(w, h, data, true);
  stbi_image_free(data);
  return true;
}

}  // namespace aisb::ui
