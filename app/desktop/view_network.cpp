// The network view of the 2-D workspace: hidden layers with + and -, the
// input features as chips that switch them on and off, and the graph, with a
// live heatmap in every neuron and links whose width and colour are the
// weight (hover to read one, click to change it).
#include <algorithm>
#include <array>
#include <cmath>

#include <imgui.h>

#include "desktop/app.hpp"
#include "desktop/ui.hpp"
#include "widgets/colors.hpp"
#include "widgets/network_layout.hpp"

namespace aisb::ui {

namespace {

// How to show a feature's name: x1 -> X₁ style, with plain characters.
const char* feature_label(const std::string& f) {
  if (f == "x1") return "X1";
  if (f == "x2") return "X2";
  if (f == "x1_sq") return "X1²";
  if (f == "x2_sq") return "X2²";
  if (f == "x1_x2") return "X1·X2";
  if (f == "sin_x1") return "sin(X1)";
  if (f == "sin_x2") return "sin(X2)";
  return f.c_str();
}

}  // namespace

void App::draw_network_panel(const app::Permissions& allow, float width, float height) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  begin_panel("network", nullptr, ImVec2(width, height));
  JobSpec job = session_.job();
  bool changed = false;
  const int layers = static_cast<int>(job.model.layers.size());

  // Header: hidden layers with + and -.
  if (allow.allows("layers")) {
    ImGui::BeginDisabled(!allow.can_add_layer(job));
    if (icon_button("add_layer", Icon::plus, em(1.8f))) {
      const std::string act = job.model.layers.empty() ? "tanh" : job.model.layers.back().activation;
      job.model.layers.push_back({.type = "dense", .units = 2, .activation = act});
      changed = true;
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(layers == 0);
    if (icon_button("remove_layer", Icon::minus, em(1.8f))) {
      job.model.layers.pop_back();
      changed = true;
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
  }
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.15f));
  text(f.bold, p.text,
       (layers == 1 ? std::string(tr("network.hidden_layer")) : trf("network.hidden_layers", {std::to_string(layers)}))
           .c_str());
  glossary_tip("glossary.hidden_layer");
  // Keep what you built: save it as a lesson file a classmate can open.
  if (allow.free) {
    const char* label = tr("save.button");
    const float bw = ImGui::CalcTextSize(label).x + em(2.0f);
    ImGui::SameLine();
    ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - bw);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - em(0.3f));
    if (ImGui::Button(label, ImVec2(bw, 0))) open_save_ = true;
  }

  // Features: every input the set offers, as chips that switch it on or off.
  {
    caption(tr("network.features"), "glossary.feature");
    for (size_t i = 0; i < names::point_features.size(); ++i) {
      const std::string& name = names::point_features[i];
      const bool on = std::find(job.model.inputs.begin(), job.model.inputs.end(), name) != job.model.inputs.end();
      if (!on && !allow.allows("inputs")) continue;
      Texture& tex = feature_tex_[name];
      if (!tex.valid()) {
        constexpr int R = 40;
        std::vector<float> v(R * R);
        float m = 0;
        for (int y = 0; y < R; ++y)
          for (int x = 0; x < R; ++x) {
            float out = 0;
            point_features({name}, -6.0 + 12.0 * (x + 0.5) / R, 6.0 - 12.0 * (y + 0.5) / R, &out);
            v[static_cast<size_t>(y * R + x)] = out;
            m = std::max(m, std::fabs(out));
          }
        const auto px = colors::to_rgba(v, m > 0 ? m : 1.0f);
        tex.upload(R, R, px.data(), true);
      }
      ImGui::PushID(name.c_str());
      const float chip = em(1.7f);
      const char* label = feature_label(name);
      const float tw = ImGui::CalcTextSize(label).x;
      const ImVec2 a = ImGui::GetCursorScreenPos();
      const ImVec2 size(chip + tw + em(1.0f), chip + em(0.3f));
      if (ImGui::GetContentRegionAvail().x < size.x) ImGui::NewLine();
      const ImVec2 at = ImGui::GetCursorScreenPos();
      (void)a;
      if (ImGui::InvisibleButton("chip", size) && allow.allows("inputs")) {
        if (on && job.model.inputs.size() > 1) {
          job.model.inputs.erase(std::find(job.model.inputs.begin(), job.model.inputs.end(), name));
          changed = true;
        } else if (!on) {
          // Keep the canonical order of the features.
          std::vector<std::string> in;
          for (const auto& n : names::point_features)
            if (n == name || std::find(job.model.inputs.begin(), job.model.inputs.end(), n) != job.model.inputs.end())
              in.push_back(n);
          job.model.inputs = in;
          changed = true;
        }
      }
      const bool hovered = ImGui::IsItemHovered();
      ImDrawList* dl = ImGui::GetWindowDrawList();
      dl->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), on ? p.panel_alt : p.panel, em(0.4f));
      dl->AddRect(at, ImVec2(at.x + size.x, at.y + size.y), on ? p.accent : (hovered ? p.muted : p.border), em(0.4f), 0,
                  on ? 1.5f : 1.0f);
      dl->AddImage(tex.id(), ImVec2(at.x + em(0.15f), at.y + em(0.15f)),
                   ImVec2(at.x + em(0.15f) + chip, at.y + em(0.15f) + chip), ImVec2(0, 0), ImVec2(1, 1),
                   on ? IM_COL32_WHITE : IM_COL32(255, 255, 255, 90));
      dl->AddText(ImVec2(at.x + chip + em(0.5f), at.y + (size.y - ImGui::GetFontSize()) * 0.5f), on ? p.text : p.muted,
                  label);
      ImGui::SameLine(0, em(0.4f));
      ImGui::PopID();
    }
    ImGui::NewLine();
  }

  // The graph: inputs, hidden layers, the output; a heatmap in every neuron.
  // Room on the left for the input features' names.
  float label_w = 0;
  for (const auto& in : job.model.inputs)
    label_w = std::max(label_w, f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, feature_label(in)).x);
  label_w += em(0.6f);
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + label_w);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float gw = ImGui::GetContentRegionAvail().x;
  const float header = em(2.4f);
  const float gh = ImGui::GetContentRegionAvail().y - header - em(0.3f);
  std::vector<int> sizes{static_cast<int>(job.model.inputs.size())};
  for (const auto& l : job.model.layers) sizes.push_back(l.units);
  sizes.push_back(1);
  // Two-class outputs as one node: its links carry (class 1 - class 0)
  // weights, which is exactly what moves the boundary.
  WeightSet view = session_.weights();
  if (job.model.task == "classification" && view.size() >= 2) {
    NamedTensor& w = view[view.size() - 2];
    if (w.shape.size() == 2 && w.shape[0] == 2) {
      const int64_t c = w.shape[1];
      std::vector<float> diff(static_cast<size_t>(c));
      for (int64_t i = 0; i < c; ++i)
        diff[static_cast<size_t>(i)] = w.data[static_cast<size_t>(c + i)] - w.data[static_cast<size_t>(i)];
      w.data = diff;
      w.shape = {1, c};
    }
  }
  const layout::Graph g = layout::layout(sizes, gw, gh, em(4.2f), &view, em(0.4f));
  const float ns = g.node_size;
  node_px_ = std::max(1.0f, ns);
  ImGui::Dummy(ImVec2(gw, header));
  ImGui::InvisibleButton("graph", ImVec2(gw, gh));
  const bool graph_hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 base(origin.x, origin.y + header);
  const auto node_pos = [&](const layout::Node& n) { return ImVec2(base.x + n.x, base.y + n.y); };

  // Per-layer headers: + and - for units, and the count.
  const float column_gap = gw / static_cast<float>(sizes.size());
  for (int l = 0; l < layers; ++l) {
    const float cx = origin.x + column_gap * (static_cast<float>(l) + 1.5f);
    ImGui::PushID(l);
    if (allow.allows("units")) {
      const float d = em(1.4f);
      ImGui::SetCursorScreenPos(ImVec2(cx - d - em(0.15f), origin.y));
      ImGui::BeginDisabled(!allow.can_add_unit(job, static_cast<size_t>(l)));
      if (icon_button("add", Icon::plus, d)) {
        ++job.model.layers[static_cast<size_t>(l)].units;
        changed = true;
      }
      ImGui::EndDisabled();
      ImGui::SetCursorScreenPos(ImVec2(cx + em(0.15f), origin.y));
      ImGui::BeginDisabled(job.model.layers[static_cast<size_t>(l)].units <= 1);
      if (icon_button("remove", Icon::minus, d)) {
        --job.model.layers[static_cast<size_t>(l)].units;
        changed = true;
      }
      ImGui::EndDisabled();
    }
    const int units = job.model.layers[static_cast<size_t>(l)].units;
    std::string count =
        units == 1 ? std::string(tr("network.neuron")) : trf("network.neurons", {std::to_string(units)});
    float tw = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, count.c_str()).x;
    if (tw > column_gap - em(0.5f)) {  // deep networks in a narrow panel: the number alone
      count = std::to_string(units);
      tw = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, count.c_str()).x;
    }
    const ImVec2 ca(cx - tw * 0.5f, origin.y + em(1.55f));
    dl->AddText(f.small, f.small->FontSize, ca, p.muted, count.c_str());
    if (ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(ca, ImVec2(ca.x + tw, ca.y + f.small->FontSize))) {
      glossary_tooltip("glossary.neuron");
    }
    ImGui::PopID();
  }

  // Links under the nodes, painted into one texture when the weights change;
  // the one under the mouse is read out.
  const auto link_curve = [&](const layout::Link& k) {
    const ImVec2 a = node_pos(g.nodes[static_cast<size_t>(k.from)]), b = node_pos(g.nodes[static_cast<size_t>(k.to)]);
    const raster::Point p0{a.x + ns * 0.5f - base.x, a.y - base.y}, p3{b.x - ns * 0.5f - base.x, b.y - base.y};
    const float mid = (p0.x + p3.x) * 0.5f;
    return std::array<raster::Point, 4>{p0, raster::Point{mid, p0.y}, raster::Point{mid, p3.y}, p3};
  };
  {
    // The canvas starts on the damage grid, so that each of its blocks is
    // one tile on screen (see Overlay).
    const ImVec2 at = Overlay::aligned(base);
    const float dx = base.x - at.x, dy = base.y - at.y;
    const int cw = static_cast<int>(gw + dx), ch = static_cast<int>(gh + dy);
    const std::string layout = std::to_string(cw) + "x" + std::to_string(ch) + "+" + std::to_string(dx) + "," +
                               std::to_string(dy) + std::to_string(job.model.inputs.size()) + (ctx().dark ? "d" : "l");
    const std::string key = std::to_string(session_.weights_version()) + "/" + layout;
    if (key != links_key_) {
      links_key_ = key;
      LinksJob paint{layout, cw, ch, {}};
      for (const auto& k : g.links) {
        const auto c = link_curve(k);
        // In steps too small to see (1/8 px, 1/64 of the colour scale): a
        // network that has settled then paints the same pixels, and the
        // frames redraw nothing of it.
        const float width = std::round(std::max(1.0f, k.width) * 8.0f) / 8.0f;
        const float shade = std::round(k.shade * 64.0f) / 64.0f;
        paint.curves.push_back({{c[0].x + dx, c[0].y + dy},
                                {c[1].x + dx, c[1].y + dy},
                                {c[2].x + dx, c[2].y + dy},
                                {c[3].x + dx, c[3].y + dy},
                                width,
                                colors::diverging(shade),
                                0.85f});
      }
      if (layout != links_layout_) {
        // A new layout is painted at once: no frame shows links that do not
        // meet their neurons.
        links_layout_ = layout;
        links_tex_.upload(raster::paint_curves(cw, ch, paint.curves));
      } else {
        links_painter_.post(std::move(paint));
      }
    }
    // Freshly painted links come on screen a few blocks a frame.
    if (auto painted = links_painter_.take(); painted && painted->first == links_layout_) {
      links_tex_.aim(std::move(painted->second));
    }
    if (links_tex_.pending() && take_big_change(BigChange::links)) {
      links_tex_.step(static_cast<size_t>(kStagePixels / static_cast<float>(Overlay::kBlock * Overlay::kBlock)));
    }
    if (links_tex_.valid()) links_tex_.draw(dl, at.x, at.y);
  }
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  int hovered_link = -1;
  float best = em(0.5f);
  if (graph_hovered) {
    for (size_t i = 0; i < g.links.size(); ++i) {
      const auto c = link_curve(g.links[i]);
      for (int s = 0; s <= 16; ++s) {
        const float t = static_cast<float>(s) / 16.0f, u = 1 - t;
        const float x = u * u * u * c[0].x + 3 * u * u * t * c[1].x + 3 * u * t * t * c[2].x + t * t * t * c[3].x;
        const float y = u * u * u * c[0].y + 3 * u * u * t * c[1].y + 3 * u * t * t * c[2].y + t * t * t * c[3].y;
        const float d = std::hypot(mouse.x - base.x - x, mouse.y - base.y - y);
        if (d < best) {
          best = d;
          hovered_link = static_cast<int>(i);
        }
      }
    }
  }

  // Nodes: input features, hidden neurons with their maps, the output. In
  // three passes (shadows, pictures, borders) so that each pass is a few
  // draw calls, not three per node.
  const auto node_box = [&](const layout::Node& n) {
    const ImVec2 c = node_pos(n);
    return std::pair(ImVec2(c.x - ns * 0.5f, c.y - ns * 0.5f), ImVec2(c.x + ns * 0.5f, c.y + ns * 0.5f));
  };
  for (const auto& n : g.nodes) {
    const auto [a, b] = node_box(n);
    dl->AddRectFilled(ImVec2(a.x + 2, a.y + 3), ImVec2(b.x + 2, b.y + 3), IM_COL32(0, 0, 0, 30), em(0.25f));
  }
  size_t hidden_index = 0;
  for (const auto& n : g.nodes) {
    const auto [a, b] = node_box(n);
    void* tex = nullptr;
    ImVec2 uv0(0, 0), uv1(1, 1);
    if (n.layer == 0) {
      tex = feature_tex_[job.model.inputs[static_cast<size_t>(n.index)]].id();
    } else if (n.layer <= layers) {
      if (hidden_index < hidden_maps_.count && session_.grid().resolution > 0) {
        tex = hidden_maps_.tex.id();
        std::tie(uv0, uv1) = hidden_maps_.uv(hidden_index);
      }
      ++hidden_index;
    } else if (output_tex_.valid()) {
      tex = output_tex_.id();
    }
    if (tex != nullptr)
      dl->AddImageRounded(tex, a, b, uv0, uv1, IM_COL32_WHITE, em(0.25f));
    else
      dl->AddRectFilled(a, b, p.panel_alt, em(0.25f));
  }
  int hovered_node = -1;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    const auto [a, b] = node_box(n);
    const ImVec2 c = node_pos(n);
    const bool over = graph_hovered && mouse.x >= a.x && mouse.x <= b.x && mouse.y >= a.y && mouse.y <= b.y;
    if (over) hovered_node = static_cast<int>(i);
    dl->AddRect(a, b, over ? p.accent : p.border, em(0.25f), 0, over ? 2.0f : 1.0f);
    if (n.layer == 0) {
      const char* label = feature_label(job.model.inputs[static_cast<size_t>(n.index)]);
      const float tw = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, label).x;
      dl->AddText(f.small, f.small->FontSize, ImVec2(a.x - tw - em(0.4f), c.y - f.small->FontSize * 0.5f), p.muted,
                  label);
    }
  }
  if (hovered_node >= 0) {
    const auto& n = g.nodes[static_cast<size_t>(hovered_node)];
    ImGui::BeginTooltip();
    if (n.layer == 0)
      ImGui::TextUnformatted(feature_label(job.model.inputs[static_cast<size_t>(n.index)]));
    else if (n.layer <= layers)
      ImGui::TextUnformatted(trf("network.neuron_tip", {std::to_string(n.layer), std::to_string(n.index + 1)}).c_str());
    else
      ImGui::TextUnformatted(tr("network.output_tip"));
    ImGui::EndTooltip();
  } else if (hovered_link >= 0) {
    const auto& k = g.links[static_cast<size_t>(hovered_link)];
    const ImVec2 a = node_pos(g.nodes[static_cast<size_t>(k.from)]), b = node_pos(g.nodes[static_cast<size_t>(k.to)]);
    dl->AddLine(ImVec2(a.x + ns * 0.5f, a.y), ImVec2(b.x - ns * 0.5f, b.y), p.text, 1.0f);
    const bool editable =
        (allow.free || allow.allows("layers")) && session_.state() != app::RunState::running && k.param != nullptr;
    ImGui::SetTooltip("%s", (trf("network.weight_tip", {fixed(k.weight, 3)}) +
                             (editable ? std::string("\n") + tr("network.click_to_edit") : std::string()))
                                .c_str());
    if (editable && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      // The real tensor behind the link (the two-class output is shown as
      // one node whose weights are class 1 minus class 0).
      const NamedTensor* real = nullptr;
      for (const auto& t : session_.weights())
        if (t.name == k.param) real = &t;
      if (real != nullptr && real->shape.size() == 2) {
        const auto cols = static_cast<size_t>(real->shape[1]);
        edit_param_ = real->name;
        edit_relative_ = real->shape[0] == 2 && sizes.back() == 1 && job.model.task == "classification" &&
                         k.to >= static_cast<int>(g.nodes.size()) - 1;
        edit_index_ = edit_relative_ ? cols + static_cast<size_t>(k.col)
                                     : static_cast<size_t>(k.row) * cols + static_cast<size_t>(k.col);
        edit_base_index_ = static_cast<size_t>(k.col);
        edit_value_ = k.weight;
        open_edit_ = true;
      }
    }
  }
  if (open_edit_) {
    ImGui::OpenPopup("##edit_weight");
    open_edit_ = false;
  }
  if (ImGui::BeginPopup("##edit_weight")) {
    text(f.bold, p.text, tr("network.edit_weight"));
    ImGui::SetNextItemWidth(em(10.0f));
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::DragFloat("##w", &edit_value_, 0.01f, -10.0f, 10.0f, "%.3f");
    caption(tr("network.edit_explain"));
    if (primary_button(tr("network.set_weight"))) {
      float value = edit_value_;
      if (edit_relative_) {
        for (const auto& t : session_.weights())
          if (t.name == edit_param_) value += t.data[edit_base_index_];
      }
      session_.set_weight(edit_param_, edit_index_, value);
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  if (changed) change(job);
  end_panel();
}

}  // namespace aisb::ui
