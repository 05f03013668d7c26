#include "center/gateway.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <tuple>

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

namespace {

DataLimits data_limits(const Config& c) {
  constexpr double kMiB = 1024.0 * 1024.0;
  return DataLimits{static_cast<int64_t>(c.limits.max_upload_mb * kMiB),
                    static_cast<int64_t>(c.limits.data_quota_mb_per_class * kMiB), c.limits.max_uploads_per_student,
                    static_cast<int64_t>(c.min_free_disk_mb * kMiB)};
}

}  // namespace

Gateway::Gateway(Store& store, Config config, std::unique_ptr<Executor> executor, fs::path data_dir)
    : store_(store),
      config_(std::move(config)),
      uploads_(std::make_unique<DataStore>(store, data_dir / "data", data_limits(config_))),
      executor_(std::move(executor)),
      data_(std::move(data_dir)) {}

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
  // Uploads that a center killed mid-way left behind go before any job looks.
  try {
    uploads_->start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aisandbox-center: %s; uploads of data will fail\n", e.what());
  }
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

  // An upload that came whole (the server streams them; a parser without
  // streaming routes does not) admits its caller itself.
  if (is_upload(req)) return upload_in_memory(req);

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
    if (const auto c = store_.find_class(who.who.class_id)) {
      me["class_name"] = c->name;
      if (who.teacher()) me["class_code"] = c->code;  // for the cards the teacher prints
    }
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
  if (parts.size() == 2 && parts[0] == "data") return data_route(req, parts[1], who);
  if (auto answer = classroom(parts, req, who)) return std::move(*answer);
  if (parts.size() == 3 && parts[0] == "classes" && parts[2] == "jobs") {
    if (!method_is("GET")) return wrong_method("GET");
    return class_jobs(parts[1], req, who);
  }
  if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == "jobs") {
    const std::string& id = parts[1];
    std::optional<JobRecord> job;
    if (is_job_id(id)) job = store_.job(id);
    // Another person's job is as good as missing: nothing says it exists.
    if (!job || !who.may_see(*job)) return error(404, "no job '" + id + "' of yours");
    const std::string what = parts.size() == 3 ? parts[2] : "";
    if (what.empty()) return method_is("GET") ? job_status(*job) : wrong_method("GET");
    if (what == "events") return method_is("GET") ? events(*job, req, who) : wrong_method("GET");
    if (what == "model") return method_is("GET") ? model(*job) : wrong_method("GET");
    if (what == "cancel") return req.method == "POST" ? cancel(*job) : wrong_method("POST");
    if (what == "probe") return req.method == "POST" ? probe(*job, req) : wrong_method("POST");
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
    return error(409, is_final_state(job.state) ? "this run ended without trained weights (it is " + job.state + ")"
                                                : "the job has no trained weights yet (it is " + job.state + ")");
  }
  net::Response r;
  r.source = std::make_shared<FileSource>(fd);
  r.length = st.st_size;
  return r;
}

// An event stream: follows the job's log from `after`, a bounded piece at a
// time, until the run's `done` has gone out. What it holds is bounded
// whatever the log holds: one read (32 KiB) and at most one partial line of
// up to `max_line_`; a longer line (a snapshot of a huge model) is passed
// over in constant memory and stood in for by a short `log` event with its
// seq, so the stream keeps its numbering. The log is opened for each read,
// so a stream waiting between reads holds no file: thousands of streams
// cannot run the center out of files. After a second with nothing new, it
// looks less often, up to 4 x poll_ms.
class Gateway::EventSource final : public net::BodySource {
 public:
  EventSource(Gateway& g, std::string id, uint64_t after, bool no_snapshots, std::shared_ptr<void> ticket)
      : g_(g),
        id_(std::move(id)),
        file_(g.job_dir(id_) / "events.jsonl"),
        sent_(after),
        no_snapshots_(no_snapshots),
        heartbeat_(g.config_.stream.heartbeat_seconds),
        poll_ms_(static_cast<int>(g.config_.stream.poll_ms)),
        wait_ms_(poll_ms_),
        last_write_(steady_seconds()),
        last_data_(last_write_),
        ticket_(std::move(ticket)) {}

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
    const bool got = read_more(max_bytes / 2);
    take_lines(p.data, max_bytes / 2);
    const double now = steady_seconds();
    if (!p.data.empty()) {
      last_write_ = last_data_ = now;
      wait_ms_ = poll_ms_;
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
    // A stream whose job has been quiet for a second (queued, or between
    // epochs of a slow model) looks less often; a busy one keeps poll_ms.
    p.wait_ms = now - last_data_ > 1.0 ? std::min(wait_ms_ *= 2, 4 * poll_ms_) : poll_ms_;
    return p;
  }

