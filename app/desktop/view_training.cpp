// The workspace for lessons the 2-D views cannot draw (images, sequences,
// tables): samples of the data, the model layer by layer with its shapes
// and sizes, and the curves.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "core/catalog.hpp"
#include "core/shape.hpp"
#include "desktop/app.hpp"
#include "desktop/data_display.hpp"
#include "desktop/draw.hpp"
#include "desktop/ui.hpp"
#include "widgets/colors.hpp"
#include "widgets/confusion.hpp"
#include "widgets/measure_units.hpp"

namespace aisb::ui {

void App::draw_samples_panel(const app::Permissions& allow, float width, float height) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  begin_panel("samples", tr("samples.title"), ImVec2(width, height));
  const Dataset* d = session_.data();
  const JobSpec& job = session_.job();
  const bool file = is_file_source(job.dataset);
  // A file's names (Korean columns, photo folders) need their glyphs.
  if (file && data_glyphs_version_ != session_.data_version()) {
    data_glyphs_version_ = session_.data_version();
    std::string names = job.dataset.source + job.dataset.target;
    for (const auto& n : job.dataset.input_names) names += n;
    for (const auto& n : job.dataset.class_names) names += n;
    for (const auto& w : session_.data_problems().all()) names += app::data_problem_text(w, lang());
    platform_.ensure_glyphs(names);
  }
  text(f.bold, p.text, dataset_label(job.dataset.source).c_str());
  if (d == nullptr && session_.preparing_data()) {
    caption(session_.resolving() ? trf("own.reading", {dataset_label(job.dataset.source)}).c_str()
                                 : tr("samples.preparing"));
  } else {
    caption(trf("samples.counts", {thousands(d ? d->train.size() : 0), thousands(d ? d->test.size() : 0)}).c_str());
  }
  // Bring one's own data (or other data), or go back to the built-in sets.
  if (allow.allows("own_data")) {
    const bool back = file && screen_ == Screen::playground;
    const float gap = ImGui::GetStyle().ItemSpacing.x, avail = ImGui::GetContentRegionAvail().x;
    own_data_button(allow, back ? (avail - gap) * 0.5f : avail);
    if (back) {
      ImGui::SameLine();
      if (ImGui::Button(tr("own.builtin"), ImVec2((avail - gap) * 0.5f, 0))) open_playground();
    }
  }
  // What reading the file left out, and why.
  if (file && d != nullptr) {
    int shown = 0;
    ImGui::PushTextWrapPos(0.0f);
    for (const auto& n : session_.data_problems().all()) {
      if (n.severity == Severity::error || shown++ >= 2) continue;
      text_wrapped(f.small, p.warn, app::data_problem_text(n, lang()).c_str());
    }
    ImGui::PopTextWrapPos();
  }
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  const float w = ImGui::GetContentRegionAvail().x;
  if (d != nullptr && d->input_shape.size() == 3 && d->classification) {
    // What it gets wrong, beside what the data looks like.
    if (pill(tr("samples.tab_samples"), data_tab_ == 0, true)) data_tab_ = 0;
    if (pill(tr("samples.tab_mistakes"), data_tab_ == 1, false)) data_tab_ = 1;
    ImGui::Dummy(ImVec2(0, em(0.2f)));
    if (data_tab_ == 1) {
      draw_mistakes(w);
      end_panel();
      return;
    }
  }
  if (d != nullptr && d->input_shape.size() == 3) {
    // Images: a tile of the first training samples, with their labels.
    const int c = static_cast<int>(d->input_shape[0]), ih = static_cast<int>(d->input_shape[1]),
              iw = static_cast<int>(d->input_shape[2]);
    // Two rows of as many columns (3 to 6) as leave room for the longest
    // word of a label: a word broken inside ("scratc/hes") reads badly.
    const float gap = em(0.4f);
    float word = em(3.0f);
    ImGui::PushFont(f.small);
    for (int s = 0; s < 12 && s < d->train.size(); ++s) {
      const std::string label = class_name(job, static_cast<int>(d->train.y[static_cast<size_t>(s)]));
      for (size_t a = 0; a < label.size();) {
        const size_t b = std::min(label.find(' ', a), label.size());
        word = std::max(word, ImGui::CalcTextSize(label.c_str() + a, label.c_str() + b).x);
        a = b + 1;
      }
    }
    ImGui::PopFont();
    const int cols = std::clamp(static_cast<int>((w + gap) / (word + gap)), 3, 6), rows = 2;
    const int n = std::min<int>(cols * rows, static_cast<int>(d->train.size()));
    const std::string key =
        std::to_string(session_.data_version()) + "/" + std::to_string(n) + "/" + std::to_string(cols);
    if (samples_key_ != key) {
      samples_key_ = key;
      const int tw = cols * iw, th = rows * ih;
      std::vector<uint8_t> px(static_cast<size_t>(tw * th * 4), 255);
      for (int s = 0; s < n; ++s) {
        const float* img = d->train.x.data() + static_cast<size_t>(s) * static_cast<size_t>(c * ih * iw);
        const int plane = ih * iw;
        for (int y = 0; y < ih; ++y)
          for (int x = 0; x < iw; ++x) {
            image_pixel(img, c, plane, y * iw + x,
                        &px[static_cast<size_t>(4 * (((s / cols) * ih + y) * tw + (s % cols) * iw + x))]);
          }
      }
      samples_tex_.upload(tw, th, px.data());
    }
    const float cell = (w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    for (int s = 0; s < n; ++s) {
      if (s % cols != 0) ImGui::SameLine(0, gap);
      ImGui::BeginGroup();
      const float u0 = static_cast<float>(s % cols) / cols, v0 = static_cast<float>(s / cols) / rows;
      ImGui::Image(samples_tex_.id(), ImVec2(cell, cell), ImVec2(u0, v0), ImVec2(u0 + 1.0f / cols, v0 + 1.0f / rows));
      const std::string label = class_name(job, static_cast<int>(d->train.y[static_cast<size_t>(s)]));
      ImGui::PushFont(f.small);
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + cell);
      ImGui::TextColored(vec(p.muted), "%s", label.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopFont();
      ImGui::EndGroup();
    }
    // What the network confuses, on the test data.
    if (const auto& latest = session_.latest(); latest && !latest->confusion.empty()) {
      const confusion::Summary cs = confusion::summarize(latest->confusion);
      ImGui::Dummy(ImVec2(0, em(0.4f)));
      caption(tr("samples.confusion"), "glossary.confusion_matrix");
      const int k = cs.classes;
      float label_w = 0;
      for (int r = 0; r < k; ++r) label_w = std::max(label_w, ImGui::CalcTextSize(class_name(job, r).c_str()).x);
      label_w = std::min(label_w + em(0.5f), w * 0.4f);
      const float room = std::min(w - label_w, ImGui::GetContentRegionAvail().y - em(3.5f));
      const float cell = std::max(em(0.6f), room / static_cast<float>(k));
      const ImVec2 at = ImGui::GetCursorScreenPos();
      ImDrawList* dl = ImGui::GetWindowDrawList();
      ImFont* small = f.small;
      for (int r = 0; r < k; ++r) {
        const std::string name = class_name(job, r);
        dl->PushClipRect(ImVec2(at.x, at.y), ImVec2(at.x + label_w - em(0.3f), at.y + cell * static_cast<float>(k + 1)),
                         true);
        dl->AddText(small, small->FontSize,
                    ImVec2(at.x, at.y + cell * (static_cast<float>(r) + 0.5f) - small->FontSize * 0.5f), p.muted,
                    name.c_str());
        dl->PopClipRect();
        for (int c = 0; c < k; ++c) {
          const float v = cs.share[static_cast<size_t>(r * k + c)];
          const colors::Rgb hue = r == c ? colors::kBlue : colors::kOrange;
          const ImVec2 a(at.x + label_w + cell * static_cast<float>(c), at.y + cell * static_cast<float>(r));
          dl->AddRectFilled(a, ImVec2(a.x + cell - 1, a.y + cell - 1), p.panel_alt);
          if (v > 0) dl->AddRectFilled(a, ImVec2(a.x + cell - 1, a.y + cell - 1), rgb(hue, 0.15f + 0.85f * v));
          if (cell > small->FontSize * 1.6f) {
            const int64_t n = latest->confusion[static_cast<size_t>(r * k + c)];
            if (n > 0) {
              const std::string t = std::to_string(n);
              const ImVec2 ts = small->CalcTextSizeA(small->FontSize, FLT_MAX, 0, t.c_str());
              dl->AddText(small, small->FontSize, ImVec2(a.x + (cell - ts.x) * 0.5f, a.y + (cell - ts.y) * 0.5f),
                          v > 0.5f ? IM_COL32(255, 255, 255, 255) : p.text, t.c_str());
            }
          }
        }
      }
      // A cell is its pictures: a click looks inside the network with the
      // next test picture of that true class given that answer.
      const ImVec2 mouse = ImGui::GetIO().MousePos;
      const Inside& in = session_.inside();
      if (ImGui::IsWindowHovered() && in.has_predictions() && mouse.x >= at.x + label_w && mouse.y >= at.y &&
          mouse.x < at.x + label_w + cell * static_cast<float>(k) && mouse.y < at.y + cell * static_cast<float>(k)) {
        const int r = static_cast<int>((mouse.y - at.y) / cell),
                  c = static_cast<int>((mouse.x - at.x - label_w) / cell);
        const int64_t n = latest->confusion[static_cast<size_t>(r * k + c)];
        if (n > 0) {
          const std::vector<std::string> args = {class_name(job, r), class_name(job, c), std::to_string(n)};
          const std::string tip =
              r == c ? trf("samples.confusion_click_right", args) : trf("samples.confusion_click", args);
          ImGui::SetTooltip("%s", tip.c_str());
          if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && session_.choose_next(r, c)) model_tab_ = 1;
        }
      }
      ImGui::Dummy(ImVec2(w, cell * static_cast<float>(k) + em(0.3f)));
      ImGui::PushTextWrapPos(0.0f);
      text_wrapped(f.small, p.muted, tr("samples.confusion_axes"));
      ImGui::PopTextWrapPos();
      if (!cs.mistakes.empty()) {
        const auto& m = cs.mistakes.front();
        ImGui::PushTextWrapPos(0.0f);
        text_wrapped(f.body, p.text,
                     trf("samples.top_mistake",
                         {class_name(job, m.truth), class_name(job, m.predicted), std::to_string(m.count)})
                         .c_str());
        ImGui::PopTextWrapPos();
      }
    }
  } else if (d != nullptr && d->input_shape.size() == 2) {
    // Sequences: one measurement of a few samples over time, first the one
    // the catalog says tells the story (the battery's capacity, not its
    // cycle count); the pills switch.
    const int steps = static_cast<int>(d->input_shape[0]), feats = static_cast<int>(d->input_shape[1]);
    if (sequence_source_ != job.dataset.source) {
      sequence_source_ = job.dataset.source;
      sequence_measure_ = describe_source(job).headline;
    }
    sequence_measure_ = std::clamp(sequence_measure_, 0, feats - 1);
    for (int c = 0; c < feats; ++c) {
      if (pill(measure_label(job, c).c_str(), c == sequence_measure_, c == 0)) sequence_measure_ = c;
    }
    ImGui::Dummy(ImVec2(0, em(0.2f)));
    // In the units of the thing measured (a capacity in %, not the scaled
    // value the network reads), the axis named with its unit.
    const MeasureUnit unit = unit_of(job, *d, sequence_measure_);
    const std::string y_label = with_unit(measure_label(job, sequence_measure_), unit);
    platform_.ensure_glyphs(y_label);
    static std::vector<std::vector<float>> lines;
    lines.assign(4, {});
    std::vector<Series> series;
    for (int s = 0; s < 4 && s < d->train.size(); ++s) {
      for (int t = 0; t < steps; ++t) {
        const float v = d->train.x[static_cast<size_t>((s * steps + t) * feats + sequence_measure_)];
        lines[static_cast<size_t>(s)].push_back(static_cast<float>(unit.shown(v)));
      }
      series.push_back({trf("samples.sample", {std::to_string(s + 1)}), nullptr, &lines[static_cast<size_t>(s)],
                        rgb(colors::category(static_cast<size_t>(s)))});
    }
    const float plot_h = std::clamp(ImGui::GetContentRegionAvail().y * 0.5f, em(12.0f), em(20.0f));
    line_plot("seq", series, ImVec2(w, plot_h),
              {.legend = true,
               .x_label = tr("samples.time"),
               .digits = unit.digits,
               .whole_x = true,
               .y_label = y_label.c_str()});
    caption(trf("samples.shape", {std::to_string(steps), std::to_string(feats)}).c_str());
    if (const std::string target = target_label(job); !target.empty() && !d->classification) {
      text_wrapped(f.small, p.muted, trf("samples.predicts", {target}).c_str());
    }
  } else if (d != nullptr) {
    // A table: the first rows, each column in its unit ("temperature (°C)",
    // 24.3), not the scaled value the network reads.
    const int feats = static_cast<int>(d->features);
    const auto word_width = [&](const std::string& h) {  // its longest word, or a number
      float word = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, "0000.0").x;
      for (size_t a = 0; a < h.size();) {
        const size_t b = std::min(h.find(' ', a), h.size());
        word = std::max(word, f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, h.c_str() + a, h.c_str() + b).x);
        a = b + 1;
      }
      return word;
    };
    std::vector<MeasureUnit> units;
    std::vector<std::string> heads;
    for (int k = 0; k < std::min(feats, 6); ++k) {
      units.push_back(unit_of(job, *d, k));
      heads.push_back(with_unit(measure_label(job, k), units.back()));
      platform_.ensure_glyphs(heads.back());
    }
    // A file's answer column by its name; a built-in regression's by what it predicts.
    const std::string target = file ? job.dataset.target : d->classification ? std::string() : target_label(job);
    const std::string answer = target.empty() ? tr("samples.target") : target;
    // As many feature columns as fit with no word broken inside
    // ("temper/ature"), then the answer.
    const float pad = 2.0f * ImGui::GetStyle().CellPadding.x;
    float used = word_width(answer) + pad;
    int shown = 0;
    while (shown < static_cast<int>(heads.size()) &&
           (shown == 0 || used + word_width(heads[static_cast<size_t>(shown)]) + pad <= w)) {
      used += word_width(heads[static_cast<size_t>(shown)]) + pad;
      ++shown;
    }
    heads.resize(static_cast<size_t>(shown));
    heads.push_back(answer);
    const int rows = static_cast<int>(std::min<int64_t>(12, d->train.size()));
    if (file) {
      // A file's numbers with as many decimals as the file wrote (25, not 25.0).
      for (int k = 0; k < shown; ++k) {
        MeasureUnit& u = units[static_cast<size_t>(k)];
        const auto fits = [&](double scale) {
          for (int r = 0; r < rows; ++r) {
            const double v = u.shown(d->train.x[static_cast<size_t>(r * feats + k)]) * scale;
            if (std::fabs(v - std::round(v)) > 1e-3 + 1e-5 * std::fabs(v)) return false;
          }
          return true;
        };
        u.digits = fits(1.0) ? 0 : fits(10.0) ? 1 : 2;
      }
    }
    if (ImGui::BeginTable("rows", shown + 1,
                          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchSame)) {
      // Each column as wide as its longest word asks, so "temperature" is
      // whole while "CO2" has no room to spare.
      for (const auto& h : heads) ImGui::TableSetupColumn(h.c_str(), ImGuiTableColumnFlags_WidthStretch, word_width(h));
      ImGui::PushFont(f.small);  // six numbers a row fit a narrow panel in the small size
      // The header words wrap in their column ("temperature / (°C)") rather
      // than being cut to "tempe…".
      ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
      for (size_t k = 0; k < heads.size(); ++k) {
        ImGui::TableSetColumnIndex(static_cast<int>(k));
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(vec(p.muted), "%s", heads[k].c_str());
        ImGui::PopTextWrapPos();
      }
      for (int r = 0; r < rows; ++r) {
        ImGui::TableNextRow();
        for (int k = 0; k < shown; ++k) {
          ImGui::TableNextColumn();
          const MeasureUnit& u = units[static_cast<size_t>(k)];
          ImGui::TextUnformatted(fixed(u.shown(d->train.x[static_cast<size_t>(r * feats + k)]), u.digits).c_str());
        }
        ImGui::TableNextColumn();
        const float answer = d->train.y[static_cast<size_t>(r)];
        ImGui::TextColored(vec(p.accent), "%s",
                           (d->classification ? class_name(job, static_cast<int>(answer)) : fixed(answer, 2)).c_str());
      }
      ImGui::PopFont();
      ImGui::EndTable();
    }
  }
  end_panel();
}

