// The workspace for lessons the 2-D views cannot draw (images, sequences,
// tables): samples of the data, the model layer by layer with its shapes
// and sizes, and the curves.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "core/catalog.hpp"
#include "core/shape.hpp"
#include "desktop/app.hpp"
#include "desktop/draw.hpp"
#include "desktop/ui.hpp"
#include "widgets/colors.hpp"
#include "widgets/confusion.hpp"
#include "widgets/measure_units.hpp"

namespace aisb::ui {

namespace {

// A class's name: a file's own (a value of its answer column, a photo
// folder's name), or from the one table of them (assets/i18n,
// "class.steel.N"), the names the lesson texts use too (tests/app/i18n_test.cpp).
std::string class_name(const JobSpec& job, int c) {
  const DatasetSpec& d = job.dataset;
  if (is_file_source(d)) {
    return c >= 0 && static_cast<size_t>(c) < d.class_names.size() ? d.class_names[static_cast<size_t>(c)]
                                                                   : std::to_string(c);
  }
  if (d.source == "steel-defects") return tr(("class.steel." + std::to_string(c)).c_str());
  if (d.source == "smart-farm") return tr(("class.farm." + std::to_string(c)).c_str());
  return std::to_string(c);
}

// The catalog's name of a measurement, or a file's column (or "" past the list).
std::string measure_name(const JobSpec& job, int index) {
  const SourceInfo info = describe_source(job);
  return index >= 0 && static_cast<size_t>(index) < info.measures.size() ? info.measures[static_cast<size_t>(index)]
                                                                         : std::string();
}

// How a measurement is shown: a built-in set's in its unit; a file's column
// as the file had it, before the standardisation the network reads (a
// one-hot column's 0 or 1 as it is).
MeasureUnit unit_of(const JobSpec& job, const Dataset& d, int k) {
  if (!is_file_source(job.dataset)) return measure_unit(job.dataset.source, measure_name(job, k));
  MeasureUnit u;
  const auto i = static_cast<size_t>(k);
  if (k >= 0 && i < d.standardization.mean.size() && i < d.standardization.scale.size()) {
    u.scale = d.standardization.scale[i];
    u.offset = d.standardization.mean[i];
  }
  const bool one_hot = measure_name(job, k).find('=') != std::string::npos;
  u.digits = one_hot || u.scale >= 100.0 ? 0 : u.scale >= 10.0 ? 1 : 2;
  return u;
}

// "Capacity (%)": a measurement's name with the unit it is shown in.
std::string with_unit(const std::string& label, const MeasureUnit& u) {
  return *u.unit == '\0' ? label : label + " (" + u.unit + ")";
}

}  // namespace

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
        // Channel-major: a grey image has one plane, a colour one three (red, green, blue).
        const int plane = ih * iw;
        for (int y = 0; y < ih; ++y)
          for (int x = 0; x < iw; ++x) {
            uint8_t* o = &px[static_cast<size_t>(4 * (((s / cols) * ih + y) * tw + (s % cols) * iw + x))];
            for (int ch = 0; ch < 3; ++ch) {
              const float v = std::clamp(img[(c >= 3 ? ch : 0) * plane + y * iw + x], 0.0f, 1.0f);
              o[ch] = static_cast<uint8_t>(std::lround(v * 255.0f));
            }
            o[3] = 255;
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
  if (session_.done() && !session_.done()->message.empty()) {
    const auto& d = *session_.done();
    const std::string& why = lang() == "ko" && !d.message_ko.empty() ? d.message_ko : d.message;
    platform_.ensure_glyphs(why);
    text_wrapped(f.body, d.reason == "completed" ? p.good : d.reason == "diverged" ? p.diverged : p.bad, why.c_str());
  }
  end_panel();
}

namespace {

// Test sample `s` as RGBA rows (a grey image's one plane, or red, green, blue).
std::vector<uint8_t> test_image_rgba(const Dataset& d, int64_t s) {
  const int c = static_cast<int>(d.input_shape[0]), h = static_cast<int>(d.input_shape[1]),
            w = static_cast<int>(d.input_shape[2]);
  const float* img = d.test.x.data() + s * d.features;
  std::vector<uint8_t> px(static_cast<size_t>(w * h * 4), 255);
  for (int i = 0; i < w * h; ++i) {
    for (int ch = 0; ch < 3; ++ch) {
      const float v = std::clamp(img[(c >= 3 ? ch : 0) * h * w + i], 0.0f, 1.0f);
      px[static_cast<size_t>(4 * i + ch)] = static_cast<uint8_t>(std::lround(v * 255.0f));
    }
  }
  return px;
}

// `n` tiles of h x w in `cols` columns, one pixel apart, painted by `paint`
// (tile, y, x, RGBA out); the gaps take `gap`.
struct Atlas {
  int cols = 1, rows = 1, width = 0, height = 0;
  std::vector<uint8_t> px;
};

template <class Paint>
Atlas make_atlas(int n, int h, int w, int cols, colors::Rgb gap, Paint paint) {
  Atlas a;
  a.cols = std::max(1, std::min(cols, n));
  a.rows = std::max(1, (n + a.cols - 1) / a.cols);
  a.width = a.cols * (w + 1) - 1;
  a.height = a.rows * (h + 1) - 1;
  a.px.assign(static_cast<size_t>(a.width * a.height * 4), 255);
  for (int i = 0; i < a.width * a.height; ++i) {
    a.px[static_cast<size_t>(4 * i)] = gap.r;
    a.px[static_cast<size_t>(4 * i + 1)] = gap.g;
    a.px[static_cast<size_t>(4 * i + 2)] = gap.b;
  }
  for (int t = 0; t < n; ++t) {
    const int x0 = (t % a.cols) * (w + 1), y0 = (t / a.cols) * (h + 1);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) paint(t, y, x, &a.px[static_cast<size_t>(4 * ((y0 + y) * a.width + x0 + x))]);
  }
  return a;
}

// Softmax of logits, in double from the largest down.
std::vector<float> softmax(const std::vector<float>& o) {
  if (o.empty()) return {};
  const float top = *std::max_element(o.begin(), o.end());
  std::vector<float> p(o.size());
  double sum = 0;
  for (size_t i = 0; i < o.size(); ++i) sum += p[i] = static_cast<float>(std::exp(static_cast<double>(o[i] - top)));
  for (float& v : p) v = static_cast<float>(v / sum);
  return p;
}

// A layer's name as the model panel says it ("Convolution", "Max pooling").
const char* layer_title_key(const std::string& type) {
  if (type == "conv2d") return "layer.conv2d";
  if (type == "maxpool2d") return "layer.maxpool2d";
  if (type == "batchnorm") return "layer.batchnorm";
  if (type == "lstm") return "layer.lstm";
  if (type == "gru") return "layer.gru";
  return "layer.dense";
}

}  // namespace

