// The About box: what this copy of AI Sandbox is (its version, the libtorch
// it trains with, whether CUDA is usable, where its lessons come from) and
// the free software it links or includes, each with its licence. The same
// facts as `aisandbox --version` and /usr/share/doc/aisandbox/copyright, for
// a school's IT person who asks "which version is on this laptop?".
#include <algorithm>
#include <string>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "desktop/app.hpp"
#include "desktop/ui.hpp"
#include "engine/engine.hpp"

namespace aisb::ui {

namespace {

struct Part {
  const char* name;
  const char* license;
};

// What the app links or includes. The libraries come from Debian's packages,
// each with its copyright file in /usr/share/doc; the header-only ones are
// compiled in (installer/debian/copyright).
constexpr Part kParts[] = {
    {"libtorch (PyTorch)", "BSD-3-Clause"},
    {"Dear ImGui", "MIT"},
    {"GLFW", "Zlib"},
    {"stb_image, stb_image_write, stb_truetype", "MIT / Public domain"},
    {"MD4C", "MIT"},
    {"JSON for Modern C++ (nlohmann/json)", "MIT"},
    {"toml++", "MIT"},
    {"CLI11", "BSD-3-Clause"},
    {"libcurl", "curl"},
    {"OpenSSL", "Apache-2.0"},
    {"libarchive", "BSD-2-Clause"},
    {"libcsv", "LGPL-2.1+"},
    {"ONNX", "Apache-2.0"},
    {"Protocol Buffers", "BSD-3-Clause"},
    {"Nanum fonts (NanumBarunGothic, NanumGothicCoding)", "OFL-1.1"},
};

}  // namespace

void App::draw_about() {
  if (!show_about_) return;
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const ImVec2 size(std::min(em(34.0f), vp->WorkSize.x * 0.9f), std::min(em(36.0f), vp->WorkSize.y * 0.85f));
  ImGui::SetNextWindowPos(
      ImVec2(vp->WorkPos.x + (vp->WorkSize.x - size.x) * 0.5f, vp->WorkPos.y + (vp->WorkSize.y - size.y) * 0.5f),
      ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, p.panel);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, em(0.6f));
  const std::string title = std::string(tr("about.title")) + "###about";
  const bool open =
      ImGui::Begin(title.c_str(), &show_about_, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
  if (open) {
    // The mark, as in the top bar: three neurons joined, orange to blue.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float r = em(0.55f), cy = at.y + em(1.6f), mx = at.x + em(0.8f);
    dl->AddLine(ImVec2(mx, cy + em(0.8f)), ImVec2(mx + em(1.2f), cy - em(0.8f)), p.orange, em(0.3f));
    dl->AddLine(ImVec2(mx + em(1.2f), cy - em(0.8f)), ImVec2(mx + em(2.4f), cy + em(0.8f)), p.blue, em(0.3f));
    dl->AddCircleFilled(ImVec2(mx, cy + em(0.8f)), r, p.orange);
    dl->AddCircleFilled(ImVec2(mx + em(1.2f), cy - em(0.8f)), r, p.accent);
    dl->AddCircleFilled(ImVec2(mx + em(2.4f), cy + em(0.8f)), r, p.blue);
    ImGui::SetCursorScreenPos(ImVec2(at.x + em(4.2f), at.y));
    ImGui::BeginGroup();
    text(f.title, p.text, tr("app.name"));
    text(f.body, p.muted, trf("about.version", {AISB_VERSION}).c_str());
    ImGui::EndGroup();
    ImGui::Dummy(ImVec2(0, em(0.6f)));

    // libtorch loads off the UI thread a few frames after the start
    // (app.cpp); until then the box says so instead of waiting for it.
    if (cuda_.has_value()) {
      text_wrapped(f.body, p.text, trf("about.libtorch", {torch_version()}).c_str());
      text_wrapped(f.body, *cuda_ ? p.good : p.text, *cuda_ ? tr("about.cuda_yes") : tr("about.cuda_no"));
    } else {
      text_wrapped(f.body, p.muted, tr("about.loading"));
    }
    text_wrapped(f.small, p.muted, trf("about.lessons", {lessons_dir_.string()}).c_str());
    int glfw[3] = {0, 0, 0};
    glfwGetVersion(&glfw[0], &glfw[1], &glfw[2]);
    const std::string glfw_version =
        std::to_string(glfw[0]) + "." + std::to_string(glfw[1]) + "." + std::to_string(glfw[2]);
    text_wrapped(f.small, p.muted, trf("about.glfw", {glfw_version, IMGUI_VERSION}).c_str());
    ImGui::Dummy(ImVec2(0, em(0.5f)));
    ImGui::Separator();

    text(f.heading, p.text, tr("about.licenses"));
    text_wrapped(f.small, p.muted, tr("about.licenses_intro"));
    ImGui::BeginChild("##licenses", ImVec2(0, -em(2.6f)), false);
    if (ImGui::BeginTable("##parts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("part", ImGuiTableColumnFlags_WidthStretch, 3.0f);
      ImGui::TableSetupColumn("license", ImGuiTableColumnFlags_WidthStretch, 1.2f);
      for (const Part& part : kParts) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        text_wrapped(f.body, p.text, part.name);
        ImGui::TableSetColumnIndex(1);
        text(f.body, p.accent, part.license);
      }
      ImGui::EndTable();
    }
    ImGui::Dummy(ImVec2(0, em(0.3f)));
    text_wrapped(f.small, p.muted, tr("about.license_files"));
    ImGui::EndChild();
    if (ImGui::Button(tr("about.close"), ImVec2(em(6.0f), em(2.0f)))) show_about_ = false;
  }
  ImGui::End();
}

}  // namespace aisb::ui
