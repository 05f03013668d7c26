#include "session/class_watch.hpp"

#include <fstream>
#include <iterator>

#include <chrono>

#include "backend/center_client.hpp"
#include "lesson/lesson.hpp"

namespace aisb::app {

ClassWatch::ClassWatch(std::string url, std::string token, std::function<void()> wake, net::ClientOptions options,
                       int limit, std::string class_id)
    : url_(std::move(url)),
      token_(std::move(token)),
      wake_(std::move(wake)),
      options_(std::move(options)),
      limit_(limit),
      class_id_(std::move(class_id)) {
  lister_ = std::thread([this] { list_loop(); });
  actor_ = std::thread([this] { act_loop(); });
}

ClassWatch::~ClassWatch() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  act_cv_.notify_all();
  if (lister_.joinable()) lister_.join();
  if (actor_.joinable()) actor_.join();
  for (auto& t : followers_) {
    if (t.joinable()) t.join();
  }
}

void ClassWatch::changed() {
  if (wake_) wake_();
}

std::vector<ClassRun> ClassWatch::runs() const {
  std::lock_guard lock(mutex_);
  std::vector<ClassRun> out;
  for (const auto& id : order_) out.push_back(runs_.at(id));
  return out;
}

std::string ClassWatch::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

nlohmann::json ClassWatch::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

nlohmann::json ClassWatch::roster() const {
  std::lock_guard lock(mutex_);
  return roster_;
}

std::string ClassWatch::progress_error() const {
  std::lock_guard lock(mutex_);
  return progress_error_;
}

std::string ClassWatch::class_id() const {
  std::lock_guard lock(mutex_);
  return class_id_;
}

std::string ClassWatch::class_name() const {
  std::lock_guard lock(mutex_);
  return class_name_;
}

std::string ClassWatch::class_code() const {
  std::lock_guard lock(mutex_);
  return class_code_;
}

ClassWatch::Action ClassWatch::last_action() const {
  std::lock_guard lock(mutex_);
  return last_action_;
}

bool ClassWatch::acting() const {
  std::lock_guard lock(mutex_);
  return acting_ || !actions_.empty();
}

std::vector<StudentCode> ClassWatch::fresh_codes() const {
  std::lock_guard lock(mutex_);
  return fresh_codes_;
}

namespace {

// A failure in the center's own words (the view adds its sentence).
void fail(ClassWatch::Action& a) {
  try {
    throw;
  } catch (const remote::Refused& e) {
    a.status = e.status;
    a.error = e.field.empty() ? e.what() : e.field + ": " + e.what();
    if (!e.message_ko.empty()) a.error_ko = e.field.empty() ? e.message_ko : e.field + ": " + e.message_ko;
  } catch (const std::exception& e) {
    a.error = e.what();
  }
}

std::vector<StudentCode> codes_of(const nlohmann::json& list) {
  std::vector<StudentCode> out;
  if (!list.is_array()) return out;
  for (const auto& s : list) {
    if (s.is_object() && s.contains("name") && s["name"].is_string() && s.contains("code") && s["code"].is_string()) {
      out.push_back({s["name"].get<std::string>(), s["code"].get<std::string>()});
    }
  }
  return out;
}

}  // namespace

void ClassWatch::add_students(std::vector<std::string> names) {
  {
    std::lock_guard lock(mutex_);
    actions_.push_back([this, names = std::move(names)](remote::CenterClient& client) {
      Action a;
      a.kind = Action::Kind::add;
      a.codes = codes_of(client.roster_add(class_id(), names).value("students", nlohmann::json::array()));
      a.ok = true;
      return a;
    });
  }
  act_cv_.notify_all();
}

void ClassWatch::reset_code(std::string name) {
  {
    std::lock_guard lock(mutex_);
    actions_.push_back([this, name = std::move(name)](remote::CenterClient& client) {
      Action a;
      a.kind = Action::Kind::reset;
      const nlohmann::json j = client.roster_reset(class_id(), name);
      a.codes = codes_of(nlohmann::json::array({j}));
      a.ok = true;
      return a;
    });
  }
  act_cv_.notify_all();
}

void ClassWatch::save_report(std::filesystem::path file, std::string lang) {
  {
    std::lock_guard lock(mutex_);
    actions_.push_back([this, file = std::move(file), lang = std::move(lang)](remote::CenterClient& client) {
      Action a;
      a.kind = Action::Kind::report;
      a.file = file;
      std::string why;
      a.ok = save_text_file(file, client.class_report(class_id(), lang), &why);
      a.error = why;
      return a;
    });
  }
  act_cv_.notify_all();
}

void ClassWatch::publish(std::vector<std::filesystem::path> files) {
  {
    std::lock_guard lock(mutex_);
    actions_.push_back([this, files = std::move(files)](remote::CenterClient& client) {
      Action a;
      a.kind = Action::Kind::publish;
      std::vector<std::pair<std::string, std::string>> lessons;  // id, text
      for (const auto& f : files) {
        const LessonResult r = load_lesson(f);
        if (!r.ok()) {
          const std::string all = format_diagnostics(r, f.filename().string());
          a.error = all.substr(0, all.find('\n'));
          a.status = 422;  // refused here, before the center would
          return a;
        }
        std::ifstream in(f, std::ios::binary);
        lessons.emplace_back(r.lesson.id, std::string(std::istreambuf_iterator<char>(in), {}));
      }
      for (const auto& [id, text] : lessons) {
        client.publish(class_id(), id, text);
        ++a.published;
      }
      a.ok = true;
      return a;
    });
  }
  act_cv_.notify_all();
}

