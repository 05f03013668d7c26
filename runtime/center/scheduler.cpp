// The scheduler: hands queued jobs to the executor fairly and ends jobs
// from their logs.
#include <algorithm>
#include <map>
#include <tuple>

#include "center/gateway.hpp"
#include "center/gateway_util.hpp"
#include "core/event.hpp"
#include "core/event_log.hpp"

namespace fs = std::filesystem;

namespace aisb::center {

using namespace detail;

namespace {

std::string state_of_reason(const std::string& reason) {
  if (reason == "cancelled") return "cancelled";
  if (reason == "failed") return "failed";
  return "done";  // completed, diverged: the run ended as runs do
}

}  // namespace

void Gateway::schedule_loop() {
  while (!stopping_) {
    try {
      schedule_once();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "aisandbox-center: scheduler: %s\n", e.what());
    }
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return wake_flag_; });
    wake_flag_ = false;
  }
}

void Gateway::schedule_once() {
  const std::lock_guard lock(jobs_mutex_);
  // 1. What the executor has: ended, started, still waiting.
  std::map<std::string, int> running_of;
  int in_flight = 0;
  std::vector<JobRecord> waiting;
  std::vector<JobRecord> all = store_.jobs_in_state("running");
  for (JobRecord& q : store_.jobs_in_state("queued")) {
    if (q.executor_id.empty()) {
      waiting.push_back(std::move(q));
    } else {
      all.push_back(std::move(q));  // handed over, waiting in Slurm's queue
    }
  }
  for (JobRecord& j : all) {
    Progress p;
    if (const auto ended = executor_->check(j, &p)) {
      if (!p.node.empty()) j.node = p.node;
      if (j.started == 0) j.started = now_ms();  // it ran between two looks
      finish(j, ended->why, ended->final);
      continue;
    }
    if (p.running && (j.state != "running" || (!p.node.empty() && p.node != j.node))) {
      j.state = "running";
      if (j.started == 0) j.started = now_ms();
      if (!p.node.empty()) j.node = p.node;
      store_.update_job(j);
    }
    ++running_of[j.owner];
    ++in_flight;
  }
  // 2. Hand over queued jobs, fairly: the student with the fewest jobs in
  // flight first, then the one who waited longest since their last start,
  // then the oldest job.
  const int max_per_student = config_.limits.max_running_per_student;
  while (in_flight < executor_->capacity() && !waiting.empty()) {
    auto best = waiting.end();
    for (auto it = waiting.begin(); it != waiting.end(); ++it) {
      if (running_of[it->owner] >= max_per_student) continue;
      if (best == waiting.end() ||
          std::make_tuple(running_of[it->owner], last_start_[it->owner], it->created) <
              std::make_tuple(running_of[best->owner], last_start_[best->owner], best->created)) {
        best = it;
      }
    }
    if (best == waiting.end()) break;
    JobRecord j = std::move(*best);
    waiting.erase(best);
    const double limit = std::max(config_.slurm.min_time_minutes * 60, config_.slurm.time_factor * j.estimate_seconds);
    try {
      const Launch l = executor_->launch(j, job_dir(j.id), limit);
      j.executor_id = l.executor_id;
      j.node = l.node;
      if (executor_->name() == "local") {
        j.state = "running";
        if (j.started == 0) j.started = now_ms();
      }
      store_.update_job(j);
    } catch (const std::exception& e) {
      Event done;
      done.type = EventType::done;
      done.reason = "failed";
      done.message = std::string("the center could not start the job: ") + e.what();
      append_event(job_dir(j.id) / "events.jsonl", done);
      j.state = "failed";
      j.reason = done.message;
      j.finished = now_ms();
      store_.update_job(j);
      continue;
    }
    last_start_[j.owner] = now_ms();
    ++running_of[j.owner];
    ++in_flight;
  }
}

void Gateway::finish(JobRecord job, const std::string& why, bool final) {
  const fs::path events_file = job_dir(job.id) / "events.jsonl";
  const LogState log = scan_log(events_file);
  const bool cancelled = cancel_requested_.count(job.id) > 0;
  if (log.done_reason) {
    job.state = state_of_reason(*log.done_reason);
    job.reason = job.state == "done" ? *log.done_reason : log.done_message;
  } else if (cancelled) {
    Event done;
    done.type = EventType::done;
    done.reason = "cancelled";
    done.message = "cancelled before it ran";
    done.message_ko = "실행하기 전에 취소했어요";
    append_event(events_file, done);
    job.state = "cancelled";
    job.reason = done.message;
  } else if (!final && job.attempts + 1 < 3) {
    // The worker died without a word: start it again; it resumes from its
    // checkpoint, and the log goes on with no gap and no duplicate.
    ++job.attempts;
    job.state = "queued";
    job.executor_id.clear();
    job.reason = why;
    store_.update_job(job);
    return;
  } else {
    Event done;
    done.type = EventType::done;
    done.reason = "failed";
    done.message = final ? why : why + " (tried " + std::to_string(job.attempts + 1) + " times)";
    done.message_ko = final ? "시간 제한을 넘겨서 멈췄어요" : "작업을 실행하던 프로그램이 여러 번 멈췄어요";
    append_event(events_file, done);
    job.state = "failed";
    job.reason = done.message;
  }
  cancel_requested_.erase(job.id);
  job.finished = now_ms();
  store_.update_job(job);
}

}  // namespace aisb::center
