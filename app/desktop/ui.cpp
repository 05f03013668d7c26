#include "desktop/ui.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui_internal.h>

#include "core/catalog.hpp"
#include "widgets/controls.hpp"

namespace aisb::ui {

Context& ctx() {
  static Context c;
  return c;
}

std::string trf(const char* key, const std::vector<std::string>& args) {
  return ctx().strings.format(key, args);
}

ImU32 rgb(colors::Rgb c, float alpha) {
  return IM_COL32(c.r, c.g, c.b, static_cast<int>(std::lround(alpha * 255.0f)));
}

ImVec4 vec(ImU32 c) {
  return ImGui::ColorConvertU32ToFloat4(c);
}

namespace {
Palette light_palette() {
  Palette p{};
  p.background = IM_COL32(255, 255, 255, 255);
  p.panel = IM_COL32(255, 255, 255, 255);
  p.panel_alt = IM_COL32(237, 241, 245, 255);
  p.text = IM_COL32(30, 36, 44, 255);
  p.muted = IM_COL32(100, 110, 122, 255);
  p.border = IM_COL32(212, 219, 227, 255);
  p.accent = IM_COL32(11, 105, 170, 255);
  p.accent_text = IM_COL32(255, 255, 255, 255);
  p.good = IM_COL32(0, 140, 100, 255);
  p.bad = IM_COL32(200, 80, 0, 255);
  p.warn = IM_COL32(200, 140, 0, 255);
  p.orange = rgb(colors::kOrange);
  p.blue = rgb(colors::kBlue);
  p.diverged = IM_COL32(168, 38, 118, 255);
  return p;
}

Palette dark_palette() {
  Palette p{};
  p.background = IM_COL32(26, 29, 35, 255);
  p.panel = IM_COL32(26, 29, 35, 255);
  p.panel_alt = IM_COL32(46, 51, 60, 255);
  p.text = IM_COL32(234, 236, 240, 255);
  p.muted = IM_COL32(160, 168, 178, 255);
  p.border = IM_COL32(60, 66, 76, 255);
  p.accent = IM_COL32(70, 160, 225, 255);
  p.accent_text = IM_COL32(12, 16, 22, 255);
  p.good = IM_COL32(40, 200, 150, 255);
  p.bad = IM_COL32(245, 130, 50, 255);
  p.warn = IM_COL32(240, 190, 60, 255);
  p.orange = rgb(colors::kOrange);
  p.blue = IM_COL32(60, 160, 230, 255);
  p.diverged = IM_COL32(236, 112, 184, 255);
  return p;
}
}  // namespace

void apply_theme(bool dark, float em_px) {
  Context& c = ctx();
  c.dark = dark;
  c.palette = dark ? dark_palette() : light_palette();
  const Palette& p = c.palette;
  ImGuiStyle style;
  if (dark)
    ImGui::StyleColorsDark(&style);
  else
    ImGui::StyleColorsLight(&style);
  const float u = em_px / 17.0f;
  style.WindowPadding = ImVec2(16 * u, 14 * u);
  style.FramePadding = ImVec2(10 * u, 6 * u);
  style.ItemSpacing = ImVec2(10 * u, 9 * u);
  style.ItemInnerSpacing = ImVec2(8 * u, 6 * u);
  style.CellPadding = ImVec2(6 * u, 4 * u);
  style.IndentSpacing = 18 * u;
  style.ScrollbarSize = 14 * u;
  style.GrabMinSize = 14 * u;
  style.WindowRounding = 0;
  style.ChildRounding = 10 * u;
  style.FrameRounding = 7 * u;
  style.PopupRounding = 8 * u;
  style.ScrollbarRounding = 8 * u;
  style.GrabRounding = 7 * u;
  style.TabRounding = 7 * u;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 1;
  style.FrameBorderSize = 0;
  style.PopupBorderSize = 1;
  style.DisabledAlpha = 0.45f;
  ImVec4* col = style.Colors;
  col[ImGuiCol_Text] = vec(p.text);
  col[ImGuiCol_TextDisabled] = vec(p.muted);
  col[ImGuiCol_WindowBg] = vec(p.background);
  col[ImGuiCol_ChildBg] = vec(p.panel);
  col[ImGuiCol_PopupBg] = vec(p.panel);
  col[ImGuiCol_Border] = vec(p.border);
  col[ImGuiCol_FrameBg] = vec(p.panel_alt);
  ImVec4 accent = vec(p.accent);
  ImVec4 hover = accent;
  hover.w = 0.16f;
  ImVec4 active = accent;
  active.w = 0.30f;
  col[ImGuiCol_FrameBgHovered] = hover;
  col[ImGuiCol_FrameBgActive] = active;
  col[ImGuiCol_Button] = vec(p.panel_alt);
  col[ImGuiCol_ButtonHovered] = hover;
  col[ImGuiCol_ButtonActive] = active;
  col[ImGuiCol_Header] = hover;
  col[ImGuiCol_HeaderHovered] = hover;
  col[ImGuiCol_HeaderActive] = active;
  col[ImGuiCol_CheckMark] = accent;
  col[ImGuiCol_SliderGrab] = accent;
  col[ImGuiCol_SliderGrabActive] = accent;
  col[ImGuiCol_Separator] = vec(p.border);
  col[ImGuiCol_Tab] = vec(p.panel_alt);
  col[ImGuiCol_TabHovered] = hover;
  col[ImGuiCol_TabActive] = vec(p.panel);
  col[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
  col[ImGuiCol_MenuBarBg] = vec(p.panel);
  col[ImGuiCol_TitleBg] = vec(p.panel);
  col[ImGuiCol_TitleBgActive] = vec(p.panel);
  col[ImGuiCol_TableHeaderBg] = vec(p.panel_alt);
  col[ImGuiCol_TableBorderLight] = vec(p.border);
  col[ImGuiCol_TableBorderStrong] = vec(p.border);
  col[ImGuiCol_PlotLines] = accent;
  col[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, dark ? 0.55f : 0.35f);
  ImGui::GetStyle() = style;
}

bool begin_panel(const char* id, const char* title, ImVec2 size, bool scroll) {
  const Palette& p = ctx().palette;
  // The outline, drawn by us (ImGui leaves it out with no background).
  {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const ImVec2 sz(size.x > 0 ? size.x : avail.x + size.x, size.y > 0 ? size.y : avail.y + size.y);
    ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + sz.x, at.y + sz.y), p.border, em(0.6f), 0, 1.0f);
  }
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em(0.9f), em(0.7f)));
  // Panels are outlined, not filled: the window's own background shows
  // through, which is calm to look at and halves the pixels a software
  // renderer (a school laptop without a GPU driver, Xvfb) has to fill.
  const bool open =
      ImGui::BeginChild(id, size, false,
                        ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoBackground |
                            (scroll ? 0 : ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse));
  ImGui::PopStyleVar();
  if (title != nullptr && *title != '\0') {
    text(ctx().fonts.small, p.muted, title);
    ImGui::Dummy(ImVec2(0, em(0.1f)));
  }
  return open;
}

