#include "center/gateway.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <regex>
#include <tuple>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/event.hpp"
#include "core/event_log.hpp"
#include "core/job_reader.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::center {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

net::Response reply(int status, const json& body) {
  net::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

net::Response error(int status, const std::string& message, const std::string& field = "") {
  json body{{"error", message}};
  if (!field.empty()) body["field"] = field;
  return reply(status, body);
}

bool valid_job_id(const std::string& id) {
  if (id.size() != 17 || id[0] != 'j') return false;
  return std::all_of(id.begin() + 1, id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string state_of_reason(const std::string& reason) {
  if (reason == "cancelled") return "cancelled";
  if (reason == "failed") return "failed";
  return "done";  // completed, diverged: the run ended as runs do
}

// seq of one of our own log lines: the only top-level "seq" key.
uint64_t seq_of(std::string_view line) {
  const size_t at = line.find("\"seq\":");
  if (at == std::string_view::npos) return 0;
  return std::strtoull(std::string(line.substr(at + 6, 20)).c_str(), nullptr, 10);
}

}  // namespace

std::string iso_time(int64_t unix_ms) {
  if (unix_ms <= 0) return "";
  const std::time_t t = unix_ms / 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(unix_ms % 1000));
  return out;
}

struct Gateway::Caller {
  Principal who;
  [[nodiscard]] bool teacher() const { return who.kind == Principal::Kind::teacher; }
  [[nodiscard]] bool may_see(const JobRecord& j) const {
    return teacher() ? j.class_id == who.class_id : j.owner == who.student_id;
  }
};

Gateway::Gateway(Store& store, Config config, std::unique_ptr<Executor> executor, fs::path data_dir)
    : store_(store), config_(std::move(config)), executor_(std::move(executor)), data_(std::move(data_dir)) {}

Gateway::~Gateway() { stop(); }

fs::path Gateway::job_dir(const std::string& id) const { return data_ / "jobs" / id; }

void Gateway::start() {
  fs::create_directories(data_ / "jobs");
  {
    const std::lock_guard lock(jobs_mutex_);
    if (!executor_->survives_restart()) {
      // Their workers ended with the previous center: each job either
      // finished before it died, or goes back to the queue and resumes.
      for (JobRecord j : store_.jobs_in_state("running")) {
        const LogState log = scan_log(job_dir(j.id) / "events.jsonl");
        if (log.done_reason) {
          finish(j, "");
        } else if (j.reason == "cancel requested") {
          cancel_requested_.insert(j.id);
          finish(j, "");
        } else {
          j.state = "queued";
          j.executor_id.clear();
          store_.update_job(j);
        }
      }
    } else {
      // Still in Slurm (running, or waiting in its queue): a cancel asked
      // for before the restart still counts.
      for (const char* state : {"running", "queued"}) {
        for (const JobRecord& j : store_.jobs_in_state(state)) {
          if (j.reason == "cancel requested") cancel_requested_.insert(j.id);
        }
      }
    }
  }
  stopping_ = false;
  scheduler_ = std::thread([this] { schedule_loop(); });
}

void Gateway::stop() {
  stopping_ = true;
  {
    const std::lock_guard lock(wake_mutex_);
    wake_flag_ = true;
  }
  wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  executor_->shutdown();
}

// ---------------------------------------------------------------- scheduler

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

// ---------------------------------------------------------------- HTTP

net::Response Gateway::handle(const net::Request& req) {
  try {
    return route(req);
  } catch (const StoreError& e) {
    return error(503, std::string("the center's database is busy: ") + e.what());
  }
}

bool Gateway::allow(const std::string& key, int per_minute, double* retry_after) {
  const std::lock_guard lock(rate_mutex_);
  const double now = steady_seconds();
  if (now - last_prune_ > 600) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      it = now - it->second.at > 600 ? buckets_.erase(it) : std::next(it);
    }
    last_prune_ = now;
  }
  const double rate = per_minute / 60.0;
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{static_cast<double>(per_minute), now});
  Bucket& b = it->second;
  b.tokens = std::min<double>(per_minute, b.tokens + (now - b.at) * rate);
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  *retry_after = (1 - b.tokens) / rate;
  return false;
}

