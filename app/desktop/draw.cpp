#include "desktop/draw.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "desktop/ui.hpp"
#include "widgets/plot_math.hpp"

namespace aisb::ui {

void line_plot(const char* id, const std::vector<Series>& series, ImVec2 size, const PlotOptions& o) {
  const Palette& p = ctx().palette;
  ImGui::PushID(id);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("plot", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* small = ctx().fonts.small;
  const float fs = small->FontSize;

  // Ranges over the visible series.
  std::vector<const std::vector<float>*> ys;
  double x_lo = 0, x_hi = 1;
  bool any_x = false;
  for (const auto& s : series) {
    if (s.y == nullptr || s.y->empty() || (s.visible != nullptr && !*s.visible)) continue;
    ys.push_back(s.y);
    const double lo = s.x != nullptr ? s.x->front() : 0.0;
    const double hi = s.x != nullptr ? s.x->back() : static_cast<double>(s.y->size() - 1);
    x_lo = any_x ? std::min(x_lo, lo) : lo;
    x_hi = any_x ? std::max(x_hi, hi) : hi;
    any_x = true;
  }
  if (x_hi <= x_lo) x_hi = x_lo + 1;
  const plot::Range yr = plot::autofit(ys, 0.08, o.log_y);
  const auto ty = [&](double v) { return o.log_y ? std::log10(std::max(v, 1e-30)) : v; };
  const double y_lo = ty(yr.lo), y_hi = ty(yr.hi);

  const float left = pos.x + fs * 3.2f, right = pos.x + size.x - fs * 0.5f;
  // The legend's entries in rows above the plot (from the left edge of the
  // widget, over the tick labels' column), wrapped at its width.
  struct Entry {
    const Series* s;
    ImVec2 a, b;
  };
  std::vector<Entry> legend;
  float legend_h = 0.0f;
  if (o.legend) {
    const float line = small->CalcTextSizeA(fs, FLT_MAX, 0, "Ag").y;
    const float start = pos.x + fs * 0.5f;
    float lx = start, ly = pos.y;
    for (const auto& s : series) {
      if (s.y == nullptr) continue;
      const float wide = fs * 1.3f + small->CalcTextSizeA(fs, FLT_MAX, 0, s.name.c_str()).x;
      if (lx + wide > right && lx > start) {
        lx = start;
        ly += line + fs * 0.25f;
      }
      legend.push_back({&s, ImVec2(lx, ly), ImVec2(lx + wide, ly + line)});
      lx += wide + fs * 1.0f;
    }
    if (!legend.empty()) legend_h = legend.back().b.y - pos.y + fs * 0.3f;
  }
  // The y axis's name (and unit) on a row of its own above the tick labels.
  const float line_h = small->CalcTextSizeA(fs, FLT_MAX, 0, "Ag").y;
  if (o.y_label != nullptr) {
    dl->AddText(small, fs, ImVec2(pos.x + fs * 0.2f, pos.y + legend_h), p.muted, o.y_label);
    legend_h += line_h + fs * 0.2f;
  }
  // The x axis's name on a row of its own under the tick labels, so it
  // never takes the place of the last tick.
  const float x_label_h = o.x_label != nullptr ? line_h : 0.0f;
  const float top = pos.y + fs * 0.6f + legend_h, bottom = pos.y + size.y - fs * 1.6f - x_label_h;
  const auto sx = [&](double x) { return left + static_cast<float>((x - x_lo) / (x_hi - x_lo)) * (right - left); };
  const auto sy = [&](double y) {
    return bottom - static_cast<float>((ty(y) - y_lo) / std::max(1e-12, y_hi - y_lo)) * (bottom - top);
  };

  // Grid and ticks.
  const std::vector<double> yt = o.log_y ? plot::log_ticks(yr.lo, yr.hi) : plot::nice_ticks(yr.lo, yr.hi, 5);
  for (double v : yt) {
    const float y = sy(v);
    if (y < top - 1 || y > bottom + 1) continue;
    dl->AddLine(ImVec2(left, y), ImVec2(right, y), p.border, 1.0f);
    const std::string t = plot::format_tick(v);
    const ImVec2 ts = small->CalcTextSizeA(fs, FLT_MAX, 0, t.c_str());
    dl->AddText(small, fs, ImVec2(left - ts.x - fs * 0.4f, y - ts.y * 0.5f), p.muted, t.c_str());
  }
  if (o.x_label != nullptr) {
    const ImVec2 ts = small->CalcTextSizeA(fs, FLT_MAX, 0, o.x_label);
    dl->AddText(small, fs, ImVec2(right - ts.x, bottom + fs * 0.3f + line_h), p.muted, o.x_label);
  }
  for (double v :
       plot::nice_ticks(x_lo, x_hi, std::max(3, static_cast<int>((right - left) / (fs * 3.5f))), o.whole_x)) {
    const float x = sx(v);
    if (x < left - 1 || x > right + 1) continue;
    const std::string t = plot::format_tick(v);
    const ImVec2 ts = small->CalcTextSizeA(fs, FLT_MAX, 0, t.c_str());
    dl->AddLine(ImVec2(x, bottom), ImVec2(x, bottom + fs * 0.25f), p.muted, 1.0f);
    dl->AddText(small, fs, ImVec2(std::min(x - ts.x * 0.5f, pos.x + size.x - ts.x), bottom + fs * 0.3f), p.muted,
                t.c_str());
  }
  dl->AddLine(ImVec2(left, bottom), ImVec2(right, bottom), p.muted, 1.0f);

  // Lines, decimated to about two points a pixel column.
  dl->PushClipRect(ImVec2(left - 2, top - 2), ImVec2(right + 2, bottom + 2), true);
  std::vector<ImVec2> pts;
  const size_t buckets = static_cast<size_t>(std::max(8.0f, (right - left) / 2.0f));
  for (const auto& s : series) {
    if (s.y == nullptr || s.y->empty() || (s.visible != nullptr && !*s.visible)) continue;
    pts.clear();
    for (size_t i : plot::decimate_minmax(*s.y, buckets)) {
      const float yv = (*s.y)[i];
      if (!std::isfinite(yv)) continue;
      const double xv = s.x != nullptr ? (*s.x)[i] : static_cast<double>(i);
      pts.emplace_back(sx(xv), sy(yv));
    }
    if (pts.size() == 1) dl->AddCircleFilled(pts[0], fs * 0.18f, s.color);
    if (pts.size() > 1) {
      // The secondary series (training, beside test) is thinner and lighter.
      ImVec4 c = vec(s.color);
      if (s.secondary) c.w *= 0.7f;
      dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), ImGui::ColorConvertFloat4ToU32(c), 0,
                      fs * (s.secondary ? 0.09f : 0.14f));
    }
  }
  dl->PopClipRect();

