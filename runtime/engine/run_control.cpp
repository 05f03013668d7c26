#include <chrono>

#include "engine/engine.hpp"

namespace aisb {

void RunControl::pause() {
  std::lock_guard lock(mutex_);
  pending_steps_ = 0;
  paused_ = true;
}

void RunControl::resume() {
  {
    std::lock_guard lock(mutex_);
    pending_steps_ = 0;
    paused_ = false;
  }
  cv_.notify_all();
}

void RunControl::step(int count) {
  {
    std::lock_guard lock(mutex_);
    paused_ = true;
    pending_steps_ += count;
  }
  cv_.notify_all();
}

void RunControl::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  cv_.notify_all();
}

void RunControl::refresh() {
  {
    std::lock_guard lock(mutex_);
    refresh_ = true;
  }
  cv_.notify_all();
}

void RunControl::set_pace(double steps_per_second) {
  pace_ = steps_per_second > 0 ? steps_per_second : 0.0;
  cv_.notify_all();
}

bool RunControl::wait_turn(const std::function<void()>& on_block) {
  const double pace = pace_.load(std::memory_order_relaxed);
  if (pace > 0) {
    using Clock = std::chrono::steady_clock;
    const auto now = Clock::now();
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / pace));
    // Behind by more than a moment (the start, a pause, a slow step): begin
    // again from now rather than rushing to catch up.
    if (next_due_ + std::chrono::milliseconds(100) < now) next_due_ = now;
    // Sleep only when ahead by a few milliseconds, so a fast pace costs few
    // wake-ups; waiting on the condition lets pause, cancel and a new pace in.
    if (next_due_ - now > std::chrono::milliseconds(2)) {
      std::unique_lock lock(mutex_);
      const auto due = next_due_;
      cv_.wait_until(lock, due, [&] { return cancelled_ || paused_ || pace_.load() != pace; });
      blocked_seconds_ += std::chrono::duration<double>(Clock::now() - now).count();
    }
    next_due_ += interval;
  }
  if (!paused_.load(std::memory_order_relaxed) && !cancelled_.load(std::memory_order_relaxed)) return true;
  std::unique_lock lock(mutex_);
  if (cancelled_) return false;
  if (!paused_) return true;
  if (pending_steps_ > 0) {
    --pending_steps_;
    return true;
  }
  const auto start = std::chrono::steady_clock::now();
  // on_block again for every refresh() while paused (a new sample to probe).
  refresh_ = true;
  while (true) {
    if (refresh_ && on_block) {
      refresh_ = false;
      lock.unlock();
      on_block();
      lock.lock();
    }
    refresh_ = false;
    cv_.wait(lock, [&] { return cancelled_ || !paused_ || pending_steps_ > 0 || refresh_; });
    if (!refresh_ || cancelled_ || !paused_ || pending_steps_ > 0) break;
  }
  blocked_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (cancelled_) return false;
  if (paused_) --pending_steps_;
  return true;
}

}  // namespace aisb
