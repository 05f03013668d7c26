// The classroom at the compute center, in the app (issue 12): who is who
// (a student's personal code, shown once at the first sign-in), the Class
// course kept in sync (session/class_course), the student's progress sent
// to the center (session/progress_sync), and beside a teacher's runs where
// each student is, the quiz most got wrong, the roster with its codes (and
// cards to print) and the report. Every request runs off the UI thread.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <sstream>

#include <imgui.h>

#include "desktop/app.hpp"
#include "desktop/ui.hpp"
#include "session/class_codes.hpp"

namespace aisb::ui {

namespace {

// The timeouts of the background calls: short enough that closing the app
// never waits long for a center that stopped answering.
net::ClientOptions class_options() {
  net::ClientOptions o;
  o.connect_timeout_ms = 4000;
  o.timeout_ms = 10000;
  return o;
}

// A tick drawn with lines (no font needs the ✓ glyph).
void check_mark(ImDrawList* dl, ImVec2 at, float size, ImU32 color) {
  const float t = std::max(1.5f, size * 0.16f);
  dl->AddLine(ImVec2(at.x, at.y + size * 0.55f), ImVec2(at.x + size * 0.38f, at.y + size * 0.9f), color, t);
  dl->AddLine(ImVec2(at.x + size * 0.36f, at.y + size * 0.9f), ImVec2(at.x + size, at.y + size * 0.12f), color, t);
}

// A thin bar, `share` of it filled.
void bar(float width, float share, ImU32 color) {
  const Palette& p = ctx().palette;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const float h = em(0.32f);
  dl->AddRectFilled(a, ImVec2(a.x + width, a.y + h), p.panel_alt, h * 0.5f);
  if (share > 0) dl->AddRectFilled(a, ImVec2(a.x + width * std::clamp(share, 0.0f, 1.0f), a.y + h), color, h * 0.5f);
  ImGui::Dummy(ImVec2(width, h));
}

std::string str(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

int num(const nlohmann::json& j, const char* key, int fallback = 0) {
  return j.is_object() && j.contains(key) && j[key].is_number_integer() ? j[key].get<int>() : fallback;
}

// "2026-11-26T03:04:05Z" (UTC, as the center keeps it) -> "11-26 12:04" in
// this computer's time zone.
std::string when(const std::string& iso) {
  std::tm tm{};
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return iso;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::tm local{};
#ifdef _WIN32
  const std::time_t t = _mkgmtime(&tm);
  localtime_s(&local, &t);
#else
  const std::time_t t = timegm(&tm);
  localtime_r(&t, &local);
#endif
  char buf[32];
  std::strftime(buf, sizeof buf, "%m-%d %H:%M", &local);
  return buf;
}

// The names a teacher typed: one a line, trimmed, blank lines and repeats
// left out.
std::vector<std::string> names_of(const char* typed) {
  std::vector<std::string> out;
  std::istringstream in(typed);
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find_first_not_of(" \t\r"), b = line.find_last_not_of(" \t\r");
    if (a == std::string::npos) continue;
    line = line.substr(a, b - a + 1);
    if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(line);
  }
  return out;
}

// A lesson's title: as the center has it (a published one), else as this
// computer does, else its id.
std::string title_in(const nlohmann::json& progress, const std::string& id, const std::string& fallback) {
  if (progress.is_object() && progress.contains("lessons") && progress["lessons"].is_array()) {
    for (const auto& l : progress["lessons"]) {
      if (str(l, "id") != id || !l.contains("title") || !l["title"].is_object()) continue;
      const std::string mine = str(l["title"], lang().c_str()), other = str(l["title"], lang() == "ko" ? "en" : "ko");
      if (!mine.empty()) return mine;
      if (!other.empty()) return other;
    }
  }
  return fallback;
}

}  // namespace

void App::follow_class() {
  const bool in = center_login_ && !center_login_->url.empty() && !center_login_->token.empty();
  if (in && !class_course_) {
    class_course_ = std::make_unique<app::ClassCourse>(
        app::class_cache_root(), [] { Platform::wake(); }, class_options());
  }
  if (class_course_) class_course_->follow(in ? *center_login_ : remote::CenterLogin{});
  if (!in) class_view_ = {};
  const bool student = in && center_login_->role == "student";
  if (student && !progress_sync_) progress_sync_ = std::make_unique<app::ProgressSync>(class_options());
  if (progress_sync_) progress_sync_->set_login(student ? center_login_->url : "", student ? center_login_->token : "");
}

void App::class_tick() {
  if (class_course_) {
    if (auto v = class_course_->take(class_view_.version)) {
      class_view_ = std::move(*v);
      for (const auto& l : class_view_.lessons) {
        if (l.lesson) platform_.ensure_glyphs(l.lesson->title.ko + l.lesson->title.en);
        platform_.ensure_glyphs(l.problem);
      }
    }
    // Back in the browser: look for new lessons now, not in half a minute.
    if (screen_ == Screen::browser && class_last_screen_ != Screen::browser) class_course_->refresh();
  }
  class_last_screen_ = screen_;
  // The personal code is shown until the panel that shows it is closed.
  if (!center_new_code_.empty() && center_new_code_shown_ && !center_shown_) {
    center_new_code_.clear();
    center_new_code_shown_ = false;
  }
  // A teacher's action that ended: its words.
  if (class_watch_) {
    const app::ClassWatch::Action a = class_watch_->last_action();
    if (a.id != class_action_seen_) {
      class_action_seen_ = a.id;
      using Kind = app::ClassWatch::Action::Kind;
      if (!a.ok) {
        class_message_ok_ = false;
        class_message_ = a.status != 0
                             ? trf("center.refused", {lang() == "ko" && !a.error_ko.empty() ? a.error_ko : a.error})
                         : a.error.rfind("cannot write", 0) == 0
                             ? trf("class.save_failed", {a.error})
                             : trf("center.unreachable", {center_login_ ? center_login_->url : "", a.error});
      } else if (a.kind == Kind::report) {
        class_message_ok_ = true;
        class_message_ = trf("class.report_saved", {a.file.string()});
      } else if (a.kind == Kind::publish) {
        class_message_ok_ = true;
        class_message_ = trf("class.published", {std::to_string(a.published)});
      } else if (a.kind == Kind::add) {
        roster_names_[0] = '\0';  // a note about names listed already stays
      } else {
        class_message_.clear();
      }
      platform_.ensure_glyphs(class_message_);
    }
  }
}

std::string App::login_refused_words(const remote::Refused& e) const {
  const std::string name = center_name_;
  if (e.status == 401 && e.field == "code") {
    return center_typed_code_.empty() ? trf("center.code_needed", {name}) : trf("center.code_wrong", {name});
  }
  if (e.status == 401 && e.field == "name") return trf("center.not_on_roster", {name});
  if (e.status == 401 && e.field.empty()) return tr("center.no_such_class");
  return trf("center.refused", {e.field.empty() ? e.in(lang()) : e.field + ": " + e.in(lang())});
}

void App::draw_new_code() {
  if (center_new_code_.empty()) return;
  center_new_code_shown_ = true;
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  ImGui::Dummy(ImVec2(0, em(0.4f)));
  const Box box = begin_box(p.good, 1.0f, true);
  text(f.bold, p.good, tr("center.new_code_title"));
  text(f.title, p.text, center_new_code_.c_str());
  text_wrapped(f.body, p.text, tr("center.new_code_note"));
  end_box(box, 0.2f);
}

float App::class_side_width(float avail) const {
  if (!class_watch_) return 0;
  return std::clamp(avail * 0.36f, em(26.0f), em(36.0f));
}

const Lesson* App::any_lesson(const std::string& id) const {
  for (const auto* lib : {&library_, &my_lessons_}) {
    if (const Lesson* l = lib->find(id)) return l;
  }
  for (const auto& l : class_view_.lessons) {
    if (l.lesson && l.lesson->id == id) return &*l.lesson;
  }
  return nullptr;
}

void App::draw_class_side(float width, float height) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  if (!class_watch_) return;
  begin_panel("##classside", nullptr, ImVec2(width, height));

