// The lesson player: the step's text, its goal checked live with a clear
// "achieved" moment, a hint, a quiz with feedback, back and next; beside it
// the workspace with only the controls this step unlocks.
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "desktop/app.hpp"
#include "desktop/markdown.hpp"
#include "desktop/ui.hpp"

namespace aisb::ui {

namespace {

bool is_fraction(const std::string& metric) {
  return metric.find("accuracy") != std::string::npos;
}

std::string metric_text(const std::string& metric, double v) {
  if (metric == "epoch") return thousands(static_cast<long long>(v));
  if (is_fraction(metric)) return fixed(v * 100.0, 1) + "%";
  return fixed(v, 3);
}

std::string goal_text(const Goal& g) {
  const std::string name = tr(("metric." + g.metric).c_str());
  if (g.at_least) return trf("goal.at_least", {name, metric_text(g.metric, *g.at_least)});
  return trf("goal.at_most", {name, metric_text(g.metric, g.at_most.value_or(0.0))});
}

}  // namespace

void App::check_goal() {
  if (!lesson_ || lesson_->steps.empty()) return;
  const Step& s = lesson_->steps[static_cast<size_t>(step_)];
  // Reached by training here, not by opening a trained model.
  goal_met_now_ = s.goal && session_.latest() && !session_.opened_model() && goal_reached(*s.goal, *session_.latest());
  const bool recorded =
      std::find(lesson_progress_.goals.begin(), lesson_progress_.goals.end(), step_) != lesson_progress_.goals.end();
  if (goal_met_now_ && !recorded) {
    const bool first = !lesson_progress_.has(step_);  // a step its quiz marked already: no second celebration
    lesson_progress_.mark_goal(step_);
    if (first) achieved_at_ = std::chrono::steady_clock::now();
    save_progress();
  }
}

void App::draw_player() {
  if (!lesson_) {
    screen_ = Screen::browser;
    return;
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left = std::clamp(avail.x * 0.3f, em(18.0f), em(30.0f));
  draw_step_panel(left, avail.y - em(0.8f));
  ImGui::SameLine(0, em(1.0f));
  ImGui::BeginGroup();
  const Step& s = lesson_->steps[static_cast<size_t>(step_)];
  app::Permissions allow = app::Permissions::for_step(s);
  draw_workspace(allow, avail.x - left - em(2.0f), avail.y - em(0.8f));
  ImGui::EndGroup();
}

void App::draw_step_panel(float width, float height) {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const Lesson& lesson = *lesson_;
  const int n = static_cast<int>(lesson.steps.size());
  const Step& s = lesson.steps[static_cast<size_t>(step_)];

  begin_panel("step", nullptr, ImVec2(width, height));
  ImGui::PushTextWrapPos(0.0f);
  text_wrapped(f.heading, p.text, lesson.title.in(lang()).c_str());
  ImGui::PopTextWrapPos();

  // Step dots: done steps filled, the current one ringed.
  {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float r = em(0.32f), gap = em(0.95f);
    for (int i = 0; i < n; ++i) {
      const ImVec2 c(at.x + r + gap * static_cast<float>(i), at.y + r + em(0.2f));
      const bool done = lesson_progress_.has(i);
      dl->AddCircleFilled(c, r, done ? p.good : (i == step_ ? p.accent : p.border));
      if (i == step_) dl->AddCircle(c, r + em(0.16f), p.accent, 24, 2.0f);
    }
    ImGui::Dummy(ImVec2(gap * static_cast<float>(n), 2 * r + em(0.4f)));
    ImGui::SameLine();
    text(f.small, p.muted, trf("player.step_of", {std::to_string(step_ + 1), std::to_string(n)}).c_str());
  }
  ImGui::Separator();

  // What holds the student on this step, if the lesson asks for it.
  const app::NextBlocker blocker = app::next_blocker(lesson, step_, lesson_progress_);
  const char* why = blocker == app::NextBlocker::goal   ? tr("player.locked_goal")
                    : blocker == app::NextBlocker::quiz ? tr("player.locked_quiz")
                                                        : nullptr;
  // The text scrolls; goal, hint, quiz and navigation stay below it.
  const float footer = em(s.quiz ? 15.5f : 9.0f) + (s.goal ? em(3.6f) : 0.0f) + (why != nullptr ? em(1.8f) : 0.0f);
  ImGui::BeginChild("text", ImVec2(0, std::max(em(6.0f), ImGui::GetContentRegionAvail().y - footer)), false,
                    ImGuiWindowFlags_NoBackground);
  markdown(s.text.in(lang()), lesson_file_.parent_path());
  if (show_hint_ && !s.hint.empty()) {
    ImGui::Dummy(ImVec2(0, em(0.4f)));
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::Indent(em(0.8f));
    text(f.bold, p.warn, tr("player.hint"));
    markdown(s.hint.in(lang()), lesson_file_.parent_path());
    ImGui::Unindent(em(0.8f));
    ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + em(0.22f), ImGui::GetCursorScreenPos().y), p.warn);
  }
  ImGui::EndChild();

