// Take the model home (issue 14). A trained model (a .aimodel file from this
// app or `aisandbox-cli train --model`, a run fetched from the center, a
// lesson's `trained` weights) opens as at the end of its run: the network,
// the curves and the views, and it trains on from there. "Try it" asks the
// network about the student's own input, a digit drawn with the mouse, a
// photo dropped on the window, values typed for a table or a point clicked
// on the plane, and shows what it says as it changes (session/try_it.hpp
// answers off the UI thread). "Save or export" writes the model file, a
// PyTorch folder, an ONNX file or a notebook (runtime/export).
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
#include "desktop/draw.hpp"
#include "desktop/ui.hpp"
#include "widgets/measure_units.hpp"

namespace fs = std::filesystem;

namespace aisb::ui {

namespace {

bool ready(const auto& future) {
  return future.valid() && future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// The errors of a model that cannot be read, one a line, each with its place.
std::string problems_text(const Diagnostics& diags) {
  std::string out;
  int shown = 0;
  for (const auto& d : diags.all()) {
    if (d.severity != Severity::error || shown++ >= 6) continue;
    out += (out.empty() ? "" : "\n") + app::data_problem_text(d, lang());
  }
  return out;
}

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

MeasureUnit unit_of_target(const JobSpec& job) {
  if (is_file_source(job.dataset)) return {};
  return measure_unit(job.dataset.source, describe_source(job).target);
}

// "24.0 °C": a value with its unit.
std::string with_unit(const std::string& value, const MeasureUnit& u) {
  return *u.unit == '\0' ? value : value + " " + u.unit;
}

// "Temperature (°C)": a name with the unit its values are in.
std::string named_unit(const std::string& name, const MeasureUnit& u) {
  return *u.unit == '\0' ? name : name + " (" + u.unit + ")";
}

}  // namespace

// ---------------------------------------------------------------- opening

void App::open_model_file(const fs::path& file) {
  if (model_future_.valid()) return;  // one at a time
  model_error_.clear();
  std::snprintf(model_path_, sizeof model_path_, "%s", file.string().c_str());
  platform_.ensure_glyphs(file.string());
  model_future_ = std::async(std::launch::async, [file] {
    ModelLoad l;
    l.file = file;
    TrainedModel m = read_model_file(file.string(), l.problems);
    if (!l.problems.has_errors()) l.model = std::make_shared<const TrainedModel>(std::move(m));
    Platform::wake();
    return l;
  });
}

fs::path App::data_folder_for(const TrainedModel& model, const fs::path& file) const {
  std::vector<fs::path> places;
  if (!file.empty()) places.push_back(file.has_parent_path() ? file.parent_path() : fs::path("."));
  if (!is_file_source(model.job.dataset)) return places.empty() ? fs::path() : places.front();
  // The folder of its lesson, when this app has that lesson.
  if (lesson_ && !lesson_file_.empty() && lesson_->id == model.job.lesson) places.push_back(lesson_file_.parent_path());
  for (const app::Library* lib : {&library_, &my_lessons_}) {
    const auto look = [&](const std::vector<app::LibraryLesson>& lessons) {
      for (const auto& l : lessons)
        if (l.lesson && l.lesson->id == model.job.lesson) places.push_back(l.file.parent_path());
    };
    for (const auto& c : lib->courses) look(c.lessons);
    look(lib->loose);
  }
  const std::string rel = source_path(model.job.dataset);
  for (const auto& p : places) {
    std::error_code ec;
    if (fs::exists(p / rel, ec)) return p;
  }
  return places.empty() ? fs::path() : places.front();
}

void App::show_model(std::shared_ptr<const TrainedModel> model, const fs::path& file, const std::string& name) {
  // Its names (a photo folder's classes, a file's columns) need their glyphs.
  std::string words = name + model->job.lesson + model->job.dataset.source + model->job.dataset.target;
  for (const auto& c : model->classes) words += c;
  for (const auto& i : model->inputs) words += i;
  for (const auto& i : model->job.dataset.input_names) words += i;
  platform_.ensure_glyphs(words);
  lesson_.reset();
  screen_ = Screen::playground;
  if (!session_.open_model(model, data_folder_for(*model, file))) {
    model_error_ = trf("models.cannot_show", {name}) + "\n" + session_.problem_in(lang());
    platform_.ensure_glyphs(model_error_);
    open_models_ = true;
    return;
  }
  model_name_ = name;
  model_error_.clear();
  std::snprintf(keep_name_, sizeof keep_name_, "%s", app::model_name_for(model->job).c_str());
}

bool App::take_model_drop(const std::string& path) {
  if (app::is_model_file(path)) {
    open_model_file(path);
    return true;
  }
  // A photo, while "Try it" shows a picture model.
  const auto& model = session_.trained_model();
  if (!show_try_ || !model) return false;
  const app::TryKind kind = app::try_kind(model->job);
  if (kind != app::TryKind::drawing && kind != app::TryKind::photo) return false;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return false;
  set_try_photo(path);
  return true;
}

void App::set_try_photo(const std::string& path) {
  const auto& model = session_.trained_model();
  if (!model) return;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const Shape shape = input_shape(model->job);
  // The digits are light strokes on black; a photo of ink on paper is turned over.
  const bool ink_on_dark = try_ground_ == Ground::dark;
  bool flipped = false;
  std::string why;
  std::optional<std::vector<float>> px = app::photo_input(bytes.str(), shape, ink_on_dark, &flipped, &why);
  platform_.ensure_glyphs(path + why);
  if (!in || !px) {
    try_note_ = trf("try.photo_unreadable", {fs::path(path).filename().string(), why.empty() ? path : why});
    return;
  }
  try_note_ = flipped ? tr("try.photo_flipped") : "";
  if (app::try_kind(model->job) == app::TryKind::drawing) {
    if (try_ground_ == Ground::light)
      for (float& v : *px) v = 1.0f - v;  // the canvas holds ink
    canvas_.set_pixels(*px);
  } else {
    try_picture_ = std::move(*px);
    canvas_shown_ = ~0ull;
  }
  ++try_input_version_;
}

void App::model_tick() {
  if (ready(model_future_)) {
    ModelLoad l = model_future_.get();
    const std::string name = l.file.filename().string();
    if (l.model) {
      show_model(l.model, l.file, name);
    } else {
      model_error_ = trf("models.cannot_open", {name}) + "\n" + problems_text(l.problems);
      platform_.ensure_glyphs(model_error_);
      open_models_ = true;
    }
  }
  if (ready(keep_future_)) {
    const app::KeepResult r = keep_future_.get();
    keep_ok_ = r.ok;
    keep_message_ =
        r.ok ? trf("keep.done", {r.path.string()}) : trf("keep.failed", {r.path.string()}) + "\n" + r.problem;
    platform_.ensure_glyphs(keep_message_);
    model_listed_.clear();  // the list of models shows a new one
  }
  // "Try it" follows the session's model: a run that ended, a model opened.
  const auto& model = session_.trained_model();
  if (model != try_.model()) {
    const bool same_job = model && try_.model() && model->job.dataset == try_.model()->job.dataset;
    try_.set_model(model);
    if (!same_job) {
      try_sample_ = -1;  // another data set: its samples from the first
      try_truth_.reset();
    }
    if (model) {
      const Shape in = input_shape(model->job);
      const auto n = static_cast<size_t>(shape_elements(in));
      switch (app::try_kind(model->job)) {
        case app::TryKind::drawing:
          if (canvas_.width() != in[2] || canvas_.height() != in[1])
            canvas_.resize(static_cast<int>(in[2]), static_cast<int>(in[1]));
          break;
        case app::TryKind::photo:
          if (try_picture_.size() != n) try_picture_.clear();
          break;
        case app::TryKind::values:
          if (try_values_.size() != n) {
            // A typical row to start from: the training data's mean.
            const Standardization& st = model->standardization;
            try_values_ = st.mean.size() == n ? st.mean : std::vector<float>(n, 0.0f);
            try_truth_.reset();
          }
          break;
        case app::TryKind::series:
          if (try_values_.size() != n) {
            try_values_.clear();
            try_truth_.reset();
          }
          break;
        case app::TryKind::point:
          break;
      }
      canvas_shown_ = ~0ull;
      ++try_input_version_;  // the same input, asked of the new network
    }
  }
  // Which way round the pictures the model learnt from are: light strokes
  // on dark (the digits), dark on light (ink on paper), or neither.
  if (model && app::try_kind(model->job) == app::TryKind::drawing) {
    Ground ground = model->job.dataset.source == "digits" ? Ground::dark : Ground::mid;
    if (const Dataset* d = session_.data(); d != nullptr && d->train.size() > 0) {
      const size_t n = std::min<size_t>(d->train.x.size(), static_cast<size_t>(d->features) * 50);
      double mean = 0;
      for (size_t i = 0; i < n; ++i) mean += d->train.x[i];
      mean /= static_cast<double>(std::max<size_t>(n, 1));
      ground = mean < 0.3 ? Ground::dark : mean > 0.7 ? Ground::light : Ground::mid;
    }
    if (ground != try_ground_) {
      try_ground_ = ground;
      canvas_shown_ = ~0ull;
      ++try_input_version_;
    }
  }
  try_.update();
  ask_try();
}

std::vector<float> App::canvas_picture() const {
  std::vector<float> px = canvas_.pixels();
  if (try_ground_ == Ground::light)
    for (float& v : px) v = 1.0f - v;  // dark ink on a light ground
  return px;
}

void App::ask_try() {
  const auto& model = try_.model();
  if (!model || !show_try_ || session_.state() == app::RunState::running || try_asked_version_ == try_input_version_)
    return;
  // A CNN's network is built with libtorch: not before it has loaded (draw()).
  const bool torch = model->engine == "torch" || session_.needs_torch();
  if (torch && (!torch_started_ || cuda_future_.valid())) return;
  std::vector<float> raw;
  switch (app::try_kind(model->job)) {
    case app::TryKind::drawing:
      if (canvas_.empty()) return;
      raw = canvas_picture();
      break;
    case app::TryKind::photo:
      raw = try_picture_;
      break;
    case app::TryKind::values:
    case app::TryKind::series:
      raw = try_values_;
      break;
    case app::TryKind::point:
      if (!try_point_) return;
      try_asked_version_ = try_input_version_;
      try_.ask_point(try_point_->first, try_point_->second);
      return;
  }
  if (static_cast<int64_t>(raw.size()) != try_.sample_size()) return;
  try_asked_version_ = try_input_version_;
  try_.ask(std::move(raw));
}

bool App::try_input_ready() const {
  const auto& model = try_.model();
  if (!model || try_asked_version_ == try_input_version_) return false;
  switch (app::try_kind(model->job)) {
    case app::TryKind::drawing:
      return !canvas_.empty();
    case app::TryKind::photo:
      return !try_picture_.empty();
    case app::TryKind::values:
    case app::TryKind::series:
      return !try_values_.empty();
    case app::TryKind::point:
      return try_point_.has_value();
  }
  return false;
}

void App::take_try_sample() {
  const Dataset* d = session_.data();
  const auto& model = try_.model();
  if (d == nullptr || !model || d->test.size() == 0) return;
  try_sample_ = (try_sample_ + 1) % d->test.size();
  std::vector<float> raw = app::raw_sample(*d, d->test, try_sample_);
  const float y = d->test.y[static_cast<size_t>(try_sample_)];
  switch (app::try_kind(model->job)) {
    case app::TryKind::drawing:
      if (try_ground_ == Ground::light)
        for (float& v : raw) v = 1.0f - v;
      canvas_.set_pixels(raw);
      break;
    case app::TryKind::photo:
      try_picture_ = std::move(raw);
      canvas_shown_ = ~0ull;
      break;
    case app::TryKind::values:
    case app::TryKind::series:
      try_values_ = std::move(raw);
      break;
    case app::TryKind::point:
      try_point_ = {d->test.points[static_cast<size_t>(2 * try_sample_)],
                    d->test.points[static_cast<size_t>(2 * try_sample_ + 1)]};
      break;
  }
  try_note_.clear();
  ++try_input_version_;
  // The right answer, in the data's own units (a file's target was scaled).
  const Standardization& st = d->standardization;
  try_truth_ = d->classification ? y : y * st.target_scale + st.target_mean;
  truth_version_ = try_input_version_;
}

std::string App::try_class_name(int klass) const {
  const auto& model = try_.model();
  if (!model || klass < 0) return "";
  const std::string& source = model->job.dataset.source;
  if (source == "steel-defects") return tr(("class.steel." + std::to_string(klass)).c_str());
  if (source == "smart-farm") return tr(("class.farm." + std::to_string(klass)).c_str());
  return static_cast<size_t>(klass) < model->classes.size() ? model->classes[static_cast<size_t>(klass)]
                                                            : std::to_string(klass);
}

TryReport App::try_report() const {
  TryReport r;
  r.open = show_try_;
  r.script_done = script_done_;
  r.canvas = canvas_picture();
  const auto& a = try_.answer();
  // An answer to the input as it is now, from the network on screen.
  if (a && a->prediction && a->model == session_.trained_model() && !try_.waiting() &&
      try_asked_version_ == try_input_version_) {
    r.answered = true;
    r.input = a->input;
    r.klass = a->prediction->klass;
    r.class_name = try_class_name(r.klass);
    r.probabilities = a->prediction->probabilities;
    r.value = a->prediction->value;
  }
  return r;
}

// ---------------------------------------------------------------- the windows

void App::draw_open_model() {
  if (open_models_) {
    ImGui::OpenPopup("##models");
    open_models_ = false;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(
      ImVec2(std::min(vp->WorkSize.x * 0.9f, em(40.0f)), std::min(vp->WorkSize.y * 0.8f, em(34.0f))), ImGuiCond_Always);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em(1.4f), em(1.1f)));
  const bool open = ImGui::BeginPopupModal(
      "##models", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove);
  ImGui::PopStyleVar();
  if (!open) return;
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  // A model shown: the window's work is done.
  if (session_.trained_model() && model_error_.empty() && !model_future_.valid() && !model_name_.empty() &&
      model_name_ == fs::path(model_path_).filename().string()) {
    ImGui::CloseCurrentPopup();
  }
  text(f.heading, p.text, tr("models.title"));
  ImGui::PushTextWrapPos(0.0f);
  text_wrapped(f.body, p.muted, tr("models.explain"));
  ImGui::PopTextWrapPos();
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  {
    const char* label = tr("models.open");
    const float bw = ImGui::CalcTextSize(label).x + em(2.4f);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - bw - ImGui::GetStyle().ItemSpacing.x);
    const bool enter = ImGui::InputTextWithHint("##path", tr("models.path_hint"), model_path_, sizeof model_path_,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    platform_.ensure_glyphs(model_path_);
    ImGui::SameLine();
    ImGui::BeginDisabled(model_future_.valid() || model_path_[0] == '\0');
    if ((ImGui::Button(label, ImVec2(bw, 0)) || enter) && model_path_[0] != '\0') open_model_file(model_path_);
    ImGui::EndDisabled();
  }
  ImGui::PushTextWrapPos(0.0f);
  if (model_future_.valid()) {
    text_wrapped(f.body, p.muted, tr("models.reading"));
  } else if (!model_error_.empty()) {
    const Box box = begin_box(p.bad, 0.7f, true);
    text_wrapped(f.body, p.bad, model_error_.c_str());
    end_box(box);
  }
  ImGui::PopTextWrapPos();

