#include "desktop/platform.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <stdexcept>
#include <thread>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include "desktop/ui.hpp"

namespace fs = std::filesystem;

namespace aisb::ui {

namespace {

Platform* g_platform = nullptr;
std::string g_glfw_error;

void on_glfw_error(int code, const char* message) { g_glfw_error = message != nullptr ? message : std::to_string(code); }

// Our callbacks run before ImGui's (ImGui chains to callbacks installed
// earlier): any input keeps the app drawing for a few frames.
int* g_settle = nullptr;
void touch() {
  if (g_settle != nullptr) *g_settle = 4;
}
void on_cursor(GLFWwindow*, double, double) { touch(); }
void on_button(GLFWwindow*, int, int, int) { touch(); }
void on_scroll(GLFWwindow*, double, double) { touch(); }
void on_key(GLFWwindow*, int, int, int, int) { touch(); }
void on_char(GLFWwindow*, unsigned) { touch(); }
void on_focus(GLFWwindow*, int) { touch(); }
void on_enter(GLFWwindow*, int) { touch(); }
void on_size(GLFWwindow*, int, int) { touch(); }

std::u32string decode_utf8(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    int extra = 0;
    if (c < 0x80) cp = c;
    else if ((c & 0xE0) == 0xC0) cp = c & 0x1F, extra = 1;
    else if ((c & 0xF0) == 0xE0) cp = c & 0x0F, extra = 2;
    else if ((c & 0xF8) == 0xF0) cp = c & 0x07, extra = 3;
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
    throw std::runtime_error("cannot open a window: " + (g_glfw_error.empty() ? std::string("no display") : g_glfw_error));
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

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the app lays itself out; nothing to remember
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  last_frame_ = std::chrono::steady_clock::now();
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

void Platform::wake() { glfwPostEmptyEvent(); }

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
  const auto add = [&](const char* file, float px, const ImWchar* ranges = nullptr) -> ImFont* {
    const fs::path p = font_dir_ / file;
    ImFontConfig cfg;
    // Hangul at 14 px and up is crisp without horizontal oversampling, and
    // the atlas stays a quarter of the size.
    cfg.OversampleH = 1;
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    ImFont* font = nullptr;
    std::error_code ec;
    if (fs::exists(p, ec)) font = io.Fonts->AddFontFromFileTTF(p.c_str(), px, &cfg, ranges != nullptr ? ranges : g_ranges.Data);
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
  if (ignore_mouse_) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui::NewFrame();
  return !glfwWindowShouldClose(window_);
}

void Platform::end_frame(const std::string& screenshot_png) {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 bg = vec(ctx().palette.background);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!screenshot_png.empty()) {
    std::vector<uint8_t> pixels(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
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
  glfwSwapBuffers(window_);
}

bool write_png(const std::string& path, int width, int height, const std::vector<uint8_t>& rgba) {
  return stbi_write_png(path.c_str(), width, height, 4, rgba.data(), width * 4) != 0;
}

Texture::~Texture() {
  if (tex_ != 0) glDeleteTextures(1, &tex_);
}

Texture::Texture(Texture&& o) noexcept : tex_(o.tex_), w_(o.w_), h_(o.h_) { o.tex_ = 0; }

Texture& Texture::operator=(Texture&& o) noexcept {
  if (this != &o) {
    if (tex_ != 0) glDeleteTextures(1, &tex_);
    tex_ = o.tex_;
    w_ = o.w_;
    h_ = o.h_;
    o.tex_ = 0;
  }
  return *this;
}

void Texture::upload(int width, int height, const uint8_t* rgba, bool smooth) {
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
  unsigned char* data = stbi_load(file.c_str(), &w, &h, &n, 4);
  if (data == nullptr) return false;
  out.upload(w, h, data, true);
  stbi_image_free(data);
  return true;
}

}  // namespace aisb::ui
