// "Use my own data" (issue 13): a CSV table or a folder of photos, dropped on
// the window, typed or picked from a small folder list; its preview (the
// table's first rows with each column's type, range and empty cells, the
// answer chosen with a click and the columns the network looks at ticked; or
// each class's count and a few of its photos, with the size and colour the
// network sees); then the job on it. Reading happens on a worker thread
// (session/own_data.hpp); the model adapts when the session reads the file.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <imgui.h>

#include "core/files.hpp"
#include "core/user_dirs.hpp"
#include "desktop/app.hpp"
#include "desktop/ui.hpp"

namespace fs = std::filesystem;

namespace aisb::ui {

namespace {

std::string refusal_words(const app::Refusal& r) {
  if (r.key == "own.one_photo") return trf("own.one_photo", r.args);
  if (r.key == "own.bad_name") return trf("own.bad_name", r.args);
  return trf("own.not_found", r.args);
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// "numbers 3.1 – 35.2", "whole numbers 0 – 5", "text, 3 kinds".
std::string column_type(const app::ColumnFacts& c) {
  if (c.distinct == 0) return tr("own.type_empty");
  if (c.numeric) {
    const std::vector<std::string> range = {short_number(c.min), short_number(c.max)};
    return c.integer ? trf("own.type_whole", range) : trf("own.type_number", range);
  }
  if (c.too_many_kinds) return tr("own.type_too_many");
  return trf("own.type_text", {std::to_string(c.distinct)});
}

std::string extension_of(const fs::path& p) {
  std::string e = utf8_of(p.extension());
  for (char& c : e) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return e;
}

bool is_table_file(const fs::path& p) {
  const std::string e = extension_of(p);
  return e == ".csv" || e == ".tsv" || e == ".txt";
}

bool is_photo_file(const fs::path& p) {
  const std::string e = extension_of(p);
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp" || e == ".gif";
}

// A dashed outline: "drop it here".
void dashed_rect(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 color, float dash, float thickness) {
  const auto line = [&](ImVec2 p, ImVec2 q) {
    const float len = std::max(std::abs(q.x - p.x), std::abs(q.y - p.y));
    for (float t = 0; t < len; t += 2 * dash) {
      const float u = t / len, v = std::min(1.0f, (t + dash) / len);
      dl->AddLine(ImVec2(p.x + (q.x - p.x) * u, p.y + (q.y - p.y) * u),
                  ImVec2(p.x + (q.x - p.x) * v, p.y + (q.y - p.y) * v), color, thickness);
    }
  };
  line(a, ImVec2(b.x, a.y));
  line(ImVec2(b.x, a.y), b);
  line(b, ImVec2(a.x, b.y));
  line(ImVec2(a.x, b.y), a);
}

// Whether the job's data is the file or folder at `path` (by where it lies,
// however the job names it).
bool same_data(const DatasetSpec& now, const app::DataPath& path) {
  if (!is_file_source(now) || now.location.empty() || now.source.starts_with("csv:") != path.table()) return false;
  return path_of_utf8(now.location).lexically_normal() == path.full().lexically_normal();
}

}  // namespace

bool App::own_data_allowed() const {
  if (screen_ == Screen::playground) return true;
  if (screen_ != Screen::player || !lesson_ || lesson_->steps.empty()) return false;
  return app::Permissions::for_step(lesson_->steps[static_cast<size_t>(step_)]).allows("own_data");
}

void App::take_drops() {
  const std::vector<std::string> drops = platform_.take_drops();
  if (drops.empty()) return;
  // A trained-model file opens anywhere; a photo goes to "Try it" when it
  // is open on a picture model (view_model.cpp).
  if (take_model_drop(drops.back())) return;
  // From the lesson list (or the class), a drop opens the playground on it;
  // a lesson takes it only where its step lets the student bring data.
  if (screen_ == Screen::browser || screen_ == Screen::classroom) open_playground();
  if (!own_data_allowed()) return;
  open_own_data(drops.back(), true);
}

void App::open_own_data(const std::string& path, bool show) {
  own_open_ = show;
  own_refusal_.clear();
  if (path.empty()) return;
  std::snprintf(own_path_, sizeof own_path_, "%s", path.c_str());
  platform_.ensure_glyphs(path);
  app::Refusal why;
  const std::optional<app::DataPath> where = app::data_path_of(path_of_utf8(path), &why);
  own_preview_.reset();
  own_thumbs_.clear();
  if (!where) {
    own_pending_.reset();
    own_refusal_ = refusal_words(why);
    platform_.ensure_glyphs(own_refusal_);
    if (own_autouse_) {  // nothing to train: say why instead
      own_autouse_ = false;
      autoplay_pending_ = false;
      own_open_ = true;
    }
    return;
  }
  own_pending_ = *where;
  own_reader_.post(*where);
}

void App::own_data_tick() {
  std::optional<app::DataPreview> read = own_reader_.take();
  if (!read || !own_pending_ || !(read->path == *own_pending_)) return;  // an older request's
  own_pending_.reset();
  own_preview_ = std::move(read);
  const app::DataPreview& p = *own_preview_;
  // Korean column names, cells and class folders need their glyphs.
  std::string words = p.path.source + "•";
  for (const auto& c : p.columns) words += c.name;
  for (const auto& row : p.first_rows)
    for (const auto& cell : row) words += cell;
  for (const auto& c : p.classes) words += c.name;
  for (const auto& d : p.problems.all()) words += app::data_problem_text(d, "ko") + app::data_problem_text(d, "en");
  platform_.ensure_glyphs(words);
  own_choice_ = app::default_choice(p, session_.job());
  // The data the network trains on already: its choices stay.
  const DatasetSpec& now = session_.job().dataset;
  if (same_data(now, p.path)) {
    if (p.path.table()) {
      if (p.column(now.target) != nullptr) own_choice_.target = now.target;
      if (!now.features.empty()) own_choice_.features = now.features;
    } else if (now.size.size() == 2) {
      own_choice_.size = now.size;
      own_choice_.channels = now.channels;
    }
  }
  own_thumbs_.clear();
  for (const auto& c : p.classes) {
    Texture& t = own_thumbs_.emplace_back();
    if (c.thumbs.empty()) continue;
    // One strip per class: its photos side by side.
    const int n = static_cast<int>(c.thumbs.size()), w = n * app::kThumb;
    std::vector<uint8_t> strip(static_cast<size_t>(w * app::kThumb * 4));
    for (int k = 0; k < n; ++k)
      for (int y = 0; y < app::kThumb; ++y)
        std::copy_n(c.thumbs[static_cast<size_t>(k)].begin() + static_cast<std::ptrdiff_t>(y * app::kThumb * 4),
                    app::kThumb * 4, strip.begin() + static_cast<std::ptrdiff_t>((y * w + k * app::kThumb) * 4));
    t.upload(w, app::kThumb, strip.data(), true);
  }
  if (own_autouse_) {
    own_autouse_ = false;
    if (own_data_ready()) {
      use_own_data();
    } else {
      autoplay_pending_ = false;  // nothing to train: say why instead
      own_open_ = true;
    }
  }
}

bool App::own_data_ready() const {
  if (!own_preview_ || !own_preview_->ok()) return false;
  if (!own_preview_->path.table()) return own_preview_->classes.size() >= 2;
  return !own_choice_.target.empty() && !own_choice_.features.empty();
}

void App::use_own_data() {
  if (!own_preview_) return;
  JobSpec job = app::job_with_data(session_.job(), *own_preview_, own_choice_);
  if (same_data(session_.job().dataset, own_preview_->path)) {
    // The lesson's own file, other choices: it keeps its name for the file
    // ("csv:data/air.csv", from the lesson's folder).
    job.dataset.source = session_.job().dataset.source;
  } else {
    session_.set_data_folder(own_preview_->path.base);
  }
  change(job);
  own_close_ = true;
}

void App::own_data_button(const app::Permissions& allow, float width) {
  if (!allow.allows("own_data")) return;
  const bool file = is_file_source(session_.job().dataset);
  if (ImGui::Button(file ? tr("own.change") : tr("own.button"), ImVec2(width, 0))) {
    // The window opens on the data in use, or where the last one was.
    std::string at = file ? session_.job().dataset.location : std::string(own_path_);
    open_own_data(at, true);
  }
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(22.0f));
    ImGui::TextUnformatted(tr("own.explain"));
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void App::draw_own_data() {
  if (own_open_) {
    ImGui::OpenPopup("##own");
    own_open_ = false;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const ImVec2 size(std::min(vp->WorkSize.x * 0.94f, em(66.0f)), vp->WorkSize.y * 0.88f);
  ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em(1.4f), em(1.1f)));
  const bool open =
      ImGui::BeginPopupModal("##own", nullptr,
                             ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();
  if (!open) return;
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  if (own_close_) {
    own_close_ = false;
    ImGui::CloseCurrentPopup();
  }
  text(f.heading, p.text, tr("own.title"));
  ImGui::PushTextWrapPos(0.0f);
  text_wrapped(f.body, p.muted, tr("own.explain"));
  ImGui::PopTextWrapPos();
  ImGui::Dummy(ImVec2(0, em(0.3f)));

  // The path: typed, pasted, or filled by a drop or the folder list.
  {
    const char* open_label = tr("own.open");
    const float bw = ImGui::CalcTextSize(open_label).x + em(2.4f);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - bw - ImGui::GetStyle().ItemSpacing.x);
    const bool enter = ImGui::InputTextWithHint("##path", tr("own.path_hint"), own_path_, sizeof own_path_,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    platform_.ensure_glyphs(own_path_);
    ImGui::SameLine();
    if ((ImGui::Button(open_label, ImVec2(bw, 0)) || enter) && own_path_[0] != '\0') {
      open_own_data(std::string(own_path_), true);
    }
  }
  ImGui::Dummy(ImVec2(0, em(0.2f)));

  const float footer = em(3.4f);
  ImGui::BeginChild("##own_body", ImVec2(0, ImGui::GetContentRegionAvail().y - footer), false);
  ImGui::PushTextWrapPos(0.0f);
  if (own_pending_) {
    caption(trf("own.reading", {utf8_of(own_pending_->full().filename())}).c_str());
  } else if (!own_refusal_.empty()) {
    text_wrapped(f.bold, p.bad, own_refusal_.c_str());
  }
  if (own_preview_ && !own_pending_) {
    const app::DataPreview& pv = *own_preview_;
    // What is wrong with it, in the student's words, and what is worth knowing.
    int errors = 0, notes = 0;
    for (const auto& d : pv.problems.all()) (d.severity == Severity::error ? errors : notes) += 1;
    if (errors > 0) {
      const Box box = begin_box(p.bad, 0.7f, true);
      text(f.bold, p.bad, tr("own.problems"));
      int shown = 0;
      for (const auto& d : pv.problems.all()) {
        if (d.severity != Severity::error || shown++ >= 6) continue;
        text_wrapped(f.body, p.text, ("• " + app::data_problem_text(d, lang())).c_str());
      }
      end_box(box);
    }
    if (pv.path.table() && !pv.columns.empty()) {
      draw_own_table();
    } else if (!pv.path.table() && !pv.classes.empty()) {
      draw_own_photos();
    }
    if (notes > 0) {
      ImGui::Dummy(ImVec2(0, em(0.3f)));
      text(f.small, p.muted, tr("own.notes"));
      int shown = 0;
      for (const auto& d : pv.problems.all()) {
        if (d.severity == Severity::error || shown++ >= 4) continue;
        text_wrapped(f.small, p.muted, ("• " + app::data_problem_text(d, lang())).c_str());
      }
    }
  } else if (!own_pending_) {
    draw_own_picker();
  }
  ImGui::PopTextWrapPos();
  ImGui::EndChild();

  // Use it, or leave things as they were.
  ImGui::Dummy(ImVec2(0, em(0.4f)));
  const bool ready = own_data_ready();
  ImGui::BeginDisabled(!ready);
  if (primary_button(tr("own.use"), ImVec2(em(11.0f), em(2.3f))) && ready) {
    use_own_data();
    own_close_ = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button(tr("own.cancel"), ImVec2(em(8.0f), em(2.3f)))) ImGui::CloseCurrentPopup();
  if (own_preview_ && !ready && own_preview_->ok() && own_preview_->path.table()) {
    ImGui::SameLine(0, em(1.0f));
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.5f));
    text(f.small, p.warn, own_choice_.target.empty() ? tr("own.no_target") : tr("own.no_features"));
  }
  ImGui::EndPopup();
}

