// A teacher's live view of the class at the compute center, without UI:
// every run of the class (newest first) with its curves, each followed on
// its own stream as it happens; where each student is in the lessons
// (class_progress) and the roster, fetched again every few seconds; and the
// teacher's actions on the roster (names added, a code reset) and the
// report, run on a thread of their own. The class view draws from these.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
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
#include "session/class_codes.hpp"
#include "session/session.hpp"

namespace aisb::remote {
class CenterClient;
}

namespace aisb::app {

struct ClassRun {
  std::string id, student, lesson, state, created, reason;
  History history;
  std::optional<Metrics> latest;
  // From the run's `done` event: the words for the student (why a run
  // diverged or failed), in English and Korean.
  std::string message, message_ko;
};

// How a run ended, as the views show it. The center keeps a run that
// diverged as state "done" with reason "diverged" (docs/api.md), and a
// `done` event says "diverged" in its reason: a diverged run is not a
// finished one, it has its own word and colour.
enum class RunOutcome { queued, running, completed, diverged, failed, cancelled };
inline RunOutcome run_outcome(const std::string& state, const std::string& reason) {
  if (state == "running") return RunOutcome::running;
  if (state == "failed") return RunOutcome::failed;
  if (state == "cancelled") return RunOutcome::cancelled;
  if (state == "done") return reason == "diverged" ? RunOutcome::diverged : RunOutcome::completed;
  return RunOutcome::queued;
}

// One event of a run's stream into its card: metrics grow the curves; the
// `done` event brings how it ended and the words for the student.
inline void take_event(ClassRun& run, const Event& e) {
  if (e.type == EventType::metrics) {
    run.history.add(e.metrics);
    run.latest = e.metrics;
  } else if (e.type == EventType::done) {
    if (e.reason == "diverged" || e.reason == "completed") {
      run.state = "done";
      run.reason = e.reason;
    }
    run.message = e.message;
    run.message_ko = e.message_ko;
  }
}

class ClassWatch {
 public:
  // `wake` is called (from a worker thread) whenever something new came.
  // `class_id` empty: asked of the center (/me).
  ClassWatch(std::string url, std::string token, std::function<void()> wake = {}, net::ClientOptions options = {},
             int limit = 60, std::string class_id = "");
  ~ClassWatch();
  ClassWatch(const ClassWatch&) = delete;
  ClassWatch& operator=(const ClassWatch&) = delete;

  [[nodiscard]] std::vector<ClassRun> runs() const;
  [[nodiscard]] std::string error() const;

  // The center's answers as they came (null before the first): the class's
  // progress ({"lessons", "students", "hardest_quiz"}) and its roster
  // ({"roster_only", "students"}); docs/api.md has their fields.
  [[nodiscard]] nlohmann::json progress() const;
  [[nodiscard]] nlohmann::json roster() const;
  // Why the last progress or roster request failed ("" when it did not).
  [[nodiscard]] std::string progress_error() const;
  // The class, from /me: its id and name, and its code where the center
  // says it ("" where not).
  [[nodiscard]] std::string class_id() const;
  [[nodiscard]] std::string class_name() const;
  [[nodiscard]] std::string class_code() const;

  // The teacher's actions, one after another on a thread of their own;
  // how the last ended is in last_action().
  void add_students(std::vector<std::string> names);
  void reset_code(std::string name);
  // Fetches the report (CSV) and writes it to `file`.
  void save_report(std::filesystem::path file, std::string lang = "ko");
  // Publishes lesson files to the class, in order: each goes through the
  // lesson loader (the one validator) first, and none is sent when one has
  // a problem (the first is the action's error).
  void publish(std::vector<std::filesystem::path> files);
  // Takes a lesson out of the class's course.
  void unpublish(std::string lesson_id);
  // The lessons published to the class ({"lessons": [...]}, docs/api.md),
  // null before the first answer.
  [[nodiscard]] nlohmann::json published() const;
  struct Action {
    enum class Kind { none, add, reset, report, publish, unpublish } kind = Kind::none;
    uint64_t id = 0;  // grows with each action that ended
    bool ok = false;
    std::string error;               // what went wrong, for the teacher (the center's words)
    std::string error_ko;            // ... in Korean, where the center said it so
    int status = 0;                  // the center's refusal (0: not reachable, or not a refusal)
    std::vector<StudentCode> codes;  // add, reset: the names and their new codes
    std::filesystem::path file;      // report: where it was written
    int published = 0;               // publish: how many lessons went
  };
  [[nodiscard]] Action last_action() const;
  [[nodiscard]] bool acting() const;  // an action waits or runs
  // Every code the center gave in this view (names added, codes reset), in
  // the order given; a name given a new code shows only the new one. The
  // center shows a code only once: this is what the teacher can print.
  [[nodiscard]] std::vector<StudentCode> fresh_codes() const;

 private:
  void list_loop();
  void follow(std::string id);
  void changed();  // wakes the UI: something new came
  void act_loop();
  void fetch_class_state(remote::CenterClient& client);  // progress and roster

  std::string url_, token_;
  std::function<void()> wake_;
  net::ClientOptions options_;
  int limit_;
  mutable std::mutex mutex_;
  std::vector<std::string> order_;  // newest first
  std::map<std::string, ClassRun> runs_;
  std::string error_;
  std::string class_id_, class_name_, class_code_;
  bool asked_me_ = false;  // /me answered
  nlohmann::json progress_, roster_, published_;
  std::string progress_error_;
  std::deque<std::function<Action(remote::CenterClient&)>> actions_;
  bool acting_ = false;
  Action last_action_;
  std::vector<StudentCode> fresh_codes_;
  std::condition_variable act_cv_;
  std::atomic<bool> stop_{false};
  std::thread lister_, actor_;
  std::vector<std::thread> followers_;
};

}  // namespace aisb::app
