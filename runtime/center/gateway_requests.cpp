// The requests that change or list jobs and accounts: login, submit, the
// job lists, cancel; and the rate limits in front of them.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include "center/gateway.hpp"
#include "center/gateway_util.hpp"
#include "core/event.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::center {

using namespace detail;

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

net::Response Gateway::login(const net::Request& req) {
  double retry = 0;
  if (!allow("l:" + req.peer, config_.limits.logins_per_minute, &retry)) {
    net::Response r = error(429, "too many logins from this address; wait a moment");
    r.headers.push_back({"Retry-After", std::to_string(static_cast<int>(std::ceil(retry)))});
    return r;
  }
  std::string why;
  const json body = parse_json(req.body, &why);
  if (body.is_discarded()) return error(400, "the body is " + why);
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
  std::string why;
  const json body = parse_json(req.body, &why);
  if (body.is_discarded()) return error(400, "the body is " + why);
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
  const auto jobs =
      who.teacher() ? store_.jobs_of_class(who.who.class_id, limit) : store_.jobs_of_student(who.who.student_id, limit);
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

}  // namespace aisb::center
