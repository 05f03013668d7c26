// The workspace for 2-D point sets, TensorFlow Playground's layout and more:
// the controls bar (play, pause, step, reset, epoch, learning rate,
// activation, regularization, problem type, speed, device), the data panel,
// and the output: loss curves and the decision boundary with points (the
// network between them is view_network.cpp). Only the controls the lesson
// step unlocks are drawn.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "core/catalog.hpp"
#include "data/dataset.hpp"
#include "desktop/app.hpp"
#include "desktop/draw.hpp"
#include "desktop/ui.hpp"
#include "widgets/colors.hpp"
#include "widgets/controls.hpp"
#include "widgets/network_layout.hpp"
#include "widgets/plot_math.hpp"

namespace aisb::ui {

namespace {

constexpr double kLearningRates[] = {0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10};
constexpr double kRegRates[] = {0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10};
constexpr double kSpeeds[] = {10, 30, 120, 0};  // epochs a second; 0: as fast as it goes
const char* kSpeedKeys[] = {"speed.slow", "speed.normal", "speed.fast", "speed.max"};
const char* kClassSets[] = {"circle", "xor", "gaussian", "spiral", "linear", "moons"};
const char* kRegressionSets[] = {"plane", "multi-gaussian"};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A combo of numbers under its caption (explained by the glossary's `term`);
// true when the value changed.
template <size_t N>
bool number_combo(const char* label, const char* term, const char* id, double& value, const double (&options)[N],
                  float width) {
  bool changed = false;
  ImGui::BeginGroup();
  caption(label, term);
  if (begin_combo(id, number(value).c_str(), width)) {
    for (double o : options) {
      if (ImGui::Selectable(number(o).c_str(), o == value)) {
        changed = o != value;
        value = o;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::EndGroup();
  return changed;
}

// A combo of names shown through the string table under `prefix`.
bool name_combo(const char* label, const char* term, const char* id, std::string& value,
                const std::vector<std::string>& options, const std::string& prefix, float width) {
  bool changed = false;
  ImGui::BeginGroup();
  caption(label, term);
  if (begin_combo(id, tr((prefix + value).c_str()), width)) {
    for (const auto& o : options) {
      if (ImGui::Selectable(tr((prefix + o).c_str()), o == value)) {
        changed = o != value;
        value = o;
      }
    }
    ImGui::EndCombo();
  }
  ImGui::EndGroup();
  return changed;
}

// Values a neuron can take, for its colour scale.
float activation_scale(const std::vector<float>& map, const std::string& activation) {
  if (activation == "tanh" || activation == "sigmoid") return 1.0f;
  float m = 0;
  for (float v : map) m = std::max(m, std::fabs(v));
  return m > 0 ? m : 1.0f;
}

// Draws the points into an RGBA image of `size` pixels: a filled disc with
// a thin ring (white for training points, dark for test points), smoothed at
// the edges. Done once per dataset, not per frame: hundreds of small circles
// are cheap as one texture and dear as thousands of vertices.
// The plot is `size` pixels wide at (ox, oy) of a canvas `width` x `height`.
void paint_points(std::vector<uint8_t>& px, int width, int height, float ox, float oy, int size, const Split& split,
                  bool classification, float target_scale, bool test) {
  const float r = std::max(2.5f, static_cast<float>(size) / 85.0f);
  const colors::Rgb ring = test ? colors::Rgb{20, 20, 20} : colors::Rgb{255, 255, 255};
  for (int64_t i = 0; i < split.size(); ++i) {
    const float cx = ox + (split.points[static_cast<size_t>(2 * i)] + 6.0f) / 12.0f * static_cast<float>(size);
    const float cy = oy + (6.0f - split.points[static_cast<size_t>(2 * i + 1)]) / 12.0f * static_cast<float>(size);
    const float y = split.y[static_cast<size_t>(i)];
    const colors::Rgb fill =
        classification ? (y > 0.5f ? colors::kBlue : colors::kOrange) : colors::diverging(y / target_scale);
    const int x0 = std::max(0, static_cast<int>(cx - r - 2)), x1 = std::min(width - 1, static_cast<int>(cx + r + 2));
    const int y0 = std::max(0, static_cast<int>(cy - r - 2)), y1 = std::min(height - 1, static_cast<int>(cy + r + 2));
    for (int py = y0; py <= y1; ++py)
      for (int qx = x0; qx <= x1; ++qx) {
        const float d = std::hypot(static_cast<float>(qx) + 0.5f - cx, static_cast<float>(py) + 0.5f - cy);
        const float cover = std::clamp(r + 0.5f - d, 0.0f, 1.0f);
        if (cover <= 0) continue;
        const float ring_w = std::clamp(1.0f - std::fabs(d - (r - 0.6f)), 0.0f, 1.0f);
        uint8_t* o = &px[static_cast<size_t>(4 * (py * width + qx))];
        const auto mix = [&](uint8_t a, uint8_t b, float t) {
          return static_cast<uint8_t>(std::lround(a + (b - a) * t));
        };
        const uint8_t fr = mix(fill.r, ring.r, ring_w), fg = mix(fill.g, ring.g, ring_w),
                      fb = mix(fill.b, ring.b, ring_w);
        const float a0 = o[3] / 255.0f;
        const float a = cover + a0 * (1 - cover);
        o[0] = mix(o[0], fr, cover / std::max(a, 1e-6f));
        o[1] = mix(o[1], fg, cover / std::max(a, 1e-6f));
        o[2] = mix(o[2], fb, cover / std::max(a, 1e-6f));
        o[3] = static_cast<uint8_t>(std::lround(a * 255.0f));
      }
  }
}

}  // namespace

double App::speed_of(int index) {
  return kSpeeds[std::clamp(index, 0, 3)];
}

bool App::take_big_change(BigChange who) {
  if (big_change_frame_ == ImGui::GetFrameCount()) return false;
  // In turns: the first one waiting after the last one served.
  const auto waiting = [&](BigChange k) {
    return k == who || (k == BigChange::links  ? links_tex_.pending()
                        : k == BigChange::maps ? hidden_maps_.tex.pending()
                                               : output_tex_.pending());
  };
  int next = static_cast<int>(big_change_last_);
  do {
    next = (next + 1) % 3;
  } while (!waiting(static_cast<BigChange>(next)));
  if (static_cast<BigChange>(next) != who) return false;
  big_change_frame_ = ImGui::GetFrameCount();
  big_change_last_ = who;
  return true;
}

std::optional<App::MapPictures> App::paint_maps(MapsJob& job) {
  const GridMaps& g = job.maps;
  MapPictures out;
  out.resolution = g.resolution;
  if (g.resolution == 0) return out;
  for (const auto& layer : g.hidden) out.count += layer.size();
  const int r = g.resolution;
  out.cols = static_cast<int>(std::clamp<size_t>(out.count, 1, 8));
  out.rows =
      std::max(1, static_cast<int>((out.count + static_cast<size_t>(out.cols) - 1) / static_cast<size_t>(out.cols)));
  const int aw = out.cols * r, ah = out.rows * r;
  std::vector<uint8_t> hidden(static_cast<size_t>(aw) * static_cast<size_t>(ah) * 4, 0);
  size_t k = 0;
  for (size_t l = 0; l < g.hidden.size(); ++l) {
    const std::string& act = l < job.activations.size() ? job.activations[l] : std::string();
    for (const auto& map : g.hidden[l]) {
      const auto px = colors::to_rgba(map, activation_scale(map, act));
      const int x0 = static_cast<int>(k % static_cast<size_t>(out.cols)) * r;
      const int y0 = static_cast<int>(k / static_cast<size_t>(out.cols)) * r;
      for (int y = 0; y < r; ++y) {
        std::copy_n(px.begin() + static_cast<std::ptrdiff_t>(y) * r * 4, r * 4,
                    hidden.begin() + (static_cast<std::ptrdiff_t>(y0 + y) * aw + x0) * 4);
      }
      ++k;
    }
  }
  // One block per map: a neuron whose map did not change is not redrawn.
  out.hidden = raster::make_overlay(aw, ah, std::move(hidden), r);
  // The output in 4 x 4 blocks, each of its part of the window (see
  // Overlay::draw_stretched).
  out.output = raster::make_overlay(r, r, colors::to_rgba(g.output, job.output_scale, job.discrete, 255), (r + 3) / 4);
  return out;
}

void App::refresh_maps() {
  const uint64_t version = session_.grid_version() ^ (discretize_ ? 1ull << 63 : 0);
  if (version != maps_posted_) {
    maps_posted_ = version;
    MapsJob job{session_.grid(), {}, 1.0f, discretize_};
    for (const auto& layer : session_.job().model.layers) job.activations.push_back(layer.activation);
    if (session_.job().model.task == "regression" && session_.data() != nullptr) {
      for (float v : session_.data()->train.y) job.output_scale = std::max(job.output_scale, std::fabs(v));
    }
    maps_painter_.post(std::move(job));
  }
  if (auto painted = maps_painter_.take()) maps_ready_ = std::move(painted);
  if (!maps_ready_ || maps_ready_->resolution == 0) return;
  // The neurons' maps and the output's come a few blocks a frame, as many as
  // kStagePixels of the window allows, in turns with the links (see
  // take_big_change).
  MapPictures& m = *maps_ready_;
  if (!m.hidden.rgba.empty()) {
    if (m.count != hidden_maps_.count || m.cols != hidden_maps_.cols || m.rows != hidden_maps_.rows) {
      hidden_maps_.tex.upload(std::move(m.hidden));  // another network: all of it at once
    } else {
      hidden_maps_.tex.aim(std::move(m.hidden));
    }
    hidden_maps_.count = m.count;
    hidden_maps_.cols = m.cols;
    hidden_maps_.rows = m.rows;
    m.hidden = {};
  }
  if (!m.output.rgba.empty()) {
    output_tex_.set_smooth(true);
    output_tex_.aim(std::move(m.output));
    m.output = {};
  }
  // A block redraws the window's tiles it touches: about a tile more than
  // its own side each way.
  const auto blocks_for = [](float side) {
    const float tiles = side + static_cast<float>(damage::kTile);
    return static_cast<size_t>(std::max(1.0f, kStagePixels / (tiles * tiles)));
  };
  if (hidden_maps_.tex.pending() && take_big_change(BigChange::maps)) {
    hidden_maps_.tex.step(blocks_for(node_px_));
  }
  if (output_tex_.pending() && take_big_change(BigChange::output)) {
    output_tex_.step(blocks_for(output_px_ * static_cast<float>(output_tex_.block()) /
                                static_cast<float>(std::max(1, m.resolution))));
  }
}

void App::draw_workspace(const app::Permissions& allow, float width, float height) {
  const float start_y = ImGui::GetCursorPosY();
  draw_controls_bar(allow, width);
  const float h = height - (ImGui::GetCursorPosY() - start_y);
  const float gap = em(0.8f);
  if (!session_.valid()) {
    // In the student's words; a file's problems each with its place.
    std::vector<std::string> lines;
    for (const auto& d : session_.data_problems().all()) {
      if (d.severity == Severity::error && lines.size() < 6) lines.push_back(app::data_problem_text(d, lang()));
    }
    if (lines.empty()) lines.push_back(session_.problem_in(lang()));
    std::string all;
    for (const auto& l : lines) all += l;
    platform_.ensure_glyphs(all);
    const bool own = allow.allows("own_data");
    begin_panel("problem", tr("workspace.problem"),
                ImVec2(width, em(4.5f) + em(1.6f) * static_cast<float>(lines.size()) + (own ? em(2.4f) : 0.0f)));
    ImGui::PushTextWrapPos(0.0f);
    for (const auto& l : lines) text_wrapped(ctx().fonts.body, ctx().palette.bad, l.c_str());
    ImGui::PopTextWrapPos();
    if (own) {
      ImGui::Dummy(ImVec2(0, em(0.3f)));
      own_data_button(allow, em(14.0f));
      if (screen_ == Screen::playground) {
        ImGui::SameLine();
        if (ImGui::Button(tr("own.builtin"), ImVec2(em(14.0f), 0))) open_playground();
      }
    }
    end_panel();
    return;
  }
  if (session_.grid_supported()) {
    refresh_maps();
    // The data panel needs room only for the controls it shows.
    const bool data_controls = allow.allows("dataset") || allow.allows("noise") || allow.allows("batch_size");
    const float data_w = std::max(em(data_controls ? 11.0f : 9.0f), width * (data_controls ? 0.16f : 0.12f));
    const float out_w = std::max(em(18.0f), width * 0.33f);
    draw_data_panel(allow, data_w, h);
    ImGui::SameLine(0, gap);
    draw_network_panel(allow, width - data_w - out_w - 2 * gap, h);
    ImGui::SameLine(0, gap);
    draw_output_panel(allow, out_w, h);
  } else {
    const float left = std::max(em(14.0f), width * 0.27f);
    const float mid = std::max(em(16.0f), width * 0.33f);
    draw_samples_panel(allow, left, h);
    ImGui::SameLine(0, gap);
    draw_model_panel(allow, mid, h);
    ImGui::SameLine(0, gap);
    draw_curves_panel(allow, width - left - mid - 2 * gap, h);
  }
}

void App::draw_controls_bar(const app::Permissions& allow, float width) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const float h = em(5.0f);
  begin_panel("controls", nullptr, ImVec2(width, h));
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.2f));
  const float big = em(3.0f), small = em(2.2f);
  const float y0 = ImGui::GetCursorPosY();
  ImGui::SetCursorPosY(y0 + (big - small) * 0.5f);
  if (icon_button("reset", Icon::reset, small)) session_.reset();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("controls.reset"));
  ImGui::SameLine(0, em(0.6f));
  ImGui::SetCursorPosY(y0);
  const bool running = session_.state() == app::RunState::running;
  // A run at the center does not pause: its button stops it.
  const bool remote = session_.remote_run();
  ImGui::BeginDisabled(!session_.valid() || session_.resolving() || session_.data_missing());
  if (icon_button("play", running ? Icon::pause : Icon::play, big, true)) {
    running ? (remote ? session_.reset() : session_.pause()) : play();
  }
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s", running ? (remote ? tr("center.stop") : tr("controls.pause"))
                            : session_.device() == "center" || trains_only_at_center() ? tr("center.play")
                                                                                       : tr("controls.play"));
  }
  ImGui::SameLine(0, em(0.6f));
  ImGui::SetCursorPosY(y0 + (big - small) * 0.5f);
  ImGui::BeginDisabled(session_.device() == "center");
  if (icon_button("step", Icon::step, small)) session_.step();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr("controls.step"));
  ImGui::EndDisabled();
  ImGui::EndDisabled();

  // The epoch counter, large, as in the Playground.
  ImGui::SameLine(0, em(1.2f));
  ImGui::SetCursorPosY(y0 - em(0.2f));
  ImGui::BeginGroup();
  caption(tr("controls.epoch"), "glossary.epoch");
  const int epoch = session_.latest() ? session_.latest()->epoch : 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06d", epoch);
  text(f.number, p.text, (std::string(buf, 3) + "," + std::string(buf + 3)).c_str());
  ImGui::EndGroup();

  JobSpec job = session_.job();
  bool changed = false;
  // Combos share what the buttons and the counter leave, so the bar fits a
  // 1366-pixel school laptop as well as a projector: each as wide as its
  // caption and its longest choice ("Classification" beside its arrow),
  // the widest giving way first when the bar is short.
  const bool show_task = allow.allows("task") && session_.grid_supported();
  const bool show_device = allow.allows("device") || allow.free;
  // The activation of the layers that have one (a network that starts with
  // flatten, or is only an LSTM, has none to show).
  const auto with_act = std::find_if(job.model.layers.begin(), job.model.layers.end(),
                                     [](const LayerSpec& l) { return !l.activation.empty(); });
  const bool show_act = allow.allows("activation") && with_act != job.model.layers.end();
  const auto wanted = [&](const char* label, const std::vector<std::string>& choices) {
    float w = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, label).x;
    for (const auto& c : choices) w = std::max(w, combo_width_for(c.c_str()));
    return w;
  };
  const auto numbers = [](const auto& values) {
    std::vector<std::string> out;
    for (double v : values) out.push_back(number(v));
    return out;
  };
  const auto words = [](const std::vector<std::string>& names, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& n : names) out.emplace_back(tr((prefix + n).c_str()));
    return out;
  };
  std::vector<float> want;
  want.push_back(wanted(tr("controls.learning_rate"), numbers(kLearningRates)));
  if (show_act) want.push_back(wanted(tr("controls.activation"), words(names::activations, "activation.")));
  if (allow.allows("regularization")) {
    want.push_back(wanted(tr("controls.regularization"), words(names::regularizations, "regularization.")));
  }
  if (allow.allows("regularization_rate"))
    want.push_back(wanted(tr("controls.regularization_rate"), numbers(kRegRates)));
  if (allow.allows("optimizer"))
    want.push_back(wanted(tr("controls.optimizer"), words(names::optimizers, "optimizer.")));
  if (show_task) want.push_back(wanted(tr("controls.task"), words(names::tasks, "task.")));
  want.push_back(
      wanted(tr("controls.speed"), {tr("speed.slow"), tr("speed.normal"), tr("speed.fast"), tr("speed.max")}));
  if (show_device) {
    want.push_back(wanted(tr("controls.device"), {tr("device.auto"), tr("device.cpu"), tr("device.center"),
                                                  tr(cuda_.has_value() ? "device.cuda" : "device.checking")}));
  }
  const float fixed_part = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + em(1.0f);  // after the counter
  // "Try it" at the right end, for the trained network (view_model.cpp).
  const float try_w = f.bold->CalcTextSizeA(f.bold->FontSize, FLT_MAX, 0, tr("try.button")).x + em(2.4f);
  const float room =
      ImGui::GetWindowContentRegionMax().x - fixed_part - em(1.0f) * static_cast<float>(want.size()) - try_w - em(1.0f);
  const std::vector<float> widths = controls::fit_widths(want, room, em(4.8f));
  size_t slot = 0;
  const auto next = [&] {
    ImGui::SameLine(0, em(1.0f));
    ImGui::SetCursorPosY(y0 - em(0.1f));
    return widths[std::min(slot++, widths.size() - 1)];
  };
  {
    const float w = next();
    ImGui::BeginDisabled(!allow.allows("learning_rate"));
    changed |= number_combo(tr("controls.learning_rate"), "glossary.learning_rate", "##lr", job.training.learning_rate,
                            kLearningRates, w);
    ImGui::EndDisabled();
  }
  if (show_act) {
    const float w = next();
    std::string act = with_act->activation;
    if (name_combo(tr("controls.activation"), "glossary.activation", "##act", act, names::activations, "activation.",
                   w)) {
      for (auto& l : job.model.layers)
        if (l.type == "dense" || l.type == "conv2d") l.activation = act;
      changed = true;
    }
  }
  if (allow.allows("regularization")) {
    const float w = next();
    changed |= name_combo(tr("controls.regularization"), "glossary.regularization", "##reg",
                          job.training.regularization, names::regularizations, "regularization.", w);
  }
  if (allow.allows("regularization_rate")) {
    const float w = next();
    changed |= number_combo(tr("controls.regularization_rate"), "glossary.regularization", "##regrate",
                            job.training.regularization_rate, kRegRates, w);
  }
  if (allow.allows("optimizer")) {
    const float w = next();
    changed |= name_combo(tr("controls.optimizer"), "glossary.optimizer", "##opt", job.training.optimizer,
                          names::optimizers, "optimizer.", w);
  }
  if (show_task) {
    const float w = next();
    if (name_combo(tr("controls.task"), "glossary.task", "##task", job.model.task, names::tasks, "task.", w)) {
      job.dataset.source = job.model.task == "regression" ? "plane" : "circle";
      changed = true;
    }
  }
  // Speed and device: how to watch, not what to learn; always there.
  {
    const float w = next();
    ImGui::BeginGroup();
    caption(tr("controls.speed"));
    if (begin_combo("##speed", tr(kSpeedKeys[speed_index_]), w)) {
      for (int i = 0; i < 4; ++i) {
        if (ImGui::Selectable(tr(kSpeedKeys[i]), i == speed_index_)) {
          speed_index_ = i;
          session_.set_speed(kSpeeds[i]);
        }
      }
      ImGui::EndCombo();
    }
    ImGui::EndGroup();
  }
  if (show_device) {
    const float w = next();
    ImGui::BeginGroup();
    caption(tr("controls.device"));
    const std::string dev = session_.device();
    const char* dev_key = dev == "cuda"     ? "device.cuda"
                          : dev == "cpu"    ? "device.cpu"
                          : dev == "center" ? "device.center"
                                            : "device.auto";
    if (begin_combo("##device", tr(dev_key), w)) {
      torch_asked_ = true;  // it says whether there is a GPU: load libtorch to know (draw())
      if (ImGui::Selectable(tr("device.auto"), dev == "auto")) session_.set_device("auto");
      if (ImGui::Selectable(tr("device.cpu"), dev == "cpu")) session_.set_device("cpu");
      ImGui::BeginDisabled(!cuda_.value_or(false));
      if (ImGui::Selectable(cuda_.has_value() ? tr("device.cuda") : tr("device.checking"), dev == "cuda")) {
        session_.set_device("cuda");
      }
      ImGui::EndDisabled();
      if (cuda_.has_value() && !*cuda_ && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("device.no_cuda"));
      if (ImGui::Selectable(tr("device.center"), dev == "center")) {
        session_.set_device("center");
        if (!center_login_ || center_login_->role != "student") open_center_ = true;
      }
      ImGui::EndCombo();
    }
    ImGui::EndGroup();
  }
  ImGui::SameLine(0, em(1.0f));
  ImGui::SetCursorPos(ImVec2(ImGui::GetWindowContentRegionMax().x - try_w, y0 + (big - small) * 0.5f));
  try_button(small);
  if (changed) change(job);
  end_panel();
  // Keep the pace in step with the speed setting after any job change.
  if (session_.speed() != kSpeeds[speed_index_]) session_.set_speed(kSpeeds[speed_index_]);
}