nlohmann::json App::inside_report() const {
  const Inside& in = session_.inside();
  return {
      {"model_tab", model_tab_ == 1 ? "inside" : "layers"},
      {"data_tab", data_tab_ == 1 ? "mistakes" : "samples"},
      {"chosen", session_.chosen_sample()},
      {"chosen_class", session_.data() != nullptr && session_.chosen_sample() < session_.data()->test.size()
                           ? static_cast<int>(session_.data()->test.y[static_cast<size_t>(session_.chosen_sample())])
                           : -1},
      {"probed", in.sample},
      {"maps", in.maps.size()},
      {"saliency", !in.saliency.empty()},
      {"predictions_epoch", in.epoch},
      {"predictions", in.predictions.size()},
      {"mistakes", mistakes_.size()}};
}

bool App::draw_model_tabs(float width, float height) {
  const Dataset* d = session_.data();
  const JobSpec& job = session_.job();
  if (d == nullptr || session_.grid_supported()) return false;
  const bool images = d->input_shape.size() == 3;
  const bool conv = std::any_of(job.model.layers.begin(), job.model.layers.end(),
                                [](const LayerSpec& l) { return l.type == "conv2d"; });
  if (images && !conv) {
    model_tab_ = 0;
    return false;
  }
  if (pill(tr("model.tab_layers"), model_tab_ == 0, true)) model_tab_ = 0;
  if (pill(images ? tr("model.tab_inside") : tr("model.tab_predictions"), model_tab_ == 1, false)) model_tab_ = 1;
  ImGui::Dummy(ImVec2(0, em(0.2f)));
  if (model_tab_ == 0) return false;
  const float h = std::max(em(4.0f), height - (ImGui::GetCursorPosY() + em(1.2f)));
  ImGui::BeginChild("inside", ImVec2(width, h), false);
  const float w = ImGui::GetContentRegionAvail().x - em(0.4f);
  images ? draw_inside(w) : draw_predictions(w);
  ImGui::EndChild();
  return true;
}

