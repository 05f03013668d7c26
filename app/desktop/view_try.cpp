// "Try it" (issue 14): the window where the student gives the trained
// network new input, a digit drawn with the mouse, a photo dropped on the
// window, values typed for a table or a point clicked on the plane, and
// sees what it says as it changes. The answers come from
// session/try_it.hpp, off the UI thread; opening and keeping models is
// view_model.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <imgui.h>

#include "core/catalog.hpp"
#include "core/job_reader.hpp"
#include "desktop/app.hpp"
#include "desktop/data_display.hpp"
#include "desktop/draw.hpp"
#include "desktop/ui.hpp"
#include "widgets/measure_units.hpp"

namespace aisb::ui {

namespace {

// A picture (C x H x W in [0, 1]) as RGBA, for a texture.
std::vector<uint8_t> picture_rgba(const std::vector<float>& px, int c, int h, int w) {
  std::vector<uint8_t> out(static_cast<size_t>(w) * static_cast<size_t>(h) * 4, 255);
  const size_t plane = static_cast<size_t>(w) * static_cast<size_t>(h);
  for (size_t i = 0; i < plane; ++i) {
    for (int k = 0; k < 3; ++k) {
      const size_t from = (c == 3 ? static_cast<size_t>(k) * plane : 0) + i;
      const float v = from < px.size() ? std::clamp(px[from], 0.0f, 1.0f) : 0.0f;
      out[i * 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(std::lround(v * 255.0f));
    }
  }
  return out;
}

// How a built-in table's or series' measurement is shown (its unit); a
// file's values are shown as the file has them.
MeasureUnit unit_of_measure(const JobSpec& job, int k) {
  if (is_file_source(job.dataset)) return {};
  const SourceInfo s = describe_source(job);
  return k >= 0 && static_cast<size_t>(k) < s.measures.size()
             ? measure_unit(job.dataset.source, s.measures[static_cast<size_t>(k)])
             : MeasureUnit{};
}

// "24.0 °C": a value with its unit.
std::string value_with_unit(const std::string& value, const MeasureUnit& u) {
  return *u.unit == '\0' ? value : value + " " + u.unit;
}

}  // namespace

void App::try_button(float height) {
  const bool ready_now = session_.trained_model() != nullptr && session_.state() != app::RunState::running;
  const char* label = tr("try.button");
  const float w = ImGui::CalcTextSize(label).x + em(2.4f);
  ImGui::BeginDisabled(!ready_now);
  if (primary_button(label, ImVec2(w, height))) show_try_ = !show_try_;
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(20.0f));
    ImGui::TextUnformatted(ready_now ? tr("try.button_tip") : tr("try.button_wait"));
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void App::draw_try() {
  canvas_size_ = 0;
  if (!show_try_) {
    canvas_frames_ = 0;
    return;
  }
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  // At the right, below the controls bar (its "Try it" button stays in view).
  const float top = std::min(em(9.3f), vp->WorkSize.y * 0.3f);
  const ImVec2 size(std::min(em(30.0f), vp->WorkSize.x * 0.9f), std::min(em(48.0f), vp->WorkSize.y - top - em(0.3f)));
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - size.x - em(1.0f), vp->WorkPos.y + top),
                          ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, p.panel);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, em(0.6f));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em(1.1f), em(0.9f)));
  const std::string title = std::string(tr("try.title")) + "###try";
  const bool open =
      ImGui::Begin(title.c_str(), &show_try_, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleVar(3);
  ImGui::PopStyleColor();
  if (!open) {
    ImGui::End();
    return;
  }
  ImGui::PushTextWrapPos(0.0f);
  const auto& model = try_.model();
  if (!model) {
    text_wrapped(f.body, p.muted, session_.state() == app::RunState::running ? tr("try.training") : tr("try.not_yet"));
    ImGui::Dummy(ImVec2(0, em(0.4f)));
    if (ImGui::Button(tr("models.open_button"))) {
      model_path_[0] = '\0';
      open_models_ = true;
    }
    ImGui::PopTextWrapPos();
    ImGui::End();
    return;
  }
  // What this network is: where it came from, how long it trained, how well.
  {
    const std::string what = model_name_.empty() ? std::string(tr("try.this_run")) : model_name_;
    std::string facts = trf("try.trained", {thousands(model->epochs_done)});
    if (model->has_metrics && model->metrics.test_accuracy) {
      facts += " · " + trf("try.accuracy", {fixed(*model->metrics.test_accuracy * 100.0, 1) + "%"});
    } else if (model->has_metrics && model->metrics.test_mae) {
      facts += " · " + trf("try.mae", {fixed(*model->metrics.test_mae, 3)});
    }
    platform_.ensure_glyphs(what);
    text(f.bold, p.text, what.c_str());
    text(f.small, p.muted, facts.c_str());
  }
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  const app::TryKind kind = app::try_kind(model->job);
  draw_try_input(kind, ImGui::GetContentRegionAvail().x);
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  draw_try_answer();

  // Train on, keep it.
  ImGui::Dummy(ImVec2(0, em(0.4f)));
  ImGui::Separator();
  ImGui::Dummy(ImVec2(0, em(0.2f)));
  if (session_.state() == app::RunState::running) {
    const int epoch = session_.latest() ? session_.latest()->epoch : 0;
    text_wrapped(f.body, p.accent,
                 trf("try.training_on", {thousands(epoch), thousands(session_.job().training.epochs)}).c_str());
  } else {
    // Keep training (as many epochs as asked), and keep the model: one row.
    caption(tr("try.more_caption"), "glossary.epoch");
    ImGui::SetNextItemWidth(em(6.5f));
    ImGui::InputInt("##more", &more_epochs_, 5, 50);
    more_epochs_ = std::clamp(more_epochs_, 1, 10000);
    ImGui::SameLine();
    ImGui::BeginDisabled(!session_.can_continue());
    if (ImGui::Button(trf("try.more", {thousands(more_epochs_)}).c_str())) session_.continue_training(more_epochs_);
    ImGui::EndDisabled();
    if (session_.data_missing() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("%s", tr("try.no_data"));
    }
  }
  const char* keep = tr("keep.button");
  const float kw = f.bold->CalcTextSizeA(f.bold->FontSize, FLT_MAX, 0, keep).x + em(1.6f);
  const float kx = ImGui::GetWindowContentRegionMax().x - kw;
  if (ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + em(0.6f) < kx) {
    ImGui::SameLine();
    ImGui::SetCursorPosX(kx);
  }
  if (primary_button(keep, ImVec2(kw, 0))) open_keep_ = true;
  if (session_.data_missing()) text_wrapped(f.small, p.warn, tr("try.no_data"));
  ImGui::PopTextWrapPos();
  ImGui::End();
}

