// The requests that change or list jobs and accounts: login, logout, submit,
// the job lists, cancel; and the limits in front of them. Trusts no client:
// a body is parsed (with bounded depth) and checked before anything is
// counted or stored, X-Forwarded-For counts only from a configured proxy,
// and only a token the store knows gets a rate bucket of its own.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <map>

#include "center/gateway.hpp"
#include "center/gateway_util.hpp"
#include "core/event.hpp"
#include "core/event_log.hpp"
#include "core/files.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::center {

using namespace detail;

namespace {

net::Response too_many(const Message& message, double retry_after) {
  net::Response r = error(429, message);
  r.headers.push_back({"Retry-After", std::to_string(std::max(1, static_cast<int>(std::ceil(retry_after))))});
  return r;
}

int64_t token_seconds(const Limits& lim) {
  return static_cast<int64_t>(std::ceil(lim.token_days * 86400));
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// One X-Forwarded-For entry as a bare address ("" when it is not one):
// some proxies add a port, and IPv6 then comes in brackets.
std::string forwarded_address(const std::string& entry) {
  std::string a = entry;
  if (a.starts_with('[')) {
    a = a.substr(1, a.find(']') == std::string::npos ? 0 : a.find(']') - 1);
  } else if (std::count(a.begin(), a.end(), ':') == 1) {
    a = a.substr(0, a.find(':'));
  }
  return a.size() <= 64 && a.find('/') == std::string::npos && valid_address_or_network(a) ? a : "";
}

// Writes the job's folder (0700) with job.json (0600) and makes both durable
// before the job's row exists: a row always has its spec. False when the
// disk says no.
bool write_job_folder(const fs::path& dir, const std::string& text) {
  const fs::path jobs = dir.parent_path();
  if (::mkdir(jobs.c_str(), 0700) != 0 && errno != EEXIST) return false;
  if (::mkdir(dir.c_str(), 0700) != 0) return false;
  const fs::path file = dir / "job.json";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = write_all(fd, text) == text.size();
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  // The new names too: the folder's entry in jobs/, job.json's in the folder.
  for (const fs::path& d : {dir, jobs}) {
    const int dfd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok = dfd >= 0 && ::fsync(dfd) == 0 && ok;
    if (dfd >= 0) ::close(dfd);
  }
  return ok;
}

net::Response created_answer(const std::string& id) {
  net::Response res = reply(201, {{"id", id}, {"state", "queued"}});
  res.headers.push_back({"Location", "/api/v1/jobs/" + id});
  return res;
}

}  // namespace

bool Gateway::allow(const std::string& key, int per_minute, double* retry_after) {
  return rates_.take(key, per_minute, steady_seconds(), retry_after);
}

std::string Gateway::client_address(const net::Request& req) const {
  if (!address_in(req.peer, config_.trusted_proxies)) return req.peer;
  // Each proxy appends the address it saw; walking from the right, every
  // entry up to the first one not of a trusted proxy was written by a
  // proxy we trust. What lies left of that the client wrote itself.
  const std::string xff = req.header("x-forwarded-for");
  std::string client = req.peer;
  size_t end = xff.size();
  while (end > 0) {
    const size_t comma = xff.rfind(',', end - 1);
    const size_t begin = comma == std::string::npos ? 0 : comma + 1;
    const std::string entry = forwarded_address(trim(std::string_view(xff).substr(begin, end - begin)));
    if (entry.empty()) break;  // not an address: the last trusted hop is the best we know
    client = entry;
    if (!address_in(entry, config_.trusted_proxies) || comma == std::string::npos) break;
    end = comma;
  }
  return client;
}

namespace {

// What normalize_name said, in the reader's language where the table has it.
Message name_problem(const std::string& why) {
  if (why == "name: 1 to 40 characters, please") return msg("api.name_length");
  return msg("api.name_problem", {why.starts_with("name: ") ? why.substr(6) : why});
}

// What a teacher's token looks like: 64 hex digits.
bool looks_like_token(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

net::Response Gateway::login(const net::Request& req) {
  // Only real attempts are counted: a body that is not one costs its sender
  // a 400 or 422 and no one else anything.
  std::string why;
  const json body = parse_json(req.body, &why);
  if (body.is_discarded()) return error(400, "the body is " + why);
  if (!body.is_object()) return error(422, "expected {\"class_code\": ..., \"name\": ..., \"code\": ...}");
  for (const char* k : {"class_code", "name"}) {
    if (!body.contains(k)) return error(422, std::string("'") + k + "' is missing", k);
    if (!body[k].is_string()) return error(422, std::string("'") + k + "' must be a string", k);
  }
  if (body.contains("code") && !body["code"].is_string()) return error(422, "'code' must be a string", "code");
  const std::string typed = body["class_code"].get<std::string>();
  const std::string personal = body.value("code", "");
  if (looks_like_token(typed)) {
    return error(422, msg("api.teacher_token_as_class"), "class_code");
  }
  // Case, spaces, dashes and full-width forms do not count.
  const std::string code = Store::normalize_code(typed);
  std::string bad;
  // As the store keeps it: look-alikes of a name are that name, for the
  // limit per name too.
  const std::string name = Store::normalize_name(body["name"].get<std::string>(), &bad);
  if (code.size() != 6) {
    return error(422, msg("api.class_code_form"), "class_code");
  }
  if (!bad.empty()) return error(422, name_problem(bad), "name");
  if (!personal.empty() && Store::normalize_code(personal).empty()) {
    return error(422, msg("api.personal_code_form"), "code");
  }

  const Limits& lim = config_.limits;
  const std::string addr = net::address_key(client_address(req));
  const double now = steady_seconds();
  const auto klass = store_.find_class(code);
  const bool known = klass && klass->code == code;
  // Whether the class signed in from this address in the last day (kept in
  // the database: a restart forgets none).
  std::optional<bool> seen;  // asked once, when a limit is reached
  const auto seen_here = [&] {
    if (!seen) seen = known && store_.signed_in_from(klass->id, addr, 86400);
    return *seen;
  };
  // Failures are what is limited, per address. While an address is over
  // them, only a class that has signed in from it before gets through: the
  // class behind a school's one address goes on, and the one who guesses
  // codes learns nothing (a right code answers as a wrong one does).
  if (!rates_.has("lf:" + addr, lim.login_failures_per_minute, now) && !seen_here()) {
    return too_many(msg("api.too_many_failures_address"), 60.0 / lim.login_failures_per_minute);
  }
  double retry = 0;
  if (!known) {
    const bool by_address = allow("lf:" + addr, lim.login_failures_per_minute, &retry);
    if (!by_address || !allow("lc:" + code, lim.login_failures_per_minute, &retry)) {
      return too_many(msg("api.too_many_wrong_class_codes"), retry);
    }
    return error(401, msg("api.no_such_class", {code}));
  }
  // Wrong personal codes, and names not on the roster, are limited per
  // class too; while a class is over that, only addresses it signed in
  // from before get through, so one pupil cannot lock the class out.
  const std::string class_failures = "lk:" + klass->id;
  if (!rates_.has(class_failures, lim.sign_in_failures_per_class_per_minute, now) && !seen_here()) {
    return too_many(msg("api.too_many_failures_class"), 60.0 / lim.sign_in_failures_per_class_per_minute);
  }
  // No limit per address on sign-ins with a right code: a school's classes
  // share one address, and one pupil with many names would spend it for
  // all of them. Each name has its own; what sign-ins leave behind is
  // bounded by the store (students per class, tokens per student). A new
  // name in a full class is refused before it gets a rate bucket: invented
  // names would otherwise fill the table of rate limits.
  if (klass->students >= lim.max_students_per_class && !store_.has_student(klass->id, name)) {
    return error(429,
                 msg("api.class_full", {std::to_string(klass->students), std::to_string(lim.max_students_per_class)}),
                 "name");
  }
  if (!allow("ln:" + klass->id + " " + name, lim.logins_per_name_per_minute, &retry)) {
    return too_many(msg("api.too_many_signins_name", {name}), retry);
  }
  // A name whose code was guessed wrong too often waits, right code or not.
  const std::string name_failures = "lp:" + klass->id + " " + name;
  if (!rates_.has(name_failures, lim.sign_in_failures_per_name_per_minute, now)) {
    return too_many(msg("api.too_many_wrong_codes", {name}), 60.0 / lim.sign_in_failures_per_name_per_minute);
  }
  try {
    const SignIn in = store_.sign_in(klass->id, name, personal, lim.max_students_per_class, token_seconds(lim),
                                     lim.max_tokens_per_student);
    if (in.result != SignIn::Result::ok) {
      // A failure: counted for the address, the class, and the name.
      allow("lf:" + addr, lim.login_failures_per_minute, &retry);
      allow(class_failures, lim.sign_in_failures_per_class_per_minute, &retry);
      allow(name_failures, lim.sign_in_failures_per_name_per_minute, &retry);
      switch (in.result) {
        case SignIn::Result::not_on_roster:
          return error(401, msg("api.not_on_roster", {name}), "name");
        case SignIn::Result::code_needed:
          return error(401, msg(store_.roster_only(klass->id) ? "api.code_needed_roster" : "api.name_taken", {name}),
                       "code");
        default:
          return error(401, msg("api.wrong_code", {name}), "code");
      }
    }
    store_.note_sign_in_address(klass->id, addr);
    json answer{{"token", in.token},
                {"name", in.name},
                {"class", klass->id},
                {"class_name", klass->name},
                {"class_code", klass->code}};
    if (!in.new_code.empty()) answer["code"] = in.new_code;
    return reply(200, answer);
  } catch (const QuotaError& e) {
    return error(429, e.what(), "name");
  } catch (const std::invalid_argument& e) {
    return error(422, e.what(), "name");
  }
}

std::optional<net::Response> Gateway::admit(const net::Request& req, std::optional<Caller>* who) {
  const std::string auth = req.header("authorization");
  if (auth.empty()) return error(401, "no token: log in first and send 'Authorization: Bearer TOKEN'");
  if (!auth.starts_with("Bearer ")) return error(401, "the Authorization header must be 'Bearer TOKEN'");
  const std::string token = auth.substr(7);
  const Limits& lim = config_.limits;
  double retry = 0;
  const auto principal = store_.authenticate(token, token_seconds(lim));
  if (!principal) {
    // Unknown tokens are limited by address: a bucket for every string
    // anyone may send would be memory anyone may take.
    if (!allow("u:" + net::address_key(client_address(req)), lim.unknown_tokens_per_minute, &retry)) {
      return too_many(msg("api.too_many_requests"), retry);
    }
    return error(401, msg("api.token_unknown"));
  }
  // One allowance per person, however many tokens they collect by logging in again.
  const std::string key =
      principal->kind == Principal::Kind::teacher ? "rt:" + principal->class_id : "rs:" + principal->student_id;
  if (!allow(key, lim.requests_per_minute, &retry)) return too_many(msg("api.too_many_requests"), retry);
  who->emplace(Caller{*principal});
  return std::nullopt;
}

net::Response Gateway::logout(const net::Request& req, const Caller& who) {
  if (who.teacher()) {
    return error(403, "a teacher's token is the class's own and is not ended by logging out");
  }
  const std::string auth = req.header("authorization");
  store_.revoke_token(auth.size() > 7 ? auth.substr(7) : "");
  return reply(200, {{"logged_out", true}});
}

net::Response Gateway::submit(const net::Request& req, const Caller& who) {
  if (who.teacher()) return error(403, msg("api.teacher_cannot_submit"));
  // A retry of a submission whose answer was lost names the same key: it
  // gets the first job's answer, not a second job.
  const std::string key = req.header("idempotency-key");
  if (key.size() > 200 || !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return error(400, "Idempotency-Key must be 1 to 200 printable ASCII characters without spaces");
  }
  const std::string& student = who.who.student_id;
  if (!key.empty()) {
    if (const auto first = store_.job_by_idempotency_key(student, key, now_ms() - kDayMs))
      return created_answer(first->id);
  }
  std::string why;
  const json body = parse_json(req.body, &why);
  if (body.is_discarded()) return error(400, "the body is " + why);
  Diagnostics diags;
  const JobSpec job = read_job(body, diags);
  if (diags.has_errors()) {
    for (const auto& d : diags.all()) {
      if (d.severity != Severity::error) continue;
      // The validator's words in both languages where the table has them.
      return d.key.empty() ? error(422, d.message, d.path) : error(422, Message{d.key, d.args}, d.path);
    }
  }
  double estimate = 0;
  if (const auto refusal = check_limits(job, config_.limits, &estimate)) {
    return error(422, refusal->message, refusal->field);
  }
  // A class's own data is found by its hash alone, among what the class
  // uploaded; the path in dataset.source means nothing here.
  if (is_file_source(job.dataset)) {
    const std::string& sha256 = job.dataset.data_sha256;
    if (sha256.empty()) return error(422, msg("api.data_missing_hash"), "dataset.data_sha256");
    if (!uploads_->held(who.who.class_id, sha256)) {
      return error(422, msg("api.data_not_held", {sha256}), "dataset.data_sha256");
    }
  }
  JobRecord r;
  r.id = new_job_id();
  r.class_id = who.who.class_id;
  r.owner = student;
  r.owner_name = who.who.name;
  r.lesson = job.lesson;
  Diagnostics ignored;
  r.parameters = describe_model(job, ignored).params;
  r.estimate_seconds = estimate;
  r.idempotency_key = key;
  if (is_file_source(job.dataset)) r.data_sha256 = job.dataset.data_sha256;  // kept while the job may run
  // The quotas, checked under jobs_mutex_ together with the insert, so that
  // a burst of submissions cannot slip past them together.
  const auto over_quota = [&]() -> std::optional<net::Response> {
    const Limits& lim = config_.limits;
    const int64_t waiting =
        store_.count_jobs_of_student(student, "queued") + store_.count_jobs_of_student(student, "running");
    if (waiting >= lim.max_queued_per_student) {
      return error(429,
                   msg("api.quota_student", {std::to_string(waiting), std::to_string(lim.max_queued_per_student)}));
    }
    const int64_t of_class =
        store_.count_jobs_of_class(r.class_id, "queued") + store_.count_jobs_of_class(r.class_id, "running");
    if (of_class >= lim.max_queued_per_class) {
      return error(429, msg("api.quota_class", {std::to_string(of_class), std::to_string(lim.max_queued_per_class)}));
    }
    const int64_t now = now_ms();
    const double quota_ms = lim.class_gpu_minutes_per_day * 60000;
    const std::string minutes = std::to_string(static_cast<int64_t>(lim.class_gpu_minutes_per_day));
    const int64_t used = store_.class_busy_ms(r.class_id, now - kDayMs);
    if (static_cast<double>(used) >= quota_ms) {
      return error(429, msg("api.quota_minutes", {minutes}));
    }
    // What is queued and running will use its share too: a queue cannot
    // promise more than the quota has left.
    const int64_t pending = store_.class_pending_ms(r.class_id, now);
    if (static_cast<double>(used + pending) + estimate * 1000 > quota_ms) {
      return error(429, msg("api.quota_minutes_pending", {minutes}));
    }
    return std::nullopt;
  };
  // A first look without the lock spares a refused job the disk.
  if (auto refused = over_quota()) return std::move(*refused);
  // The folder first, synced, then the row: a row always has its job.json. A
  // crash in between leaves a folder that no row names, which the scheduler
  // sweeps. The spec as we read it, never the client's bytes. Written
  // outside the lock: a sync can take a while, and every submission waits
  // for jobs_mutex_.
  const fs::path dir = job_dir(r.id);
  const auto drop_folder = [&] {
    std::error_code ec;
    fs::remove_all(dir, ec);
  };
  if (!write_job_folder(dir, to_json(job).dump() + "\n")) {
    drop_folder();
    return error(503, "the center could not write the job's folder; try again later");
  }
  JobRecord created;
  try {
    const std::lock_guard lock(jobs_mutex_);
    if (!key.empty()) {
      if (const auto first = store_.job_by_idempotency_key(student, key, now_ms() - kDayMs)) {
        drop_folder();  // the same request twice at once: the first one's answer
        return created_answer(first->id);
      }
    }
    if (auto refused = over_quota()) {
      drop_folder();
      return std::move(*refused);
    }
    created = store_.add_job(r);
  } catch (const StoreError&) {
    drop_folder();
    throw;  // 503 from handle()
  }
  {
    const std::lock_guard lock(wake_mutex_);
    wake_flag_ = true;
  }
  wake_.notify_all();
  return created_answer(created.id);
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

net::Response Gateway::probe(const JobRecord& job, const net::Request& req) {
  // The inside views' choice of a test sample: the worker probes it next
  // (it looks for probe.json between steps). A file of a few bytes, whole.
  std::string why;
  const json body = parse_json(req.body, &why);
  if (body.is_discarded()) return error(400, "the body is " + why);
  if (!body.is_object() || !body.contains("sample") || !body["sample"].is_number_integer()) {
    return error(422, "expected {\"sample\": N}, N the test sample's index", "sample");
  }
  const auto sample = body["sample"].get<int64_t>();
  if (sample < 0 || sample > 1'000'000) return error(422, "'sample' must be from 0 to 1000000", "sample");
  const auto now = store_.job(job.id);
  if (!now || is_final_state(now->state)) {
    return error(409, "the run has ended: its model file answers for any sample");
  }
  if (!write_file_atomically(job_dir(job.id) / "probe.json", json{{"sample", sample}}.dump(), 0600)) {
    return error(503, "the center cannot write this job's files now");
  }
  return reply(202, {{"id", job.id}, {"sample", sample}});
}

net::Response Gateway::cancel(const JobRecord& job_in) {
  // A queued job's log is read before the lock: one requeued after its
  // worker died can be long, and every submission waits for jobs_mutex_.
  std::optional<JobRecord> before = store_.job(job_in.id);
  std::optional<LogState> log;
  if (before && before->state == "queued" && before->executor_id.empty()) {
    log = scan_log(job_dir(before->id) / "events.jsonl");
  }
  const std::lock_guard lock(jobs_mutex_);
  auto job = store_.job(job_in.id);
  if (!job) return error(404, "no job '" + job_in.id + "' of yours");
  if (is_final_state(job->state)) return reply(200, {{"id", job->id}, {"state", job->state}});
  if (job->state == "queued" && job->executor_id.empty()) {
    cancel_requested_.insert(job->id);
    // No worker started since the read (it would have set executor_id, or
    // died and counted an attempt): the log is still what was read.
    if (log && job->attempts == before->attempts) {
      finish_read(*job, log->done_reason, log->done_message, "", false);
    } else {
      finish(*job, "");
    }
    return reply(200, {{"id", job->id}, {"state", "cancelled"}});
  }
  cancel_requested_.insert(job->id);
  job->reason = "cancel requested";
  store_.update_job(*job);
  executor_->cancel(*job);
  return reply(202, {{"id", job->id}, {"state", job->state}, {"cancelling", true}});
}

}  // namespace aisb::center
