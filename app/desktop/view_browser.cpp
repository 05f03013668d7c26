// The lesson browser: courses in order, each lesson a card with its title,
// audience, minutes and the student's progress; the free playground on top.
#include <algorithm>

#include <imgui.h>

#include "desktop/app.hpp"
#include "desktop/ui.hpp"

namespace aisb::ui {

namespace {

const char* audience_key(const std::string& a) {
  if (a == "university") return "audience.university";
  if (a == "teacher") return "audience.teacher";
  return "audience.high-school";
}

// A lesson card; true when clicked.
bool card(const app::LibraryLesson& l, const app::LessonProgress& progress, ImU32 band, float w, float h) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  ImGui::PushID(l.file.c_str());
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const bool pressed = ImGui::InvisibleButton("card", ImVec2(w, h)) && l.lesson.has_value();
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 b(a.x + w, a.y + h);
  const float r = em(0.7f);
  if (hovered) dl->AddRectFilled(ImVec2(a.x + 2, a.y + 4), ImVec2(b.x + 2, b.y + 4), IM_COL32(0, 0, 0, 28), r);
  if (p.panel != p.background) dl->AddRectFilled(a, b, p.panel, r);
  dl->AddRect(a, b, hovered ? p.accent : p.border, r, 0, hovered ? 2.0f : 1.0f);
  dl->AddRectFilled(a, ImVec2(b.x, a.y + em(0.45f)), band, r, ImDrawFlags_RoundCornersTop);
  const float pad = em(1.0f);
  ImGui::PushClipRect(a, b, true);
  if (l.lesson) {
    const Lesson& lesson = *l.lesson;
    ImGui::SetCursorScreenPos(ImVec2(a.x + pad, a.y + em(1.1f)));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w - 2 * pad);
    text_wrapped(f.bold, p.text, lesson.title.in(lang()).c_str());
    ImGui::PopTextWrapPos();
    // What it works on, and how long it is.
    const std::string about = dataset_label(lesson.job.dataset.source) + " · " +
                              (lesson.steps.size() == 1 ? std::string(tr("browser.one_step"))
                                                        : trf("browser.steps", {std::to_string(lesson.steps.size())}));
    ImGui::SetCursorScreenPos(ImVec2(a.x + pad, ImGui::GetCursorScreenPos().y + em(0.2f)));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w - 2 * pad);
    text_wrapped(f.small, p.muted, about.c_str());
    ImGui::PopTextWrapPos();
    const std::string meta = std::string(tr(audience_key(lesson.audience))) + " · " +
                             trf("browser.minutes", {std::to_string(lesson.minutes)});
    dl->AddText(f.small, f.small->FontSize, ImVec2(a.x + pad, b.y - em(3.0f)), p.muted, meta.c_str());
    // Progress: steps with a goal or quiz that the student has done.
    int total = 0, done = 0;
    for (size_t i = 0; i < lesson.steps.size(); ++i) {
      if (!lesson.steps[i].goal && !lesson.steps[i].quiz) continue;
      ++total;
      done += progress.has(static_cast<int>(i)) ? 1 : 0;
    }
    const float bx0 = a.x + pad, bx1 = b.x - pad, by = b.y - em(1.3f);
    dl->AddRectFilled(ImVec2(bx0, by), ImVec2(bx1, by + em(0.35f)), p.panel_alt, em(0.2f));
    if (total > 0 && done > 0) {
      dl->AddRectFilled(
          ImVec2(bx0, by),
          ImVec2(bx0 + (bx1 - bx0) * static_cast<float>(done) / static_cast<float>(total), by + em(0.35f)),
          progress.completed ? p.good : p.accent, em(0.2f));
    }
    if (progress.completed) {
      const char* done_label = tr("browser.completed");
      const float tw = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, done_label).x;
      dl->AddText(f.small, f.small->FontSize, ImVec2(bx1 - tw, b.y - em(3.0f)), p.good, done_label);
    }
  } else {
    ImGui::SetCursorScreenPos(ImVec2(a.x + pad, a.y + em(1.1f)));
    text(f.bold, p.bad, tr("browser.broken"));
    ImGui::SetCursorScreenPos(ImVec2(a.x + pad, ImGui::GetCursorScreenPos().y));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w - 2 * pad);
    text_wrapped(f.small, p.muted, l.problem_text.in(lang()).c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::PopClipRect();
  ImGui::SetCursorScreenPos(a);
  ImGui::Dummy(ImVec2(w, h));
  if (hovered && l.lesson) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImGui::PopID();
  return pressed;
}

}  // namespace