  // The models in a folder: the one the path names, else where the app keeps them.
  std::error_code ec;
  fs::path folder = model_path_[0] != '\0' ? fs::path(model_path_) : fs::path();
  if (!folder.empty() && !fs::is_directory(folder, ec)) folder = folder.parent_path();
  if (folder.empty() || !fs::is_directory(folder, ec)) folder = app::user_models_dir();
  if (model_listed_ != folder.string()) {
    model_listed_ = folder.string();
    model_list_ = app::model_files_in(folder);
    std::string all = model_listed_;
    for (const auto& m : model_list_) all += m.filename().string();
    platform_.ensure_glyphs(all);
  }
  ImGui::Dummy(ImVec2(0, em(0.2f)));
  caption(tr("models.in_folder"));
  text(f.bold, p.text, model_listed_.c_str());
  const float footer = em(3.2f);
  ImGui::BeginChild("##model_files", ImVec2(0, std::max(em(4.0f), ImGui::GetContentRegionAvail().y - footer)), true);
  if (model_list_.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    text_wrapped(f.small, p.muted, tr("models.none_here"));
    ImGui::PopTextWrapPos();
  }
  for (const auto& m : model_list_) {
    ImGui::PushStyleColor(ImGuiCol_Text, p.accent);
    const bool clicked = ImGui::Selectable(m.filename().string().c_str());
    ImGui::PopStyleColor();
    if (clicked && !model_future_.valid()) open_model_file(m);
  }
  ImGui::EndChild();
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  if (ImGui::Button(tr("save.close"), ImVec2(em(8.0f), em(2.2f)))) ImGui::CloseCurrentPopup();
  ImGui::SameLine(0, em(1.0f));
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.45f));
  text(f.small, p.muted, tr("models.drop"));
  ImGui::EndPopup();
}

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
          text_wrapped(f.body, p.text, named_unit(name, u).c_str());
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
        const std::string label = named_unit(measure_label(job, k), u);
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
    const MeasureUnit u = unit_of_target(model->job);
    const std::string target =
        is_file_source(model->job.dataset) ? model->job.dataset.target : target_label(model->job);
    platform_.ensure_glyphs(target);
    says(target);
    text(f.title, p.accent, with_unit(fixed(u.shown(pr.value), std::max(u.digits, 1)), u).c_str());
    if (truth) {
      text(f.bold, p.text,
           trf("try.actual", {with_unit(fixed(u.shown(*try_truth_), std::max(u.digits, 1)), u)}).c_str());
    }
  }
}