  // Legend: click an entry to hide or show its series.
  for (const Entry& e : legend) {
    const Series& s = *e.s;
    const bool on = s.visible == nullptr || *s.visible;
    dl->AddRectFilled(ImVec2(e.a.x, e.a.y + fs * 0.25f), ImVec2(e.a.x + fs * 0.8f, e.a.y + fs * 0.75f),
                      on ? s.color : p.border, fs * 0.15f);
    dl->AddText(small, fs, ImVec2(e.a.x + fs * 1.1f, e.a.y), on ? p.text : p.muted, s.name.c_str());
    if (s.visible != nullptr && ImGui::IsMouseHoveringRect(e.a, e.b)) {
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) *s.visible = !*s.visible;
    }
  }

  // Hover: a vertical line at the nearest point, and the values there.
  if (hovered && any_x) {
    const float mx = ImGui::GetIO().MousePos.x;
    const double xv = x_lo + (std::clamp(mx, left, right) - left) / (right - left) * (x_hi - x_lo);
    std::string tip;
    double snapped = xv;
    for (const auto& s : series) {
      if (s.y == nullptr || s.y->empty() || (s.visible != nullptr && !*s.visible)) continue;
      size_t i = 0;
      if (s.x != nullptr) {
        i = static_cast<size_t>(std::lower_bound(s.x->begin(), s.x->end(), static_cast<float>(xv)) - s.x->begin());
        if (i >= s.x->size()) i = s.x->size() - 1;
        if (i > 0 && std::abs((*s.x)[i - 1] - xv) < std::abs((*s.x)[i] - xv)) --i;
        snapped = (*s.x)[i];
      } else {
        i = static_cast<size_t>(std::clamp(std::lround(xv), 0L, static_cast<long>(s.y->size() - 1)));
        snapped = static_cast<double>(i);
      }
      char buf[128];
      std::snprintf(buf, sizeof buf, "%s: %.*f\n", s.name.c_str(), o.digits, static_cast<double>((*s.y)[i]));
      tip += buf;
      dl->AddCircleFilled(ImVec2(sx(snapped), sy((*s.y)[i])), fs * 0.25f, s.color);
    }
    dl->AddLine(ImVec2(sx(snapped), top), ImVec2(sx(snapped), bottom), p.muted, 1.0f);
    if (!tip.empty()) {
      tip.pop_back();
      ImGui::BeginTooltip();
      ImGui::TextUnformatted(
          ((o.x_label != nullptr ? std::string(o.x_label) + " " : std::string()) + plot::format_tick(snapped)).c_str());
      ImGui::TextUnformatted(tip.c_str());
      ImGui::EndTooltip();
    }
  }
  ImGui::PopID();
}