void ClassWatch::unpublish(std::string lesson_id) {
  {
    std::lock_guard lock(mutex_);
    actions_.push_back([this, id = std::move(lesson_id)](remote::CenterClient& client) {
      Action a;
      a.kind = Action::Kind::unpublish;
      client.unpublish(class_id(), id);
      a.ok = true;
      return a;
    });
  }
  act_cv_.notify_all();
}

nlohmann::json ClassWatch::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

void ClassWatch::act_loop() {
  remote::CenterClient client(url_, token_, options_);
  std::unique_lock lock(mutex_);
  while (true) {
    act_cv_.wait(lock, [&] { return stop_ || !actions_.empty(); });
    if (stop_) return;
    auto work = std::move(actions_.front());
    actions_.pop_front();
    acting_ = true;
    const bool known = !class_id_.empty();
    lock.unlock();
    Action a;
    try {
      if (!known) {
        const nlohmann::json me = client.me();
        std::lock_guard l(mutex_);
        class_id_ = me.value("class", "");
      }
      a = work(client);
    } catch (...) {
      fail(a);
    }
    if (a.ok && a.kind != Action::Kind::report) {
      try {
        fetch_class_state(client);  // the roster with the new names at once
      } catch (const std::exception&) {
      }
    }
    lock.lock();
    acting_ = false;
    a.id = last_action_.id + 1;
    for (const StudentCode& c : a.codes) {
      std::erase_if(fresh_codes_, [&](const StudentCode& o) { return o.name == c.name; });
      fresh_codes_.push_back(c);
    }
    last_action_ = std::move(a);
    changed();
  }
}

// Not under the lock; takes it to store.
void ClassWatch::fetch_class_state(remote::CenterClient& client) {
  std::string id;
  bool asked = false;
  {
    std::lock_guard lock(mutex_);
    id = class_id_;
    asked = asked_me_;
  }
  if (!asked) {
    const nlohmann::json me = client.me();
    std::lock_guard lock(mutex_);
    if (me.contains("class") && me["class"].is_string()) class_id_ = me["class"].get<std::string>();
    class_name_ = me.value("class_name", "");
    class_code_ = me.value("class_code", "");
    asked_me_ = true;
    id = class_id_;
  }
  nlohmann::json progress = client.class_progress(id);
  nlohmann::json roster = client.roster(id);
  nlohmann::json published = client.lessons(id);
  std::lock_guard lock(mutex_);
  if (progress != progress_ || roster != roster_ || published != published_ || !progress_error_.empty()) changed();
  progress_ = std::move(progress);
  roster_ = std::move(roster);
  published_ = std::move(published);
  progress_error_.clear();
}

void ClassWatch::list_loop() {
  remote::CenterClient client(url_, token_, options_);
  for (int round = 0; !stop_; ++round) {
    bool reached = true;
    try {
      const nlohmann::json list = client.jobs(limit_);
      std::vector<std::string> fresh;
      {
        std::lock_guard lock(mutex_);
        error_.clear();
        order_.clear();
        for (const auto& j : list.at("jobs")) {
          const std::string id = j.value("id", "");
          auto [it, added] = runs_.try_emplace(id);
          ClassRun& r = it->second;
          r.id = id;
          r.student = j.value("owner_name", "");
          r.lesson = j.value("lesson", "");
          r.created = j.value("created", "");
          r.reason = j.value("reason", "");
          if (r.state != j.value("state", "")) {
            r.state = j.value("state", "");
            changed();
          }
          order_.push_back(id);
          if (added) fresh.push_back(id);
        }
      }
      for (const auto& id : fresh) followers_.emplace_back([this, id] { follow(id); });
      if (!fresh.empty()) changed();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      if (error_ != e.what()) changed();
      error_ = e.what();
      reached = false;
    }
    // Where the students are: every other round (4 s).
    if (reached && round % 2 == 0) {
      try {
        fetch_class_state(client);
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        if (progress_error_ != e.what()) changed();
        progress_error_ = e.what();
      }
    }
    for (int i = 0; i < 20 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void ClassWatch::follow(std::string id) {
  remote::CenterClient client(url_, token_, options_);
  while (!stop_) {
    try {
      client.follow(
          id, 0,
          [&](const nlohmann::json& j) {
            const std::string type = j.value("type", "");
            if (type == "metrics" || type == "done") {
              Diagnostics diags;
              const Event e = event_from_json(j, diags);
              std::lock_guard lock(mutex_);
              if (!diags.has_errors()) take_event(runs_[id], e);
              changed();
            }
            return !stop_;
          },
          &stop_, 1e9, /*snapshots=*/false);
      return;
    } catch (const std::exception&) {
      for (int i = 0; i < 30 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace aisb::app