void end_panel() {
  ImGui::EndChild();
}

bool primary_button(const char* label, ImVec2 size) {
  const Palette& p = ctx().palette;
  ImGui::PushStyleColor(ImGuiCol_Button, p.accent);
  ImVec4 h = vec(p.accent);
  h.x = std::min(1.0f, h.x * 1.12f);
  h.y = std::min(1.0f, h.y * 1.12f);
  h.z = std::min(1.0f, h.z * 1.12f);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, h);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, h);
  ImGui::PushStyleColor(ImGuiCol_Text, p.accent_text);
  ImGui::PushFont(ctx().fonts.bold);
  const bool pressed = ImGui::Button(label, size);
  ImGui::PopFont();
  ImGui::PopStyleColor(4);
  return pressed;
}

bool icon_button(const char* id, Icon icon, float d, bool accent) {
  const Palette& p = ctx().palette;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool pressed = ImGui::InvisibleButton(id, ImVec2(d, d));
  const bool hovered = ImGui::IsItemHovered();
  const bool disabled = ImGui::GetItemFlags() & ImGuiItemFlags_Disabled;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 c(pos.x + d * 0.5f, pos.y + d * 0.5f);
  ImU32 fill = accent ? p.accent : p.panel_alt;
  ImU32 ink = accent ? p.accent_text : p.text;
  if (hovered && !disabled)
    fill = accent ? ImGui::GetColorU32(ImGuiCol_ButtonHovered) : ImGui::GetColorU32(ImGuiCol_ButtonHovered);
  if (accent && hovered) fill = p.accent;
  const float alpha = disabled ? ImGui::GetStyle().DisabledAlpha : 1.0f;
  auto fade = [&](ImU32 col) {
    ImVec4 v = vec(col);
    v.w *= alpha;
    return ImGui::ColorConvertFloat4ToU32(v);
  };
  dl->AddCircleFilled(c, d * 0.5f, fade(fill), 40);
  if (accent && hovered && !disabled) dl->AddCircle(c, d * 0.5f + 2, fade(p.accent), 40, 2.0f);
  const float s = d * 0.22f;
  const ImU32 k = fade(ink);
  switch (icon) {
    case Icon::play:
      dl->AddTriangleFilled(ImVec2(c.x - s * 0.7f, c.y - s), ImVec2(c.x - s * 0.7f, c.y + s),
                            ImVec2(c.x + s * 1.05f, c.y), k);
      break;
    case Icon::pause:
      dl->AddRectFilled(ImVec2(c.x - s * 0.8f, c.y - s), ImVec2(c.x - s * 0.25f, c.y + s), k, 1.5f);
      dl->AddRectFilled(ImVec2(c.x + s * 0.25f, c.y - s), ImVec2(c.x + s * 0.8f, c.y + s), k, 1.5f);
      break;
    case Icon::step:
      dl->AddTriangleFilled(ImVec2(c.x - s * 0.9f, c.y - s), ImVec2(c.x - s * 0.9f, c.y + s),
                            ImVec2(c.x + s * 0.6f, c.y), k);
      dl->AddRectFilled(ImVec2(c.x + s * 0.6f, c.y - s), ImVec2(c.x + s * 1.0f, c.y + s), k, 1.0f);
      break;
    case Icon::reset: {
      dl->PathArcTo(c, s * 1.05f, 0.6f, 5.6f, 24);
      dl->PathStroke(k, 0, d * 0.075f);
      const ImVec2 tip(c.x + s * 1.05f * std::cos(0.6f), c.y + s * 1.05f * std::sin(0.6f));
      dl->AddTriangleFilled(ImVec2(tip.x + s * 0.45f, tip.y - s * 0.05f), ImVec2(tip.x - s * 0.45f, tip.y - s * 0.05f),
                            ImVec2(tip.x, tip.y + s * 0.55f), k);
      break;
    }
    case Icon::back:
    case Icon::next: {
      const float dir = icon == Icon::next ? 1.0f : -1.0f;
      dl->AddLine(ImVec2(c.x - dir * s * 0.4f, c.y - s), ImVec2(c.x + dir * s * 0.5f, c.y), k, d * 0.08f);
      dl->AddLine(ImVec2(c.x + dir * s * 0.5f, c.y), ImVec2(c.x - dir * s * 0.4f, c.y + s), k, d * 0.08f);
      break;
    }
    case Icon::plus:
      dl->AddLine(ImVec2(c.x, c.y - s), ImVec2(c.x, c.y + s), k, d * 0.09f);
      [[fallthrough]];
    case Icon::minus:
      dl->AddLine(ImVec2(c.x - s, c.y), ImVec2(c.x + s, c.y), k, d * 0.09f);
      break;
  }
  return pressed && !disabled;
}