void App::apply_step_view(const Step& step) {
  if (step.view.empty()) return;
  if (step.view == "model") {
    model_tab_ = 0;
  } else if (step.view == "mistakes") {
    data_tab_ = 1;
  } else {
    model_tab_ = 1;
    inside_focus_ = step.view;
  }
  step_sample_ = step.sample;
}

void App::resolve_step_sample() {
  const Dataset* d = session_.data();
  if (!step_sample_ || d == nullptr || d->test.size() == 0) return;
  const SampleRef ref = *step_sample_;
  step_sample_.reset();
  if (ref.class_name.empty()) {
    session_.choose_sample(ref.number - 1);
    return;
  }
  const std::vector<std::string> names = class_names_of(session_.job());
  const auto it = std::find(names.begin(), names.end(), ref.class_name);
  if (it == names.end()) return;
  const auto k = static_cast<float>(it - names.begin());
  for (int64_t i = 0; i < d->test.size(); ++i) {
    if (d->test.y[static_cast<size_t>(i)] == k) {
      session_.choose_sample(i);
      return;
    }
  }
}

void App::draw_inside(float w) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const Dataset* d = session_.data();
  const JobSpec& job = session_.job();
  resolve_step_sample();
  if (d == nullptr || d->test.size() == 0) return;
  const Inside& in = session_.inside();
  const int64_t chosen = session_.chosen_sample();
  const int ih = static_cast<int>(d->input_shape[1]), iw = static_cast<int>(d->input_shape[2]);
  // Which test picture, and what it is.
  if (ImGui::ArrowButton("prev", ImGuiDir_Left)) session_.choose_sample(chosen - 1);
  ImGui::SameLine(0, em(0.3f));
  if (ImGui::ArrowButton("next", ImGuiDir_Right)) session_.choose_sample(chosen + 1);
  ImGui::SameLine(0, em(0.6f));
  const int truth = static_cast<int>(d->test.y[static_cast<size_t>(chosen)]);
  text(f.bold, p.text, trf("inside.sample", {std::to_string(chosen + 1), class_name(job, truth)}).c_str());
  const bool fresh = in.has_probe() && in.sample == chosen;
  // The picture, where the network looks, and what it says.
  // Pictures are made again only when what they show changed: the picture
  // and the maps with a new probe, the filters with new weights.
  const std::string key = std::to_string(session_.data_version()) + "/" + std::to_string(chosen) + "/" +
                          std::to_string(session_.probe_version());
  const bool redraw = key != inside_key_;
  // The filters follow the weights twice a second: each new picture is an
  // upload that a software renderer waits for, and the eye sees no more.
  const double now = ImGui::GetTime();
  const bool new_weights = session_.weights_version() != inside_weights_version_ && now - filters_drawn_at_ >= 0.5;
  if (new_weights) {
    inside_weights_version_ = session_.weights_version();
    filters_drawn_at_ = now;
  }
  if (redraw) {
    inside_key_ = key;
    std::vector<uint8_t> px = test_image_rgba(*d, chosen);
    inside_image_tex_.upload(iw, ih, px.data());
    if (fresh && static_cast<int>(in.saliency.size()) == ih * iw) {
      // The picture in grey, warmed to orange where a change would move the answer most.
      for (int i = 0; i < ih * iw; ++i) {
        const float s = static_cast<uint8_t>(in.saliency[static_cast<size_t>(i)]) / 255.0f;
        const float a = std::min(1.0f, s * 1.4f) * 0.85f;
        uint8_t* o = &px[static_cast<size_t>(4 * i)];
        const float grey = 0.6f * (o[0] + o[1] + o[2]) / 3.0f;
        o[0] = static_cast<uint8_t>(grey + a * (colors::kOrange.r - grey));
        o[1] = static_cast<uint8_t>(grey + a * (colors::kOrange.g - grey));
        o[2] = static_cast<uint8_t>(grey + a * (colors::kOrange.b - grey));
      }
      saliency_tex_.upload(iw, ih, px.data());
    }
  }
  const float side = std::min(w * 0.3f, em(7.5f));
  if (inside_focus_ == "saliency") {
    ImGui::SetScrollHereY(0.0f);
    inside_focus_.clear();
  }
  ImGui::BeginGroup();
  ImGui::Image(inside_image_tex_.id(), ImVec2(side, side));
  caption(tr("inside.picture"));
  ImGui::EndGroup();
  ImGui::SameLine(0, em(0.5f));
  ImGui::BeginGroup();
  if (fresh && saliency_tex_.valid()) {
    ImGui::Image(saliency_tex_.id(), ImVec2(side, side));
  } else {
    ImGui::Dummy(ImVec2(side, side));
  }
  caption(tr("inside.saliency"), "glossary.saliency");
  ImGui::EndGroup();
  ImGui::SameLine(0, em(0.6f));
  ImGui::BeginGroup();
  if (fresh) {
    std::vector<std::string> labels;
    const std::vector<float> probs = softmax(in.outputs);
    for (size_t c = 0; c < probs.size(); ++c) labels.push_back(class_name(job, static_cast<int>(c)));
    std::vector<float> percent;
    for (float v : probs) percent.push_back(std::round(v * 1000.0f) / 10.0f);  // 95.7, and 0 for 1e-6
    bars("probs", labels, percent, rgb(in.klass == truth ? colors::kBlue : colors::kOrange),
         std::max(em(6.0f), w - 2 * side - em(1.2f)));
  } else {
    caption(tr("inside.probing"));
  }
  ImGui::EndGroup();
  ImGui::PushTextWrapPos(0.0f);
  text_wrapped(f.small, p.muted, tr("inside.saliency_explained"));
  ImGui::PopTextWrapPos();

  // Layer by layer: what each convolution looks for (its filters), and what
  // every layer made of this picture (its maps).
  const WeightSet& ws = session_.weights();
  const colors::Rgb gap = {static_cast<uint8_t>((p.panel >> IM_COL32_R_SHIFT) & 0xFF),
                           static_cast<uint8_t>((p.panel >> IM_COL32_G_SHIFT) & 0xFF),
                           static_cast<uint8_t>((p.panel >> IM_COL32_B_SHIFT) & 0xFF)};
  bool first_filters = true, first_maps = true;
  for (size_t i = 0; i < job.model.layers.size(); ++i) {
    const LayerSpec& l = job.model.layers[i];
    if (l.type == "flatten" || l.type == "dropout") continue;
    ImGui::PushID(static_cast<int>(i));
    ImGui::Dummy(ImVec2(0, em(0.5f)));
    text(f.bold, p.text, (trf("output.layer", {std::to_string(i + 1)}) + " · " + tr(layer_title_key(l.type))).c_str());
    if (l.type == "conv2d") {
      const std::string name = "layers." + std::to_string(i) + ".weight";
      const auto it = std::find_if(ws.begin(), ws.end(), [&](const NamedTensor& t) { return t.name == name; });
      if (it != ws.end() && it->shape.size() == 4) {
        const int nf = static_cast<int>(it->shape[0]), nc = static_cast<int>(it->shape[1]),
                  k = static_cast<int>(it->shape[2]);
        if (new_weights || !filter_tex_[static_cast<int>(i)].valid()) {
          float top = 1e-12f;
          for (float v : it->data) top = std::max(top, std::fabs(v));
          const std::vector<float>& wt = it->data;
          const Atlas a = make_atlas(nf, k, k, std::min(nf, 8), gap, [&](int t, int y, int x, uint8_t* o) {
            // A filter over several channels shows their mean: what it looks for in all of them.
            float v = 0;
            for (int c = 0; c < nc; ++c) v += wt[static_cast<size_t>(((t * nc + c) * k + y) * k + x)];
            const colors::Rgb rgbv = colors::diverging(v / static_cast<float>(nc) / top);
            o[0] = rgbv.r;
            o[1] = rgbv.g;
            o[2] = rgbv.b;
          });
          filter_tex_[static_cast<int>(i)].upload(a.width, a.height, a.px.data());
        }
        if (first_filters && inside_focus_ == "filters") {
          ImGui::SetScrollHereY(0.0f);
          inside_focus_.clear();
        }
        first_filters = false;
        caption(trf("inside.filters", {std::to_string(nf)}).c_str(), "glossary.filter");
        const Texture& t = filter_tex_[static_cast<int>(i)];
        const float fw = std::min(w, em(2.2f) * static_cast<float>(std::min(nf, 8)));
        ImGui::Image(t.id(), ImVec2(fw, fw * static_cast<float>(t.height()) / static_cast<float>(t.width())));
      }
    }
    // The maps this layer made of the picture.
    const auto m =
        std::find_if(in.maps.begin(), in.maps.end(), [&](const LayerMap& x) { return x.layer == static_cast<int>(i); });
    if (fresh && m != in.maps.end()) {
      const bool grid = m->shape.size() == 3;
      const int mh = grid ? static_cast<int>(m->shape[1]) : 1,
                mw = grid ? static_cast<int>(m->shape[2]) : static_cast<int>(m->shape[0]);
      const int n = static_cast<int>(m->channels_shown);
      if (redraw || !map_tex_[static_cast<int>(i)].valid()) {
        const Atlas a = make_atlas(n, mh, mw, grid ? std::min(n, 8) : 1, gap, [&](int t, int y, int x, uint8_t* o) {
          const auto v = static_cast<uint8_t>(m->bytes[static_cast<size_t>((t * mh + y) * mw + x)]);
          // Dark where the layer is quiet, bright blue where it answers.
          const float s = std::sqrt(v / 255.0f);  // the faint answers too
          o[0] = static_cast<uint8_t>(20 + s * (colors::kBlue.r + 120 - 20));
          o[1] = static_cast<uint8_t>(24 + s * (colors::kBlue.g + 110 - 24));
          o[2] = static_cast<uint8_t>(30 + s * (255 - 30));
        });
        map_tex_[static_cast<int>(i)].upload(a.width, a.height, a.px.data());
      }
      if (first_maps && inside_focus_ == "maps") {
        ImGui::SetScrollHereY(0.0f);
        inside_focus_.clear();
      }
      first_maps = false;
      caption(grid ? trf("inside.maps", {std::to_string(m->shape[0])}).c_str() : tr("inside.units"),
              "glossary.feature_map");
      const Texture& t = map_tex_[static_cast<int>(i)];
      const float mwid = grid ? w : w;
      const float mhei = grid ? mwid * static_cast<float>(t.height()) / static_cast<float>(t.width()) : em(1.0f);
      ImGui::Image(t.id(), ImVec2(mwid, mhei));
    }
    ImGui::PopID();
  }
  if (!in.maps.empty() && !fresh) caption(tr("inside.probing"));
}

