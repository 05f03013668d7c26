// The compute center in the app: the panel where a student logs in with the
// class code (or a teacher with the class's teacher token), the student's runs
// at the center (watch again after a restart, cancel), the run's place in
// the queue in the top bar, and a teacher's class view: every student's run
// with its curves, side by side, live. Every request runs off the UI thread.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include <imgui.h>

#include "core/job_reader.hpp"
#include "desktop/app.hpp"
#include "desktop/draw.hpp"
#include "desktop/ui.hpp"

namespace aisb::ui {

namespace {

// A request's failure, in words a student can act on.
std::string explain(const std::exception& e, const std::string& url) {
  if (dynamic_cast<const net::Unreachable*>(&e) != nullptr) return trf("center.unreachable", {url, e.what()});
  if (const auto* r = dynamic_cast<const remote::Refused*>(&e)) {
    return trf("center.refused", {r->field.empty() ? r->in(lang()) : r->field + ": " + r->in(lang())});
  }
  if (dynamic_cast<const std::invalid_argument*>(&e) != nullptr) return trf("center.bad_address", {url});
  return e.what();
}

// A run's state and reason as the views show them: a run that diverged
// ended, but not well; it has its own word and colour.
ImU32 state_color(const std::string& state, const std::string& reason = "") {
  const Palette& p = ctx().palette;
  switch (app::run_outcome(state, reason)) {
    case app::RunOutcome::completed:
      return p.good;
    case app::RunOutcome::diverged:
      return p.diverged;
    case app::RunOutcome::failed:
      return p.bad;
    case app::RunOutcome::running:
      return p.accent;
    case app::RunOutcome::queued:
      return state == "queued" ? p.warn : p.muted;
    case app::RunOutcome::cancelled:
      return p.muted;
  }
  return p.muted;
}

const char* state_key(const std::string& state, const std::string& reason = "") {
  switch (app::run_outcome(state, reason)) {
    case app::RunOutcome::running:
      return "center.state.running";
    case app::RunOutcome::completed:
      return "center.state.done";
    case app::RunOutcome::diverged:
      return "center.state.diverged";
    case app::RunOutcome::failed:
      return "center.state.failed";
    case app::RunOutcome::cancelled:
      return "center.state.cancelled";
    case app::RunOutcome::queued:
      break;
  }
  return "center.state.queued";
}

std::string state_words(const nlohmann::json& run) {
  const std::string state = run.value("state", "");
  if (state == "queued" && run.value("queue_position", 0) > 0) {
    return trf("center.queued_at", {std::to_string(run.value("queue_position", 0))});
  }
  return tr(state_key(state, run.value("reason", "")));
}

// The words of a run's `done` event in the app's language.
const std::string& in_lang(const std::string& en, const std::string& ko) {
  return lang() == "ko" && !ko.empty() ? ko : en;
}

// The student-facing words of each diverged run among `runs` that `known`
// does not hold yet: the last event of its log (its `done`), read without
// its snapshots. Each run is asked once: one whose log cannot be read (the
// center's retention removed it) gets no words, and shows its state alone.
std::map<std::string, std::pair<std::string, std::string>> done_messages(remote::CenterClient& client,
                                                                         const nlohmann::json& runs,
                                                                         const std::set<std::string>& known) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const auto& run : runs) {
    const std::string id = run.value("id", "");
    if (app::run_outcome(run.value("state", ""), run.value("reason", "")) != app::RunOutcome::diverged ||
        known.count(id) > 0) {
      continue;
    }
    out[id] = {};
    try {
      const uint64_t events = client.job(id).value("events", uint64_t{0});
      client.follow(
          id, events > 0 ? events - 1 : 0,
          [&](const nlohmann::json& e) {
            if (e.value("type", "") == "done") out[id] = {e.value("message", ""), e.value("message_ko", "")};
            return true;
          },
          nullptr, 5, /*snapshots=*/false);
    } catch (const std::exception&) {
    }
  }
  return out;
}

std::string short_time(const std::string& iso) {
  // "2026-11-26T03:04:05.123Z" -> "11-26 03:04" (UTC, as the center keeps it)
  return iso.size() >= 16 ? iso.substr(5, 5) + " " + iso.substr(11, 5) : iso;
}

}  // namespace