void App::draw_model_panel(const app::Permissions& allow, float width, float height) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  begin_panel("model", tr("model.title"), ImVec2(width, height));
  JobSpec job = session_.job();
  bool changed = false;
  const ModelInfo& info = session_.info();
  // Keep what you built, with its data: a lesson file a classmate opens.
  if (allow.free) {
    const char* label = tr("save.button");
    const float bw = ImGui::CalcTextSize(label).x + em(2.0f);
    ImGui::SetCursorPos(ImVec2(ImGui::GetWindowContentRegionMax().x - bw, ImGui::GetCursorPosY() - em(1.6f)));
    ImGui::BeginDisabled(session_.resolving() || !session_.valid());
    if (ImGui::Button(label, ImVec2(bw, 0))) open_save_ = true;
    ImGui::EndDisabled();
  }
  if (draw_model_tabs(ImGui::GetContentRegionAvail().x, height)) {
    end_panel();
    return;
  }
  if (session_.resolving())
    caption(tr("model.waits_for_data"));
  else
    caption(trf("model.input", {shape_to_string(info.input)}).c_str());
  for (size_t i = 0; i < info.layers.size(); ++i) {
    const LayerInfo& l = info.layers[i];
    const bool output = i + 1 == info.layers.size();
    ImGui::PushID(static_cast<int>(i));
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    const float h = em(3.3f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, ImVec2(a.x + w, a.y + h), output ? p.panel_alt : p.panel, em(0.5f));
    dl->AddRectFilled(a, ImVec2(a.x + em(0.35f), a.y + h), rgb(colors::category(i)), em(0.5f),
                      ImDrawFlags_RoundCornersLeft);
    dl->AddRect(a, ImVec2(a.x + w, a.y + h), p.border, em(0.5f));
    const std::string title = output ? std::string(tr("model.output")) : tr(("layer." + l.spec.type).c_str());
    std::string detail;
    if (l.spec.type == "dense" || l.spec.type == "lstm" || l.spec.type == "gru")
      detail =
          l.spec.units == 1 ? std::string(tr("model.one_unit")) : trf("model.units", {std::to_string(l.spec.units)});
    if (l.spec.type == "conv2d")
      detail = trf("model.filters", {std::to_string(l.spec.filters), std::to_string(l.spec.kernel)});
    if (!l.spec.activation.empty() && !output)
      detail += (detail.empty() ? "" : " · ") + std::string(tr(("activation." + l.spec.activation).c_str()));
    dl->AddText(f.bold, f.bold->FontSize, ImVec2(a.x + em(0.9f), a.y + em(0.4f)), p.text, title.c_str());
    dl->AddText(f.small, f.small->FontSize, ImVec2(a.x + em(0.9f), a.y + em(1.85f)), p.muted,
                (detail.empty() ? shape_to_string(l.out) : detail + "  →  " + shape_to_string(l.out)).c_str());
    const std::string params = trf("model.params", {thousands(l.params)});
    const float tw = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, params.c_str()).x;
    dl->AddText(f.small, f.small->FontSize, ImVec2(a.x + w - tw - em(0.8f), a.y + em(0.45f)), p.muted, params.c_str());
    // Units of a dense or recurrent layer: + and -.
    if (!output && allow.allows("units") && (l.spec.units > 0 || l.spec.filters > 0)) {
      LayerSpec& spec = job.model.layers[i];
      int& n = spec.type == "conv2d" ? spec.filters : spec.units;
      const int step = spec.type == "conv2d" ? 4 : (n >= 32 ? 8 : 1);
      const float d = em(1.5f);
      ImGui::SetCursorScreenPos(ImVec2(a.x + w - 2 * d - em(1.0f), a.y + em(1.55f)));
      ImGui::BeginDisabled(n - step < 1);
      if (icon_button("minus", Icon::minus, d)) {
        n -= step;
        changed = true;
      }
      ImGui::EndDisabled();
      ImGui::SameLine(0, em(0.3f));
      if (icon_button("plus", Icon::plus, d)) {
        n += step;
        changed = true;
      }
    }
    ImGui::SetCursorScreenPos(a);
    ImGui::Dummy(ImVec2(w, h));
    // What the layer does, from the glossary.
    const std::string& t = l.spec.type;
    glossary_tip(output                      ? nullptr
                 : t == "dense"              ? "glossary.dense"
                 : t == "conv2d"             ? "glossary.convolution"
                 : t == "maxpool2d"          ? "glossary.pooling"
                 : t == "dropout"            ? "glossary.dropout"
                 : t == "lstm" || t == "gru" ? "glossary.lstm"
                                             : nullptr);
    ImGui::PopID();
  }
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  key_value(tr("output.parameters"), thousands(info.params), "glossary.parameters");
  key_value(tr("model.flops"), thousands(info.flops_per_sample));
  const double spe = session_.seconds_per_epoch();
  key_value(session_.latest() ? tr("output.time_measured") : tr("output.time_estimate"), epoch_time_label(spe),
            "glossary.epoch");
  if (session_.started()) {
    key_value(tr("model.engine"), session_.started()->device + " · " + session_.started()->engine);
  }
  if (changed) change(job);
  end_panel();
}