void text(ImFont* font, ImU32 color, const char* s) {
  ImGui::PushFont(font);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(s);
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

void text_wrapped(ImFont* font, ImU32 color, const char* s) {
  ImGui::PushFont(font);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  // Wrap where the caller asked, else at the window's edge.
  const bool own = ImGui::GetCurrentWindow()->DC.TextWrapPos < 0.0f;
  if (own) ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(s);
  if (own) ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

void key_value(const char* key, const std::string& value, const char* term) {
  const Palette& p = ctx().palette;
  text(ctx().fonts.body, p.muted, key);
  if (term != nullptr) {
    dotted_underline();
    glossary_tip(term);
  }
  ImGui::SameLine();
  ImGui::PushFont(ctx().fonts.bold);
  const float w = ImGui::CalcTextSize(value.c_str()).x;
  const float right = ImGui::GetContentRegionMax().x;
  ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), right - w));
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopFont();
}

void stat(const char* label, const std::string& value, ImU32 color, const char* term) {
  ImGui::BeginGroup();
  caption(label, term);
  text(ctx().fonts.heading, color, value.c_str());
  ImGui::EndGroup();
  if (term != nullptr) glossary_tip(term);
}

void caption(const char* s, const char* term) {
  text(ctx().fonts.small, ctx().palette.muted, s);
  if (term != nullptr) {
    dotted_underline();
    glossary_tip(term);
  }
}