 private:
  // Appends up to `want` new bytes of the log to pending_; true if any came.
  bool read_more(size_t want) {
    const int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size < offset_) resync();  // cut back by a worker that restarted
    const size_t had = pending_.size();
    pending_.resize(had + want);  // read straight into the pending bytes
    const ssize_t n = ::pread(fd, pending_.data() + had, want, offset_);
    ::close(fd);
    pending_.resize(had + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n <= 0) return false;
    offset_ += n;
    return true;
  }

  // Turns the whole lines in pending_ into SSE events in `out`, until it
  // holds about `budget` bytes.
  void take_lines(std::string& out, size_t budget) {
    size_t at = 0;
    while (out.size() < budget && !ended_) {
      if (skipping_) {  // the rest of an over-long line: dropped as it comes
        const size_t nl = pending_.find('\n', at);
        if (nl == std::string::npos) {
          at = pending_.size();
          break;
        }
        at = nl + 1;
        scan_ = at;
        skipping_ = false;
        continue;
      }
      const size_t nl = pending_.find('\n', std::max(scan_, at));
      if (nl == std::string::npos) {
        scan_ = pending_.size();  // searched: the next search starts here, so a long line costs linear time
        if (pending_.size() - at > max_line_) pass_over_long_line(out, std::string_view(pending_).substr(at));
        if (skipping_) at = pending_.size();
        break;
      }
      const std::string_view line(pending_.data() + at, nl - at);
      const bool spans = at == 0 && pending_spans_;
      if (seq_of(line) != line_seq_ + 1 || (spans && json_too_deep_at(line) != std::string_view::npos) ||
          (spans && !json::accept(line))) {
        resync();
        out.clear();
        return;
      }
      ++line_seq_;
      at = nl + 1;
      scan_ = at;
      if (line_seq_ <= sent_) continue;
      sent_ = line_seq_;
      if (no_snapshots_ && line.find("\"type\":\"snapshot\"") != std::string_view::npos) continue;
      append_event(out, line_seq_, line);
      if (line.find("\"type\":\"done\"") != std::string_view::npos) ended_ = true;
    }
    if (at > 0) {
      pending_.erase(0, at);
      scan_ = scan_ > at ? scan_ - at : 0;
    }
    pending_spans_ = !pending_.empty() && !skipping_;
  }

  // A line past max_line_: ours only if it begins as the next event does.
  void pass_over_long_line(std::string& out, std::string_view start) {
    if (seq_of(start.substr(0, max_line_)) != line_seq_ + 1) {
      out += ": the log holds a line that is not an event\n\n";
      ended_ = true;
      return;
    }
    skipping_ = true;
    ++line_seq_;
    if (line_seq_ <= sent_) return;
    sent_ = line_seq_;
    const json stand_in{{"seq", line_seq_},
                        {"type", "log"},
                        {"level", "warning"},
                        {"message", "an event too large to stream (a snapshot of a very large model) was left out"}};
    append_event(out, line_seq_, stand_in.dump());
  }

  static void append_event(std::string& out, uint64_t seq, std::string_view line) {
    out += "id: " + std::to_string(seq) + "\ndata: ";
    out.append(line);
    out += "\n\n";
  }

  void resync() {
    offset_ = 0;
    pending_.clear();
    pending_spans_ = false;
    skipping_ = false;
    scan_ = 0;
    line_seq_ = 0;
  }

  static constexpr size_t max_line_ = size_t{1} << 20;
  Gateway& g_;
  std::string id_;
  fs::path file_;
  off_t offset_ = 0;
  std::string pending_;         // bytes after the last whole line
  size_t scan_ = 0;             // pending_ has no newline before this
  bool pending_spans_ = false;  // pending_ came in an earlier read
  bool skipping_ = false;       // inside a line too long to send
  uint64_t line_seq_ = 0, sent_ = 0;
  bool no_snapshots_ = false, greeted_ = false, ended_ = false;
  double heartbeat_;
  int poll_ms_, wait_ms_;
  double last_write_, last_data_, last_state_check_ = 0;  // last_data_: a new stream counts as busy
  std::shared_ptr<void> ticket_;                          // this stream's place in its owner's count
};

net::Response Gateway::events(const JobRecord& job, const net::Request& req, const Caller& who) {
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
  // Streams are counted per person and per class: a student who opens
  // hundreds would hold the connections a class needs.
  std::string which;
  auto ticket = take_stream_ticket(who, client_address(req), &which);
  if (!ticket) return error(429, "too many event streams are open " + which + "; close some");
  // ?without=snapshot: the curves only (a teacher's class view needs no weights).
  const auto wo = req.query.find("without");
  const bool no_snapshots = wo != req.query.end() && wo->second == "snapshot";
  net::Response r;
  r.content_type = "text/event-stream";
  r.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  r.source = std::make_shared<EventSource>(*this, job.id, after, no_snapshots, std::move(ticket));
  return r;
}

std::shared_ptr<void> Gateway::take_stream_ticket(const Caller& who, const std::string& address, std::string* which) {
  const Limits& lim = config_.limits;
  // Each stream counts against its person (a student, or the class's
  // teacher), its class's students together, and its client address: so a
  // pupil with invented names cannot take the teacher's class view, and one
  // address cannot take the center's connections.
  std::vector<std::tuple<std::string, int, std::string>> keys;
  if (who.teacher()) {
    keys.emplace_back("teacher:" + who.who.class_id, lim.max_streams_per_class, "for this class's teacher");
  } else {
    keys.emplace_back("student:" + who.who.student_id, lim.max_streams_per_student,
                      "for you (at most " + std::to_string(lim.max_streams_per_student) + ")");
    keys.emplace_back("class:" + who.who.class_id, lim.max_streams_per_class, "for your class");
  }
  keys.emplace_back("address:" + address, lim.max_streams_per_address, "from your address");
  const std::lock_guard lock(streams_mutex_);
  for (const auto& [key, cap, words] : keys) {
    if (streams_of_[key] >= cap) {
      *which = words;
      return nullptr;
    }
  }
  for (const auto& [key, cap, words] : keys) ++streams_of_[key];
  // Given back when the stream's source goes, however the stream ended (not null: null reads as "none").
  return std::shared_ptr<void>(static_cast<void*>(this), [this, keys](void*) {
    const std::lock_guard lock(streams_mutex_);
    for (const auto& key : keys) {
      if (auto it = streams_of_.find(std::get<0>(key)); it != streams_of_.end() && --it->second <= 0) {
        streams_of_.erase(it);
      }
    }
  });
}

}  // namespace aisb::center