void App::draw_mistakes(float w) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const Dataset* d = session_.data();
  const JobSpec& job = session_.job();
  const Inside& in = session_.inside();
  if (d == nullptr || d->input_shape.size() != 3) return;
  if (!in.has_predictions()) {
    ImGui::PushTextWrapPos(0.0f);
    text_wrapped(f.body, p.muted, tr("inside.no_answers"));
    ImGui::PopTextWrapPos();
    return;
  }
  const int c = static_cast<int>(d->input_shape[0]), ih = static_cast<int>(d->input_shape[1]),
            iw = static_cast<int>(d->input_shape[2]);
  const int cols = 4;
  const std::string key = std::to_string(session_.data_version()) + "/" + std::to_string(session_.answers_version());
  if (key != mistakes_key_) {
    mistakes_key_ = key;
    mistakes_.clear();
    for (size_t i = 0; i < in.predictions.size() && i < static_cast<size_t>(d->test.size()); ++i) {
      if (static_cast<int>(in.predictions[i]) != static_cast<int>(d->test.y[i]))
        mistakes_.push_back(static_cast<int64_t>(i));
    }
    const int n = static_cast<int>(std::min<size_t>(mistakes_.size(), 16));
    if (n > 0) {
      const Atlas a = make_atlas(n, ih, iw, cols, colors::Rgb{0, 0, 0}, [&](int t, int y, int x, uint8_t* o) {
        const float* img = d->test.x.data() + mistakes_[static_cast<size_t>(t)] * d->features;
        for (int ch = 0; ch < 3; ++ch) {
          const float v = std::clamp(img[(c >= 3 ? ch : 0) * ih * iw + y * iw + x], 0.0f, 1.0f);
          o[ch] = static_cast<uint8_t>(std::lround(v * 255.0f));
        }
      });
      mistakes_tex_.upload(a.width, a.height, a.px.data());
    }
  }
  ImGui::PushTextWrapPos(0.0f);
  text_wrapped(f.small, p.muted,
               trf("inside.mistakes",
                   {std::to_string(mistakes_.size()),
                    std::to_string(std::min<int64_t>(d->test.size(), static_cast<int64_t>(in.predictions.size()))),
                    std::to_string(in.epoch)})
                   .c_str());
  ImGui::PopTextWrapPos();
  if (mistakes_.empty()) {
    text_wrapped(f.body, p.good, tr("inside.no_mistakes"));
    return;
  }
  const int n = static_cast<int>(std::min<size_t>(mistakes_.size(), 16));
  const int rows = (n + cols - 1) / cols;
  const float gapx = em(0.4f);
  const float cell = (w - gapx * static_cast<float>(cols - 1)) / static_cast<float>(cols);
  ImGui::PushFont(f.small);
  for (int t = 0; t < n; ++t) {
    if (t % cols != 0) ImGui::SameLine(0, gapx);
    ImGui::BeginGroup();
    ImGui::PushID(t);
    const float u0 = static_cast<float>((t % cols) * (iw + 1)) / static_cast<float>(mistakes_tex_.width());
    const float v0 = static_cast<float>((t / cols) * (ih + 1)) / static_cast<float>(mistakes_tex_.height());
    const ImVec2 uv1(u0 + static_cast<float>(iw) / static_cast<float>(mistakes_tex_.width()),
                     v0 + static_cast<float>(ih) / static_cast<float>(mistakes_tex_.height()));
    const int64_t s = mistakes_[static_cast<size_t>(t)];
    ImGui::Image(mistakes_tex_.id(), ImVec2(cell, cell), ImVec2(u0, v0), uv1);
    if (ImGui::IsItemClicked()) {
      session_.choose_sample(s);
      model_tab_ = 1;
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("inside.mistake_click"));
    const int truth = static_cast<int>(d->test.y[static_cast<size_t>(s)]);
    const int said = static_cast<int>(in.predictions[static_cast<size_t>(s)]);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + cell);
    ImGui::TextColored(vec(p.muted), "%s", class_name(job, truth).c_str());
    ImGui::TextColored(vec(p.orange), "→ %s", class_name(job, said).c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopID();
    ImGui::EndGroup();
  }
  ImGui::PopFont();
  (void)rows;
}