std::string App::lesson_title_of(const std::string& id) const {
  if (id == "playground") return tr("nav.playground");  // a run from the free playground
  return titles_.title_of(id, lang());                  // the id for a lesson this app has not seen
}

void App::center_request(CenterReply::Kind kind, std::function<CenterReply()> work) {
  if (center_future_.valid()) return;  // one at a time
  center_pending_ = kind;
  center_future_ = std::async(std::launch::async, [work = std::move(work)] {
    CenterReply r = work();
    Platform::wake();
    return r;
  });
}

void App::center_tick() {
  if (center_future_.valid() && center_future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    CenterReply r = center_future_.get();
    // Words are chosen here, on the UI thread (the string table is not shared).
    if (r.error) {
      try {
        std::rethrow_exception(r.error);
      } catch (const remote::Refused& e) {
        r.message = r.kind == CenterReply::Kind::login && e.status == 403
                        ? trf("center.refused", {tr("center.not_teacher")})
                    : r.kind == CenterReply::Kind::login && !center_teacher_ ? login_refused_words(e)
                                                                             : explain(e, r.url);
      } catch (const std::exception& e) {
        r.message = explain(e, r.url);
      }
    } else if (r.kind == CenterReply::Kind::login) {
      r.message = tr("center.welcome");
    } else if (r.kind == CenterReply::Kind::cancel) {
      r.message = tr("center.cancelled");
    }
    switch (r.kind) {
      case CenterReply::Kind::login:
        center_ok_ = r.ok;
        center_message_ = r.message;
        if (r.ok) {
          center_login_ = r.login;
          center_new_code_ = r.login.new_code;  // a first sign-in: the code to write down (view_class.cpp)
          center_new_code_shown_ = false;
          follow_class();
          remote_->set_login(r.login.url, r.login.token);
          center_runs_ = nlohmann::json::array();
          center_listed_ = {};
        }
        break;
      case CenterReply::Kind::list:
        if (r.ok) {
          center_runs_ = r.data;
          for (auto& [id, m] : r.messages) center_run_messages_[id] = std::move(m);
        } else {
          center_ok_ = false;
          center_message_ = r.message;
        }
        break;
      case CenterReply::Kind::watch:
        if (!r.ok) {
          center_ok_ = false;
          center_message_ = r.message;
          break;
        }
        {
          Diagnostics diags;
          const JobSpec job = read_job(r.data.value("spec", nlohmann::json::object()), diags);
          if (diags.has_errors() || !session_.attach(job, r.data.value("id", ""))) {
            center_ok_ = false;
            center_message_ = trf("center.cannot_watch", {diags.first_error()});
            break;
          }
          session_.set_device("center");
          lesson_.reset();
          screen_ = Screen::playground;
          center_close_ = true;
          open_center_ = false;
        }
        break;
      case CenterReply::Kind::model:
        // A finished run's trained model: shown as one opened from a file.
        if (!r.ok) {
          center_ok_ = false;
          center_message_ = r.message;
        } else if (!r.model) {
          center_ok_ = false;
          center_message_ = trf("center.model_bad", {r.model_problems.first_error()});
        } else {
          show_model(r.model, {}, lesson_title_of(r.model->job.lesson));
          center_close_ = true;
          open_center_ = false;
        }
        break;
      case CenterReply::Kind::cancel:
        center_ok_ = r.ok;
        center_message_ = r.message;
        center_listed_ = {};
        break;
    }
  }
  // While the panel shows the runs, keep them fresh.
  const bool showing = center_shown_ && center_login_ && center_login_->role == "student";
  if (showing && !center_future_.valid() &&
      std::chrono::steady_clock::now() - center_listed_ > std::chrono::seconds(3)) {
    center_listed_ = std::chrono::steady_clock::now();
    const remote::CenterLogin l = *center_login_;
    std::set<std::string> known;
    for (const auto& [id, m] : center_run_messages_) known.insert(id);
    center_request(CenterReply::Kind::list, [l, known] {
      CenterReply r{CenterReply::Kind::list};
      r.url = l.url;
      try {
        remote::CenterClient client(l.url, l.token);
        r.data = client.jobs(20).at("jobs");
        r.messages = done_messages(client, r.data, known);
        r.ok = true;
      } catch (...) {
        r.error = std::current_exception();
      }
      return r;
    });
  }
}

