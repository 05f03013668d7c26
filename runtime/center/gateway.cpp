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

DiskReport Gateway::disk() {
  const std::lock_guard lock(disk_mutex_);
  if (steady_seconds() - disk_checked_ > 5) {
    disk_report_ = check_disk(data_, static_cast<uint64_t>(config_.min_free_disk_mb * 1024 * 1024));
    disk_checked_ = steady_seconds();
  }
  return disk_report_;
}

void Gateway::start() {
  fs::create_directories(data_ / "jobs");
  // Logs are read before the lock is taken: a long one takes seconds, and
  // the server already answers submissions, which wait for that lock.
  std::vector<std::pair<JobRecord, LogState>> was_running;
  if (!executor_->survives_restart()) {
    for (JobRecord& j : store_.jobs_in_state("running")) {
      LogState log = scan_log(job_dir(j.id) / "events.jsonl");
      was_running.emplace_back(std::move(j), std::move(log));
    }
  }
  {
    const std::lock_guard lock(jobs_mutex_);
    if (!executor_->survives_restart()) {
      // Their workers ended with the previous center: each job either
      // finished before it died, or goes back to the queue and resumes.
      for (auto& [j, log] : was_running) {
        if (log.done_reason) {
          finish_read(j, log.done_reason, log.done_message, "", false);
        } else if (j.reason == "cancel requested") {
          cancel_requested_.insert(j.id);
          finish_read(j, log.done_reason, log.done_message, "", false);
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
  // Routed on the segments as sent, each decoded alone: "%2F" never splits one.
  if (req.segments.size() < 2 || req.segments[0] != "api" || req.segments[1] != "v1") {
    return error(404, "no such address; the API is under /api/v1/");
  }
  std::vector<std::string> parts(req.segments.begin() + 2, req.segments.end());
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
    const DiskReport d = disk();
    json h{{"ok", d.ok},
           {"queued", store_.count_jobs("queued")},
           {"running", store_.count_jobs("running")},
           {"executor", executor_->name()},
           {"version", 1},
           {"disk_free_mb", d.free_bytes >> 20}};
    // A monitor reads the status; a person reads the problem.
    if (!d.ok) h["problems"] = json::array({"disk: " + d.problem});
    return reply(d.ok ? 200 : 503, h);
  }
  if (parts.size() == 1 && parts[0] == "login") {
    if (!method_is("POST")) return wrong_method("POST");
    return login(req);
  }

  // Everything else needs a token: looked up first, then rate-limited per
  // person (unknown tokens per address).
  std::optional<Caller> admitted;
  if (auto refused = admit(req, &admitted)) return std::move(*refused);
  const Caller& who = *admitted;

  if (parts.size() == 1 && parts[0] == "logout") {
    if (req.method != "POST") return wrong_method("POST");
    return logout(req, who);
  }
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
  return error(404, "no such address: " + req.path.substr(0, 200));
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

namespace {

// A file sent in pieces, so that a client that does not read holds one piece
// of memory, not the file.
class FileSource final : public net::BodySource {
 public:
  explicit FileSource(int fd) : fd_(fd) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  Piece next(size_t max_bytes) override {
    Piece p;
    p.data.resize(max_bytes);
    const ssize_t n = ::pread(fd_, p.data.data(), max_bytes, offset_);
    if (n <= 0) {
      p.data.clear();
      p.done = true;
      return p;
    }
    p.data.resize(static_cast<size_t>(n));
    offset_ += n;
    return p;
  }

 private:
  int fd_;
  off_t offset_ = 0;
};

}  // namespace

// A job that ended long ago may have lost its files to the retention sweep;
// its row stays, so the lists still know it.
std::optional<net::Response> Gateway::files_gone(const JobRecord& job) {
  std::error_code ec;
  if (!is_final_state(job.state) || fs::exists(job_dir(job.id), ec)) return std::nullopt;
  return error(410, "this job's files were removed " + std::to_string(static_cast<int>(config_.retention_days)) +
                        " days after it ended (the center keeps them that long)");
}

net::Response Gateway::model(const JobRecord& job) {
  if (auto gone = files_gone(job)) return std::move(*gone);
  const fs::path file = job_dir(job.id) / "model.json";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    return error(409, job.state == "done" ? "this run ended without trained weights"
                                          : "the job has no trained weights yet (it is " + job.state + ")");
  }
  net::Response r;
  r.source = std::make_shared<FileSource>(fd);
  r.length = st.st_size;
  return r;
}

// An event stream: follows the job's log from `after`, a bounded piece at a
// time, until the run's `done` has gone out. Holds at most one read buffer
// and one partial line (capped: a line longer than any event we write means
// the file is not ours to trust, and the stream ends).
class Gateway::EventSource final : public net::BodySource {
 public:
  EventSource(Gateway& g, std::string id, uint64_t after, bool no_snapshots)
      : g_(g),
        id_(std::move(id)),
        file_(g.job_dir(id_) / "events.jsonl"),
        sent_(after),
        no_snapshots_(no_snapshots),
        heartbeat_(g.config_.stream.heartbeat_seconds),
        poll_ms_(static_cast<int>(g.config_.stream.poll_ms)),
        last_write_(steady_seconds()) {}
  ~EventSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  EventSource(const EventSource&) = delete;
  EventSource& operator=(const EventSource&) = delete;

  Piece next(size_t max_bytes) override {
    Piece p;
    if (!greeted_) {
      greeted_ = true;
      p.data = "retry: 1000\n\n";
      return p;
    }
    if (ended_) {
      p.done = true;
      return p;
    }
    if (fd_ < 0) fd_ = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
    bool got = false;
    if (fd_ >= 0) {
      struct stat st {};
      if (::fstat(fd_, &st) == 0 && st.st_size < offset_) resync();  // cut back by a worker that restarted
      // Read no more than fits in one piece, with room for the SSE framing.
      const size_t want = std::min(max_bytes / 2, std::max<size_t>(4096, max_bytes / 2 - pending_.size()));
      const size_t had = pending_.size();
      pending_.resize(had + want);  // read straight into the pending bytes: no buffer per call
      const ssize_t n = ::pread(fd_, pending_.data() + had, want, offset_);
      pending_.resize(had + static_cast<size_t>(std::max<ssize_t>(n, 0)));
      if (n > 0) {
        offset_ += n;
        got = true;
      }
      size_t at = 0, nl = 0;
      while ((nl = pending_.find('\n', at)) != std::string::npos && p.data.size() < max_bytes / 2) {
        const std::string_view line(pending_.data() + at, nl - at);
        const bool spans = at == 0 && pending_spans_;
        if (seq_of(line) != line_seq_ + 1 || (spans && json_too_deep_at(line) != std::string_view::npos) ||
            (spans && !json::accept(line))) {
          resync();
          p.data.clear();
          at = 0;
          break;
        }
        ++line_seq_;
        at = nl + 1;
        if (line_seq_ <= sent_) continue;
        sent_ = line_seq_;
        if (no_snapshots_ && line.find("\"type\":\"snapshot\"") != std::string_view::npos) continue;
        p.data += "id: " + std::to_string(line_seq_) + "\ndata: ";
        p.data.append(line);
        p.data += "\n\n";
        if (line.find("\"type\":\"done\"") != std::string_view::npos) {
          ended_ = true;
          break;
        }
      }
      if (at > 0) pending_.erase(0, at);
      pending_spans_ = !pending_.empty();
      if (pending_.size() > max_line_) {  // no event of ours is this long
        p.data += ": the log holds a line too long to send\n\n";
        ended_ = true;
      }
    }
    const double now = steady_seconds();
    if (!p.data.empty()) {
      last_write_ = now;
      return p;
    }
    if (got) return p;  // more to read at once
    if (now - last_state_check_ > 3.0) {
      // A job that ended with nothing more to read: the stream is complete.
      last_state_check_ = now;
      const auto j = g_.store_.job(id_);
      if (!j || (is_final_state(j->state) && last_seq(file_) <= sent_)) {
        p.done = true;
        return p;
      }
    }
    if (now - last_write_ >= heartbeat_) {
      last_write_ = now;
      p.data = ": keep-alive\n\n";
      return p;
    }
    p.wait_ms = poll_ms_;
    return p;
  }

 private:
  void resync() {
    offset_ = 0;
    pending_.clear();
    pending_spans_ = false;
    line_seq_ = 0;
  }

  static constexpr size_t max_line_ = size_t{16} << 20;
  Gateway& g_;
  std::string id_;
  fs::path file_;
  int fd_ = -1;
  off_t offset_ = 0;
  std::string pending_;         // bytes after the last whole line
  bool pending_spans_ = false;  // pending_ came in an earlier read
  uint64_t line_seq_ = 0, sent_ = 0;
  bool no_snapshots_ = false, greeted_ = false, ended_ = false;
  double heartbeat_;
  int poll_ms_;
  double last_write_, last_state_check_ = 0;
};

net::Response Gateway::events(const JobRecord& job, const net::Request& req) {
  if (auto gone = files_gone(job)) return std::move(*gone);
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
  r.source = std::make_shared<EventSource>(*this, job.id, after, no_snapshots);
  return r;
}

}  // namespace aisb::center