void App::draw_try_input(app::TryKind kind, float width) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const auto& model = try_.model();
  const JobSpec& job = model->job;
  const Shape in = input_shape(job);
  const bool have_data = session_.data() != nullptr && session_.data()->test.size() > 0;
  const auto sample_button = [&](float w) {
    ImGui::BeginDisabled(!have_data);
    if (ImGui::Button(tr("try.sample"), ImVec2(w, 0))) take_try_sample();
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("%s", have_data ? tr("try.sample_tip") : tr("try.no_data"));
    }
  };
  ImDrawList* dl = ImGui::GetWindowDrawList();
  switch (kind) {
    case app::TryKind::drawing:
    case app::TryKind::photo: {
      const bool drawing = kind == app::TryKind::drawing;
      // Something to look at from the start where nothing can be drawn.
      // (a canvas of steel or paper starts as a picture of the data, to draw on).
      const bool blank_now = drawing ? canvas_.empty() : try_picture_.empty();
      if (blank_now && have_data && try_sample_ < 0 && (!drawing || try_ground_ != Ground::dark)) take_try_sample();
      text_wrapped(f.body, p.text,
                   !drawing                         ? tr("try.photo")
                   : job.dataset.source == "digits" ? tr("try.draw")
                                                    : tr("try.draw_any"));
      const int c = static_cast<int>(in[0]), h = static_cast<int>(in[1]), w = static_cast<int>(in[2]);
      const float side = std::min(width * 0.55f, em(12.0f));
      const ImVec2 at = ImGui::GetCursorScreenPos();
      ImGui::InvisibleButton("##canvas", ImVec2(side, side));
      if (drawing) {
        // The pen follows the pointer while the button is held.
        const ImVec2 m = ImGui::GetIO().MousePos;
        const double x = (m.x - at.x) / side * w, y = (m.y - at.y) / side * h;
        if (ImGui::IsItemActivated()) {
          canvas_.begin_stroke(x, y);
          try_note_.clear();
        } else if (ImGui::IsItemActive()) {
          canvas_.extend_stroke(x, y);
        }
        if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
        canvas_at_ = at;
        canvas_size_ = side;
        ++canvas_frames_;
      }
      // The picture as the network sees it: its own pixels, not smoothed.
      const std::vector<float> px = drawing ? canvas_picture() : try_picture_;
      const uint64_t version = drawing ? canvas_.version() : try_input_version_;
      if (drawing && version != canvas_input_) {
        canvas_input_ = version;
        ++try_input_version_;
      }
      if (!px.empty() && canvas_shown_ != version) {
        canvas_shown_ = version;
        canvas_tex_.upload(w, h, picture_rgba(px, c, h, w).data());
      }
      const ImVec2 b(at.x + side, at.y + side);
      if (!px.empty() && canvas_tex_.valid()) {
        dl->AddImage(canvas_tex_.id(), at, b);
      } else {
        dl->AddRectFilled(at, b, drawing ? IM_COL32(0, 0, 0, 255) : p.panel_alt);
      }
      dl->AddRect(at, b, p.border, 0.0f, 0, 1.0f);
      const bool blank = drawing ? canvas_.empty() : try_picture_.empty();
      if (blank) {
        const char* hint = drawing ? tr("try.draw_here") : tr("try.drop_here");
        const ImVec2 ts = f.bold->CalcTextSizeA(f.bold->FontSize, side - em(1.0f), side - em(1.0f), hint);
        ImGui::SetCursorScreenPos(ImVec2(at.x + (side - ts.x) * 0.5f, at.y + (side - ts.y) * 0.5f));
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + side - em(1.0f));
        text_wrapped(f.bold, drawing && try_ground_ != Ground::light ? IM_COL32(170, 170, 170, 255) : p.muted, hint);
        ImGui::PopTextWrapPos();
      }
      // Beside the picture: what to do with it.
      ImGui::SetCursorScreenPos(ImVec2(b.x + em(0.8f), at.y));
      ImGui::BeginGroup();
      const float bw = std::max(em(7.0f), width - side - em(0.8f));
      if (drawing) {
        ImGui::BeginDisabled(canvas_.empty());
        if (ImGui::Button(tr("try.clear"), ImVec2(bw, 0))) {
          canvas_.clear();
          try_note_.clear();
        }
        ImGui::EndDisabled();
      }
      sample_button(bw);
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + bw);
      text_wrapped(f.small, p.muted, tr("try.drop_photo"));
      text_wrapped(f.small, p.muted, trf("try.pixels", {std::to_string(w), std::to_string(h)}).c_str());
      ImGui::PopTextWrapPos();
      ImGui::EndGroup();
      ImGui::SetCursorScreenPos(ImVec2(at.x, std::max(b.y, ImGui::GetItemRectMax().y) + em(0.3f)));
      ImGui::Dummy(ImVec2(0, 0));
      if (!try_note_.empty()) text_wrapped(f.small, p.warn, try_note_.c_str());
      break;
    }
    case app::TryKind::values: {
      text_wrapped(f.body, p.text, tr("try.values"));
      const int n = static_cast<int>(try_values_.size());
      if (ImGui::BeginTable("##values", 2, ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch, 1.4f);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        for (int k = 0; k < n; ++k) {
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          const std::string name = measure_label(job, k);
          const MeasureUnit u = unit_of_measure(job, k);
          platform_.ensure_glyphs(name);
          ImGui::AlignTextToFramePadding();
          text_wrapped(f.body, p.text, with_unit(name, u).c_str());
          ImGui::TableNextColumn();
          ImGui::PushID(k);
          float& raw = try_values_[static_cast<size_t>(k)];
          if (name.find('=') != std::string::npos) {
            // One value of a text column ("crop=tomato"): yes or no.
            bool on = raw > 0.5f;
            if (ImGui::Checkbox("##on", &on)) {
              raw = on ? 1.0f : 0.0f;
              ++try_input_version_;
            }
          } else {
            float shown = static_cast<float>(u.shown(raw));
            ImGui::SetNextItemWidth(-1);
            const std::string format = "%." + std::to_string(std::max(u.digits, 1)) + "f";
            if (ImGui::InputFloat("##v", &shown, 0.0f, 0.0f, format.c_str()) && std::isfinite(shown)) {
              raw = static_cast<float>((shown - u.offset) / u.scale);
              ++try_input_version_;
            }
          }
          ImGui::PopID();
        }
        ImGui::EndTable();
      }
      sample_button(em(14.0f));
      break;
    }
    case app::TryKind::series: {
      if (try_values_.empty() && have_data && try_sample_ < 0) take_try_sample();
      text_wrapped(f.body, p.text, tr("try.series"));
      sample_button(em(14.0f));
      if (!try_values_.empty() && in.size() == 2) {
        // The sample's headline measurement over time, in its unit.
        const int steps = static_cast<int>(in[0]), feats = static_cast<int>(in[1]);
        const int k = std::clamp(describe_source(job).headline, 0, feats - 1);
        const MeasureUnit u = unit_of_measure(job, k);
        try_series_line_.clear();
        for (int t = 0; t < steps; ++t)
          try_series_line_.push_back(static_cast<float>(u.shown(try_values_[static_cast<size_t>(t * feats + k)])));
        const std::string label = with_unit(measure_label(job, k), u);
        platform_.ensure_glyphs(label);
        line_plot("##series", {{label, nullptr, &try_series_line_, p.accent}}, ImVec2(width, em(9.0f)),
                  {.legend = false,
                   .x_label = tr("samples.time"),
                   .digits = u.digits,
                   .whole_x = true,
                   .y_label = label.c_str()});
      }
      break;
    }
    case app::TryKind::point: {
      text_wrapped(f.body, p.text, tr("try.point"));
      const float side = std::min(width, em(15.0f));
      const ImVec2 at = ImGui::GetCursorScreenPos();
      ImGui::InvisibleButton("##plane", ImVec2(side, side));
      if (ImGui::IsItemActive()) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        const double x1 = std::clamp((m.x - at.x) / side * 12.0 - 6.0, -6.0, 6.0);
        const double x2 = std::clamp(6.0 - (m.y - at.y) / side * 12.0, -6.0, 6.0);
        if (!try_point_ || try_point_->first != x1 || try_point_->second != x2) {
          try_point_ = {x1, x2};
          ++try_input_version_;
        }
      }
      const ImVec2 b(at.x + side, at.y + side);
      if (output_tex_.valid()) {
        dl->AddImage(output_tex_.id(), at, b);
      } else {
        dl->AddRectFilled(at, b, p.panel_alt);
      }
      dl->AddRect(at, b, p.border);
      if (try_point_) {
        const ImVec2 c(at.x + static_cast<float>((try_point_->first + 6.0) / 12.0) * side,
                       at.y + static_cast<float>((6.0 - try_point_->second) / 12.0) * side);
        dl->AddCircleFilled(c, em(0.45f), IM_COL32(255, 255, 255, 255));
        dl->AddCircle(c, em(0.45f), IM_COL32(20, 20, 20, 255), 24, 2.0f);
        dl->AddCircleFilled(c, em(0.15f), IM_COL32(20, 20, 20, 255));
      }
      ImGui::SameLine(0, em(0.8f));
      ImGui::BeginGroup();
      const float bw = std::max(em(7.0f), width - side - em(0.8f));
      sample_button(bw);
      if (try_point_) {
        text(f.body, p.text, ("x1 = " + fixed(try_point_->first, 2)).c_str());
        text(f.body, p.text, ("x2 = " + fixed(try_point_->second, 2)).c_str());
      }
      ImGui::EndGroup();
      break;
    }
  }
}

