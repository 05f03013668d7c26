// A teacher's live view of the class at the compute center, without UI:
// every run of the class (newest first) with its curves, each followed on
// its own stream as it happens. The class view draws from runs().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/http.hpp"
#include "session/session.hpp"

namespace aisb::app {

struct ClassRun {
  std::string id, student, lesson, state, created, reason;
  History history;
  std::optional<Metrics> latest;
};

class ClassWatch {
 public:
  // `wake` is called (from a worker thread) whenever something new came.
  ClassWatch(std::string url, std::string token, std::function<void()> wake = {}, net::ClientOptions options = {},
             int limit = 60);
  ~ClassWatch();
  ClassWatch(const ClassWatch&) = delete;
  ClassWatch& operator=(const ClassWatch&) = delete;

  [[nodiscard]] std::vector<ClassRun> runs() const;
  [[nodiscard]] std::string error() const;

 private:
  void list_loop();
  void follow(std::string id);
  void changed();  // wakes the UI: something new came

  std::string url_, token_;
  std::function<void()> wake_;
  net::ClientOptions options_;
  int limit_;
  mutable std::mutex mutex_;
  std::vector<std::string> order_;          // newest first
  std::map<std::string, ClassRun> runs_;
  std::string error_;
  std::atomic<bool> stop_{false};
  std::thread lister_;
  std::vector<std::thread> followers_;
};

}  // namespace aisb::app