net::Response Gateway::route(const net::Request& req) {
  static const std::string prefix = "/api/v1/";
  if (!req.path.starts_with(prefix)) return error(404, "no such address; the API is under /api/v1/");
  const std::string rest = req.path.substr(prefix.size());
  std::vector<std::string> parts;
  for (size_t at = 0; at <= rest.size();) {
    const size_t slash = rest.find('/', at);
    parts.push_back(rest.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  const auto method_is = [&](const char* m) { return req.method == m || (req.method == "HEAD" && std::string(m) == "GET"); };
  const auto wrong_method = [&](const std::string& allowed) {
    net::Response r = error(405, req.method + " is not allowed here; use " + allowed);
    r.headers.push_back({"Allow", allowed});
    return r;
  };

  if (parts.size() == 1 && parts[0] == "health") {
    if (!method_is("GET")) return wrong_method("GET");
    return reply(200, {{"ok", true},
                       {"queued", store_.count_jobs("queued")},
                       {"running", store_.count_jobs("running")},
                       {"executor", executor_->name()},
                       {"version", 1}});
  }
  if (parts.size() == 1 && parts[0] == "login") {
    if (!method_is("POST")) return wrong_method("POST");
    return login(req);
  }

  // Everything else needs a token.
  const std::string auth = req.header("authorization");
  if (auth.empty()) return error(401, "no token: log in first and send 'Authorization: Bearer TOKEN'");
  if (!auth.starts_with("Bearer ")) return error(401, "the Authorization header must be 'Bearer TOKEN'");
  const std::string token = auth.substr(7);
  double retry = 0;
  if (!allow("t:" + sha256_hex(token), config_.limits.requests_per_minute, &retry)) {
    net::Response r = error(429, "too many requests; wait a moment");
    r.headers.push_back({"Retry-After", std::to_string(static_cast<int>(std::ceil(retry)))});
    return r;
  }
  const auto principal = store_.authenticate(token);
  if (!principal) return error(401, "this token is not known here (log in again)");
  const Caller who{*principal};

  if (parts.size() == 1 && parts[0] == "me") {
    if (!method_is("GET")) return wrong_method("GET");
    json me{{"role", who.teacher() ? "teacher" : "student"}, {"class", who.who.class_id}};
    if (const auto c = store_.find_class(who.who.class_id)) me["class_name"] = c->name;
    if (!who.teacher()) {
      me["name"] = who.who.name;
      me["student"] = who.who.student_id;
    }
    return reply(200, me);
  }
  if (parts.size() == 1 && parts[0] == "jobs") {
    if (method_is("GET")) return list_jobs(req, who);
    if (req.method == "POST") return submit(req, who);
    return wrong_method("GET, POST");
  }
  if (parts.size() == 3 && parts[0] == "classes" && parts[2] == "jobs") {
    if (!method_is("GET")) return wrong_method("GET");
    return class_jobs(parts[1], req, who);
  }
  if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == "jobs") {
    const std::string& id = parts[1];
    std::optional<JobRecord> job;
    if (valid_job_id(id)) job = store_.job(id);
    // Another person's job is as good as missing: nothing says it exists.
    if (!job || !who.may_see(*job)) return error(404, "no job '" + id + "' of yours");
    const std::string what = parts.size() == 3 ? parts[2] : "";
    if (what.empty()) return method_is("GET") ? job_status(*job) : wrong_method("GET");
    if (what == "events") return method_is("GET") ? events(*job, req) : wrong_method("GET");
    if (what == "model") return method_is("GET") ? model(*job) : wrong_method("GET");
    if (what == "cancel") return req.method == "POST" ? cancel(*job) : wrong_method("POST");
  }
  return error(404, "no such address: " + req.path);
}

net::Response Gateway::login(const net::Request& req) {
  double retry = 0;
  if (!allow("l:" + req.peer, config_.limits.logins_per_minute, &retry)) {
    net::Response r = error(429, "too many logins from this address; wait a moment");
    r.headers.push_back({"Retry-After", std::to_string(static_cast<int>(std::ceil(retry)))});
    return r;
  }
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return error(400, "the body is not valid JSON");
  if (!body.is_object()) return error(422, "expected {\"class_code\": ..., \"name\": ...}");
  for (const char* k : {"class_code", "name"}) {
    if (!body.contains(k)) return error(422, std::string("'") + k + "' is missing", k);
    if (!body[k].is_string()) return error(422, std::string("'") + k + "' must be a string", k);
  }
  const std::string code = body["class_code"].get<std::string>();
  std::string name = body["name"].get<std::string>();
  if (name.empty() || name.size() > 120) return error(422, "a name has 1 to 40 characters", "name");
  try {
    const auto token = store_.login(code, name);
    if (!token) return error(401, "no class has the code '" + code + "' (ask your teacher)");
    return reply(200, {{"token", *token}});
  } catch (const std::invalid_argument& e) {
    return error(422, e.what(), "name");
  }
}

net::Response Gateway::submit(const net::Request& req, const Caller& who) {
  if (who.teacher()) return error(403, "a teacher's token watches the class; log in as a student to run jobs");
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return error(400, "the body is not valid JSON");
  Diagnostics diags;
  const JobSpec job = read_job(body, diags);
  if (diags.has_errors()) {
    for (const auto& d : diags.all()) {
      if (d.severity == Severity::error) return error(422, d.message, d.path);
    }
  }
  double estimate = 0;
  if (const auto refusal = check_limits(job, config_.limits, &estimate)) {
    return error(422, refusal->message, refusal->field);
  }
  JobRecord r;
  r.class_id = who.who.class_id;
  r.owner = who.who.student_id;
  r.owner_name = who.who.name;
  r.lesson = job.lesson;
  Diagnostics ignored;
  r.parameters = describe_model(job, ignored).params;
  r.estimate_seconds = estimate;
  // The folder first, then the row: a row always has its job.json.
  r.id = "";
  JobRecord created;
  {
    // The quotas are checked and the job added in one step, so that a burst
    // of submissions from one student cannot slip past them together.
    const std::lock_guard lock(jobs_mutex_);
    const auto& lim = config_.limits;
    const int64_t waiting = store_.count_jobs_of_student(who.who.student_id, "queued") +
                            store_.count_jobs_of_student(who.who.student_id, "running");
    if (waiting >= lim.max_queued_per_student) {
      return error(429, "you already have " + std::to_string(waiting) + " jobs queued or running (the limit is " +
                            std::to_string(lim.max_queued_per_student) + "); wait for one to end or cancel one");
    }
    const int64_t used = store_.class_busy_ms(who.who.class_id, now_ms() - int64_t{24} * 3600 * 1000);
    if (static_cast<double>(used) >= lim.class_gpu_minutes_per_day * 60000) {
      return error(429, "your class has used its " + std::to_string(static_cast<int>(lim.class_gpu_minutes_per_day)) +
                            " minutes of the last 24 hours; ask your teacher");
    }
    created = store_.add_job(r);  // fills the id
    const fs::path dir = job_dir(created.id);
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::ofstream out(dir / "job.json");
    out << to_json(job).dump() << "\n";  // the spec as we read it, never the client's bytes
    out.close();
    if (ec || !out) {
      created.state = "failed";
      created.reason = "the center could not write the job's folder";
      created.finished = now_ms();
      store_.update_job(created);
      return error(503, created.reason);
    }
  }
  {
    const std::lock_guard lock(wake_mutex_);
    wake_flag_ = true;
  }
  wake_.notify_all();
  net::Response res = reply(201, {{"id", created.id}, {"state", "queued"}});
  res.headers.push_back({"Location", "/api/v1/jobs/" + created.id});
  return res;
}

json Gateway::job_json(const JobRecord& j) {
  json o{{"id", j.id},
         {"state", j.state},
         {"owner", j.owner},
         {"owner_name", j.owner_name},
         {"class", j.class_id},
         {"lesson", j.lesson},
         {"created", iso_time(j.created)},
         {"parameters", j.parameters},
         {"estimate_seconds", j.estimate_seconds},
         {"executor", executor_->name()}};
  if (j.started > 0) o["started"] = iso_time(j.started);
  if (j.finished > 0) o["finished"] = iso_time(j.finished);
  if (!j.reason.empty()) o["reason"] = j.reason;
  if (!j.node.empty()) o["node"] = j.node;
  if (executor_->name() == "slurm" && !j.executor_id.empty()) o["slurm_job_id"] = j.executor_id;
  if (j.attempts > 0) o["restarts"] = j.attempts;
  return o;
}

net::Response Gateway::list_jobs(const net::Request& req, const Caller& who) {
  int limit = 50;
  if (const auto it = req.query.find("limit"); it != req.query.end()) {
    const std::string& v = it->second;
    if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1) {
      return error(400, "limit must be a number from 1 to 1000");
    }
    limit = std::min(1000, std::stoi(v));
  }
  const auto jobs = who.teacher() ? store_.jobs_of_class(who.who.class_id, limit)
                                  : store_.jobs_of_student(who.who.student_id, limit);
  json out = json::array();
  // Queue positions: the place among every queued job of the center.
  std::map<std::string, int> position;
  int n = 0;
  for (const auto& q : store_.jobs_in_state("queued")) position[q.id] = ++n;
  for (const auto& j : jobs) {
    json o = job_json(j);
    if (const auto it = position.find(j.id); it != position.end()) o["queue_position"] = it->second;
    out.push_back(std::move(o));
  }
  return reply(200, {{"jobs", out}});
}