void App::draw_data_panel(const app::Permissions& allow, float width, float height) {
  const Palette& p = ctx().palette;
  begin_panel("data", tr("data.title"), ImVec2(width, height));
  JobSpec job = session_.job();
  bool changed = false;
  const bool classification = job.model.task == "classification";
  if (allow.allows("dataset")) {
    caption(tr("data.which"));
    const float inner = ImGui::GetContentRegionAvail().x;
    const float thumb = std::min(em(4.6f), (inner - em(0.6f)) / 2.0f);
    int i = 0;
    const auto thumbs = [&](const char* const* sets, size_t n) {
      for (size_t k = 0; k < n; ++k) {
        const std::string name = sets[k];
        Texture& tex = dataset_tex_[name];
        if (!tex.valid()) {
          // A small picture of the set: its points on a neutral square.
          constexpr int R = 64;
          std::vector<uint8_t> px(R * R * 4);
          const colors::Rgb bg = ctx().dark ? colors::Rgb{50, 55, 64} : colors::kNeutral;
          for (int q = 0; q < R * R; ++q) {
            px[4 * q] = bg.r, px[4 * q + 1] = bg.g, px[4 * q + 2] = bg.b, px[4 * q + 3] = 255;
          }
          const Points pts = generate_points(name, 300, 0.0, 1);
          float scale = 1.0f;
          for (float v : pts.target) scale = std::max(scale, std::fabs(v));
          for (size_t s = 0; s < pts.size(); ++s) {
            const int cx = static_cast<int>((pts.xy[2 * s] + 6.0f) / 12.0f * R);
            const int cy = static_cast<int>((6.0f - pts.xy[2 * s + 1]) / 12.0f * R);
            const colors::Rgb c = name == "plane" || name == "multi-gaussian" ? colors::diverging(pts.target[s] / scale)
                                  : pts.target[s] > 0.5f                      ? colors::kBlue
                                                                              : colors::kOrange;
            for (int dy = 0; dy < 2; ++dy)
              for (int dx = 0; dx < 2; ++dx) {
                const int x = std::clamp(cx + dx, 0, R - 1), y = std::clamp(cy + dy, 0, R - 1);
                uint8_t* o = &px[static_cast<size_t>(4 * (y * R + x))];
                o[0] = c.r, o[1] = c.g, o[2] = c.b;
              }
          }
          tex.upload(R, R, px.data());
        }
        if (i % 2 != 0) ImGui::SameLine(0, em(0.6f));
        const bool selected = job.dataset.source == name;
        const ImVec2 a = ImGui::GetCursorScreenPos();
        if (ImGui::InvisibleButton(name.c_str(), ImVec2(thumb, thumb)) && !selected) {
          job.dataset.source = name;
          changed = true;
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(("dataset." + name).c_str()));
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddImageRounded(tex.id(), a, ImVec2(a.x + thumb, a.y + thumb), ImVec2(0, 0), ImVec2(1, 1), IM_COL32_WHITE,
                            em(0.35f));
        dl->AddRect(a, ImVec2(a.x + thumb, a.y + thumb), selected ? p.accent : p.border, em(0.35f), 0,
                    selected ? em(0.2f) : 1.0f);
        ++i;
      }
    };
    if (classification)
      thumbs(kClassSets, std::size(kClassSets));
    else
      thumbs(kRegressionSets, std::size(kRegressionSets));
    ImGui::Dummy(ImVec2(0, em(0.3f)));
    own_data_button(allow, ImGui::GetContentRegionAvail().x);
  } else {
    caption(tr("data.which"));
    text(ctx().fonts.bold, p.text, dataset_label(job.dataset.source).c_str());
    own_data_button(allow, ImGui::GetContentRegionAvail().x);  // where the step lets students bring their own
  }
  // What is locked is still worth knowing: the numbers, read-only. Noise
  // and the training share are fractions in the lesson file and percents
  // here, locked or not (a lesson's noise 0.1 is "10%" everywhere).
  const std::string train_share = plot::format_percent(1.0 - job.dataset.test_fraction);
  const std::string noise_share = plot::format_percent(job.dataset.noise);
  if (!allow.allows("test_fraction")) caption(trf("data.ratio", {train_share}).c_str(), "glossary.training_set");
  if (!allow.allows("noise")) caption(trf("data.noise", {noise_share}).c_str(), "glossary.noise");
  if (!allow.allows("batch_size")) {
    caption(trf("data.batch", {std::to_string(job.training.batch_size)}).c_str(), "glossary.batch");
  }

  const float w = ImGui::GetContentRegionAvail().x;
  if (allow.allows("test_fraction")) {
    int train_pct = static_cast<int>(std::lround((1.0 - job.dataset.test_fraction) * 100.0));
    caption(trf("data.ratio", {train_share}).c_str(), "glossary.training_set");
    if (slider_int("##ratio", &train_pct, 10, 90, w)) {
      job.dataset.test_fraction = 1.0 - train_pct / 100.0;
      changed = true;
    }
  }
  if (allow.allows("noise")) {
    int noise = static_cast<int>(std::lround(job.dataset.noise * 100.0));
    caption(trf("data.noise", {noise_share}).c_str(), "glossary.noise");
    // Up to 50% as in the Playground, or the lesson's own noise if more.
    if (slider_int("##noise", &noise, 0, std::max(50, noise), w)) {
      job.dataset.noise = noise / 100.0;
      changed = true;
    }
  }
  if (allow.allows("batch_size")) {
    caption(trf("data.batch", {std::to_string(job.training.batch_size)}).c_str(), "glossary.batch");
    changed |= slider_int("##batch", &job.training.batch_size, 1, std::max(30, job.training.batch_size), w);
  }
  if (allow.allows("epochs")) {
    caption(tr("data.epochs"), "glossary.epoch");
    ImGui::SetNextItemWidth(w);
    changed |= ImGui::InputInt("##epochs", &job.training.epochs, 50, 500) && job.training.epochs >= 1;
    job.training.epochs = std::clamp(job.training.epochs, 1, 100000);
  }
  if (allow.allows("dataset")) {
    ImGui::Dummy(ImVec2(0, em(0.2f)));
    if (ImGui::Button(tr("data.regenerate"), ImVec2(w, 0))) {
      job.dataset.seed += 1;
      changed = true;
    }
  }
  if (changed) change(job);
  end_panel();
}