void App::draw_predictions(float w) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const Dataset* d = session_.data();
  const JobSpec& job = session_.job();
  resolve_step_sample();
  if (d == nullptr) return;
  const Inside& in = session_.inside();
  if (d->classification) {
    // Classes: how often each one is named right.
    const auto& latest = session_.latest();
    if (!latest || latest->confusion.empty()) {
      text_wrapped(f.body, p.muted, tr("inside.no_answers"));
      return;
    }
    const auto k = static_cast<int>(std::lround(std::sqrt(static_cast<double>(latest->confusion.size()))));
    std::vector<std::string> labels;
    std::vector<float> values;
    for (int r = 0; r < k; ++r) {
      int64_t row = 0;
      for (int c = 0; c < k; ++c) row += latest->confusion[static_cast<size_t>(r * k + c)];
      labels.push_back(class_name(job, r));
      values.push_back(row > 0 ? 100.0f * static_cast<float>(latest->confusion[static_cast<size_t>(r * k + r)]) /
                                     static_cast<float>(row)
                               : 0.0f);
    }
    caption(tr("inside.per_class"), "glossary.accuracy");
    bars("per_class", labels, values, p.accent, w);
    return;
  }
  if (!in.has_predictions()) {
    text_wrapped(f.body, p.muted, tr("inside.no_answers"));
    return;
  }
  const Standardization& st = d->standardization;
  const size_t n = std::min(in.predictions.size(), static_cast<size_t>(d->test.size()));
  // In the answer's own units (a capacity in %, not the scaled value the
  // network was trained on); a file's answers are in its units already.
  const MeasureUnit tu =
      is_file_source(job.dataset) ? MeasureUnit{} : measure_unit(job.dataset.source, describe_source(job).target);
  std::vector<float> truth(n), said(n);
  for (size_t i = 0; i < n; ++i) {
    truth[i] = static_cast<float>(tu.shown(d->test.y[i] * st.target_scale + st.target_mean));
    said[i] = static_cast<float>(tu.shown(in.predictions[i]));
  }
  const int64_t chosen = std::min<int64_t>(session_.chosen_sample(), static_cast<int64_t>(n) - 1);
  const std::string target = target_label(job);
  platform_.ensure_glyphs(target);
  // A sequence: the chosen series as it went, then what comes next.
  if (d->input_shape.size() == 2 && chosen >= 0) {
    if (ImGui::ArrowButton("prev", ImGuiDir_Left)) session_.choose_sample(chosen - 1);
    ImGui::SameLine(0, em(0.3f));
    if (ImGui::ArrowButton("next", ImGuiDir_Right)) session_.choose_sample(chosen + 1);
    ImGui::SameLine(0, em(0.6f));
    text(f.bold, p.text, trf("inside.series", {std::to_string(chosen + 1)}).c_str());
    const int steps = static_cast<int>(d->input_shape[0]), feats = static_cast<int>(d->input_shape[1]);
    const int k = std::clamp(describe_source(job).headline, 0, feats - 1);
    const MeasureUnit unit = unit_of(job, *d, k);
    static std::vector<float> line;
    line.clear();
    for (int t = 0; t < steps; ++t) {
      line.push_back(static_cast<float>(unit.shown(d->test.x[static_cast<size_t>((chosen * steps + t) * feats + k)])));
    }
    const std::string y_label = with_unit(measure_label(job, k), unit);
    platform_.ensure_glyphs(y_label);
    line_plot("series", {{measure_label(job, k), nullptr, &line, p.accent}},
              ImVec2(w, std::clamp(w * 0.45f, em(8.0f), em(13.0f))),
              {.legend = false,
               .x_label = tr("samples.time"),
               .digits = unit.digits,
               .whole_x = true,
               .y_label = y_label.c_str()});
    ImGui::PushTextWrapPos(0.0f);
    text_wrapped(f.body, p.text,
                 trf("inside.answer", {target.empty() ? std::string(tr("inside.target")) : target,
                                       fixed(truth[static_cast<size_t>(chosen)], tu.digits) + tu.unit,
                                       fixed(said[static_cast<size_t>(chosen)], tu.digits) + tu.unit})
                     .c_str());
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, em(0.4f)));
  }
  // Every test sample: the network's answer against the truth, the diagonal
  // where they agree; then how far off each is (the residual).
  ImGui::PushTextWrapPos(0.0f);
  text_wrapped(f.small, p.muted, trf("inside.scatter", {std::to_string(n), std::to_string(in.epoch)}).c_str());
  ImGui::PopTextWrapPos();
  float lo = 1e30f, hi = -1e30f;
  for (size_t i = 0; i < n; ++i) {
    lo = std::min({lo, truth[i], said[i]});
    hi = std::max({hi, truth[i], said[i]});
  }
  if (!(hi > lo)) hi = lo + 1.0f;
  const float side = std::min(w, em(16.0f));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const ImVec2 b(a.x + side, a.y + side);
  dl->AddRectFilled(a, b, p.panel_alt);
  const auto at = [&](float x, float y) {
    return ImVec2(a.x + (x - lo) / (hi - lo) * side, b.y - (y - lo) / (hi - lo) * side);
  };
  dl->AddLine(at(lo, lo), at(hi, hi), p.muted, 1.5f);
  for (size_t i = 0; i < n; ++i) dl->AddCircleFilled(at(truth[i], said[i]), em(0.16f), rgb(colors::kBlue, 0.7f));
  if (chosen >= 0)
    dl->AddCircle(at(truth[static_cast<size_t>(chosen)], said[static_cast<size_t>(chosen)]), em(0.4f),
                  rgb(colors::kOrange), 16, 2.5f);
  ImGui::InvisibleButton("scatter", ImVec2(side, side));
  if (ImGui::IsItemClicked()) {
    // The nearest point becomes the chosen sample.
    const ImVec2 m = ImGui::GetIO().MousePos;
    float best = 1e30f;
    int64_t pick = -1;
    for (size_t i = 0; i < n; ++i) {
      const ImVec2 q = at(truth[i], said[i]);
      const float dd = (q.x - m.x) * (q.x - m.x) + (q.y - m.y) * (q.y - m.y);
      if (dd < best) {
        best = dd;
        pick = static_cast<int64_t>(i);
      }
    }
    if (pick >= 0) session_.choose_sample(pick);
  }
  ImGui::PushFont(f.small);
  ImGui::TextColored(vec(p.muted), "%s",
                     trf("inside.axes", {fixed(lo, tu.digits) + tu.unit, fixed(hi, tu.digits) + tu.unit}).c_str());
  ImGui::PopFont();
  // The residuals, in test order.
  static std::vector<float> residual;
  residual.resize(n);
  for (size_t i = 0; i < n; ++i) residual[i] = said[i] - truth[i];
  line_plot("residual", {{tr("inside.residual"), nullptr, &residual, p.orange}},
            ImVec2(w, std::clamp(w * 0.35f, em(6.0f), em(10.0f))),
            {.legend = true, .x_label = tr("inside.test_sample"), .whole_x = true});
}

}  // namespace aisb::ui
