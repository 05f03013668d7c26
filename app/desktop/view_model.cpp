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

#include <imgui.h>

#include "core/catalog.hpp"
#include "core/files.hpp"
#include "core/job_reader.hpp"
#include "data/image_folder.hpp"
#include "data/user_data.hpp"
#include "desktop/app.hpp"
#include "desktop/data_display.hpp"
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
    TrainedModel m = read_model_file(utf8_of(file), l.problems);
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
    if (fs::exists(p / path_of_utf8(rel), ec)) return p;
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
  if (app::is_model_file(path_of_utf8(path))) {
    open_model_file(path_of_utf8(path));
    return true;
  }
  // A photo, while "Try it" shows a picture model.
  const auto& model = session_.trained_model();
  if (!show_try_ || !model) return false;
  const app::TryKind kind = app::try_kind(model->job);
  if (kind != app::TryKind::drawing && kind != app::TryKind::photo) return false;
  std::error_code ec;
  if (fs::is_directory(path_of_utf8(path), ec)) return false;
  set_try_photo(path);
  return true;
}

void App::set_try_photo(const std::string& path) {
  const auto& model = session_.trained_model();
  if (!model) return;
  // A dropped file is anyone's: no bigger than a photo of the data may be.
  std::string bytes, why;
  const bool read = read_data_file(path_of_utf8(path), image_limits::max_file_bytes, bytes, why);
  const Shape shape = input_shape(model->job);
  // The digits are light strokes on black; a photo of ink on paper is turned over.
  const bool ink_on_dark = try_ground_ == Ground::dark;
  bool flipped = false;
  std::optional<std::vector<float>> px;
  if (read) px = app::photo_input(bytes, shape, ink_on_dark, &flipped, &why);
  platform_.ensure_glyphs(path + why);
  if (!px) {
    try_note_ = trf("try.photo_unreadable", {utf8_of(path_of_utf8(path).filename()), why.empty() ? path : why});
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
  // A file's classes as the model file names them; a built-in set's as every view does.
  if (is_file_source(model->job.dataset) && static_cast<size_t>(klass) < model->classes.size()) {
    return model->classes[static_cast<size_t>(klass)];
  }
  return class_name(model->job, klass);
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
