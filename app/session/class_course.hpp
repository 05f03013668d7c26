// The "Class" course: the lessons a teacher published to the class at the
// compute center, as a student's (or the teacher's) lesson browser offers
// them. Read by the browser, written from the center by a thread of its
// own; no UI, so the tests drive it against a real center.
//
// The center is the source of truth and this computer keeps a copy, one
// folder per class: $XDG_CACHE_HOME/aisandbox/class/<class id>/ (default
// ~/.cache/...) with each lesson as <id>.toml and index.json (the teacher's
// order and the sha256 the center gave each file). A sync lists the class's
// lessons, fetches again only those whose sha256 changed, and removes the
// ones the teacher took back, so the course works offline once fetched.
// Nothing from the center is trusted: ids are checked before they name a
// file, and every cached file is read through the lesson loader (the one
// validator) before the browser shows it; a broken one shows its problem.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend/center_client.hpp"
#include "session/library.hpp"

namespace aisb::app {

// $XDG_CACHE_HOME/aisandbox/class (default ~/.cache/aisandbox/class).
std::filesystem::path class_cache_root();

// What one sync changed in the cache.
struct ClassSyncReport {
  int added = 0, updated = 0, removed = 0, unchanged = 0;
  [[nodiscard]] bool changed() const { return added + updated + removed > 0; }
};

// One sync of the class's published lessons into `dir` (that class's own
// folder). Throws what the client throws (net::Unreachable,
// remote::Refused); each file is replaced atomically, so a sync cut short
// leaves a cache that the next one completes.
ClassSyncReport sync_class_lessons(remote::CenterClient& client, const std::string& class_id,
                                   const std::filesystem::path& dir);

// The cached lessons in `dir`, in the teacher's order, each read with the
// lesson loader (load_library_lesson). Empty when nothing was fetched yet.
std::vector<LibraryLesson> load_class_lessons(const std::filesystem::path& dir);

// True for what may name a class's folder or a lesson's file: letters,
// digits, '-' and '_', at most 64 of them.
bool safe_file_name(const std::string& s);

// Follows a login's class in the background: shows the cache at once, then
// syncs now, every `every`, and soon after refresh(). The UI takes what is
// new once per frame without waiting (take()).
class ClassCourse {
 public:
  struct View {
    uint64_t version = 0;  // grows with every change of what follows
    std::string class_id;
    std::vector<LibraryLesson> lessons;  // in the teacher's order
    bool synced = false;                 // a sync with the center succeeded for this login
    std::string error;                   // the last sync's failure (offline: the cache is shown)
    int refused = 0;                     // the center's status when it refused (401: log in again), else 0
  };

  explicit ClassCourse(std::filesystem::path root = class_cache_root(), std::function<void()> wake = {},
                       net::ClientOptions options = {}, std::chrono::milliseconds every = std::chrono::seconds(30));
  ~ClassCourse();
  ClassCourse(const ClassCourse&) = delete;
  ClassCourse& operator=(const ClassCourse&) = delete;

  // Follows this login's class (the class id, when the login lacks it, is
  // asked of the center); a login without a URL or token stops following
  // and empties the view (the cache stays on disk).
  void follow(const remote::CenterLogin& login);
  // Syncs again soon (at most every few seconds): the browser was opened.
  void refresh();

  // What is new since `seen` (a View's version), or nothing when nothing is,
  // or when the worker holds the lock right now (the next frame takes it).
  [[nodiscard]] std::optional<View> take(uint64_t seen) const;
  // The current view, waiting for the lock (tests).
  [[nodiscard]] View view() const;
  // Tests: waits until `n` syncs (successful or not) have ended since this
  // object was made; false on timeout.
  bool wait_syncs(int n, std::chrono::milliseconds timeout) const;
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  void run();
  void publish(const std::string& class_id, std::vector<LibraryLesson> lessons, std::optional<bool> synced,
               const std::string& error, int refused = 0);

  std::filesystem::path root_;
  std::function<void()> wake_;
  net::ClientOptions options_;
  std::chrono::milliseconds every_;

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  remote::CenterLogin login_;  // what to follow
  uint64_t generation_ = 0;    // grows with each follow()
  bool poke_ = false, stop_ = false;
  std::chrono::steady_clock::time_point last_sync_{};
  int syncs_ = 0;
  View view_;
  std::thread worker_;
};

}  // namespace aisb::app
