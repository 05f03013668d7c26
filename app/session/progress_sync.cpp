#include "session/progress_sync.hpp"

#include <algorithm>
#include <set>

#include "backend/center_client.hpp"

using nlohmann::json;

namespace aisb::app {

json progress_json(const Lesson& lesson, const LessonProgress& p, const std::map<int, int>& tries) {
  const int steps = static_cast<int>(lesson.steps.size());
  const auto in_range = [&](int s) { return s >= 0 && s < steps; };
  const int step = std::clamp(p.step, 0, std::max(0, steps - 1));
  // The furthest step the record shows: where the student is, or a step
  // they did (a goal reached, a quiz answered) further on.
  int reached = step;
  for (const int s : p.reached)
    if (in_range(s)) reached = std::max(reached, s);
  for (const int s : p.goals)
    if (in_range(s)) reached = std::max(reached, s);
  for (const auto& [s, choice] : p.answers)
    if (in_range(s)) reached = std::max(reached, s);
  // Goals: those recorded as goals, and (records from before goals were
  // kept apart) a marked step that has a goal and no quiz.
  std::set<int> goals;
  for (const int s : p.goals)
    if (in_range(s) && lesson.steps[static_cast<size_t>(s)].goal) goals.insert(s);
  for (const int s : p.reached) {
    if (!in_range(s)) continue;
    const Step& st = lesson.steps[static_cast<size_t>(s)];
    if (st.goal && !st.quiz) goals.insert(s);
  }
  json quiz = json::array();
  for (const auto& [s, choice] : p.answers) {
    if (!in_range(s) || !lesson.steps[static_cast<size_t>(s)].quiz || choice < 0 || choice > 99) continue;
    const auto t = tries.find(s);
    quiz.push_back({{"step", s},
                    {"answer", choice},
                    {"correct", choice == lesson.steps[static_cast<size_t>(s)].quiz->answer},
                    {"tries", t == tries.end() ? 1 : std::clamp(t->second, 1, 1000)}});
  }
  return {{"step", step}, {"steps", std::max(1, steps)}, {"reached", reached}, {"goals_met", goals},
          {"quiz", quiz}, {"finished", p.completed}};
}

ProgressSync::ProgressSync(net::ClientOptions options, std::chrono::milliseconds delay)
    : options_(std::move(options)), delay_(delay) {
  worker_ = std::thread([this] { run(); });
}

ProgressSync::~ProgressSync() {
  {
    // What waits goes now (the app is closing), unless the center was away
    // at the last try: then closing does not wait for it.
    std::unique_lock lock(mutex_);
    if (backoff_.count() == 0 && !url_.empty()) {
      for (auto& [id, w] : pending_) w.due = std::chrono::steady_clock::now();
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::milliseconds(1500), [&] { return pending_.empty() && !in_flight_; });
    }
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ProgressSync::set_login(const std::string& url, const std::string& token) {
  {
    std::lock_guard lock(mutex_);
    if (url == url_ && token == token_) return;
    url_ = url;
    token_ = token;
    ++login_generation_;
    pending_.clear();
    tries_.clear();
    backoff_ = std::chrono::milliseconds(0);
  }
  cv_.notify_all();
}

void ProgressSync::update(const Lesson& lesson, const LessonProgress& p) {
  if (lesson.id.empty() || lesson.steps.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (url_.empty() || token_.empty()) return;
    auto& seen = tries_[lesson.id];
    std::map<int, int> tries;
    for (const auto& [step, choice] : p.answers) {
      auto it = seen.find(step);
      if (it == seen.end()) {
        it = seen.emplace(step, std::pair(choice, 1)).first;
      } else if (it->second.first != choice) {
        it->second = {choice, it->second.second + 1};
      }
      tries[step] = it->second.second;
    }
    Pending& w = pending_[lesson.id];
    w.body = progress_json(lesson, p, tries);
    w.version = ++versions_;
    // A change waits a moment for the next (a student clicking through
    // steps); one that waits longer because the center was away keeps its
    // later time.
    w.due = std::max(w.due, std::chrono::steady_clock::now() + delay_);
  }
  cv_.notify_all();
}

bool ProgressSync::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return pending_.empty() && !in_flight_; });
}

uint64_t ProgressSync::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}

size_t ProgressSync::waiting() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void ProgressSync::run() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (pending_.empty() || url_.empty()) {
      cv_.wait(lock, [&] { return stop_ || (!pending_.empty() && !url_.empty()); });
      continue;
    }
    auto next = pending_.begin();
    for (auto it = pending_.begin(); it != pending_.end(); ++it)
      if (it->second.due < next->second.due) next = it;
    if (Clock::now() < next->second.due) {
      cv_.wait_until(lock, next->second.due);  // or an update, a new login, the end
      continue;
    }
    const std::string lesson = next->first, url = url_, token = token_;
    const json body = next->second.body;
    const uint64_t version = next->second.version, generation = login_generation_;
    in_flight_ = true;
    lock.unlock();
    bool done = false, ok = false;
    try {
      remote::CenterClient(url, token, options_).put_progress(lesson, body);
      done = ok = true;
    } catch (const remote::Refused& e) {
      // A refusal that another try would not change (a token the center
      // ended, a record it will not take) ends this one; a busy center
      // (429) or a failing one (5xx) is tried again.
      done = e.status != 429 && e.status < 500;
    } catch (const std::exception&) {
      // Not reachable (or not answering sense): later.
    }
    lock.lock();
    in_flight_ = false;
    if (generation == login_generation_) {
      const auto it = pending_.find(lesson);
      if (done) {
        if (ok) ++sent_;
        backoff_ = std::chrono::milliseconds(0);
        if (it != pending_.end() && it->second.version == version) pending_.erase(it);
      } else {
        backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(2000), std::chrono::milliseconds(60000));
        // The others would meet the same center: they wait as long.
        const auto later = Clock::now() + backoff_;
        for (auto& [id, w] : pending_) w.due = std::max(w.due, later);
      }
    }
    cv_.notify_all();
  }
}

}  // namespace aisb::app