void App::draw_own_picker() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  // The drop zone.
  {
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x, h = em(6.5f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a, ImVec2(a.x + w, a.y + h), ImGui::GetColorU32(ImGuiCol_FrameBg), em(0.6f));
    dashed_rect(dl, ImVec2(a.x + 2, a.y + 2), ImVec2(a.x + w - 2, a.y + h - 2), p.accent, em(0.5f), 2.0f);
    const char* drop = tr("own.drop");
    const ImVec2 ts = f.heading->CalcTextSizeA(f.heading->FontSize, FLT_MAX, 0, drop);
    dl->AddText(f.heading, f.heading->FontSize, ImVec2(a.x + (w - ts.x) * 0.5f, a.y + h * 0.5f - ts.y * 0.75f),
                p.accent, drop);
    const char* kinds = tr("own.kinds");
    const ImVec2 ks = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, kinds);
    dl->AddText(f.small, f.small->FontSize, ImVec2(a.x + (w - ks.x) * 0.5f, a.y + h * 0.5f + ts.y * 0.45f), p.muted,
                kinds);
    ImGui::Dummy(ImVec2(w, h));
  }
  ImGui::Dummy(ImVec2(0, em(0.4f)));

  // A small folder list: CSV files and folders where the path points.
  std::error_code ec;
  fs::path folder = own_path_[0] != '\0' ? path_of_utf8(own_path_) : fs::path();
  if (!folder.empty() && !fs::is_directory(folder, ec)) folder = folder.parent_path();
  if (folder.empty() || !fs::is_directory(folder, ec)) {
    folder = home_dir();
  }
  folder = fs::absolute(folder, ec).lexically_normal();
  if (folder.has_filename() == false && folder.has_parent_path() && folder != folder.root_path())
    folder = folder.parent_path();
  if (std::string listed = utf8_of(folder); own_listed_ != listed) {
    own_listed_ = std::move(listed);
    own_entries_.clear();
    int photo_folders = 0, looked = 0;
    for (auto it = fs::directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::directory_iterator() && own_entries_.size() < 400; it.increment(ec)) {
      const std::string name = utf8_of(it->path().filename());
      if (name.empty() || name[0] == '.') continue;
      std::error_code e2;
      const bool dir = it->is_directory(e2);
      // Photos by class: a few of the folders hold photos (a glance at each).
      if (dir && looked < 4) {
        ++looked;
        int seen = 0;
        for (auto in = fs::directory_iterator(it->path(), fs::directory_options::skip_permission_denied, e2);
             !e2 && in != fs::directory_iterator() && seen < 20; in.increment(e2), ++seen) {
          if (is_photo_file(in->path())) {
            ++photo_folders;
            break;
          }
        }
      }
      if (dir || is_table_file(it->path())) own_entries_.emplace_back(name, dir);
    }
    std::sort(own_entries_.begin(), own_entries_.end(),
              [](const auto& x, const auto& y) { return x.second != y.second ? x.second : x.first < y.first; });
    own_listed_photos_ = photo_folders >= 2;
    std::string all = own_listed_;
    for (const auto& e : own_entries_) all += e.first;
    platform_.ensure_glyphs(all);
  }
  caption(tr("own.or_pick"));
  text(f.bold, p.text, own_listed_.c_str());
  if (folder.has_parent_path() && folder != folder.root_path()) {
    if (ImGui::SmallButton(tr("own.up"))) {
      std::snprintf(own_path_, sizeof own_path_, "%s", utf8_of(folder.parent_path()).c_str());
    }
    ImGui::SameLine();
  }
  if (own_listed_photos_ && ImGui::SmallButton(tr("own.use_folder"))) {
    open_own_data(own_listed_, true);
  }
  ImGui::Dummy(ImVec2(0, em(0.2f)));
  ImGui::BeginChild("##entries", ImVec2(0, 0), true);
  if (own_entries_.empty()) text(f.small, p.muted, tr("own.empty_folder"));
  for (const auto& [name, dir] : own_entries_) {
    const std::string label = (dir ? name + "/" : name);
    ImGui::PushStyleColor(ImGuiCol_Text, dir ? p.text : p.accent);
    const bool clicked = ImGui::Selectable(label.c_str());
    ImGui::PopStyleColor();
    if (!clicked) continue;
    const fs::path chosen = folder / path_of_utf8(name);
    if (dir) {
      std::snprintf(own_path_, sizeof own_path_, "%s", utf8_of(chosen).c_str());
    } else {
      open_own_data(utf8_of(chosen), true);
    }
    break;
  }
  ImGui::EndChild();
}