  // The panes, and the report on the right. A class without names yet
  // opens on its roster: adding them is the teacher's first step.
  if (class_pane_ < 0) {
    const nlohmann::json roster = class_watch_->roster();
    if (roster.is_object()) class_pane_ = roster.value("students", nlohmann::json::array()).empty() ? 1 : 0;
  }
  if (pill(tr("class.progress"), class_pane_ != 1 && class_pane_ != 2, true)) class_pane_ = 0;
  if (pill(tr("class.roster"), class_pane_ == 1, false)) class_pane_ = 1;
  if (pill(tr("class.lessons"), class_pane_ == 2, false)) class_pane_ = 2;
  {
    const char* label = class_watch_->acting() ? tr("class.saving") : tr("class.report");
    const float bw = ImGui::CalcTextSize(label).x + em(1.6f);
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - bw);
    ImGui::BeginDisabled(class_watch_->acting());
    if (ImGui::Button((std::string(label) + "##report").c_str(), ImVec2(bw, 0))) {
      class_message_.clear();
      class_watch_->save_report(app::home_file("aisandbox-class-report.csv", false), lang());
    }
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr("class.report_tip"));
  }
  if (!class_message_.empty()) {
    ImGui::Dummy(ImVec2(0, em(0.2f)));
    ImGui::PushTextWrapPos(0.0f);
    text_wrapped(f.small, class_message_ok_ ? p.good : p.bad, class_message_.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  ImGui::BeginChild("##pane", ImVec2(0, 0), false, ImGuiWindowFlags_NoBackground);
  ImGui::PushTextWrapPos(0.0f);
  const nlohmann::json progress = class_watch_->progress();
  const std::string perr = class_watch_->progress_error();
  if (class_pane_ == 2) {
    draw_publish_pane();
  } else if (class_pane_ != 1) {
    if (progress.is_null()) {
      text_wrapped(f.body, p.muted,
                   !class_watch_->error().empty() ? tr("class.offline")
                   : perr.empty()                 ? tr("class.loading")
                                                  : trf("class.progress_unavailable", {perr}).c_str());
    } else {
      // The quiz most students got wrong.
      const nlohmann::json hardest = progress.value("hardest_quiz", nlohmann::json::array());
      if (hardest.is_array() && !hardest.empty() && num(hardest[0], "wrong") > 0) {
        const nlohmann::json& q = hardest[0];
        const std::string id = str(q, "lesson");
        const int step = num(q, "step"), wrong = num(q, "wrong"), answered = num(q, "answered");
        const std::string title = title_in(progress, id, lesson_title_of(id));
        const Lesson* lesson = any_lesson(id);
        std::string question;
        if (lesson != nullptr && step >= 0 && static_cast<size_t>(step) < lesson->steps.size() &&
            lesson->steps[static_cast<size_t>(step)].quiz) {
          question = lesson->steps[static_cast<size_t>(step)].quiz->question.in(lang());
        }
        platform_.ensure_glyphs(title + question);
        const Box box = begin_box(p.warn);
        const float w = box.width;
        text(f.small, p.warn, tr("class.hardest"));
        text_wrapped(f.bold, p.text, trf("class.hardest_where", {title, std::to_string(step + 1)}).c_str());
        if (!question.empty()) text_wrapped(f.body, p.text, ("\xE2\x80\x9C" + question + "\xE2\x80\x9D").c_str());
        text(f.small, p.muted, trf("class.hardest_count", {std::to_string(wrong), std::to_string(answered)}).c_str());
        bar(w - em(1.6f), answered > 0 ? static_cast<float>(wrong) / static_cast<float>(answered) : 0.0f, p.warn);
        end_box(box);
      }
      // Where everyone is: the lesson each worked on last, its step.
      const nlohmann::json students = progress.value("students", nlohmann::json::array());
      text(f.bold, p.text, tr("class.where"));
      ImGui::SameLine();
      text(f.small, p.muted,
           (students.size() == 1 ? std::string(tr("class.one_student"))
                                 : trf("class.students_count", {std::to_string(students.size())}))
               .c_str());
      if (students.empty()) text_wrapped(f.body, p.muted, tr("class.no_students"));
      if (!students.empty() &&
          ImGui::BeginTable("##where", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch, 0.8f);
        ImGui::TableSetupColumn("lesson", ImGuiTableColumnFlags_WidthStretch, 2.0f);
        ImGui::TableSetupColumn("step", ImGuiTableColumnFlags_WidthFixed, em(6.0f));
        for (const auto& s : students) {
          const std::string name = str(s, "name");
          // The lesson worked on last.
          std::string lesson_id, updated;
          nlohmann::json at;
          if (s.contains("lessons") && s["lessons"].is_object()) {
            for (const auto& [id, l] : s["lessons"].items()) {
              if (lesson_id.empty() || str(l, "updated") > updated) {
                lesson_id = id;
                updated = str(l, "updated");
                at = l;
              }
            }
          }
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          platform_.ensure_glyphs(name);
          // A dot: green while signed in.
          const ImVec2 d = ImGui::GetCursorScreenPos();
          ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(d.x + em(0.3f), d.y + em(0.62f)), em(0.22f),
                                                      s.value("signed_in", false) ? p.good : p.border);
          ImGui::SetCursorScreenPos(ImVec2(d.x + em(0.8f), d.y));
          text(f.bold, p.text, fit_text(name, f.bold, ImGui::GetContentRegionAvail().x).c_str());
          ImGui::TableNextColumn();
          if (lesson_id.empty()) {
            text(f.small, p.muted, tr("class.not_started"));
            continue;
          }
          const std::string title = title_in(progress, lesson_id, lesson_title_of(lesson_id));
          platform_.ensure_glyphs(title);
          text(f.body, p.text, fit_text(title, f.body, ImGui::GetContentRegionAvail().x).c_str());
          if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s · %s", title.c_str(), when(updated).c_str());
          ImGui::TableNextColumn();
          const int step = num(at, "step"), steps = std::max(1, num(at, "steps", 1));
          if (at.value("finished", false)) {
            const ImVec2 c = ImGui::GetCursorScreenPos();
            check_mark(ImGui::GetWindowDrawList(), ImVec2(c.x, c.y + em(0.2f)), em(0.9f), p.good);
            ImGui::SetCursorScreenPos(ImVec2(c.x + em(1.3f), c.y));
            text(f.bold, p.good, tr("class.finished"));
            ImGui::Dummy(ImVec2(0, em(0.32f)));  // as tall as a row with its bar
          } else {
            text(f.body, p.text, trf("class.step_of", {std::to_string(step + 1), std::to_string(steps)}).c_str());
            bar(em(5.4f), static_cast<float>(std::max(step, num(at, "reached")) + 1) / static_cast<float>(steps),
                p.accent);
          }
        }
        ImGui::EndTable();
      }
    }
  } else {
    draw_roster_pane();
  }
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
  end_panel();
}