std::string App::center_status() const {
  if (!session_.remote_run() || remote_ == nullptr) return "";
  const RemoteStatus s = remote_->status();
  if (s.state == "submitting" && s.upload_bytes > 0) {  // the job's own data goes up first
    const auto mb = [](uint64_t b) {
      char out[32];
      std::snprintf(out, sizeof out, "%.1f", static_cast<double>(b) / (1 << 20));
      return std::string(out);
    };
    return trf("center.uploading", {mb(s.uploaded_bytes), mb(s.upload_bytes)});
  }
  if (s.state == "submitting") return tr("center.submitting");
  if (s.state == "queued") {
    return s.queue_position > 0 ? trf("center.queued_at", {std::to_string(s.queue_position)})
                                : tr("center.state.queued");
  }
  if (s.state == "running") return s.node.empty() ? tr("center.state.running") : trf("center.running_on", {s.node});
  if (!s.error.empty()) return s.unreachable ? tr("center.offline") : tr("center.state.failed");
  return s.state.empty() ? "" : tr(state_key(s.state));
}

void App::draw_center_button(float& rx, float y, float h) {
  const Palette& p = ctx().palette;
  const std::string status = center_status();
  const std::string label =
      status.empty() ? std::string(tr("center.button")) : std::string(tr("center.button")) + " · " + status;
  const float width = ImGui::CalcTextSize(label.c_str()).x + em(2.6f);
  rx -= width;
  ImGui::SetCursorScreenPos(ImVec2(rx, y + (h - em(2.0f)) * 0.5f));
  if (ImGui::Button((label + "##center").c_str(), ImVec2(width, em(2.0f)))) {
    if (center_login_ && center_login_->role == "teacher") {
      open_classroom();
    } else {
      open_center_ = true;
    }
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("center.button_tip"));
  // A dot: grey logged out, green logged in, orange waiting, blue running.
  const ImVec2 a = ImGui::GetItemRectMin();
  const RemoteStatus s = remote_ != nullptr ? remote_->status() : RemoteStatus{};
  const ImU32 dot = !center_login_                                  ? p.muted
                    : session_.remote_run() && s.state == "queued"  ? p.warn
                    : session_.remote_run() && s.state == "running" ? p.accent
                    : session_.remote_run() && !s.error.empty()     ? p.bad
                                                                    : p.good;
  ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(a.x + em(0.8f), a.y + em(1.0f)), em(0.3f), dot);
  rx -= em(0.4f);
}

void App::open_classroom() {
  if (!center_login_ || center_login_->role != "teacher") return;
  if (!class_watch_) {
    class_watch_ = std::make_unique<app::ClassWatch>(
        center_login_->url, center_login_->token, [] { Platform::wake(); }, net::ClientOptions{}, 60,
        center_login_->class_id);
  }
  session_.reset();
  screen_ = Screen::classroom;
}