void App::draw_own_table() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const app::DataPreview& pv = *own_preview_;
  const std::string name = utf8_of(pv.path.full().filename());
  text(f.bold, p.text, trf("own.table_summary", {name, thousands(pv.rows), std::to_string(pv.columns.size())}).c_str());
  text_wrapped(f.body, p.muted, tr("own.table_help"));
  ImGui::Dummy(ImVec2(0, em(0.2f)));
  const int n = static_cast<int>(pv.columns.size());
  const float row_h = ImGui::GetTextLineHeightWithSpacing() + em(0.3f);
  const int rows = static_cast<int>(pv.first_rows.size());
  const float table_h = row_h * static_cast<float>(rows + 4) + em(0.8f);
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollX | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  const ImU32 answer_bg = (p.accent & 0x00FFFFFF) | 0x2A000000;
  if (ImGui::BeginTable("##columns", std::max(1, n), flags, ImVec2(0, table_h))) {
    for (const auto& c : pv.columns) {
      float w = std::max({em(6.5f), ImGui::CalcTextSize(c.name.c_str()).x + em(1.2f),
                          f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, column_type(c).c_str()).x + em(0.6f)});
      ImGui::TableSetupColumn(c.name.c_str(), ImGuiTableColumnFlags_WidthFixed, std::min(w, em(16.0f)));
    }
    // The names: a click makes the column the answer.
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers, row_h);
    for (int k = 0; k < n; ++k) {
      const app::ColumnFacts& c = pv.columns[static_cast<size_t>(k)];
      ImGui::TableSetColumnIndex(k);
      const bool target = c.name == own_choice_.target;
      if (target) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, answer_bg);
      ImGui::PushID(k);
      ImGui::BeginDisabled(!app::usable_target(c));
      ImGui::PushFont(f.bold);
      ImGui::PushStyleColor(ImGuiCol_Text, target ? p.accent : p.text);
      if (ImGui::Selectable(c.name.c_str(), false, ImGuiSelectableFlags_None) && !target) {
        app::choose_target(own_choice_, pv, c.name);
      }
      ImGui::PopStyleColor();
      ImGui::PopFont();
      ImGui::EndDisabled();
      if (ImGui::IsItemHovered() && !target) ImGui::SetTooltip("%s", tr("own.click_answer"));
      ImGui::PopID();
    }
    // The answer, or whether the network looks at the column.
    ImGui::TableNextRow(ImGuiTableRowFlags_None, row_h);
    for (int k = 0; k < n; ++k) {
      const app::ColumnFacts& c = pv.columns[static_cast<size_t>(k)];
      ImGui::TableSetColumnIndex(k);
      ImGui::PushID(k);
      if (c.name == own_choice_.target) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, answer_bg);
        text(f.bold, p.accent, tr("own.answer"));
      } else {
        auto& fs_ = own_choice_.features;
        bool on = std::find(fs_.begin(), fs_.end(), c.name) != fs_.end();
        ImGui::BeginDisabled(!app::usable_feature(c));
        if (ImGui::Checkbox(tr("own.look_at"), &on)) {
          if (on) {
            // In the file's order.
            std::vector<std::string> ordered;
            for (const auto& col : pv.columns)
              if (col.name == c.name || std::find(fs_.begin(), fs_.end(), col.name) != fs_.end())
                ordered.push_back(col.name);
            fs_ = std::move(ordered);
          } else {
            std::erase(fs_, c.name);
          }
        }
        ImGui::EndDisabled();
      }
      ImGui::PopID();
    }
    // Each column's type and range, and its empty cells.
    ImGui::TableNextRow(ImGuiTableRowFlags_None, row_h);
    for (int k = 0; k < n; ++k) {
      const app::ColumnFacts& c = pv.columns[static_cast<size_t>(k)];
      ImGui::TableSetColumnIndex(k);
      if (c.name == own_choice_.target) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, answer_bg);
      text(f.small, p.muted, column_type(c).c_str());
    }
    ImGui::TableNextRow(ImGuiTableRowFlags_None, row_h);
    for (int k = 0; k < n; ++k) {
      const app::ColumnFacts& c = pv.columns[static_cast<size_t>(k)];
      ImGui::TableSetColumnIndex(k);
      if (c.name == own_choice_.target) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, answer_bg);
      text(f.small, c.missing > 0 ? p.warn : p.muted,
           c.missing > 0 ? trf("own.missing", {thousands(c.missing)}).c_str() : tr("own.no_missing"));
    }
    // The first rows.
    for (int r = 0; r < rows; ++r) {
      ImGui::TableNextRow(ImGuiTableRowFlags_None, row_h);
      const auto& row = pv.first_rows[static_cast<size_t>(r)];
      for (int k = 0; k < n && k < static_cast<int>(row.size()); ++k) {
        ImGui::TableSetColumnIndex(k);
        const bool target = pv.columns[static_cast<size_t>(k)].name == own_choice_.target;
        if (target) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, answer_bg);
        const std::string& cell = row[static_cast<size_t>(k)];
        if (cell.empty())
          text(f.body, p.muted, "–");
        else
          text(target ? f.bold : f.body, target ? p.accent : p.text, cell.c_str());
      }
    }
    ImGui::EndTable();
  }
  if (pv.rows > rows) caption(trf("own.more_rows", {thousands(pv.rows - rows)}).c_str());
  // What the network will learn, in a sentence.
  ImGui::Dummy(ImVec2(0, em(0.3f)));
  if (const app::ColumnFacts* t = pv.column(own_choice_.target); t != nullptr) {
    const std::string task = app::task_of(own_choice_, pv);
    const std::string what = task == "classification"
                                 ? trf("own.learns_classes", {std::to_string(t->distinct), t->name})
                                 : trf("own.learns_number", {t->name});
    text_wrapped(f.bold, p.text, what.c_str());
    if (!own_choice_.features.empty()) {
      std::string cols;
      for (const auto& c : own_choice_.features) cols += (cols.empty() ? "" : ", ") + c;
      text_wrapped(f.body, p.muted, trf("own.looks_at", {std::to_string(own_choice_.features.size()), cols}).c_str());
    }
  }
}

