// Authoring: a lesson's TOML on the left with its problems marked by line,
// the live lesson on the right. Every keystroke re-checks with the same
// reader as `aisandbox-cli lesson check`; saving writes atomically and
// checks again; a save from another editor reloads within a second.
#include <algorithm>
#include <fstream>
#include <sstream>

#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include "core/files.hpp"
#include "desktop/app.hpp"
#include "desktop/ui.hpp"

namespace fs = std::filesystem;

namespace aisb::ui {

namespace {

std::string read_text(const fs::path& p, bool& ok) {
  std::ifstream in(p, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Jump {
  int line = 0;
  int* out_line = nullptr;
  int* out_col = nullptr;
};

// Tracks the cursor's line and column, and moves the cursor when asked.
int editor_callback(ImGuiInputTextCallbackData* data) {
  auto* j = static_cast<Jump*>(data->UserData);
  if (j->line > 0) {
    int line = 1, at = 0;
    while (at < data->BufTextLen && line < j->line) {
      if (data->Buf[at] == '\n') ++line;
      ++at;
    }
    data->CursorPos = data->SelectionStart = data->SelectionEnd = at;
    j->line = 0;
  }
  int line = 1, col = 1;
  for (int i = 0; i < data->CursorPos && i < data->BufTextLen; ++i) {
    if (data->Buf[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(data->Buf[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  *j->out_line = line;
  *j->out_col = col;
  return 0;
}

}  // namespace

void App::open_author(const fs::path& file) {
  bool ok = false;
  author_text_ = read_text(file, ok);
  if (!ok) {
    startup_error_ = file.string() + ": cannot be read";
    screen_ = Screen::browser;
    return;
  }
  author_saved_ = author_text_;
  lesson_file_ = file;
  author_conflict_ = false;
  author_message_.clear();
  if (!watch_) watch_ = std::make_unique<app::FileWatch>([] { Platform::wake(); });
  watch_->watch(file);
  screen_ = Screen::author;
  author_reparse();
}

void App::author_reparse() {
  author_result_ = parse_lesson(author_text_, lesson_file_.filename().string());
  platform_.ensure_glyphs(author_text_);
  // The live side follows every version that passes the checker.
  if (author_result_.ok()) show_lesson(author_result_.lesson);
}

bool App::author_save() {
  if (!write_file_atomically(lesson_file_, author_text_, 0644)) {
    author_message_ = trf("author.save_failed", {utf8_of(lesson_file_)});
    return false;
  }
  if (watch_) watch_->rebase();
  author_saved_ = author_text_;
  author_conflict_ = false;
  // Saving re-checks, beside the lesson too (its images).
  const LessonResult full = load_lesson(lesson_file_);
  author_message_ = full.ok() ? std::string(tr("author.saved_ok"))
                              : format_diagnostics(full, lesson_file_.filename().string(), lang());
  return true;
}

void App::check_outside_edits() {
  if (!watch_ || !watch_->take_changed() || lesson_file_.empty()) return;
  bool ok = false;
  const std::string disk = read_text(lesson_file_, ok);
  if (!ok || disk == author_text_) return;
  if (screen_ == Screen::author && author_text_ != author_saved_) {
    author_conflict_ = true;  // ours are unsaved: ask
    return;
  }
  if (screen_ == Screen::author) {
    author_text_ = author_saved_ = disk;
    author_reparse();
    author_message_ = tr("author.reloaded");
  } else if (screen_ == Screen::player) {
    const app::LibraryLesson l = app::load_library_lesson(lesson_file_);
    if (l.lesson) show_lesson(*l.lesson);
  }
}

void App::draw_author() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left = avail.x * 0.52f;
  const float height = avail.y - em(0.8f);

  begin_panel("editor", nullptr, ImVec2(left, height));
  // Header: the file, its state, save.
  const bool dirty = author_text_ != author_saved_;
  text(f.bold, p.text, utf8_of(lesson_file_.filename()).c_str());
  ImGui::SameLine();
  text(f.small, dirty ? p.warn : p.muted, dirty ? tr("author.unsaved") : tr("author.saved"));
  ImGui::SameLine();
  text(f.small, p.muted, trf("author.position", {std::to_string(author_line_), std::to_string(author_col_)}).c_str());
  const float bw = em(6.0f);
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - bw);
  const bool ctrl_s = ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed('S', false);  // GLFW key codes
  if (primary_button(tr("author.save"), ImVec2(bw, 0)) || ctrl_s) author_save();
  if (author_conflict_) {
    text_wrapped(f.body, p.warn, tr("author.conflict"));
    if (ImGui::Button(tr("author.reload"))) {
      bool ok = false;
      author_text_ = author_saved_ = read_text(lesson_file_, ok);
      author_conflict_ = false;
      author_reparse();
    }
    ImGui::SameLine();
    if (ImGui::Button(tr("author.keep_mine"))) author_conflict_ = false;
  }

  // Problems, by line, in the app's language; clicking one moves the cursor there.
  std::vector<std::pair<int, std::string>> problems;
  for (const auto& d : author_result_.diags.all()) {
    const SourcePosition at = author_result_.position_of(d.path);
    problems.emplace_back(
        at.line, std::to_string(at.line) + ":" + std::to_string(at.column) + "  " + describe_diagnostic(d, lang()));
  }
  const float problems_h =
      problems.empty() ? em(2.2f) : std::min(em(9.0f), em(1.6f) * static_cast<float>(problems.size()) + em(2.0f));
  const float editor_h =
      ImGui::GetContentRegionAvail().y - problems_h - em(0.6f) - (author_message_.empty() ? 0.0f : em(2.2f));

  // The gutter: line numbers, and a mark on each line with a problem.
  const float gutter = em(3.2f);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float scroll = 0;
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
    if (w->ParentWindow == ImGui::GetCurrentWindow() &&
        std::string_view(w->Name).find("##toml") != std::string_view::npos) {
      scroll = w->Scroll.y;
    }
  }
  ImGui::PushFont(f.mono);
  const float line_h = ImGui::GetTextLineHeight();
  const float top = at.y + ImGui::GetStyle().FramePadding.y - scroll;
  const int lines = 1 + static_cast<int>(std::count(author_text_.begin(), author_text_.end(), '\n'));
  dl->PushClipRect(at, ImVec2(at.x + left, at.y + editor_h), true);
  dl->AddRectFilled(at, ImVec2(at.x + gutter, at.y + editor_h), p.panel_alt, em(0.4f), ImDrawFlags_RoundCornersLeft);
  for (const auto& [line, msg] : problems) {
    const float y = top + line_h * static_cast<float>(line - 1);
    dl->AddRectFilled(ImVec2(at.x + gutter, y), ImVec2(at.x + left, y + line_h), rgb(colors::kOrange, 0.18f));
    dl->AddCircleFilled(ImVec2(at.x + em(0.5f), y + line_h * 0.5f), em(0.22f), p.bad);
  }
  const int first = std::max(1, static_cast<int>(scroll / line_h));
  for (int n = first; n <= lines && top + line_h * static_cast<float>(n - 1) < at.y + editor_h; ++n) {
    const std::string num = std::to_string(n);
    const float w = ImGui::CalcTextSize(num.c_str()).x;
    dl->AddText(ImVec2(at.x + gutter - w - em(0.4f), top + line_h * static_cast<float>(n - 1)), p.muted, num.c_str());
  }
  dl->PopClipRect();
  ImGui::SetCursorScreenPos(ImVec2(at.x + gutter, at.y));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, IM_COL32(0, 0, 0, 0));
  Jump jump{author_jump_line_, &author_line_, &author_col_};
  if (ImGui::InputTextMultiline("##toml", &author_text_, ImVec2(left - gutter - em(1.8f), editor_h),
                                ImGuiInputTextFlags_AllowTabInput | ImGuiInputTextFlags_CallbackAlways, editor_callback,
                                &jump)) {
    author_reparse();
  }
  author_jump_line_ = jump.line;
  ImGui::PopStyleColor();
  ImGui::PopFont();

  if (!author_message_.empty()) {
    text_wrapped(f.small,
                 author_message_ == tr("author.saved_ok") || author_message_ == tr("author.reloaded") ? p.good : p.bad,
                 author_message_.c_str());
  }
  if (problems.empty()) {
    text(f.bold, p.good, tr("author.no_problems"));
  } else {
    text(f.bold, p.bad, trf("author.problems", {std::to_string(problems.size())}).c_str());
    ImGui::BeginChild("problems", ImVec2(0, 0), false, ImGuiWindowFlags_NoBackground);
    for (size_t i = 0; i < problems.size(); ++i) {
      ImGui::PushID(static_cast<int>(i));
      ImGui::PushFont(f.small);
      if (ImGui::Selectable(problems[i].second.c_str())) {
        author_jump_line_ = problems[i].first;
        ImGui::SetKeyboardFocusHere(-1);
      }
      ImGui::PopFont();
      ImGui::PopID();
    }
    ImGui::EndChild();
  }
  end_panel();

  // The live lesson: the last version that passed the checker.
  ImGui::SameLine(0, em(1.0f));
  ImGui::BeginGroup();
  if (lesson_) {
    if (!author_result_.ok()) {
      text_wrapped(f.small, p.warn, tr("author.showing_last_good"));
    }
    draw_step_panel(avail.x - left - em(2.0f), ImGui::GetContentRegionAvail().y - em(0.8f));
  } else {
    begin_panel("nolesson", nullptr, ImVec2(avail.x - left - em(2.0f), height));
    text_wrapped(f.body, p.muted, tr("author.no_lesson_yet"));
    end_panel();
  }
  ImGui::EndGroup();
}

}  // namespace aisb::ui