void dotted_underline() {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 c = ImGui::GetColorU32(vec(ctx().palette.muted));
  const float y = b.y - 1.0f, step = std::max(3.0f, em(0.22f));
  for (float x = a.x; x + 1.0f < b.x; x += step) dl->AddRectFilled(ImVec2(x, y), ImVec2(x + step * 0.45f, y + 1.0f), c);
}

void glossary_tip(const char* term) {
  if (term != nullptr && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) glossary_tooltip(term);
}

void glossary_tooltip(const char* term) {
  const Palette& p = ctx().palette;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(em(24.0f));
  text(ctx().fonts.bold, p.accent, tr(term));
  text_wrapped(ctx().fonts.body, p.text, tr((std::string(term) + ".text").c_str()));
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

bool slider_int(const char* id, int* value, int lo, int hi, float width) {
  const Palette& p = ctx().palette;
  const float h = ImGui::GetFrameHeight();
  const ImVec2 a = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, ImVec2(width, h));
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  const float r = em(0.55f);
  const float x0 = a.x + r, x1 = a.x + width - r, cy = a.y + h * 0.5f;
  bool changed = false;
  if (active) {
    const int v = controls::slider_value(ImGui::GetIO().MousePos.x, x0, x1, lo, hi);
    changed = v != *value;
    *value = v;
  }
  if (hovered || active) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  // Through GetColorU32, so a disabled slider fades like ImGui's own.
  const auto col = [](ImU32 c) { return ImGui::GetColorU32(vec(c)); };
  const float x = controls::slider_position(*value, x0, x1, lo, hi), t = em(0.16f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(x0, cy - t), ImVec2(x1, cy + t), col(p.border), t);
  dl->AddRectFilled(ImVec2(x0, cy - t), ImVec2(x, cy + t), col(p.accent), t);
  dl->AddCircleFilled(ImVec2(x, cy), hovered || active ? r * 1.1f : r, col(p.accent), 24);
  dl->AddCircleFilled(ImVec2(x, cy), r * 0.42f, col(p.panel), 16);
  return changed;
}

float combo_width_for(const char* s) {
  const ImGuiStyle& st = ImGui::GetStyle();
  return ImGui::CalcTextSize(s).x + 2.0f * st.FramePadding.x + ImGui::GetFrameHeight() + em(0.2f);
}

bool begin_combo(const char* id, const char* preview, float width) {
  ImGui::SetNextItemWidth(width);
  const float room = width - ImGui::GetFrameHeight() - 2.0f * ImGui::GetStyle().FramePadding.x;
  return ImGui::BeginCombo(id, fit_text(preview, ImGui::GetFont(), room).c_str());
}

std::string dataset_label(const std::string& source) {
  const auto colon = source.find(':');
  if (colon != std::string::npos) return source.substr(colon + 1);
  return tr(("dataset." + source).c_str());
}

