#include "desktop/app.hpp"

#include "core/files.hpp"
#include "core/user_dirs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "desktop/ui.hpp"
#include "engine/engine.hpp"
#include "session/latest_worker.hpp"
#include "session/share.hpp"
#include "widgets/glossary.hpp"

namespace fs = std::filesystem;

namespace aisb::ui {

namespace {

// Every text a lesson can show, so its characters get into the font atlas.
std::string lesson_text(const Lesson& l) {
  std::string t = l.title.ko + l.title.en;
  for (const auto& s : l.steps) {
    t += s.text.ko + s.text.en + s.hint.ko + s.hint.en;
    if (s.quiz) {
      t += s.quiz->question.ko + s.quiz->question.en + s.quiz->explanation.ko + s.quiz->explanation.en;
      for (const auto& c : s.quiz->choices_ko) t += c;
      for (const auto& c : s.quiz->choices_en) t += c;
    }
  }
  return t;
}

fs::path font_dir() {
#ifdef _WIN32
  // Windows has no Nanum fonts: the build and the installer put them beside
  // the program (OFL-1.1, which allows it).
  if (std::error_code ec; fs::exists(program_dir() / "fonts" / "NanumBarunGothic.ttf", ec))
    return program_dir() / "fonts";
#endif
  for (const fs::path& d : {fs::path("/usr/share/fonts/truetype/nanum"), fs::path("/usr/share/fonts/nanum"),
                            fs::path("/usr/local/share/fonts/nanum")}) {
    std::error_code ec;
    if (fs::exists(d / "NanumBarunGothic.ttf", ec)) return d;
  }
  return {};
}

}  // namespace

App::App(Platform& platform, const AppOptions& options) : platform_(platform), options_(options) {
  std::string looked;
  assets_dir_ = app::find_data_dir("assets", &looked);
  if (assets_dir_.empty()) {
    throw std::runtime_error("cannot find the app's assets (assets/i18n); looked in " + looked +
                             " (set AISANDBOX_DATA to the folder that holds assets/ and lessons/)");
  }
  lessons_dir_ = options.lessons.empty() ? app::find_data_dir("lessons", &looked) : path_of_utf8(options.lessons);
  if (lessons_dir_.empty()) {
    startup_error_ = "no lessons found; looked in " + looked;
    std::fprintf(stderr, "aisandbox: %s\n", startup_error_.c_str());
  }
  font_dir_ = font_dir();
  ctx().zoom = options.zoom;
  ctx().dpi_scale = platform.content_scale();
  set_language(i18n::pick_language(options.lang));
  apply_theme(options.dark, ctx().em());
  progress_ = std::make_unique<app::ProgressStore>(options.progress_file.empty() ? app::ProgressStore::default_file()
                                                                                 : options.progress_file);
  library_ = app::scan_library(lessons_dir_);
  my_lessons_ = app::scan_library(app::user_lessons_dir());
  titles_.add(library_);
  titles_.add(my_lessons_);
  // A teacher's own lessons, opened from their folder: the class view names
  // their students' runs of them (and of the lessons beside them) by title.
  for (const std::string& name : {options.edit, options.lesson}) {
    const fs::path f = path_of_utf8(name);
    if (!f.empty()) titles_.add_folder(f.parent_path().empty() ? fs::path(".") : f.parent_path());
  }
  rebuild_fonts();
  session_.set_wake([] { Platform::wake(); });
  links_painter_.set_wake([] { Platform::wake(); });
  maps_painter_.set_wake([] { Platform::wake(); });
  own_reader_.set_wake([] { Platform::wake(); });
  try_.set_wake([] { Platform::wake(); });
  // The compute center: a second backend, used when the device is "center".
  auto remote = std::make_unique<RemoteBackend>();
  remote_ = remote.get();
  session_.set_remote(std::move(remote));
  if (auto l = remote::load_login(); l && !l->token.empty()) {
    center_login_ = *l;
    remote_->set_login(l->url, l->token);
  }
  follow_class();  // the Class course and progress to the center (view_class.cpp)
  session_.set_device(options.device);
  speed_index_ = std::clamp(options.speed, 0, 3);
  session_.set_speed(speed_of(speed_index_));

  if (!options.edit.empty()) {
    open_author(path_of_utf8(options.edit));
  } else if (!options.lesson.empty()) {
    open_lesson(path_of_utf8(options.lesson));
    if (options.step > 0) go_to_step(options.step - 1);
  } else if (options.playground) {
    open_playground();
  }
  if ((!options.data.empty() || options.open == "data") && screen_ == Screen::browser) open_playground();
  // Training starts a few frames later, for the reasons draw() gives.
  autoplay_pending_ = options.autoplay && screen_ != Screen::browser;
  // Own data, as if dropped on the window: its preview, or with --autoplay
  // the network on it at once.
  if (!options.data.empty()) {
    own_autouse_ = options.autoplay;
    open_own_data(options.data, !options.autoplay);
  }
  if (options.open == "center") open_center_ = true;
  if (options.open == "class") open_classroom();
  if (options.open == "roster" || options.open == "class-lessons") {
    open_classroom();
    class_pane_ = options.open == "roster" ? 1 : 2;
  }
  if (options.open == "glossary") show_glossary_ = true;
  if (options.open == "about") show_about_ = true;
  if (options.open == "data" && options.data.empty()) open_own_data("", true);
  // A trained model: shown once read (view_model.cpp).
  if (!options.model.empty()) open_model_file(path_of_utf8(options.model));
  if (options.open == "try") show_try_ = true;
  if (options.open == "models") open_models_ = true;
  if (options.open == "keep") open_keep_ = true;
  if (options.open == "save") open_save_ = true;
  // --try-draw: "x,y x,y; x,y ..." strokes for the canvas.
  for (size_t a = 0; a <= options.try_draw.size() && !options.try_draw.empty();) {
    const size_t b = std::min(options.try_draw.find(';', a), options.try_draw.size());
    std::vector<canvas::Point> stroke;
    const std::string part = options.try_draw.substr(a, b - a);
    for (size_t i = 0; i < part.size();) {
      while (i < part.size() && part[i] == ' ') ++i;
      const size_t j = std::min(part.find(' ', i), part.size());
      double x = 0, y = 0;
      if (j > i && std::sscanf(part.substr(i, j - i).c_str(), "%lf,%lf", &x, &y) == 2) stroke.push_back({x, y});
      i = j;
    }
    if (!stroke.empty()) script_.push_back(std::move(stroke));
    a = b + 1;
  }
  script_done_ = script_.empty();
}

App::~App() = default;

void App::set_language(const std::string& lang) {
  // Both tables' characters are in the atlas, so switching needs no rebuild.
  ctx().strings.load(assets_dir_ / "i18n", lang);
}

void App::rebuild_fonts() {
  std::string text;
  for (const char* l : {"ko", "en"}) {
    i18n::Strings s;
    s.load(assets_dir_ / "i18n", l);
    text += s.all_text();
  }
  for (const auto& c : library_.courses) {
    text += c.course.title.ko + c.course.title.en;
    for (const auto& l : c.lessons)
      if (l.lesson) text += lesson_text(*l.lesson);
  }
  for (const auto* lib : {&library_, &my_lessons_})
    for (const auto& l : lib->loose)
      if (l.lesson) text += lesson_text(*l.lesson);
  if (lesson_) text += lesson_text(*lesson_);
  platform_.set_fonts(font_dir_, text, std::round(ctx().em()));
}

void App::open_lesson(const fs::path& file) {
  const app::LibraryLesson l = app::load_library_lesson(file);
  if (!l.lesson) {
    startup_error_ = l.problem.empty() ? file.string() + ": cannot be opened" : l.problem_text.in(lang());
    screen_ = Screen::browser;
    return;
  }
  lesson_file_ = file;
  // A teacher editing the file elsewhere sees the change here within a second.
  if (!watch_) watch_ = std::make_unique<app::FileWatch>([] { Platform::wake(); });
  watch_->watch(file);
  lesson_.reset();  // a fresh start, even for the lesson that was open
  show_lesson(*l.lesson);
  screen_ = Screen::player;
  go_to_step(std::clamp(lesson_progress_.step, 0, static_cast<int>(lesson_->steps.size()) - 1));
}

void App::show_lesson(const Lesson& lesson) {
  const bool job_changed = !lesson_ || !(lesson_->job == lesson.job);
  lesson_ = lesson;
  // A lesson without steps is its network alone: the player shows it as one
  // step with no text (nothing unlocked) rather than reading past the list.
  if (lesson_->steps.empty()) lesson_->steps.emplace_back();
  titles_.add(lesson);
  platform_.ensure_glyphs(lesson_text(lesson));
  lesson_progress_ = progress_->get(lesson.id);
  if (job_changed) {
    session_.set_data_folder(lesson_file_.parent_path());  // where its csv: or images: data lies
    // A lesson with trained weights opens as at the end of that run.
    if (!lesson.trained_model || !session_.open_model(lesson.trained_model, lesson_file_.parent_path())) {
      session_.load(lesson.job);
    }
  }
  step_ = std::clamp(step_, 0, std::max(0, static_cast<int>(lesson.steps.size()) - 1));
}

void App::open_playground() {
  lesson_.reset();
  JobSpec job;
  job.lesson = "playground";
  job.dataset.source = "circle";
  job.dataset.samples = 500;
  job.dataset.noise = 0.0;
  job.dataset.test_fraction = 0.5;
  job.model.layers = {{.type = "dense", .units = 4, .activation = "tanh"},
                      {.type = "dense", .units = 2, .activation = "tanh"}};
  job.training.learning_rate = 0.03;
  job.training.batch_size = 10;
  job.training.epochs = 1000;
  session_.load(job);
  screen_ = Screen::playground;
}

void App::go_to_step(int step) {
  if (!lesson_ || lesson_->steps.empty()) return;
  step_ = std::clamp(step, 0, static_cast<int>(lesson_->steps.size()) - 1);
  const Step& s = lesson_->steps[static_cast<size_t>(step_)];
  quiz_choice_ = -1;
  if (auto it = lesson_progress_.answers.find(step_); it != lesson_progress_.answers.end()) quiz_choice_ = it->second;
  show_hint_ = false;
  apply_step_view(s);
  goal_met_now_ = s.goal && session_.latest() && !session_.opened_model() && goal_reached(*s.goal, *session_.latest());
  lesson_progress_.step = step_;
  save_progress();
}

void App::save_progress() {
  if (!lesson_) return;
  bool all = !lesson_->steps.empty();
  for (size_t i = 0; i < lesson_->steps.size(); ++i) {
    const Step& s = lesson_->steps[i];
    if ((s.goal || s.quiz) && !lesson_progress_.has(static_cast<int>(i))) all = false;
  }
  lesson_progress_.completed = all;
  progress_->put(lesson_->id, lesson_progress_);
  if (progress_sync_) progress_sync_->update(*lesson_, lesson_progress_);  // to the center, when logged in
}

void App::change(const JobSpec& job) {
  session_.apply(job);
}

bool App::save_as_lesson(const std::string& name) {
  // The step's words in both languages, from the tables.
  i18n::Strings ko, en;
  ko.load(assets_dir_ / "i18n", "ko");
  en.load(assets_dir_ / "i18n", "en");
  const Lesson l = app::shared_lesson(session_.job(), name, ko.get("save.step_text"), en.get("save.step_text"));
  // The trained weights along, when they are of this network.
  const auto& model = session_.trained_model();
  const bool weights = save_with_weights_ && model && model->job.model == session_.job().model;
  const app::SaveResult r = app::save_lesson(l, app::user_lessons_dir(), weights ? model.get() : nullptr);
  save_ok_ = r.ok;
  save_message_ = r.ok ? trf("save.done", {r.file.string()})
                       : trf("save.failed", {r.file.string()}) + "\n" + r.problem_text.in(lang());
  if (r.ok) {
    my_lessons_ = app::scan_library(app::user_lessons_dir());
    titles_.add(my_lessons_);
  }
  return r.ok;
}

void App::draw_save_dialog() {
  if (open_save_) {
    ImGui::OpenPopup("##save");
    open_save_ = false;
    save_message_.clear();
  }
  const ImVec2 c = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(c, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(em(30.0f), 0));
  if (!ImGui::BeginPopupModal("##save", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize)) return;
  const Palette& p = ctx().palette;
  text(ctx().fonts.heading, p.text, tr("save.title"));
  text_wrapped(ctx().fonts.body, p.muted, tr("save.explain"));
  ImGui::SetNextItemWidth(-1);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  const bool enter = ImGui::InputTextWithHint("##name", tr("save.name_hint"), save_name_, sizeof save_name_,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  platform_.ensure_glyphs(save_name_);
  // A trained network can go along: the lesson then opens with its weights.
  {
    const auto& model = session_.trained_model();
    const bool can = model && model->job.model == session_.job().model;
    ImGui::BeginDisabled(!can);
    bool with = can && save_with_weights_;
    if (ImGui::Checkbox(tr("save.with_weights"), &with) && can) save_with_weights_ = with;
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("%s", can ? tr("save.with_weights_tip") : tr("save.no_weights_tip"));
    }
  }
  if (!save_message_.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    text_wrapped(ctx().fonts.body, save_ok_ ? p.good : p.bad, save_message_.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  const bool named = save_name_[0] != '\0';
  ImGui::BeginDisabled(!named);
  if ((primary_button(tr("save.save"), ImVec2(em(8.0f), em(2.2f))) || (enter && named)) && named) {
    save_as_lesson(save_name_);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button(save_ok_ ? tr("save.close") : tr("save.cancel"), ImVec2(em(8.0f), em(2.2f)))) {
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

bool App::trains_only_at_center() const {
  return !torch_built() && session_.needs_torch() && session_.device() != "center";
}

void App::play() {
  if (trains_only_at_center()) {
    // A student logged in to a center sends it there; anyone else is asked
    // to log in first (the note in the output panel says why).
    if (center_login_ && center_login_->role == "student") {
      session_.set_device("center");
    } else {
      open_center_ = true;
      return;
    }
  }
  session_.play();
}

bool App::busy() const {
  const auto since = std::chrono::steady_clock::now() - achieved_at_;
  return session_.state() == app::RunState::running || since < std::chrono::milliseconds(1600) || !torch_started_ ||
         (cuda_future_.valid() && !cuda_) || center_future_.valid() || model_future_.valid() || keep_future_.valid() ||
         try_.waiting() || (!script_done_ && show_try_) || session_.handing_over() || maps_painter_.handing_over() ||
         links_painter_.handing_over() || own_reader_.handing_over();
}

void App::draw() {
  // A small window keeps the layout of a big one, a little smaller: the
  // panels' proportions hold and nothing gets squeezed to a sliver (in steps
  // of 5%, so a resize rebuilds the fonts a few times, not every frame).
  {
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const float logical = std::min(size.x / 1500.0f, size.y / 940.0f) / ctx().dpi_scale;
    const float fit = std::clamp(std::floor(logical * 20.0f) / 20.0f, 0.8f, 1.0f);
    if (size.x > 0 && size.y > 0 && fit != ctx().fit) {
      ctx().fit = fit;
      apply_theme(ctx().dark, ctx().em());
      rebuild_fonts();
    }
  }
  // libtorch takes about a second to load: load it off the UI thread, so the
  // device menu knows about the GPU and the first CNN starts at once. But
  // only once two frames are on screen, with the lesson's data among them:
  // while dlopen relocates libtorch it holds the dynamic loader's lock, and
  // llvmpipe dlopens for every shader variant it compiles, which it does when
  // something new is drawn. Started at once, the first frame waited 0.9-1.3 s
  // instead of 0.25-0.3 s on a 2-core laptop; started after one frame, the
  // second froze for 0.7 s; started while the steel samples were being made,
  // the frame that showed them froze for 0.4 s.
  // And only once something wants it: a lesson or a model that trains on
  // libtorch, the device menu or the About box (they say whether there is a
  // GPU), or an app that is not training. A dense network at full speed
  // never waits for it: loading it beside such a run cost a second of both
  // cores and made its first frames the slowest (p99 13-15 ms against
  // 11-12 ms without).
  steady_frames_ = session_.preparing_data() ? 0 : steady_frames_ + 1;
  const bool torch_wanted = session_.needs_torch() ||
                            (session_.state() != app::RunState::running && !autoplay_pending_) || torch_asked_ ||
                            show_about_ || (try_.model() && try_.model()->engine == "torch");
  if (!torch_started_ && steady_frames_ > 2 && torch_wanted) {
    torch_started_ = true;
    cuda_future_ = std::async(std::launch::async, [] {
      app::lower_this_threads_priority();  // the frames and a running playground come first
      return cuda_available();
    });
  }
  if (!cuda_ && cuda_future_.valid() && cuda_future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    cuda_ = cuda_future_.get();
  }
  // --autoplay of a lesson on libtorch waits until it has loaded: its first
  // epoch needs it anyway, and views that appear meanwhile would compile
  // new shader variants and so wait on the loader.
  if (autoplay_pending_ && steady_frames_ > 2 &&
      (!session_.needs_torch() || (torch_started_ && !cuda_future_.valid())) && !own_autouse_ &&
      !session_.resolving()) {
    autoplay_pending_ = false;
    play();
  }
  take_drops();
  own_data_tick();
  session_.update();
  model_tick();
  center_tick();
  class_tick();
  check_outside_edits();
  // Keys for a teacher at the projector: Space plays or pauses, the right
  // arrow takes one step, R starts over (not while typing in a field).
  if ((screen_ == Screen::player || screen_ == Screen::playground) && !ImGui::GetIO().WantTextInput &&
      !ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId)) {
    if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) {
      session_.state() == app::RunState::running ? session_.pause() : play();
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) session_.step();
    if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) session_.reset();
  }
  if (screen_ == Screen::player || screen_ == Screen::author) check_goal();

  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("##root", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse |
                   // glClear already paints the background: drawing it again
                   // would double the pixels a software renderer fills.
                   ImGuiWindowFlags_NoBackground);
  ImGui::PopStyleVar();
  draw_top_bar();
  ImGui::SetCursorPos(ImVec2(em(1.0f), ImGui::GetCursorPosY() + em(0.8f)));
  ImGui::BeginGroup();
  switch (screen_) {
    case Screen::browser:
      draw_browser();
      break;
    case Screen::player:
      draw_player();
      break;
    case Screen::author:
      draw_author();
      break;
    case Screen::classroom:
      draw_classroom();
      break;
    case Screen::playground: {
      const ImVec2 avail = ImGui::GetContentRegionAvail();
      draw_workspace(app::Permissions{}, avail.x - em(1.0f), avail.y - em(0.8f));
      break;
    }
  }
  ImGui::EndGroup();
  draw_save_dialog();
  draw_own_data();
  draw_center_dialog();
  draw_open_model();
  draw_keep();
  ImGui::End();
  draw_glossary();
  draw_about();
  draw_try();
  script_tick();
}

void App::draw_glossary() {
  if (!show_glossary_) return;
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const ImVec2 size(std::min(em(32.0f), vp->WorkSize.x * 0.9f), vp->WorkSize.y * 0.78f);
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - size.x - em(1.0f), vp->WorkPos.y + em(4.0f)),
                          ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, p.panel);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, em(0.6f));
  const std::string title = std::string(tr("help.glossary")) + "###glossary";
  const bool open =
      ImGui::Begin(title.c_str(), &show_glossary_, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
  if (open) {
    text_wrapped(f.small, p.muted, tr("help.glossary_intro"));
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##find", tr("help.search"), glossary_filter_, sizeof glossary_filter_);
    platform_.ensure_glyphs(glossary_filter_);
    ImGui::Separator();
    // In the order of the language's dictionary (Hangul syllables sort in
    // 가나다 order as UTF-8 bytes; English without regard to case). A
    // Korean glossary lists words in Latin letters ("LSTM") after 가나다.
    struct Entry {
      std::string word, text, sort;
    };
    std::vector<Entry> entries;
    const std::string filter = glossary_filter_;
    const auto lower = [](std::string t) {
      for (char& c : t) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      return t;
    };
    for (const auto& id : glossary::terms()) {
      Entry e{tr(glossary::word_key(id).c_str()), tr(glossary::text_key(id).c_str()), ""};
      e.sort = lower(e.word);
      if (lang() == "ko" && !e.sort.empty() && static_cast<unsigned char>(e.sort[0]) < 0x80) e.sort.insert(0, "\xff");
      if (!filter.empty() && e.sort.find(lower(filter)) == std::string::npos &&
          lower(e.text).find(lower(filter)) == std::string::npos) {
        continue;
      }
      entries.push_back(std::move(e));
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.sort < b.sort; });
    ImGui::BeginChild("##terms", ImVec2(0, 0), false);
    ImGui::PushTextWrapPos(0.0f);
    for (const Entry& e : entries) {
      text(f.bold, p.accent, e.word.c_str());
      text_wrapped(f.body, p.text, e.text.c_str());
      ImGui::Dummy(ImVec2(0, em(0.35f)));
    }
    if (entries.empty()) text_wrapped(f.body, p.muted, tr("help.no_match"));
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
  }
  ImGui::End();
}