void App::draw_own_photos() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const app::DataPreview& pv = *own_preview_;
  const std::string name = utf8_of(pv.path.full().filename());
  text(f.bold, p.text,
       trf("own.photos_summary", {name, std::to_string(pv.classes.size()), thousands(pv.images)}).c_str());
  text_wrapped(f.body, p.muted, tr("own.photos_help"));
  ImGui::Dummy(ImVec2(0, em(0.2f)));
  // What the network sees: the size and colour photos are shrunk to.
  caption(tr("own.size"));
  bool first = true;
  for (const int s : {16, 32, 64}) {
    const std::string label = std::to_string(s) + " x " + std::to_string(s);
    if (pill(label.c_str(), own_choice_.size == std::vector<int>{s, s}, first)) own_choice_.size = {s, s};
    first = false;
  }
  ImGui::SameLine(0, em(1.5f));
  if (pill(tr("own.colour"), own_choice_.channels == 3, false)) own_choice_.channels = 3;
  if (pill(tr("own.grey"), own_choice_.channels == 1, false)) own_choice_.channels = 1;
  ImGui::Dummy(ImVec2(0, em(0.4f)));
  // Each class: its name, how many photos, a few of them.
  const float thumb = em(4.4f), gap = em(0.35f);
  for (size_t k = 0; k < pv.classes.size(); ++k) {
    const app::ClassFacts& c = pv.classes[k];
    ImGui::BeginGroup();
    text(f.bold, p.text, c.name.c_str());
    ImGui::SameLine(0, em(0.6f));
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + em(0.1f));
    text(f.small, c.count < 4 ? p.bad : p.muted, trf("own.photos_count", {thousands(c.count)}).c_str());
    const int n = static_cast<int>(c.thumbs.size());
    if (k < own_thumbs_.size() && own_thumbs_[k].valid()) {
      for (int i = 0; i < n; ++i) {
        if (i > 0) ImGui::SameLine(0, gap);
        const float u0 = static_cast<float>(i) / static_cast<float>(n), u1 = static_cast<float>(i + 1) / n;
        ImGui::Image(own_thumbs_[k].id(), ImVec2(thumb, thumb), ImVec2(u0, 0), ImVec2(u1, 1));
      }
    }
    ImGui::EndGroup();
    ImGui::Dummy(ImVec2(0, em(0.35f)));
  }
  text_wrapped(f.bold, p.text, trf("own.learns_photos", {std::to_string(pv.classes.size())}).c_str());
}

}  // namespace aisb::ui