net::Response Gateway::class_jobs(const std::string& class_id, const net::Request& req, const Caller& who) {
  if (!who.teacher()) return error(403, "only the class's teacher sees every job of the class");
  if (who.who.class_id != class_id) return error(403, "this token is the teacher's of another class");
  return list_jobs(req, who);
}

net::Response Gateway::job_status(const JobRecord& job) {
  json o = job_json(job);
  if (job.state == "queued") {
    int n = 0;
    for (const auto& q : store_.jobs_in_state("queued")) {
      ++n;
      if (q.id == job.id) o["queue_position"] = n;
    }
  }
  o["events"] = last_seq(job_dir(job.id) / "events.jsonl");
  std::ifstream in(job_dir(job.id) / "job.json");
  if (const json spec = json::parse(in, nullptr, false); spec.is_object()) o["spec"] = spec;
  return reply(200, o);
}

net::Response Gateway::cancel(const JobRecord& job_in) {
  const std::lock_guard lock(jobs_mutex_);
  auto job = store_.job(job_in.id);
  if (!job) return error(404, "no job '" + job_in.id + "' of yours");
  if (is_final_state(job->state)) return reply(200, {{"id", job->id}, {"state", job->state}});
  if (job->state == "queued" && job->executor_id.empty()) {
    cancel_requested_.insert(job->id);
    finish(*job, "");
    return reply(200, {{"id", job->id}, {"state", "cancelled"}});
  }
  cancel_requested_.insert(job->id);
  job->reason = "cancel requested";
  store_.update_job(*job);
  executor_->cancel(*job);
  return reply(202, {{"id", job->id}, {"state", job->state}, {"cancelling", true}});
}

