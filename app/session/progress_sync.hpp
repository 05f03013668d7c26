// A student's progress, sent to the compute center while they are logged
// in, so the teacher's class view shows where everyone is. Never required:
// the record on this computer (ProgressStore) stays the student's own, and
// the center only gets a copy. Sending runs on a thread of its own: the
// newest state of a lesson replaces one that waits (latest wins), a few
// quick changes go as one request, and a failure is retried later, quietly
// (the UI never hears of it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "lesson/lesson.hpp"
#include "net/http.hpp"
#include "session/progress.hpp"

namespace aisb::app {

// The body of PUT /api/v1/progress/LESSON for the record `p` of `lesson`
// (docs/api.md): {"step", "steps", "reached", "goals_met",
// "quiz": [{"step", "answer", "correct", "tries"}], "finished"}. `reached`
// is the furthest step the record shows; `tries` (by step) how many
// answers the student gave to that quiz, 1 where unknown. Only steps that
// exist, and quiz answers of steps that have a quiz, are included.
nlohmann::json progress_json(const Lesson& lesson, const LessonProgress& p, const std::map<int, int>& tries = {});

class ProgressSync {
 public:
  // `delay`: how long a change waits for the next one before it goes.
  explicit ProgressSync(net::ClientOptions options = {},
                        std::chrono::milliseconds delay = std::chrono::milliseconds(600));
  // Sends what waits first (for at most 1.5 s), unless the center was
  // not reachable at the last try.
  ~ProgressSync();
  ProgressSync(const ProgressSync&) = delete;
  ProgressSync& operator=(const ProgressSync&) = delete;

  // The student's login; an empty URL or token sends nothing (and drops
  // what waits: it was another student's, or no one's).
  void set_login(const std::string& url, const std::string& token);
  // At every change of the student's record of `lesson`. Counts the
  // student's tries at each quiz (a new answer is a new try).
  void update(const Lesson& lesson, const LessonProgress& p);

  // Tests: waits until nothing waits to be sent; false on timeout.
  bool flush(std::chrono::milliseconds timeout);
  [[nodiscard]] uint64_t sent() const;  // requests the center took
  [[nodiscard]] size_t waiting() const;

 private:
  void run();

  net::ClientOptions options_;
  std::chrono::milliseconds delay_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::string url_, token_;
  uint64_t login_generation_ = 0;
  struct Pending {
    nlohmann::json body;
    uint64_t version = 0;  // grows with each update of this lesson
    std::chrono::steady_clock::time_point due;
  };
  std::map<std::string, Pending> pending_;  // by lesson id
  // Per lesson and quiz step: the last answer seen and the tries so far.
  std::map<std::string, std::map<int, std::pair<int, int>>> tries_;
  uint64_t versions_ = 0, sent_ = 0;
  bool in_flight_ = false, stop_ = false;
  std::chrono::milliseconds backoff_{0};
  std::thread worker_;
};

}  // namespace aisb::app