// The lessons of the class: what is published, and what the teacher can
// publish: their own lessons (saved or edited in the app) and the courses
// this app has. Students see what is published as the "Class" course.
void App::draw_publish_pane() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const nlohmann::json published = class_watch_->published();
  text(f.bold, p.text, tr("class.published_title"));
  const nlohmann::json list =
      published.is_object() ? published.value("lessons", nlohmann::json::array()) : nlohmann::json::array();
  if (list.empty()) {
    text_wrapped(f.small, p.muted, published.is_null() ? tr("class.loading") : tr("class.published_none"));
  }
  for (const auto& l : list) {
    const nlohmann::json title = l.value("title", nlohmann::json::object());
    std::string t = title.value(lang(), "");
    if (t.empty()) t = title.value(lang() == "ko" ? "en" : "ko", str(l, "id"));
    platform_.ensure_glyphs(t);
    ImGui::BeginDisabled(class_watch_->acting());
    if (ImGui::SmallButton((std::string(tr("class.unpublish")) + "##un" + str(l, "id")).c_str())) {
      class_message_.clear();
      class_watch_->unpublish(str(l, "id"));
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    text(f.body, p.text, t.c_str());
  }
  ImGui::Dummy(ImVec2(0, em(0.6f)));
  const bool busy = class_watch_->acting();
  const auto publish_button = [&](const std::string& label, const std::string& key,
                                  std::vector<std::filesystem::path> files) {
    ImGui::BeginDisabled(busy || files.empty());
    if (ImGui::SmallButton((label + "##" + key).c_str())) {
      class_message_.clear();
      class_watch_->publish(std::move(files));
    }
    ImGui::EndDisabled();
  };
  text(f.bold, p.text, tr("class.publish_yours"));
  text_wrapped(f.small, p.muted, tr("class.publish_yours_tip"));
  std::vector<const app::LibraryLesson*> own;
  for (const auto& l : my_lessons_.loose) own.push_back(&l);
  for (const auto& c : my_lessons_.courses) {
    for (const auto& l : c.lessons) own.push_back(&l);
  }
  if (std::none_of(own.begin(), own.end(), [](const app::LibraryLesson* l) { return l->lesson.has_value(); })) {
    text_wrapped(f.small, p.muted, tr("class.publish_yours_none"));
  }
  for (const app::LibraryLesson* l : own) {
    if (!l->lesson) continue;
    const std::string t = l->lesson->title.in(lang());
    platform_.ensure_glyphs(t);
    publish_button(tr("class.publish"), l->file.string(), {l->file});
    ImGui::SameLine();
    text(f.body, p.text, t.c_str());
  }
  ImGui::Dummy(ImVec2(0, em(0.6f)));
  text(f.bold, p.text, tr("class.publish_courses"));
  for (const auto& c : library_.courses) {
    std::vector<std::filesystem::path> files;
    for (const auto& l : c.lessons) {
      if (l.lesson) files.push_back(l.file);
    }
    const std::string t = c.course.title.in(lang());
    platform_.ensure_glyphs(t);
    publish_button(trf("class.publish_course", {std::to_string(files.size())}), c.dir.string(), files);
    ImGui::SameLine();
    text(f.body, p.text, t.c_str());
  }
}

