// Notices when a file changes on disk (a teacher saves the lesson in another
// editor): a thread looks at its modification time and size four times a
// second and, when they change, marks it and calls `on_change` (which wakes
// the UI). No UI; inotify would be faster but this also works on network
// folders, and a quarter second is well within "reloads within a second".
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

namespace aisb::app {

class FileWatch {
 public:
  explicit FileWatch(std::function<void()> on_change = {}, std::chrono::milliseconds period = std::chrono::milliseconds(250));
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Starts watching `file` (an empty path stops); its current state is the
  // baseline, so only later changes count.
  void watch(const std::filesystem::path& file);
  // True once after each change seen since the last call.
  bool take_changed();
  // After we write the file ourselves: the new state is the baseline.
  void rebase();

 private:
  struct Stamp {
    std::filesystem::file_time_type time{};
    std::uintmax_t size = 0;
    bool exists = false;
    bool operator==(const Stamp&) const = default;
  };
  static Stamp stamp_of(const std::filesystem::path& file);
  void loop();

  std::function<void()> on_change_;
  std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::filesystem::path file_;
  Stamp last_;
  bool changed_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace aisb::app
