#include "center/gateway.hpp"

#include <algorithm>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "center/gateway_util.hpp"
#include "core/event_log.hpp"
#include "core/json_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::center {

using namespace detail;

namespace {

bool valid_job_id(const std::string& id) {
  if (id.size() != 17 || id[0] != 'j') return false;
  return std::all_of(id.begin() + 1, id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
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

Gateway::Gateway(Store& store, Config config, std::unique_ptr<Executor> executor, fs::path data_dir)
    : store_(store), config_(std::move(config)), executor_(std::move(executor)), data_(std::move(data_dir)) {}

Gateway::~Gateway() {
  stop();
}

fs::path Gateway::job_dir(const std::string& id) const {
  return data_ / "jobs" / id;
}

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

// ---------------------------------------------------------------- HTTP

net::Response Gateway::handle(const net::Request& req) {
  try {
    return route(req);
  } catch (const StoreError& e) {
    return error(503, std::string("the center's database is busy: ") + e.what());
  }
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
  const auto method_is = [&](const char* m) {
    return req.method == m || (req.method == "HEAD" && std::string(m) == "GET");
  };
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
  std::ifstream in(job_dir(job.id) / "job.json", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (const json spec = parse_json(text); spec.is_object()) o["spec"] = spec;
  return reply(200, o);
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
    std::string pending;         // bytes after the last whole line
    bool pending_spans = false;  // pending came in an earlier read
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