void App::draw_keep() {
  if (open_keep_) {
    ImGui::OpenPopup("##keep");
    open_keep_ = false;
    keep_message_.clear();
    if (keep_name_[0] == '\0') {
      std::snprintf(keep_name_, sizeof keep_name_, "%s", app::model_name_for(session_.job()).c_str());
    }
    if (keep_folder_[0] == '\0') {
      std::snprintf(keep_folder_, sizeof keep_folder_, "%s", app::user_models_dir().string().c_str());
    }
  }
  const ImVec2 c = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(c, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(em(38.0f), 0));
  if (!ImGui::BeginPopupModal("##keep", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize)) return;
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const auto& model = session_.trained_model();
  text(f.heading, p.text, tr("keep.title"));
  ImGui::PushTextWrapPos(0.0f);
  text_wrapped(f.body, p.muted, tr("keep.explain"));
  caption(tr("keep.name"));
  ImGui::SetNextItemWidth(-1);
  ImGui::InputText("##name", keep_name_, sizeof keep_name_);
  caption(tr("keep.folder"));
  ImGui::SetNextItemWidth(-1);
  ImGui::InputText("##folder", keep_folder_, sizeof keep_folder_);
  platform_.ensure_glyphs(std::string(keep_name_) + keep_folder_);
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  const bool can = model && keep_name_[0] != '\0' && keep_folder_[0] != '\0' && !keep_future_.valid();
  struct Choice {
    const char* kind;
    const char* label;
    const char* about;
  };
  const Choice choices[] = {{"model", tr("keep.model"), tr("keep.model_about")},
                            {"pytorch", tr("keep.pytorch"), tr("keep.pytorch_about")},
                            {"onnx", tr("keep.onnx"), tr("keep.onnx_about")},
                            {"notebook", tr("keep.notebook"), tr("keep.notebook_about")}};
  const float bw = em(13.0f);
  for (const Choice& ch : choices) {
    ImGui::BeginDisabled(!can);
    const bool primary = std::string(ch.kind) == "model";
    const bool pressed =
        primary ? primary_button(ch.label, ImVec2(bw, em(2.2f))) : ImGui::Button(ch.label, ImVec2(bw, em(2.2f)));
    ImGui::EndDisabled();
    if (pressed && can) {
      keep_kind_ = ch.kind;
      keep_message_.clear();
      const TrainedModel m = *model;
      const std::string kind = ch.kind, name = keep_name_, language = lang();
      const fs::path folder = keep_folder_;
      const fs::path data = is_file_source(m.job.dataset) ? session_.data_folder() : fs::path();
      keep_future_ = std::async(std::launch::async, [m, kind, folder, name, language, data] {
        app::KeepResult r = app::keep_model(m, kind, folder, name, language, data);
        Platform::wake();
        return r;
      });
    }
    ImGui::SameLine(0, em(0.8f));
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.45f));
    const std::string where = app::keep_path(keep_folder_, keep_name_, ch.kind).filename().string();
    text(f.small, p.muted, (std::string(ch.about) + "  (" + where + ")").c_str());
  }
  if (!model) text_wrapped(f.body, p.warn, tr("try.not_yet"));
  if (keep_future_.valid()) text_wrapped(f.body, p.muted, tr("keep.writing"));
  if (!keep_message_.empty()) text_wrapped(f.body, keep_ok_ ? p.good : p.bad, keep_message_.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  if (ImGui::Button(tr("save.close"), ImVec2(em(8.0f), em(2.2f)))) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

// ---------------------------------------------------------------- --try-draw

void App::script_tick() {
  if (script_done_) return;
  // Once the canvas has been on screen for a few frames, with a network to ask.
  if (canvas_size_ <= 0 || canvas_frames_ < 3 || !try_.model()) return;
  if (script_stroke_ >= script_.size()) {
    script_done_ = true;
    platform_.script_mouse(-FLT_MAX, -FLT_MAX, false);  // the pointer leaves
    return;
  }
  // Per stroke: hover at its start, press there, move through its points,
  // release; one step a frame, as a hand would.
  const std::vector<canvas::Point>& stroke = script_[script_stroke_];
  const size_t n = stroke.size(), k = script_point_;
  const canvas::Point at = k == 0 ? stroke.front() : k <= n ? stroke[k - 1] : stroke.back();
  const bool down = k >= 1 && k <= n;
  platform_.script_mouse(canvas_at_.x + static_cast<float>(at.x / canvas_.width()) * canvas_size_,
                         canvas_at_.y + static_cast<float>(at.y / canvas_.height()) * canvas_size_, down);
  if (++script_point_ > n + 1) {
    script_point_ = 0;
    ++script_stroke_;
  }
}

}  // namespace aisb::ui