void App::draw_browser() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImGui::BeginChild("browser", ImVec2(avail.x - em(1.0f), avail.y), false, ImGuiWindowFlags_NoBackground);
  const float width = ImGui::GetContentRegionAvail().x;

  // Welcome and the free playground.
  text(f.title, p.text, tr("browser.title"));
  text_wrapped(f.body, p.muted, tr("browser.subtitle"));
  if (!startup_error_.empty()) {
    ImGui::Dummy(ImVec2(0, em(0.3f)));
    text_wrapped(f.body, p.bad, startup_error_.c_str());
  }
  ImGui::Dummy(ImVec2(0, em(0.4f)));
  if (primary_button(tr("browser.open_playground"), ImVec2(0, em(2.4f)))) open_playground();
  ImGui::SameLine();
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.55f));
  text(f.body, p.muted, tr("browser.playground_hint"));
  // A network trained before (a file of this app or of aisandbox-cli).
  ImGui::SameLine(0, em(2.0f));
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - em(0.55f));
  if (ImGui::Button(tr("models.open_button"), ImVec2(0, em(2.4f)))) {
    model_error_.clear();
    open_models_ = true;
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("models.open_tip"));
  ImGui::SameLine(0, em(0.6f));
  if (ImGui::Button(tr("about.button"), ImVec2(0, em(2.4f)))) show_about_ = true;  // view_about.cpp
  ImGui::Dummy(ImVec2(0, em(0.6f)));

  const float card_w = em(17.0f), card_h = em(9.2f), gap = em(1.0f);
  const int per_row = std::max(1, static_cast<int>((width + gap) / (card_w + gap)));
  const auto grid = [&](const std::vector<app::LibraryLesson>& lessons, ImU32 band) {
    int i = 0;
    for (const auto& l : lessons) {
      if (i % per_row != 0) ImGui::SameLine(0, gap);
      const app::LessonProgress prog = l.lesson ? progress_->get(l.lesson->id) : app::LessonProgress{};
      if (card(l, prog, band, card_w, card_h)) {
        open_lesson(l.file);
        if (options_.autoplay) play();
      }
      ++i;
    }
  };
  const auto course = [&](const app::LibraryCourse& c, ImU32 band) {
    text(f.heading, p.text, c.course.title.in(lang()).c_str());
    ImGui::SameLine();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.35f));
    text(f.small, p.muted,
         (c.lessons.size() == 1 ? std::string(tr("browser.one_lesson"))
                                : trf("browser.lesson_count", {std::to_string(c.lessons.size())}))
             .c_str());
    grid(c.lessons, band);
    ImGui::Dummy(ImVec2(0, em(0.9f)));
  };
  // The Class course first while logged in to a center: the lessons the
  // teacher published, kept on this computer (view_class.cpp, ClassCourse).
  if (class_course_ && center_login_) {
    const auto& v = class_view_;
    text(f.heading, p.text, tr("browser.class_course"));
    ImGui::SameLine();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.35f));
    // What this course is, or why it shows what it shows.
    const char* about = v.refused == 401                         ? tr("browser.class_log_in_again")
                        : !v.error.empty() && !v.lessons.empty() ? tr("browser.class_offline")
                        : !v.error.empty()                       ? tr("browser.class_unreachable")
                        : !v.synced && v.lessons.empty()         ? tr("browser.class_loading")
                        : v.lessons.empty()                      ? tr("browser.class_none")
                                                                 : tr("browser.class_hint");
    text(f.small, v.error.empty() ? p.muted : p.warn, about);
    grid(v.lessons, rgb(colors::category(6)));  // reddish purple: none of the shipped courses
    ImGui::Dummy(ImVec2(0, em(v.lessons.empty() ? 0.6f : 0.9f)));
  }
  // The class's own courses first (a teacher's folder in the lessons folder
  // of this computer), then the shipped ones.
  for (const auto& c : my_lessons_.courses) course(c, p.accent);
  size_t n = 0;
  for (const auto& c : library_.courses) course(c, rgb(colors::category(n++)));
  if (!my_lessons_.loose.empty()) {
    text(f.heading, p.text, tr("browser.my_lessons"));
    grid(my_lessons_.loose, p.accent);
    ImGui::Dummy(ImVec2(0, em(0.9f)));
  }
  if (!library_.loose.empty()) {
    text(f.heading, p.text, tr("browser.other_lessons"));
    grid(library_.loose, p.muted);
  }
  if (library_.size() == 0) text_wrapped(f.body, p.muted, tr("browser.no_lessons"));
  ImGui::EndChild();
}

}  // namespace aisb::ui