void App::draw_roster_pane() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const nlohmann::json roster = class_watch_->roster();
  const bool busy = class_watch_->acting();
  // New names, one a line.
  caption(tr("class.names"));
  ImGui::InputTextMultiline("##names", roster_names_, sizeof roster_names_, ImVec2(-1, em(5.5f)));
  platform_.ensure_glyphs(roster_names_);
  const std::vector<std::string> names = names_of(roster_names_);
  ImGui::BeginDisabled(busy || names.empty());
  if (primary_button(tr("class.add_names"), ImVec2(0, em(2.1f)))) {
    // Names on the list already keep their codes (the center would refuse
    // the whole list for one of them): the teacher resets those one by one.
    std::vector<std::string> fresh, listed;
    for (const std::string& n : names) {
      bool there = false;
      for (const auto& s : roster.value("students", nlohmann::json::array())) there = there || str(s, "name") == n;
      (there ? listed : fresh).push_back(n);
    }
    class_message_.clear();
    if (!listed.empty()) {
      std::string all;
      for (const std::string& n : listed) all += (all.empty() ? "" : ", ") + n;
      class_message_ = trf("class.already_listed", {all});
      class_message_ok_ = false;
    }
    if (!fresh.empty())
      class_watch_->add_students(fresh);
    else
      roster_names_[0] = '\0';
  }
  ImGui::EndDisabled();

  // The codes the center gave in this view: shown here only, so the
  // teacher hands them out or prints them.
  const std::vector<app::StudentCode> codes = class_watch_->fresh_codes();
  if (!codes.empty()) {
    ImGui::Dummy(ImVec2(0, em(0.4f)));
    const Box box = begin_box(p.good);
    const float w = box.width;
    text(f.bold, p.good, tr("class.new_codes"));
    text_wrapped(f.small, p.muted, tr("class.new_codes_note"));
    if (ImGui::BeginTable("##codes", 2, ImGuiTableFlags_SizingStretchProp, ImVec2(w - em(1.6f), 0))) {
      for (const auto& c : codes) {
        platform_.ensure_glyphs(c.name + c.code);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        text(f.body, p.text, c.name.c_str());
        ImGui::TableNextColumn();
        text(f.heading, p.text, c.code.c_str());
      }
      ImGui::EndTable();
    }
    if (roster_class_code_[0] == '\0') {
      std::snprintf(roster_class_code_, sizeof roster_class_code_, "%s", class_watch_->class_code().c_str());
    }
    caption(tr("class.card_class_code"));
    ImGui::SetNextItemWidth(em(9.0f));
    ImGui::InputTextWithHint("##cardcode", "ABC234", roster_class_code_, sizeof roster_class_code_,
                             ImGuiInputTextFlags_CharsUppercase);
    ImGui::SameLine();
    if (ImGui::Button(tr("class.save_cards"))) {
      const std::string klass =
          class_watch_->class_name().empty() ? (center_login_ ? center_login_->name : "") : class_watch_->class_name();
      const std::filesystem::path file = app::home_file("aisandbox-class-codes.html", true);
      std::string why;
      class_message_ok_ = app::save_text_file(
          file, app::code_cards_html(klass, roster_class_code_, center_login_ ? center_login_->url : "", codes), &why);
      class_message_ = class_message_ok_ ? trf("class.cards_saved", {file.string()}) : trf("class.save_failed", {why});
      platform_.ensure_glyphs(class_message_);
    }
    end_box(box, 0.2f);
  }

  // The class's names.
  ImGui::Dummy(ImVec2(0, em(0.4f)));
  const nlohmann::json students = roster.value("students", nlohmann::json::array());
  text(f.bold, p.text, tr("class.roster"));
  ImGui::SameLine();
  text(f.small, p.muted,
       (students.size() == 1 ? std::string(tr("class.one_student"))
                             : trf("class.students_count", {std::to_string(students.size())}))
           .c_str());
  if (roster.is_object()) {
    text_wrapped(f.small, p.muted,
                 roster.value("roster_only", false) ? tr("class.roster_only") : tr("class.roster_open"));
  }
  if (!students.is_array() || students.empty() ||
      !ImGui::BeginTable("##roster", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    return;
  }
  ImGui::TableSetupColumn("who", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("act", ImGuiTableColumnFlags_WidthFixed, em(9.5f));
  for (const auto& s : students) {
    const std::string name = str(s, "name"), seen = str(s, "last_seen");
    platform_.ensure_glyphs(name);
    ImGui::PushID(name.c_str());
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    text(f.bold, p.text, name.c_str());
    const std::string about = !s.value("has_code", false) ? std::string(tr("class.no_code"))
                              : seen.empty()              ? std::string(tr("class.never_seen"))
                                                          : trf("class.last_seen", {when(seen)});
    text(f.small, s.value("signed_in", false) ? p.good : p.muted, about.c_str());
    ImGui::TableNextColumn();
    if (roster_confirm_ == name) {
      text_wrapped(f.small, p.bad, trf("class.reset_sure", {name}).c_str());
      ImGui::BeginDisabled(busy);
      if (ImGui::SmallButton(tr("class.reset_yes"))) {
        class_message_.clear();
        class_watch_->reset_code(name);
        roster_confirm_.clear();
      }
      ImGui::EndDisabled();
      ImGui::SameLine();
      if (ImGui::SmallButton(tr("class.reset_no"))) roster_confirm_.clear();
    } else {
      ImGui::BeginDisabled(busy);
      if (ImGui::Button(tr("class.new_code"))) roster_confirm_ = name;
      ImGui::EndDisabled();
    }
    ImGui::PopID();
  }
  ImGui::EndTable();
}

}  // namespace aisb::ui