void bars(const char* id, const std::vector<std::string>& labels, const std::vector<float>& values, ImU32 color,
          float width) {
  const Palette& p = ctx().palette;
  ImFont* small = ctx().fonts.small;
  const float fs = small->FontSize;
  float label_w = 0;
  for (const auto& l : labels) label_w = std::max(label_w, small->CalcTextSizeA(fs, FLT_MAX, 0, l.c_str()).x);
  float top = 0, value_w = 0;
  std::vector<std::string> texts;
  for (float v : values) {
    top = std::max(top, std::isfinite(v) ? v : 0.0f);
    char buf[32];
    std::snprintf(buf, sizeof buf, v != 0 && std::fabs(v) < 0.01f ? "%.1e" : "%.3g", static_cast<double>(v));
    texts.emplace_back(buf);
    value_w = std::max(value_w, small->CalcTextSizeA(fs, FLT_MAX, 0, buf).x);
  }
  const float row = fs * 1.45f;
  ImGui::PushID(id);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, row * static_cast<float>(labels.size())));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float x0 = pos.x + label_w + fs * 0.6f, x1 = pos.x + width - value_w - fs * 0.6f;
  for (size_t i = 0; i < labels.size() && i < values.size(); ++i) {
    const float y = pos.y + row * static_cast<float>(i);
    dl->AddText(small, fs, ImVec2(pos.x, y + fs * 0.2f), p.muted, labels[i].c_str());
    dl->AddRectFilled(ImVec2(x0, y + fs * 0.3f), ImVec2(x1, y + row - fs * 0.3f), p.panel_alt, fs * 0.2f);
    const float f = top > 0 && std::isfinite(values[i]) ? values[i] / top : 0.0f;
    if (f > 0)
      dl->AddRectFilled(ImVec2(x0, y + fs * 0.3f), ImVec2(x0 + (x1 - x0) * f, y + row - fs * 0.3f), color, fs * 0.2f);
    dl->AddText(small, fs, ImVec2(x1 + fs * 0.4f, y + fs * 0.2f), p.text, texts[i].c_str());
  }
  ImGui::PopID();
}

}  // namespace aisb::ui