net::Response Gateway::model(const JobRecord& job) {
  std::ifstream in(job_dir(job.id) / "model.json", std::ios::binary);
  if (!in) {
    return error(409, job.state == "done" ? "this run ended without trained weights"
                                          : "the job has no trained weights yet (it is " + job.state + ")");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  net::Response r;
  r.body = std::move(text);
  return r;
}

net::Response Gateway::events(const JobRecord& job, const net::Request& req) {
  std::string from = req.header("last-event-id");
  if (from.empty()) {
    if (const auto it = req.query.find("after"); it != req.query.end()) from = it->second;
  }
  uint64_t after = 0;
  if (!from.empty()) {
    if (from.size() > 18 || from.find_first_not_of("0123456789") != std::string::npos) {
      return error(400, "Last-Event-ID must be the seq of an event");
    }
    after = std::stoull(from);
  }
  // ?without=snapshot: the curves only (a teacher's class view needs no weights).
  const auto wo = req.query.find("without");
  const bool no_snapshots = wo != req.query.end() && wo->second == "snapshot";
  net::Response r;
  r.content_type = "text/event-stream";
  r.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  const fs::path file = job_dir(job.id) / "events.jsonl";
  const std::string id = job.id;
  const double heartbeat = config_.stream.heartbeat_seconds;
  const auto poll = std::chrono::microseconds(static_cast<int64_t>(config_.stream.poll_ms * 1000));
  r.stream = [this, file, id, after, heartbeat, poll, no_snapshots](net::Stream& s) {
    if (!s.write("retry: 1000\n\n")) return;
    int fd = -1;
    off_t offset = 0;
    std::string pending;          // bytes after the last whole line
    bool pending_spans = false;   // pending came in an earlier read
    uint64_t line_seq = 0, sent = after;
    double last_write = steady_seconds(), last_state_check = 0;
    std::vector<char> buf(size_t{1} << 16);
    const auto resync = [&] {  // the log was cut back (a worker restarted after a crash): read it again
      offset = 0;
      pending.clear();
      pending_spans = false;
      line_seq = 0;
    };
    while (s.open()) {
      if (fd < 0) fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
      bool got = false, ended = false;
      if (fd >= 0) {
        struct stat st {};
        if (::fstat(fd, &st) == 0 && st.st_size < offset) resync();
        while (true) {
          const ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
          if (n <= 0) break;
          offset += n;
          pending.append(buf.data(), static_cast<size_t>(n));
          got = true;
          if (n < static_cast<ssize_t>(buf.size())) break;
        }
        size_t at = 0, nl = 0;
        std::string out;
        while ((nl = pending.find('\n', at)) != std::string::npos) {
          const std::string_view line(pending.data() + at, nl - at);
          const bool checked = at == 0 && pending_spans;
          if (seq_of(line) != line_seq + 1 || (checked && !json::accept(line))) {
            resync();
            at = 0;
            out.clear();
            break;
          }
          ++line_seq;
          at = nl + 1;
          if (line_seq > sent && no_snapshots && line.find("\"type\":\"snapshot\"") != std::string_view::npos) {
            sent = line_seq;
          } else if (line_seq > sent) {
            out += "id: " + std::to_string(line_seq) + "\ndata: ";
            out.append(line);
            out += "\n\n";
            sent = line_seq;
            if (line.find("\"type\":\"done\"") != std::string_view::npos) ended = true;
          }
        }
        if (at > 0) pending.erase(0, at);
        pending_spans = !pending.empty();
        if (!out.empty()) {
          if (!s.write(out)) break;
          last_write = steady_seconds();
        }
      }
      if (ended) break;
      const double now = steady_seconds();
      if (!got && now - last_state_check > 1.0) {
        // A job that ended with nothing more to read: the stream is complete.
        last_state_check = now;
        const auto j = store_.job(id);
        if (!j || (is_final_state(j->state) && last_seq(file) <= sent)) break;
      }
      if (now - last_write >= heartbeat) {
        if (!s.write(": keep-alive\n\n")) break;
        last_write = now;
      }
      std::this_thread::sleep_for(poll);
    }
    if (fd >= 0) ::close(fd);
  };
  return r;
}

}  // namespace aisb::center