void App::draw_output_panel(const app::Permissions& allow, float width, float height) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  begin_panel("output", tr("output.title"), ImVec2(width, height));
  const float w = ImGui::GetContentRegionAvail().x;
  const bool classification = session_.job().model.task == "classification";

  // Losses in words, then as curves.
  const auto& latest = session_.latest();
  stat(tr("output.test_loss"), latest ? fixed(latest->test_loss, 3) : "–", p.text, "glossary.loss");
  ImGui::SameLine(0, em(1.5f));
  stat(tr("output.train_loss"), latest ? fixed(latest->train_loss, 3) : "–", p.muted, "glossary.loss");
  if (latest && latest->test_accuracy) {
    ImGui::SameLine(0, em(1.5f));
    stat(tr("output.test_accuracy"), fixed(*latest->test_accuracy * 100.0, 1) + "%", p.accent, "glossary.accuracy");
  }
  const app::History& h = session_.history();
  line_plot("loss",
            {{tr("output.test_loss"), &h.epoch, &h.test_loss, p.text, &show_test_curve_},
             {tr("output.train_loss"), &h.epoch, &h.train_loss, p.muted, &show_train_curve_, true}},
            // The legend's row and the axis name's row included.
            ImVec2(w, ImGui::GetContentRegionAvail().y > em(40.0f) ? em(9.0f) : em(7.5f)),
            {.log_y = log_loss_, .x_label = tr("output.epoch"), .whole_x = true});
  ImGui::Checkbox(tr("output.log_loss"), &log_loss_);

  // The decision boundary, as large as it can be; on a short screen the
  // per-layer learning view gives way to it.
  const size_t n_layers = session_.weights().size() / 2;
  const float learning_h = em(1.6f) + em(1.45f) * static_cast<float>(n_layers);
  const bool show_learning =
      !session_.gradients().empty() && ImGui::GetContentRegionAvail().y - em(7.0f) - learning_h > 0.6f * w;
  const bool one_line = ImGui::CalcTextSize(tr("output.show_test")).x + ImGui::CalcTextSize(tr("output.discretize")).x +
                            2 * ImGui::GetFrameHeight() + em(2.0f) <
                        w;
  const float room =
      ImGui::GetContentRegionAvail().y - em(one_line ? 7.0f : 9.2f) - (show_learning ? learning_h : 0.0f);
  const float size = std::max(em(8.0f), std::min(w, room));
  const ImVec2 a = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(ImVec2(a.x + (w - size) * 0.5f, a.y));
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("boundary", ImVec2(size, size));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  output_px_ = size;
  if (output_tex_.valid())
    output_tex_.draw_stretched(dl, at, ImVec2(at.x + size, at.y + size));
  else
    dl->AddRectFilled(at, ImVec2(at.x + size, at.y + size), p.panel_alt);
  if (const Dataset* d = session_.data()) {
    const int px_size = static_cast<int>(size);
    const ImVec2 origin = Overlay::aligned(at);  // on the damage grid
    const float ox = at.x - origin.x, oy = at.y - origin.y;
    const int cw = px_size + static_cast<int>(std::ceil(ox)), ch = px_size + static_cast<int>(std::ceil(oy));
    const std::string key = std::to_string(session_.data_version()) + (show_test_ ? "t" : "") +
                            std::to_string(px_size) + "+" + std::to_string(ox) + "," + std::to_string(oy);
    if (key != points_key_) {
      points_key_ = key;
      float scale = 1.0f;
      for (float v : d->train.y) scale = std::max(scale, std::fabs(v));
      std::vector<uint8_t> px(static_cast<size_t>(cw) * static_cast<size_t>(ch) * 4, 0);
      paint_points(px, cw, ch, ox, oy, px_size, d->train, classification, scale, false);
      if (show_test_) paint_points(px, cw, ch, ox, oy, px_size, d->test, classification, scale, true);
      points_tex_.upload(cw, ch, std::move(px));
    }
    points_tex_.draw(dl, origin.x, origin.y);
  }
  dl->AddRect(at, ImVec2(at.x + size, at.y + size), p.border);
  for (int t = -6; t <= 6; t += 2) {
    const float x = at.x + (t + 6) / 12.0f * size;
    const std::string s = std::to_string(t);
    // At the font's own size: scaled down, a minus sign blurred away.
    const float tw = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, s.c_str()).x;
    const float nudge = t < 0 ? tw * 0.15f : 0.0f;  // centre the digit, not the digit and its sign
    dl->AddText(f.small, f.small->FontSize, ImVec2(x - tw * 0.5f - nudge, at.y + size + em(0.1f)), p.muted, s.c_str());
  }
  ImGui::Dummy(ImVec2(0, em(0.6f)));
  ImGui::Checkbox(tr("output.show_test"), &show_test_);
  glossary_tip("glossary.test_set");
  if (one_line) ImGui::SameLine();  // else on a line of its own
  ImGui::Checkbox(tr("output.discretize"), &discretize_);
  glossary_tip("glossary.decision_boundary");
  // A failed or diverged run says why, in the student's language.
  if (const auto& d = session_.done(); d && d->reason != "completed" && d->reason != "cancelled") {
    const std::string& why = lang() == "ko" && !d->message_ko.empty() ? d->message_ko : d->message;
    platform_.ensure_glyphs(why);  // a center's refusal can say anything
    text_wrapped(f.bold, d->reason == "diverged" ? p.diverged : p.bad, why.c_str());
  }

  // Beyond the Playground: size, speed and where learning happens.
  ImGui::Separator();
  key_value(tr("output.parameters"), thousands(session_.info().params), "glossary.parameters");
  const double spe = session_.seconds_per_epoch();
  key_value(session_.latest() ? tr("output.time_measured") : tr("output.time_estimate"), epoch_time_label(spe),
            "glossary.epoch");
  (void)allow;
  if (show_learning) draw_learning_bars(ImGui::GetContentRegionAvail().x);
  end_panel();
}

}  // namespace aisb::ui
