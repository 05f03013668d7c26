// The scheduler: hands queued jobs to the executor fairly (between classes
// first, then between the students of a class) and ends jobs from their
// logs. Trusts no log: a job's events.jsonl is written by a worker that ran
// a student's job, so it is read outside jobs_mutex_ (a long one takes
// seconds, and every submission waits for that lock) and only its `done`
// line decides anything.
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

// Removes job folders that no row names, left by a center that died between
// writing a job's folder and its row (the folder comes first). Only old
// ones: a submission in flight has its folder before its row.
void sweep_orphan_folders(Store& store, const fs::path& jobs) {
  std::error_code ec;
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (fs::directory_iterator it(jobs, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string id = it->path().filename().string();
    if (!is_job_id(id) || store.job(id)) continue;
    std::error_code e;
    if (fs::last_write_time(it->path(), e) < old && !e) fs::remove_all(it->path(), e);
  }
}

}  // namespace

void Gateway::schedule_loop() {
  double last_sweep = -1e300, last_said_at = -1e300;
  std::string last_said;
  while (!stopping_) {
    try {
      schedule_once();
      if (steady_seconds() - last_sweep > 3600) {
        last_sweep = steady_seconds();
        sweep_orphan_folders(store_, data_ / "jobs");
        // Retention: the files of jobs that ended long ago (the rows stay).
        const RetentionResult r = remove_old_jobs(store_, data_, config_.retention_days, now_ms());
        if (r.removed > 0) {
          std::fprintf(stderr, "aisandbox-center: removed the folders of %d old jobs (%llu MB)\n", r.removed,
                       static_cast<unsigned long long>(r.bytes_freed >> 20));
        }
        for (const auto& e : r.errors) std::fprintf(stderr, "aisandbox-center: retention: %s\n", e.c_str());
        // Uploaded data no job has used for as long (never a queued or running job's).
        const auto [files, bytes] = uploads_->sweep(config_.retention_days, now_ms() / 1000);
        if (files > 0) {
          std::fprintf(stderr, "aisandbox-center: removed %d uploaded data files unused for %g days (%lld MB)\n", files,
                       config_.retention_days, static_cast<long long>(bytes >> 20));
        }
      }
    } catch (const std::exception& e) {
      // Said once a minute, not every 100 ms: a full disk must not fill the log too.
      const double now = steady_seconds();
      if (e.what() != last_said || now - last_said_at > 60) {
        std::fprintf(stderr, "aisandbox-center: scheduler: %s\n", e.what());
        last_said = e.what();
        last_said_at = now;
      }
    }
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return wake_flag_; });
    wake_flag_ = false;
  }
}

