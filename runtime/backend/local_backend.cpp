#include "backend/backend.hpp"

#include "core/thread_priority.hpp"

namespace aisb {

void EventQueue::reset() {
  std::lock_guard lock(mutex_);
  queue_.clear();
  running_ = true;
  closed_ = false;
}

void EventQueue::push(Event e) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (e.type == EventType::done) running_ = false;
    queue_.push_back(std::move(e));
  }
  cv_.notify_all();
}

void EventQueue::end() {
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  cv_.notify_all();
}

void EventQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  running_ = false;
  queue_.clear();
}

size_t EventQueue::poll(std::vector<Event>& out) {
  std::lock_guard lock(mutex_);
  const size_t n = queue_.size();
  for (auto& e : queue_) out.push_back(std::move(e));
  queue_.clear();
  return n;
}

bool EventQueue::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return !queue_.empty(); });
}

bool EventQueue::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

LocalBackend::~LocalBackend() {
  stop();
}

void LocalBackend::stop() {
  if (control_) control_->cancel();
  if (thread_.joinable()) thread_.join();
}

void LocalBackend::start(const JobSpec& job, const TrainOptions& options, bool start_paused) {
  stop();
  events_.reset();
  control_ = std::make_unique<RunControl>(start_paused);
  control_->set_pace(pace_);
  thread_ = std::thread([this, job, options, control = control_.get(), yield = yield_] {
    if (yield) lower_this_threads_priority();
    const EventSink sink = [this](Event&& e) { events_.push(std::move(e)); };
    train(job, options, *control, sink);
  });
}

void LocalBackend::pause() {
  if (control_) control_->pause();
}

void LocalBackend::resume() {
  if (control_) control_->resume();
}

void LocalBackend::step() {
  if (control_) control_->step();
}

void LocalBackend::cancel() {
  if (control_) control_->cancel();
}

void LocalBackend::probe(int64_t /*sample*/) {
  if (control_) control_->refresh();
}

void LocalBackend::set_pace(double steps_per_second) {
  pace_ = steps_per_second;
  if (control_) control_->set_pace(steps_per_second);
}

size_t LocalBackend::poll(std::vector<Event>& out) {
  return events_.poll(out);
}

bool LocalBackend::wait(std::chrono::milliseconds timeout) {
  return events_.wait(timeout);
}

bool LocalBackend::running() const {
  return events_.running();
}

}  // namespace aisb