void App::draw_try_answer() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const auto& model = try_.model();
  // "The network says: 3 (93% sure)", a caption and the answer on one line.
  const auto says = [&](const std::string& what) {
    const ImVec2 at = ImGui::GetCursorPos();
    ImGui::SetCursorPosY(at.y + em(0.75f));
    text(f.small, p.muted, what.empty() ? tr("try.says") : (std::string(tr("try.says")) + " · " + what).c_str());
    ImGui::SameLine(0, em(0.6f));
    ImGui::SetCursorPosY(at.y);
  };
  const auto& a = try_.answer();
  const bool truth = try_truth_.has_value() && truth_version_ == try_input_version_;
  if (session_.state() == app::RunState::running) {
    caption(tr("try.says"));
    text_wrapped(f.body, p.muted, tr("try.wait_for_training"));
    return;
  }
  if (!a) {
    caption(tr("try.says"));
    text_wrapped(f.body, p.muted, try_.waiting() || try_input_ready() ? tr("try.thinking") : tr("try.give_input"));
    return;
  }
  if (!a->prediction) {
    caption(tr("try.says"));
    platform_.ensure_glyphs(a->error);
    text_wrapped(f.body, p.bad, trf("try.error", {a->error}).c_str());
    return;
  }
  const Prediction& pr = *a->prediction;
  const float w = ImGui::GetContentRegionAvail().x;
  if (model->job.model.task == "classification" && !pr.probabilities.empty()) {
    const std::string top = try_class_name(pr.klass);
    platform_.ensure_glyphs(top);
    const float prob = pr.probabilities[static_cast<size_t>(pr.klass)];
    says("");
    text(f.title, p.accent, top.c_str());
    ImGui::SameLine(0, em(0.8f));
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.6f));
    text(f.body, p.muted, trf("try.sure", {fixed(prob * 100.0, 0) + "%"}).c_str());
    if (truth) {
      const int right = static_cast<int>(*try_truth_);
      const std::string name = try_class_name(right);
      platform_.ensure_glyphs(name);
      text(f.bold, right == pr.klass ? p.good : p.bad,
           (right == pr.klass ? trf("try.right", {name}) : trf("try.wrong", {name})).c_str());
    }
    // Every class's share, largest first past a dozen classes.
    std::vector<int> order(pr.probabilities.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    if (order.size() > 12) {
      std::sort(order.begin(), order.end(), [&](int x, int y) {
        return pr.probabilities[static_cast<size_t>(x)] > pr.probabilities[static_cast<size_t>(y)];
      });
      order.resize(12);
    }
    float label_w = em(2.0f);
    std::vector<std::string> names;
    for (int k : order) {
      names.push_back(try_class_name(k));
      platform_.ensure_glyphs(names.back());
      label_w = std::max(label_w, f.body->CalcTextSizeA(f.body->FontSize, FLT_MAX, 0, names.back().c_str()).x);
    }
    label_w = std::min(label_w + em(0.6f), w * 0.45f);
    const float pct_w = em(3.2f), row = em(1.15f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    // The 2-D sets' two classes in the colours the plane shows them in.
    const bool plane = app::try_kind(model->job) == app::TryKind::point && pr.probabilities.size() == 2;
    ImGui::Dummy(ImVec2(0, em(0.2f)));
    for (size_t i = 0; i < order.size(); ++i) {
      const int k = order[i];
      const float v = pr.probabilities[static_cast<size_t>(k)];
      const bool best = k == pr.klass;
      const ImVec2 at = ImGui::GetCursorScreenPos();
      const std::string name = fit_text(names[i], best ? f.bold : f.body, label_w - em(0.4f));
      dl->AddText(best ? f.bold : f.body, f.body->FontSize, ImVec2(at.x, at.y + (row - f.body->FontSize) * 0.5f),
                  best ? p.text : p.muted, name.c_str());
      const float x0 = at.x + label_w, x1 = at.x + w - pct_w;
      const float y0 = at.y + row * 0.22f, y1 = at.y + row * 0.78f;
      dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), p.panel_alt, em(0.2f));
      if (v > 0.0f) {
        const ImU32 fill = plane ? (k == 0 ? p.orange : p.blue) : best ? p.accent : p.border;
        dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x0 + std::max(em(0.15f), (x1 - x0) * v), y1), fill, em(0.2f));
      }
      const std::string pct = fixed(v * 100.0, 0) + "%";
      const float tw = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, pct.c_str()).x;
      dl->AddText(f.small, f.small->FontSize, ImVec2(at.x + w - tw, at.y + (row - f.small->FontSize) * 0.5f),
                  best ? p.text : p.muted, pct.c_str());
      ImGui::Dummy(ImVec2(w, row));
    }
  } else {
    const MeasureUnit u = target_unit(model->job);
    const std::string target =
        is_file_source(model->job.dataset) ? model->job.dataset.target : target_label(model->job);
    platform_.ensure_glyphs(target);
    says(target);
    text(f.title, p.accent, value_with_unit(fixed(u.shown(pr.value), std::max(u.digits, 1)), u).c_str());
    if (truth) {
      text(f.bold, p.text,
           trf("try.actual", {value_with_unit(fixed(u.shown(*try_truth_), std::max(u.digits, 1)), u)}).c_str());
    }
  }
}

}  // namespace aisb::ui