void App::draw_center_dialog() {
  if (open_center_) {
    ImGui::OpenPopup("##center");
    open_center_ = false;
    if (center_url_[0] == '\0') {
      const std::string url = center_login_ ? center_login_->url : "https://";
      std::snprintf(center_url_, sizeof center_url_, "%s", url.c_str());
    }
  }
  const ImVec2 c = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(c, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(em(40.0f), 0));
  center_shown_ = ImGui::BeginPopupModal("##center", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize);
  if (!center_shown_) return;
  if (center_close_) {  // a run to watch, or a model to show, came back
    center_close_ = false;
    ImGui::CloseCurrentPopup();
  }
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  text(f.heading, p.text, tr("center.title"));
  const bool busy = center_future_.valid();
  const auto field = [&](const char* label, const char* hint, char* buf, size_t size, ImGuiInputTextFlags flags = 0) {
    caption(label);
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint((std::string("##") + label).c_str(), hint, buf, size, flags);
    platform_.ensure_glyphs(buf);
  };

  if (center_login_) {
    const remote::CenterLogin& l = *center_login_;
    platform_.ensure_glyphs(l.name + l.class_code + l.url);
    text_wrapped(f.body, p.muted,
                 l.role == "teacher" ? trf("center.teacher_in", {l.url}).c_str()
                                     : trf("center.logged_in", {l.url, l.name, l.class_code}).c_str());
    draw_new_code();
    if (l.role == "student") {
      ImGui::Dummy(ImVec2(0, em(0.4f)));
      text(f.bold, p.text, tr("center.my_runs"));
      if (center_runs_.empty()) text_wrapped(f.body, p.muted, tr("center.no_runs"));
      // Tall enough for every run and the words of the diverged ones (in
      // the lesson's column, 3 of the 7 shares of the width).
      float table_h = em(0.4f);
      const float words_w = ImGui::GetContentRegionAvail().x * 3.0f / 7.0f - em(0.8f);
      for (const auto& run : center_runs_) {
        table_h += em(1.7f);
        if (const auto m = center_run_messages_.find(run.value("id", ""));
            m != center_run_messages_.end() && !m->second.first.empty()) {
          table_h += f.small
                         ->CalcTextSizeA(f.small->FontSize, FLT_MAX, words_w,
                                         in_lang(m->second.first, m->second.second).c_str())
                         .y +
                     em(0.3f);
        }
      }
      if (!center_runs_.empty() &&
          ImGui::BeginTable("runs", 4,
                            ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY,
                            ImVec2(0, std::min(em(18.0f), table_h)))) {
        // (the actions' column room for "Watch" and "Open model", or "Cancel")
        ImGui::TableSetupColumn("lesson", ImGuiTableColumnFlags_WidthStretch, 3.0f);
        ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("actions", ImGuiTableColumnFlags_WidthStretch, 2.0f);
        for (const auto& run : center_runs_) {
          const std::string id = run.value("id", ""), state = run.value("state", "");
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          const std::string lesson = lesson_title_of(run.value("lesson", ""));
          platform_.ensure_glyphs(lesson);
          ImGui::PushTextWrapPos(0.0f);  // within its column, however long the title
          text_wrapped(f.body, p.text, lesson.c_str());
          ImGui::PopTextWrapPos();
          // A diverged run says why and what to try, as its `done` event does.
          if (const auto m = center_run_messages_.find(id);
              m != center_run_messages_.end() && !m->second.first.empty()) {
            const std::string& why = in_lang(m->second.first, m->second.second);
            platform_.ensure_glyphs(why);
            ImGui::PushTextWrapPos(0.0f);
            text_wrapped(f.small, p.diverged, why.c_str());
            ImGui::PopTextWrapPos();
          }
          ImGui::TableNextColumn();
          text(f.small, p.muted, short_time(run.value("created", "")).c_str());
          ImGui::TableNextColumn();
          text(f.bold, state_color(state, run.value("reason", "")), state_words(run).c_str());
          ImGui::TableNextColumn();
          ImGui::BeginDisabled(busy);
          if (ImGui::SmallButton((std::string(tr("center.watch")) + "##w" + id).c_str())) {
            center_request(CenterReply::Kind::watch, [l, id] {
              CenterReply r{CenterReply::Kind::watch};
              r.url = l.url;
              try {
                r.data = remote::CenterClient(l.url, l.token).job(id);
                r.ok = true;
              } catch (...) {
                r.error = std::current_exception();
              }
              return r;
            });
          }
          // A finished run's trained network: opened here, to try and keep.
          if (app::run_outcome(state, run.value("reason", "")) == app::RunOutcome::completed) {
            ImGui::SameLine();
            if (ImGui::SmallButton((std::string(tr("center.open_model")) + "##m" + id).c_str())) {
              center_request(CenterReply::Kind::model, [l, id] {
                CenterReply r{CenterReply::Kind::model};
                r.url = l.url;
                try {
                  const std::string text = remote::CenterClient(l.url, l.token).model_file(id);
                  TrainedModel m = read_trained_model(text, r.model_problems);
                  if (!r.model_problems.has_errors()) r.model = std::make_shared<const TrainedModel>(std::move(m));
                  r.ok = true;
                } catch (...) {
                  r.error = std::current_exception();
                }
                return r;
              });
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("center.open_model_tip"));
          }
          if (state == "queued" || state == "running") {
            ImGui::SameLine();
            if (ImGui::SmallButton((std::string(tr("center.cancel_run")) + "##c" + id).c_str())) {
              center_request(CenterReply::Kind::cancel, [l, id] {
                CenterReply r{CenterReply::Kind::cancel};
                r.url = l.url;
                try {
                  remote::CenterClient(l.url, l.token).cancel(id);
                  r.ok = true;
                } catch (...) {
                  r.error = std::current_exception();
                }
                return r;
              });
            }
          }
          ImGui::EndDisabled();
        }
        ImGui::EndTable();
      }
      text_wrapped(f.small, p.muted, tr("center.how_to_run"));
    }
  } else {
    text_wrapped(f.body, p.muted, tr("center.explain"));
    ImGui::Dummy(ImVec2(0, em(0.3f)));
    field(tr("center.address"), "https://ai.example.kr", center_url_, sizeof center_url_);
    ImGui::Checkbox(tr("center.i_am_teacher"), &center_teacher_);
    if (center_teacher_) {
      field(tr("center.teacher_token"), "", center_token_, sizeof center_token_, ImGuiInputTextFlags_Password);
    } else {
      field(tr("center.class_code"), "ABC234", center_code_, sizeof center_code_, ImGuiInputTextFlags_CharsUppercase);
      field(tr("center.name"), tr("center.name_hint"), center_name_, sizeof center_name_);
      field(tr("center.personal_code"), tr("center.personal_code_hint"), center_personal_, sizeof center_personal_,
            ImGuiInputTextFlags_CharsUppercase);
    }
  }
  if (!center_message_.empty()) {
    ImGui::Dummy(ImVec2(0, em(0.3f)));
    platform_.ensure_glyphs(center_message_);
    text_wrapped(f.body, center_ok_ ? p.good : p.bad, center_message_.c_str());
  }
  ImGui::Dummy(ImVec2(0, em(0.4f)));
  const ImVec2 button(em(9.0f), em(2.2f));
  if (!center_login_) {
    const bool filled = center_teacher_ ? center_token_[0] != '\0' : center_code_[0] != '\0' && center_name_[0] != '\0';
    ImGui::BeginDisabled(busy || !filled);
    if (primary_button(busy ? tr("center.connecting") : tr("center.log_in"), button)) {
      const std::string url = center_url_, code = center_code_, name = center_name_, token = center_token_,
                        personal = center_personal_;
      const bool teacher = center_teacher_;
      center_typed_code_ = personal;
      center_message_.clear();
      center_request(CenterReply::Kind::login, [=] {
        CenterReply r{CenterReply::Kind::login};
        r.url = url;
        try {
          r.login = teacher ? remote::log_in_teacher(url, token) : remote::log_in(url, code, name, personal);
          r.ok = true;
        } catch (...) {
          r.error = std::current_exception();
        }
        return r;
      });
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
  } else {
    if (center_login_->role == "teacher" && primary_button(tr("center.class_view"), button)) {
      ImGui::CloseCurrentPopup();
      open_classroom();
    }
    if (center_login_->role == "student" && primary_button(tr("center.run_here"), button)) {
      session_.set_device("center");
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(tr("center.log_out"), button)) {
      session_.reset();
      if (session_.device() == "center") session_.set_device("auto");
      remote_->set_login("", "");
      center_login_.reset();
      class_watch_.reset();
      remote::save_login({"", "", "", "", "student"});
      follow_class();
      center_message_.clear();
    }
    ImGui::SameLine();
  }
  if (ImGui::Button(tr("save.close"), button)) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void App::draw_classroom() {
  const Palette& p = ctx().palette;
  const Fonts& f = ctx().fonts;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // Beside the runs: where each student is, the roster, the report (view_class.cpp).
  const float side = class_side_width(avail.x);
  const float width = avail.x - em(1.0f) - (side > 0 ? side + em(1.0f) : 0.0f);
  if (!class_watch_) return;
  if (side > 0) {
    const ImVec2 at = ImGui::GetCursorPos();
    ImGui::SetCursorPos(ImVec2(at.x + width + em(1.0f), at.y));
    draw_class_side(side, avail.y - em(0.8f));
    ImGui::SetCursorPos(at);
  }
  const std::vector<app::ClassRun> runs = class_watch_->runs();
  if (center_login_) platform_.ensure_glyphs(center_login_->name);  // the class's name: any characters
  text(f.title, p.text, center_login_ ? trf("class.title", {center_login_->name}).c_str() : tr("class.title_plain"));
  int running = 0, waiting = 0, finished = 0;
  for (const auto& r : runs) {
    running += r.state == "running" ? 1 : 0;
    waiting += r.state == "queued" ? 1 : 0;
    finished += r.state == "done" || r.state == "failed" || r.state == "cancelled" ? 1 : 0;  // diverged too
  }
  text(f.body, p.muted,
       trf("class.summary",
           {std::to_string(runs.size()), std::to_string(running), std::to_string(waiting), std::to_string(finished)})
           .c_str());
  const std::string err = class_watch_->error();
  if (!err.empty()) {
    // Within the runs' column (the side panel is beside it): the words for
    // the teacher, then the machine's own for whoever fixes the network.
    platform_.ensure_glyphs(err);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    text_wrapped(f.body, p.bad, trf("class.unreachable", {center_login_ ? center_login_->url : ""}).c_str());
    text_wrapped(f.small, p.muted, err.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::Dummy(ImVec2(0, em(0.5f)));
  if (runs.empty() && err.empty()) {
    text_wrapped(f.body, p.muted, tr("class.empty"));
    return;
  }
  // Cards side by side: the student, the lesson, the state, the curves.
  const float card_w = std::max(em(20.0f), std::min(em(26.0f), width / 4.0f - em(1.0f)));
  const int per_row = std::max(1, static_cast<int>((width + em(1.0f)) / (card_w + em(1.0f))));
  ImGui::BeginChild("##cards", ImVec2(width, avail.y - ImGui::GetCursorPosY() + em(2.0f)), false);
  for (size_t i = 0; i < runs.size(); ++i) {
    const app::ClassRun& r = runs[i];
    if (i % static_cast<size_t>(per_row) != 0) ImGui::SameLine(0, em(1.0f));
    const std::string title = lesson_title_of(r.lesson);
    platform_.ensure_glyphs(r.student + title);
    begin_panel(("run" + r.id).c_str(), nullptr, ImVec2(card_w, em(17.0f)));
    text(f.heading, p.text, r.student.c_str());
    {
      // A long title gives way to the time, with "…": it never runs past the card.
      const std::string when = " · " + short_time(r.created);
      const float room =
          ImGui::GetContentRegionAvail().x - f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, when.c_str()).x;
      text(f.small, p.muted, (fit_text(title, f.small, room) + when).c_str());
    }
    const app::RunOutcome outcome = app::run_outcome(r.state, r.reason);
    nlohmann::json as_json{{"state", r.state}, {"reason", r.reason}};
    text(f.bold, state_color(r.state, r.reason), state_words(as_json).c_str());
    // A run that diverged or failed says why in the student's words (its
    // `done` event), in its state's colour.
    std::string why;
    if (outcome == app::RunOutcome::diverged || outcome == app::RunOutcome::failed) {
      why = in_lang(r.message, r.message_ko);
      if (why.empty() && outcome == app::RunOutcome::failed) why = r.reason;
    }
    if (!why.empty()) {
      platform_.ensure_glyphs(why);
      ImGui::PushTextWrapPos(0.0f);
      text_wrapped(f.small, state_color(r.state, r.reason), why.c_str());
      ImGui::PopTextWrapPos();
    }
    if (r.latest) {
      const bool cls = r.latest->test_accuracy.has_value();
      char buf[96];
      if (cls) {
        std::snprintf(buf, sizeof buf, "%s %d · %s %.1f%%", tr("controls.epoch"), r.latest->epoch, tr("class.accuracy"),
                      *r.latest->test_accuracy * 100.0);
      } else {
        std::snprintf(buf, sizeof buf, "%s %d · %s %.3f", tr("controls.epoch"), r.latest->epoch, tr("output.test_loss"),
                      r.latest->test_loss);
      }
      text(f.body, p.text, buf);
      // The curves fill what the words leave of the card.
      const float plot_h = std::max(em(4.5f), ImGui::GetContentRegionAvail().y - em(0.2f));
      line_plot(("c" + r.id).c_str(),
                {{tr("output.test_loss"), &r.history.epoch, &r.history.test_loss, p.text},
                 {tr("output.train_loss"), &r.history.epoch, &r.history.train_loss, p.muted, nullptr, true}},
                ImVec2(card_w - em(1.6f), std::min(plot_h, em(9.0f))),
                {.log_y = false, .legend = false, .whole_x = true});
    }
    end_panel();
  }
  ImGui::EndChild();
}

}  // namespace aisb::ui