std::string measure_label(const JobSpec& job, int index) {
  const SourceInfo info = describe_source(job);
  if (index >= 0 && static_cast<size_t>(index) < info.measures.size()) {
    const std::string& m = info.measures[static_cast<size_t>(index)];
    return is_from_file(info) ? m : std::string(tr(("measure." + m).c_str()));
  }
  std::string name = "x";  // (not "x" + ...: GCC 12 warns wrongly about that)
  name += std::to_string(index + 1);
  return name;
}

std::string target_label(const JobSpec& job) {
  const SourceInfo info = describe_source(job);
  if (info.target.empty()) return {};
  return is_from_file(info) ? info.target : std::string(tr(("target." + info.target).c_str()));
}

Box begin_box(ImU32 color, float pad, bool fill) {
  Box b{ImGui::GetCursorScreenPos(), ImGui::GetContentRegionAvail().x, em(pad), color, fill};
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);  // the contents over the box, drawn first
  ImGui::SetCursorScreenPos(ImVec2(b.at.x + b.pad, b.at.y + 0.75f * b.pad));
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + b.width - 2 * b.pad);
  return b;
}

void end_box(const Box& b, float after) {
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  const float bottom = ImGui::GetItemRectMax().y + 0.75f * b.pad;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->ChannelsSetCurrent(0);
  const ImVec2 end(b.at.x + b.width, bottom);
  if (b.fill) dl->AddRectFilled(b.at, end, (b.color & 0x00FFFFFF) | 0x22000000, em(0.6f));
  dl->AddRect(b.at, end, b.color, em(0.6f), 0, b.fill ? 2.0f : 1.5f);
  dl->ChannelsMerge();
  ImGui::SetCursorScreenPos(ImVec2(b.at.x, bottom));
  ImGui::Dummy(ImVec2(b.width, em(after)));
}

bool pill(const char* label, bool chosen, bool first_in_row) {
  const Palette& p = ctx().palette;
  ImFont* font = ctx().fonts.small;
  const ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, label);
  const ImVec2 size(ts.x + em(1.2f), ts.y + em(0.5f));
  if (!first_in_row) {
    ImGui::SameLine(0, em(0.35f));
    if (ImGui::GetContentRegionAvail().x < size.x) ImGui::NewLine();
  }
  ImGui::PushID(label);
  const bool pressed = ImGui::InvisibleButton("pill", size);
  ImGui::PopID();
  const bool hovered = ImGui::IsItemHovered();
  if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float r = size.y * 0.5f;
  if (chosen) {
    dl->AddRectFilled(a, b, p.accent, r);
  } else {
    dl->AddRectFilled(a, b, hovered ? ImGui::GetColorU32(ImGuiCol_HeaderHovered) : p.panel, r);
    dl->AddRect(a, b, p.border, r, 0, 1.0f);
  }
  dl->AddText(font, font->FontSize, ImVec2(a.x + em(0.6f), a.y + (size.y - ts.y) * 0.5f),
              chosen ? p.accent_text : p.text, label);
  return pressed;
}

std::string fit_text(const std::string& s, ImFont* font, float max_width) {
  const auto width = [&](const std::string& t) { return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, t.c_str()).x; };
  if (width(s) <= max_width) return s;
  std::string cut = s;
  while (!cut.empty()) {
    // Drop the last UTF-8 character (its continuation bytes are 10xxxxxx).
    size_t n = cut.size() - 1;
    while (n > 0 && (static_cast<unsigned char>(cut[n]) & 0xC0) == 0x80) --n;
    cut.resize(n);
    while (!cut.empty() && cut.back() == ' ') cut.pop_back();
    if (width(cut + "…") <= max_width) break;
  }
  return cut + "…";
}

std::string thousands(long long v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string epoch_time_label(double seconds) {
  if (!(seconds > 0.0)) return "–";
  if (seconds < 0.1) return trf("output.ms", {fixed(seconds * 1000.0, 2)});
  return trf("output.seconds", {fixed(seconds, seconds < 10 ? 2 : 0)});
}

}  // namespace aisb::ui
