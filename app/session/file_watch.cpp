#include "session/file_watch.hpp"

namespace fs = std::filesystem;

namespace aisb::app {

FileWatch::FileWatch(std::function<void()> on_change, std::chrono::milliseconds period)
    : on_change_(std::move(on_change)), period_(period), thread_([this] { loop(); }) {}

FileWatch::~FileWatch() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

FileWatch::Stamp FileWatch::stamp_of(const fs::path& file) {
  Stamp s;
  std::error_code ec;
  s.time = fs::last_write_time(file, ec);
  if (ec) return s;
  s.size = fs::file_size(file, ec);
  s.exists = !ec;
  return s;
}

void FileWatch::watch(const fs::path& file) {
  std::lock_guard lock(mutex_);
  file_ = file;
  last_ = file.empty() ? Stamp{} : stamp_of(file);
  changed_ = false;
}

void FileWatch::rebase() {
  std::lock_guard lock(mutex_);
  if (!file_.empty()) last_ = stamp_of(file_);
  changed_ = false;
}

bool FileWatch::take_changed() {
  std::lock_guard lock(mutex_);
  const bool c = changed_;
  changed_ = false;
  return c;
}

void FileWatch::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    cv_.wait_for(lock, period_, [&] { return stop_; });
    if (stop_ || file_.empty()) continue;
    const fs::path file = file_;
    lock.unlock();
    const Stamp now = stamp_of(file);
    lock.lock();
    if (file != file_ || now == last_) continue;
    last_ = now;
    changed_ = true;
    if (on_change_) {
      lock.unlock();
      on_change_();
      lock.lock();
    }
  }
}

}  // namespace aisb::app