void Gateway::schedule_once() {
  // 1. What the executor has: ended, started, still waiting.
  struct EndedJob {
    JobRecord job;
    Ended how;
  };
  std::vector<EndedJob> ended_jobs;
  {
    const std::lock_guard lock(jobs_mutex_);
    std::vector<JobRecord> all = store_.jobs_in_state("running");
    for (JobRecord& q : store_.jobs_in_state("queued")) {
      if (!q.executor_id.empty()) all.push_back(std::move(q));  // handed over, waiting in Slurm's queue
    }
    for (JobRecord& j : all) {
      Progress p;
      if (const auto ended = executor_->check(j, &p)) {
        if (!p.node.empty()) j.node = p.node;
        if (j.started == 0) j.started = now_ms();  // it ran between two looks
        ended_jobs.push_back({std::move(j), *ended});
        continue;
      }
      if (p.running && (j.state != "running" || (!p.node.empty() && p.node != j.node))) {
        j.state = "running";
        if (j.started == 0) j.started = now_ms();
        if (!p.node.empty()) j.node = p.node;
        store_.update_job(j);
      }
    }
  }
  // 2. The ended ones, from their logs, read without the lock. No worker
  // writes an ended job's log; only cancel may end it meanwhile (then it is
  // final already and left alone).
  for (EndedJob& e : ended_jobs) {
    const LogState log = scan_log(job_dir(e.job.id) / "events.jsonl");
    const std::lock_guard lock(jobs_mutex_);
    const auto now = store_.job(e.job.id);
    if (!now || is_final_state(now->state)) continue;
    finish_read(e.job, log.done_reason, log.done_message, e.how.why, e.how.final, e.how.why_ko);
  }
  // A full disk takes no new job: it would fail on its first write. Queued
  // jobs wait, and /health says why.
  if (!disk().ok) return;
  // 3. Hand over queued jobs, fairly: the class with the fewest jobs in
  // flight first, then the class that waited longest since its last start,
  // and within it the same between its students, then the oldest job. So a
  // class with many names cannot hold back another class's one job, nor one
  // student with four jobs a classmate with one.
  const std::lock_guard lock(jobs_mutex_);
  std::map<std::string, int> running_of, class_running;
  int in_flight = 0;
  std::vector<JobRecord> waiting;
  for (const char* state : {"running", "queued"}) {
    for (JobRecord& j : store_.jobs_in_state(state)) {
      if (j.state == "queued" && j.executor_id.empty()) {
        waiting.push_back(std::move(j));
        continue;
      }
      ++running_of[j.owner];
      ++class_running[j.class_id];
      ++in_flight;
    }
  }
  const int max_per_student = config_.limits.max_running_per_student;
  const double quota_ms = config_.limits.class_gpu_minutes_per_day * 60000;
  std::map<std::string, bool> class_spent;  // this pass's answer for each class
  const auto key = [&](const JobRecord& j) {
    return std::make_tuple(class_running[j.class_id], last_class_start_[j.class_id], running_of[j.owner],
                           last_start_[j.owner], j.created);
  };
  while (in_flight < executor_->capacity() && !waiting.empty()) {
    auto best = waiting.end();
    for (auto it = waiting.begin(); it != waiting.end(); ++it) {
      if (running_of[it->owner] >= max_per_student) continue;
      if (best == waiting.end() || key(*it) < key(*best)) best = it;
    }
    if (best == waiting.end()) break;
    JobRecord j = std::move(*best);
    waiting.erase(best);
    // The class's minutes, again at the start: jobs queued while the class
    // had time left must not run on past its quota. Such a job ends failed,
    // at once and saying why, rather than waiting for a window that slides
    // for a day while its student watches a queue.
    auto spent = class_spent.find(j.class_id);
    if (spent == class_spent.end()) {
      const int64_t used = store_.class_busy_ms(j.class_id, now_ms() - kDayMs);
      spent = class_spent.emplace(j.class_id, static_cast<double>(used) >= quota_ms).first;
    }
    const auto fail = [&](const std::string& message, const std::string& message_ko) {
      Event done;
      done.type = EventType::done;
      done.reason = "failed";
      done.message = message;
      done.message_ko = message_ko;
      append_event(job_dir(j.id) / "events.jsonl", done);
      j.state = "failed";
      j.reason = done.message;
      j.finished = now_ms();
      store_.update_job(j);
    };
    if (spent->second) {
      const std::string minutes = std::to_string(static_cast<int64_t>(config_.limits.class_gpu_minutes_per_day));
      fail("your class has used its " + minutes + " minutes of the last 24 hours, so this job did not run; " +
               "ask your teacher",
           "반이 하루에 쓸 수 있는 " + minutes + "분을 다 써서 실행하지 않았어요");
      continue;
    }
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
      fail(std::string("the center could not start the job: ") + e.what(), "센터가 작업을 시작하지 못했어요");
      continue;
    }
    last_start_[j.owner] = now_ms();
    last_class_start_[j.class_id] = now_ms();
    ++running_of[j.owner];
    ++class_running[j.class_id];
    ++in_flight;
  }
}

void Gateway::finish(JobRecord job, const std::string& why, bool final) {
  const LogState log = scan_log(job_dir(job.id) / "events.jsonl");
  finish_read(std::move(job), log.done_reason, log.done_message, why, final);
}

void Gateway::finish_read(JobRecord job, const std::optional<std::string>& done_reason, const std::string& done_message,
                          const std::string& why, bool final, const std::string& why_ko) {
  const fs::path events_file = job_dir(job.id) / "events.jsonl";
  const bool cancelled = cancel_requested_.count(job.id) > 0;
  if (done_reason) {
    job.state = state_of_reason(*done_reason);
    job.reason = job.state == "done" ? *done_reason : done_message;
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
    done.message_ko = !final            ? "작업을 실행하던 프로그램이 여러 번 멈췄어요"
                      : !why_ko.empty() ? why_ko
                                        : "시간 제한을 넘겨서 멈췄어요";
    append_event(events_file, done);
    job.state = "failed";
    job.reason = done.message;
  }
  cancel_requested_.erase(job.id);
  // A checkpoint is only for resuming: an ended job's is disk for nothing
  // (a large model's, with Adam's state, is bigger than the model).
  std::error_code gone;
  fs::remove(job_dir(job.id) / "checkpoint.json", gone);
  job.finished = now_ms();
  store_.update_job(job);
}

}  // namespace aisb::center