void App::draw_learning_bars(float width) {
  const auto& grads = session_.gradients();
  const auto& ws = session_.weights();
  if (grads.empty()) return;
  caption(tr("output.learning_per_layer"), "glossary.gradient");
  std::vector<std::string> labels;
  std::vector<float> values;
  std::string last_layer;
  for (size_t i = 0; i < ws.size() && i < grads.size(); ++i) {
    // One bar per layer, from its first weight tensor: "layers.3.weight"
    // (or an LSTM's "layers.3.weight_ih_l0") is "Layer 4", "output.weight"
    // is "Output".
    const std::string& n = ws[i].name;
    const size_t dot = n.rfind('.');
    if (dot == std::string::npos || n.compare(dot + 1, 6, "weight") != 0 || n.substr(0, dot) == last_layer) continue;
    last_layer = n.substr(0, dot);
    labels.push_back(n.rfind("layers.", 0) == 0 ? trf("output.layer", {std::to_string(std::stoi(n.substr(7)) + 1)})
                                                : std::string(tr("output.output_layer")));
    values.push_back(grads[i]);
  }
  bars("grads", labels, values, ctx().palette.accent, width);
}

void App::draw_curves_panel(const app::Permissions&, float width, float height) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  begin_panel("curves", tr("output.title"), ImVec2(width, height));
  const float w = ImGui::GetContentRegionAvail().x;
  const auto& latest = session_.latest();
  const bool classification = session_.job().model.task == "classification";
  stat(tr("output.test_loss"), latest ? fixed(latest->test_loss, 3) : "–", p.text, "glossary.loss");
  ImGui::SameLine(0, em(1.5f));
  std::string score = "–";
  if (latest && latest->test_accuracy) score = fixed(*latest->test_accuracy * 100.0, 1) + "%";
  if (latest && latest->test_mae) score = fixed(*latest->test_mae, 3);
  stat(classification ? tr("output.test_accuracy") : tr("output.test_mae"), score, p.accent,
       classification ? "glossary.accuracy" : "glossary.mae");
  if (latest && latest->test_r2) {
    ImGui::SameLine(0, em(1.5f));
    stat(tr("output.test_r2"), fixed(*latest->test_r2, 3), p.text, "glossary.r2");
  }
  const app::History& h = session_.history();
  const float plot_h = std::max(em(7.0f), (ImGui::GetContentRegionAvail().y - em(9.0f)) * 0.5f);
  line_plot("loss",
            {{tr("output.test_loss"), &h.epoch, &h.test_loss, p.text, &show_test_curve_},
             {tr("output.train_loss"), &h.epoch, &h.train_loss, p.muted, &show_train_curve_, true}},
            ImVec2(w, plot_h), {.log_y = log_loss_, .x_label = tr("output.epoch"), .whole_x = true});
  const char* score_name = classification ? tr("output.accuracy") : tr("output.mae");
  line_plot("score",
            {{std::string(tr("output.test")) + " " + score_name, &h.epoch, &h.test_score, p.accent},
             {std::string(tr("output.train")) + " " + score_name, &h.epoch, &h.train_score, p.orange, nullptr, true}},
            ImVec2(w, plot_h), {.x_label = tr("output.epoch"), .whole_x = true});
  ImGui::Checkbox(tr("output.log_loss"), &log_loss_);
  draw_learning_bars(w);
  if (trains_only_at_center() && !session_.done()) {
    text_wrapped(f.body, p.accent, tr("center.runs_there"));
  } else if (session_.done() && !session_.done()->message.empty()) {
    const auto& d = *session_.done();
    const std::string& why = lang() == "ko" && !d.message_ko.empty() ? d.message_ko : d.message;
    platform_.ensure_glyphs(why);
    text_wrapped(f.body, d.reason == "completed" ? p.good : d.reason == "diverged" ? p.diverged : p.bad, why.c_str());
  }
  end_panel();
}

}  // namespace aisb::ui
