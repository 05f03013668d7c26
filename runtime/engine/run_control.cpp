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

bool RunControl::wait_turn(const std::function<void()>& on_block) {
  if (!paused_.load(std::memory_order_relaxed) && !cancelled_.load(std::memory_order_relaxed)) return true;
  std::unique_lock lock(mutex_);
  if (cancelled_) return false;
  if (!paused_) return true;
  if (pending_steps_ > 0) {
    --pending_steps_;
    return true;
  }
  if (on_block) {
    lock.unlock();
    on_block();
    lock.lock();
  }
  const auto start = std::chrono::steady_clock::now();
  cv_.wait(lock, [&] { return cancelled_ || !paused_ || pending_steps_ > 0; });
  blocked_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (cancelled_) return false;
  if (paused_) --pending_steps_;
  return true;
}

}  // namespace aisb