  // The goal, checked live.
  if (s.goal) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    const bool met = lesson_progress_.has(step_);
    const float t = std::chrono::duration<float>(std::chrono::steady_clock::now() - achieved_at_).count();
    const float pulse = met && t < 1.6f ? std::sin(t / 1.6f * 3.14159f) : 0.0f;
    const ImVec2 b(a.x + w, a.y + em(3.2f));
    dl->AddRectFilled(ImVec2(a.x - pulse * em(0.3f), a.y - pulse * em(0.3f)),
                      ImVec2(b.x + pulse * em(0.3f), b.y + pulse * em(0.3f)), met ? p.good : p.panel_alt, em(0.6f));
    const ImU32 ink = met ? IM_COL32(255, 255, 255, 255) : p.text;
    dl->AddText(f.small, f.small->FontSize, ImVec2(a.x + em(0.8f), a.y + em(0.35f)), met ? ink : p.muted,
                met ? tr("player.goal_reached") : tr("player.goal"));
    dl->AddText(f.bold, f.bold->FontSize, ImVec2(a.x + em(0.8f), a.y + em(1.5f)), ink, goal_text(*s.goal).c_str());
    if (session_.latest()) {
      if (auto v = metric_value(*session_.latest(), s.goal->metric)) {
        const std::string now = trf("player.now", {metric_text(s.goal->metric, *v)});
        const float tw = f.bold->CalcTextSizeA(f.bold->FontSize, FLT_MAX, 0, now.c_str()).x;
        dl->AddText(f.bold, f.bold->FontSize, ImVec2(b.x - tw - em(0.8f), a.y + em(1.5f)),
                    goal_met_now_ ? ink : p.accent, now.c_str());
      }
    }
    ImGui::Dummy(ImVec2(w, em(3.4f)));
  }

  // The quiz: pick an answer, see at once whether it is right and why.
  if (s.quiz) {
    const Quiz& q = *s.quiz;
    ImGui::PushTextWrapPos(0.0f);
    text_wrapped(f.bold, p.text, q.question.in(lang()).c_str());
    ImGui::PopTextWrapPos();
    const auto& choices = lang() == "ko" ? (q.choices_ko.empty() ? q.choices_en : q.choices_ko)
                                         : (q.choices_en.empty() ? q.choices_ko : q.choices_en);
    for (size_t i = 0; i < choices.size(); ++i) {
      const bool picked = quiz_choice_ == static_cast<int>(i);
      const bool right = static_cast<int>(i) == q.answer;
      ImU32 bg = p.panel_alt;
      if (picked) bg = right ? p.good : p.bad;
      ImGui::PushStyleColor(ImGuiCol_Button, bg);
      ImGui::PushStyleColor(ImGuiCol_Text, picked ? IM_COL32(255, 255, 255, 255) : p.text);
      ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0.0f, 0.5f));
      const std::string label =
          std::string(1, static_cast<char>('A' + i)) + ".  " + choices[i] + "##choice" + std::to_string(i);
      if (ImGui::Button(label.c_str(), ImVec2(-1, em(2.0f)))) {
        quiz_choice_ = static_cast<int>(i);
        lesson_progress_.answers[step_] = quiz_choice_;
        if (right) {
          lesson_progress_.mark(step_);
          achieved_at_ = std::chrono::steady_clock::now();
        }
        save_progress();
      }
      ImGui::PopStyleVar();
      ImGui::PopStyleColor(2);
    }
    if (quiz_choice_ >= 0) {
      const bool right = quiz_choice_ == q.answer;
      ImGui::PushTextWrapPos(0.0f);
      text_wrapped(f.bold, right ? p.good : p.bad, right ? tr("quiz.right") : tr("quiz.wrong"));
      if (right && !q.explanation.empty()) text_wrapped(f.body, p.text, q.explanation.in(lang()).c_str());
      ImGui::PopTextWrapPos();
    }
  }

  // Navigation pinned to the bottom of the panel; above it, in words, why
  // Next waits (a touch screen has no hover).
  const float bottom = ImGui::GetWindowHeight() - em(3.4f);
  if (why != nullptr) {
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), bottom - em(1.7f)));
    ImGui::PushTextWrapPos(0.0f);
    text_wrapped(f.small, p.muted, why);
    ImGui::PopTextWrapPos();
  }
  if (ImGui::GetCursorPosY() < bottom) ImGui::SetCursorPosY(bottom);
  // Back, hint and next share the width (next the widest), at any text size.
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float unit = (ImGui::GetContentRegionAvail().x - 2 * gap) / 3.4f;
  ImGui::BeginDisabled(step_ == 0);
  if (ImGui::Button(tr("player.back"), ImVec2(unit, em(2.3f)))) go_to_step(step_ - 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(s.hint.empty());
  if (ImGui::Button(show_hint_ ? tr("player.hide_hint") : tr("player.show_hint"), ImVec2(unit, em(2.3f)))) {
    show_hint_ = !show_hint_;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  const bool last = step_ + 1 >= n;
  // The lesson may hold the student here until the step's goal is reached
  // or its quiz answered right ([navigation] require); the button says why.
  ImGui::BeginDisabled(why != nullptr);
  if (primary_button(last ? tr("player.finish") : tr("player.next"), ImVec2(unit * 1.4f, em(2.3f))) && why == nullptr) {
    if (last) {
      session_.reset();
      screen_ = Screen::browser;
    } else {
      go_to_step(step_ + 1);
    }
  }
  ImGui::EndDisabled();
  if (why != nullptr && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(20.0f));
    ImGui::TextUnformatted(why);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  end_panel();
}

}  // namespace aisb::ui