void App::draw_top_bar() {
  const Palette& p = ctx().palette;
  const float h = em(3.3f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetWindowWidth();
  dl->AddLine(ImVec2(at.x, at.y + h), ImVec2(at.x + w, at.y + h), p.border, 1.0f);

  // The mark: three nodes joined, orange to blue, the way the views colour.
  const float cy = at.y + h * 0.5f, mx = at.x + em(1.4f);
  dl->AddLine(ImVec2(mx, cy + em(0.45f)), ImVec2(mx + em(0.7f), cy - em(0.45f)), p.border, em(0.16f));
  dl->AddLine(ImVec2(mx + em(0.7f), cy - em(0.45f)), ImVec2(mx + em(1.4f), cy + em(0.45f)), p.border, em(0.16f));
  dl->AddCircleFilled(ImVec2(mx, cy + em(0.45f)), em(0.32f), p.orange);
  dl->AddCircleFilled(ImVec2(mx + em(0.7f), cy - em(0.45f)), em(0.32f), p.accent);
  dl->AddCircleFilled(ImVec2(mx + em(1.4f), cy + em(0.45f)), em(0.32f), p.blue);
  ImFont* title = ctx().fonts.heading;
  dl->AddText(title, title->FontSize, ImVec2(mx + em(2.1f), cy - title->FontSize * 0.55f), p.text, tr("app.name"));
  float x = mx + em(2.1f) + title->CalcTextSizeA(title->FontSize, FLT_MAX, 0, tr("app.name")).x + em(2.0f);

  // Settings on the right: language, theme, text size.
  const float bw = em(2.4f);
  float rx = at.x + w - em(1.0f);
  const auto right_button = [&](const char* id, const char* label, float width, const char* tip) {
    rx -= width;
    ImGui::SetCursorScreenPos(ImVec2(rx, at.y + (h - em(2.0f)) * 0.5f));
    const bool pressed = ImGui::Button((std::string(label) + "##" + id).c_str(), ImVec2(width, em(2.0f)));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
    rx -= em(0.4f);
    return pressed;
  };
  if (right_button("zoom+", "A+", bw, tr("settings.larger"))) {
    ctx().zoom = std::min(2.0f, ctx().zoom + 0.125f);
    apply_theme(ctx().dark, ctx().em());
    rebuild_fonts();
  }
  if (right_button("zoom-", "A-", bw, tr("settings.smaller"))) {
    ctx().zoom = std::max(0.75f, ctx().zoom - 0.125f);
    apply_theme(ctx().dark, ctx().em());
    rebuild_fonts();
  }
  const char* theme_label = ctx().dark ? tr("settings.light") : tr("settings.dark");
  if (right_button("theme", theme_label, ImGui::CalcTextSize(theme_label).x + em(1.6f), tr("settings.theme_tip"))) {
    apply_theme(!ctx().dark, ctx().em());
  }
  const char* other = tr("settings.other_language");
  if (right_button("lang", other, ImGui::CalcTextSize(other).x + em(1.6f), tr("settings.language_tip"))) {
    set_language(lang() == "ko" ? "en" : "ko");
  }
  const char* words = tr("help.glossary");
  if (right_button("glossary", words, ImGui::CalcTextSize(words).x + em(1.6f), tr("help.glossary_tip"))) {
    show_glossary_ = !show_glossary_;
  }
  draw_center_button(rx, at.y, h);

  // Navigation tabs, in the room the settings leave: the lesson's title is
  // cut short with "…" where it would run into them (1024x768 projectors).
  ImFont* bold = ctx().fonts.bold;
  const auto label_w = [&](const char* label) { return bold->CalcTextSizeA(bold->FontSize, FLT_MAX, 0, label).x; };
  const auto tab = [&](const char* label, bool active) {
    ImGui::SetCursorScreenPos(ImVec2(x, at.y + em(0.75f)));
    ImGui::PushFont(bold);
    const ImVec2 ts = ImGui::CalcTextSize(label);
    const ImVec2 size(ts.x + em(1.6f), h - em(1.5f));
    const bool pressed = ImGui::InvisibleButton(label, size);
    const bool hovered = ImGui::IsItemHovered();
    const ImVec2 a = ImGui::GetItemRectMin();
    if (active || hovered)
      dl->AddRectFilled(a, ImVec2(a.x + size.x, a.y + size.y),
                        active ? ImGui::GetColorU32(ImGuiCol_HeaderActive) : ImGui::GetColorU32(ImGuiCol_HeaderHovered),
                        em(0.5f));
    dl->AddText(ImVec2(a.x + em(0.8f), a.y + (size.y - ts.y) * 0.5f), active ? p.accent : p.text, label);
    ImGui::PopFont();
    x += size.x + em(0.4f);
    return pressed;
  };
  if (tab(tr("nav.lessons"), screen_ == Screen::browser)) {
    session_.reset();
    screen_ = Screen::browser;
  }
  const bool authoring = lesson_ && !lesson_file_.empty();
  if (lesson_) {
    const float others =
        (authoring ? label_w(tr("nav.author")) + em(2.0f) : 0.0f) + label_w(tr("nav.playground")) + em(2.0f);
    const std::string title = fit_text(lesson_->title.in(lang()), bold, rx - em(1.0f) - x - em(2.0f) - others);
    if (tab(title.c_str(), screen_ == Screen::player) && screen_ != Screen::player) {
      screen_ = Screen::player;
      session_.set_data_folder(lesson_file_.parent_path());
      if (!lesson_->trained_model || !session_.open_model(lesson_->trained_model, lesson_file_.parent_path())) {
        session_.load(lesson_->job);
      }
    }
  }
  if (authoring && tab(tr("nav.author"), screen_ == Screen::author) && screen_ != Screen::author) {
    open_author(lesson_file_);
  }
  if (tab(tr("nav.playground"), screen_ == Screen::playground) && screen_ != Screen::playground) open_playground();
  ImGui::SetCursorScreenPos(ImVec2(at.x, at.y + h));
}

}  // namespace aisb::ui
