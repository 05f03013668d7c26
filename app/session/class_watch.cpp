#include "session/class_watch.hpp"

#include <chrono>

#include "backend/center_client.hpp"

namespace aisb::app {

ClassWatch::ClassWatch(std::string url, std::string token, std::function<void()> wake, net::ClientOptions options,
                       int limit)
    : url_(std::move(url)), token_(std::move(token)), wake_(std::move(wake)), options_(std::move(options)), limit_(limit) {
  lister_ = std::thread([this] { list_loop(); });
}

ClassWatch::~ClassWatch() {
  stop_ = true;
  if (lister_.joinable()) lister_.join();
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

void ClassWatch::list_loop() {
  remote::CenterClient client(url_, token_, options_);
  while (!stop_) {
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
              ClassRun& r = runs_[id];
              if (type == "metrics" && !diags.has_errors()) {
                r.history.add(e.metrics);
                r.latest = e.metrics;
              }
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
