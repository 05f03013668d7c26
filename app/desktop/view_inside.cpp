// The inside of the network (issue 15): for a CNN, a test picture, where the
// network looks, its probabilities, each convolution's filters and every
// layer's maps; the gallery of its mistakes; for sequences and tables, its
// predictions against the truth. Drawn from what the session's run (or
// trained model) said; a lesson step can open them on a sample.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "core/catalog.hpp"
#include "desktop/app.hpp"
#include "desktop/data_display.hpp"
#include "desktop/draw.hpp"
#include "desktop/ui.hpp"
#include "widgets/colors.hpp"

namespace aisb::ui {

namespace {

// Test sample `s` as RGBA rows.
std::vector<uint8_t> test_image_rgba(const Dataset& d, int64_t s) {
  const int c = static_cast<int>(d.input_shape[0]), plane = static_cast<int>(d.input_shape[1] * d.input_shape[2]);
  std::vector<uint8_t> px(static_cast<size_t>(plane * 4));
  for (int i = 0; i < plane; ++i)
    image_pixel(d.test.x.data() + s * d.features, c, plane, i, &px[static_cast<size_t>(4 * i)]);
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
  // The probabilities beside the pictures where their names and bars fit,
  // else below them at the panel's width (ten long class names in a narrow
  // panel).
  const float room = w - 2 * side - em(1.2f);
  const bool beside = room >= em(15.0f);
  if (beside) ImGui::SameLine(0, em(0.6f));
  ImGui::BeginGroup();
  if (fresh) {
    std::vector<std::string> labels;
    const std::vector<float> probs = softmax(in.outputs);
    for (size_t c = 0; c < probs.size(); ++c) labels.push_back(class_name(job, static_cast<int>(c)));
    std::vector<float> percent;
    for (float v : probs) percent.push_back(std::round(v * 1000.0f) / 10.0f);  // 95.7, and 0 for 1e-6
    bars("probs", labels, percent, rgb(in.klass == truth ? colors::kBlue : colors::kOrange), beside ? room : w);
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
      const float mh_shown = grid ? w * static_cast<float>(t.height()) / static_cast<float>(t.width()) : em(1.0f);
      ImGui::Image(t.id(), ImVec2(w, mh_shown));
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
        image_pixel(d->test.x.data() + mistakes_[static_cast<size_t>(t)] * d->features, c, ih * iw, y * iw + x, o);
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
  const MeasureUnit tu = target_unit(job);
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
