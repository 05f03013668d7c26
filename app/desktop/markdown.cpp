#include "desktop/markdown.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include <imgui.h>

#include "core/files.hpp"
#include "desktop/platform.hpp"
#include "desktop/ui.hpp"
#include "widgets/markdown_doc.hpp"

namespace aisb::ui {

namespace {

const std::vector<md::Block>& parsed(const std::string& text) {
  static std::unordered_map<std::string, std::vector<md::Block>> cache;
  if (cache.size() > 256) cache.clear();
  auto it = cache.find(text);
  if (it == cache.end()) it = cache.emplace(text, md::parse(text)).first;
  return it->second;
}

Texture* image(const std::filesystem::path& file) {
  static std::map<std::filesystem::path, std::unique_ptr<Texture>> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    auto tex = std::make_unique<Texture>();
    if (!load_image(file, *tex)) tex.reset();
    it = cache.emplace(file, std::move(tex)).first;
  }
  return it->second.get();
}

// Lays out runs word by word from the cursor, wrapping at `right`.
void flow(const std::vector<md::Run>& runs, ImFont* base, ImFont* strong, float indent, ImU32 color) {
  const Palette& p = ctx().palette;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float left = origin.x + indent;
  const float right = origin.x + ImGui::GetContentRegionAvail().x;
  const float line_h = base->FontSize * 1.55f;
  float x = left, y = origin.y;
  for (const auto& r : runs) {
    if (r.hard_break) {
      x = left;
      y += line_h;
    }
    ImFont* font = r.code ? ctx().fonts.mono : (r.strong ? strong : base);
    const float size = font->FontSize;
    const float dy = (base->FontSize - size) * 0.8f;
    ImU32 ink = r.link ? p.accent : (r.em ? p.accent : color);
    if (r.strong && !r.link) ink = color;
    size_t i = 0;
    const std::string& t = r.text;
    while (i < t.size()) {
      // A word and the spaces after it.
      size_t j = i;
      while (j < t.size() && t[j] != ' ') ++j;
      size_t k = j;
      while (k < t.size() && t[k] == ' ') ++k;
      const char* a = t.c_str() + i;
      const float word_w = font->CalcTextSizeA(size, FLT_MAX, 0, a, t.c_str() + j).x;
      const float full_w = font->CalcTextSizeA(size, FLT_MAX, 0, a, t.c_str() + k).x;
      if (x + word_w > right && x > left) {
        x = left;
        y += line_h;
        if (j == i) {  // only spaces at a line start: drop them
          i = k;
          continue;
        }
      }
      if (r.code) {
        dl->AddRectFilled(ImVec2(x - 2, y + dy - 1), ImVec2(x + word_w + 2, y + dy + size + 2), p.panel_alt, 3.0f);
      }
      dl->AddText(font, size, ImVec2(x, y + dy), ink, a, t.c_str() + j);
      if (r.link) dl->AddLine(ImVec2(x, y + dy + size), ImVec2(x + word_w, y + dy + size), ink, 1.0f);
      x += full_w;
      i = k;
    }
  }
  ImGui::SetCursorScreenPos(origin);
  ImGui::Dummy(ImVec2(right - origin.x, y - origin.y + line_h));
}

}  // namespace

void markdown(const std::string& text, const std::filesystem::path& base) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  bool first = true;
  for (const auto& b : parsed(text)) {
    if (!first) ImGui::Dummy(ImVec2(0, em(b.kind == md::Kind::item ? 0.0f : 0.25f)));
    first = false;
    switch (b.kind) {
      case md::Kind::heading:
        flow(b.runs, b.level <= 2 ? f.heading : f.bold, b.level <= 2 ? f.heading : f.bold, 0, p.text);
        break;
      case md::Kind::paragraph:
        flow(b.runs, f.body, f.bold, 0, p.text);
        break;
      case md::Kind::quote: {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        flow(b.runs, f.body, f.bold, em(1.0f), p.muted);
        const float h = ImGui::GetCursorScreenPos().y - at.y - ImGui::GetStyle().ItemSpacing.y;
        ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + em(0.25f), at.y + h), p.accent, 2.0f);
        break;
      }
      case md::Kind::item: {
        const float indent = em(1.3f) * static_cast<float>(b.depth);
        const ImVec2 at = ImGui::GetCursorScreenPos();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        if (b.number > 0) {
          const std::string n = std::to_string(b.number) + ".";
          const float w = f.bold->CalcTextSizeA(f.bold->FontSize, FLT_MAX, 0, n.c_str()).x;
          dl->AddText(f.bold, f.bold->FontSize, ImVec2(at.x + indent - w - em(0.35f), at.y), p.accent, n.c_str());
        } else {
          dl->AddCircleFilled(ImVec2(at.x + indent - em(0.6f), at.y + f.body->FontSize * 0.55f), em(0.17f), p.accent);
        }
        flow(b.runs, f.body, f.bold, indent, p.text);
        break;
      }
      case md::Kind::code: {
        ImGui::PushFont(f.mono);
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const ImVec2 ts = ImGui::CalcTextSize(b.code.c_str());
        const float w = ImGui::GetContentRegionAvail().x;
        ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + w, at.y + ts.y + em(1.0f)), p.panel_alt, em(0.4f));
        ImGui::SetCursorScreenPos(ImVec2(at.x + em(0.6f), at.y + em(0.5f)));
        ImGui::TextUnformatted(b.code.c_str());
        ImGui::SetCursorScreenPos(at);
        ImGui::Dummy(ImVec2(w, ts.y + em(1.0f)));
        ImGui::PopFont();
        break;
      }
      case md::Kind::image: {
        Texture* tex = image(base / path_of_utf8(b.src));
        const float w = ImGui::GetContentRegionAvail().x;
        if (tex != nullptr && tex->width() > 0) {
          const float scale = std::min(1.0f, w / static_cast<float>(tex->width())) * std::max(1.0f, em() / 17.0f);
          const float dw = std::min(w, static_cast<float>(tex->width()) * scale);
          const float dh = dw * static_cast<float>(tex->height()) / static_cast<float>(tex->width());
          ImGui::Image(tex->id(), ImVec2(dw, dh));
          if (!b.alt.empty()) caption(b.alt.c_str());
        } else {
          caption(("[" + (b.alt.empty() ? b.src : b.alt) + "]").c_str());
        }
        break;
      }
      case md::Kind::rule: {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float w = ImGui::GetContentRegionAvail().x;
        ImGui::GetWindowDrawList()->AddLine(ImVec2(at.x, at.y + em(0.4f)), ImVec2(at.x + w, at.y + em(0.4f)), p.border,
                                            1.0f);
        ImGui::Dummy(ImVec2(w, em(0.8f)));
        break;
      }
    }
  }
}

}  // namespace aisb::ui
