// A student who wants to break the center (issue 11, items 1, 2, 3 and 5):
// a real aisandbox-center process on loopback, attacked over real sockets.
// Each test is something that stopped or starved the center before.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <map>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "../support/sockets.hpp"
#include "backend/center_client.hpp"
#include "center_fixture.hpp"
#include "center_process.hpp"
#include "net/http.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

using test::CenterProcess;
using test::send_and_never_read;

constexpr const char* kSettings = R"([limits]
max_samples = 5000
requests_per_minute = 100000
[stream]
heartbeat_seconds = 0.5
poll_ms = 20
[local]
workers = 1
)";

// Resident memory of a process, in bytes (VmRSS).
int64_t rss_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

class Hostile : public test::CenterFixture {
 protected:
  Hostile() : CenterFixture("hostile") {}
  void SetUp() override {
    CenterFixture::SetUp();
    start(kSettings);
  }
  // Signs in with the personal code the name got at its first sign-in.
  std::string login(const std::string& name) {
    remote::CenterClient c(center->url(), "");
    json answer;
    const std::string token = c.login(klass["class_code"], name, codes_[name], &answer);
    if (answer.contains("code")) codes_[name] = answer["code"];
    return token;
  }
  std::map<std::string, std::string> codes_;
  bool healthy() {
    try {
      return call("GET", "/api/v1/health").status == 200;
    } catch (const net::Unreachable&) {
      return false;
    }
  }
  // A job that ran to its end, whose files the test then replaces.
  std::string finished_job(const std::string& token) {
    JobSpec spec = test::xor_job(20);
    spec.training.epochs = 2;
    const auto r = call("POST", "/api/v1/jobs", to_json(spec).dump(), token);
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string id = json::parse(r.body)["id"];
    for (int i = 0; i < 600; ++i) {
      const auto s = json::parse(call("GET", "/api/v1/jobs/" + id, "", token).body);
      if (s["state"] == "done") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return id;
  }
};

TEST_F(Hostile, ADeeplyNestedBodyIsRefusedAndTheCenterLivesOn) {
  const std::string token = login("mallory");
  const int depth = 100000;  // 200 KB: under the body limit
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  for (const std::string& body : {"{\"format\": " + deep + ", \"lesson\": \"x\"}", deep}) {
    const auto r = call("POST", "/api/v1/jobs", body, token);
    EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
    EXPECT_NE(r.body.find("nested deeper than"), std::string::npos) << r.body.substr(0, 200);
  }
  const auto l = call("POST", "/api/v1/login", "{\"class_code\": " + deep + "}");
  EXPECT_EQ(l.status, 400);
  EXPECT_TRUE(healthy()) << "the center died";
  EXPECT_EQ(::kill(center->pid(), 0), 0);
}

TEST_F(Hostile, RequestFramingTricksAreRefused) {
  const auto exchange = [&](const std::string& bytes) {
    const int fd = send_and_never_read(center->port(), bytes);
    std::string out = test::read_until_closed(fd, 3);
    ::close(fd);
    return out;
  };
  const std::string second = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const std::string& head :
       {"POST /api/v1/login HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: " + std::to_string(second.size()) +
            "\r\n\r\n",
        std::string("POST /api/v1/login HTTP/1.1\r\nContent-Length:\r\n\r\n"),
        "POST /api/v1/login HTTP/1.1\r\nContent-Length : " + std::to_string(second.size()) + "\r\n\r\n"}) {
    const std::string out = exchange(head + second);
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
    EXPECT_EQ(out.find("\"queued\""), std::string::npos) << "the smuggled request was answered: " << out;
  }
  const std::string bad_utf8 = exchange("GET /api/v1/jobs/\xff\xfe/events HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(bad_utf8.starts_with("HTTP/1.1 400")) << bad_utf8;
  // An encoded slash is not a separator: no route has a segment with '/' in it.
  const std::string token = login("mallory");
  const auto r = call("GET", "/api/v1/jobs%2Fj0000000000000000", "", token);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_TRUE(healthy());
}

TEST_F(Hostile, HeadOfAnEventStreamSendsNoBody) {
  const std::string token = login("carol");
  const std::string id = finished_job(token);
  const int fd = send_and_never_read(
      center->port(), "HEAD /api/v1/jobs/" + id + "/events HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n");
  const std::string out = test::read_until_closed(fd, 3);
  ::close(fd);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200")) << out;
  EXPECT_EQ(out.find("data:"), std::string::npos) << out;
}

TEST_F(Hostile, UnreadStreamsAndDownloadsDoNotPullWholeFilesIntoMemory) {
  const std::string token = login("dave");
  const std::string id = finished_job(token);
  const fs::path dir = data / "jobs" / id;
  // A 25 MB log of valid events and a 100 MB model, as a runaway job could leave.
  {
    std::ofstream log(dir / "events.jsonl", std::ios::trunc);
    const std::string filler(4000, 'x');
    uint64_t seq = 0;
    while (log.tellp() < (int64_t{25} << 20)) {
      log << json{{"seq", ++seq}, {"type", "log"}, {"level", "info"}, {"message", filler}}.dump() << "\n";
    }
    log << json{{"seq", ++seq}, {"type", "done"}, {"reason", "completed"}, {"steps", 1}, {"seconds", 1.0}}.dump()
        << "\n";
    std::ofstream model(dir / "model.json", std::ios::trunc);
    const std::string mb(1 << 20, ' ');
    for (int i = 0; i < 100; ++i) model << mb;
  }
  const int64_t before = rss_of(center->pid());
  std::vector<int> fds;
  const std::string auth = "Authorization: Bearer " + token + "\r\n\r\n";
  for (int i = 0; i < 40; ++i) {
    fds.push_back(send_and_never_read(center->port(), "GET /api/v1/jobs/" + id + "/events HTTP/1.1\r\n" + auth));
  }
  for (int i = 0; i < 10; ++i) {
    fds.push_back(send_and_never_read(center->port(), "GET /api/v1/jobs/" + id + "/model HTTP/1.1\r\n" + auth));
  }
  int64_t peak = before;
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    peak = std::max(peak, rss_of(center->pid()));
  }
  // Whole files would be 40 x 25 MB + 10 x 100 MB, twice over.
  EXPECT_LT(peak - before, int64_t{100} << 20)
      << "center memory grew from " << (before >> 20) << " MB to " << (peak >> 20) << " MB";
  EXPECT_TRUE(healthy());
  // The same download read to its end is whole.
  const auto m = call("GET", "/api/v1/jobs/" + id + "/model", "", token);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.body.size(), size_t{100} << 20);
  for (const int fd : fds) ::close(fd);
}

TEST_F(Hostile, ThousandsOfSilentConnectionsDoNotLockAClassOut) {
  // A center under the common open-file limit of 1,024 (set from outside,
  // after it started: it must cope with running out of files, whatever it
  // thought its limit was) ...
  const rlimit common{1024, 1024};
  ASSERT_EQ(::prlimit(center->pid(), RLIMIT_NOFILE, &common, nullptr), 0);
  // ... and idle and trickling connections from other addresses, more than
  // that limit allows, all without a login.
  std::vector<int> fds;
  for (int a = 2; a < 6 && fds.size() < 1200; ++a) {
    const std::string from = "127.0.0." + std::to_string(a);
    for (int i = 0; i < 300; ++i) {
      const int fd = test::connect_from(from.c_str(), center->port());
      if (fd < 0) continue;
      if (i % 2 == 0) ::send(fd, "G", 1, MSG_NOSIGNAL);  // half of them trickle a head
      fds.push_back(fd);
    }
  }
  ASSERT_GT(fds.size(), 1000u);
  // A whole class still logs in and submits.
  for (int s = 0; s < 10; ++s) {
    const std::string token = login("student " + std::to_string(s));
    JobSpec spec = test::xor_job(20);
    spec.training.epochs = 1;
    const auto r = call("POST", "/api/v1/jobs", to_json(spec).dump(), token);
    EXPECT_EQ(r.status, 201) << r.body;
  }
  EXPECT_TRUE(healthy());
  for (const int fd : fds) ::close(fd);
}

TEST_F(Hostile, AFullDiskShowsInHealthAndStartsNoJob) {
  // "Full": less free than the operator asked to keep.
  center.reset();
  std::ofstream(data / "center.toml") << kSettings << "[disk]\nmin_free_mb = 1e9\n";
  center = std::make_unique<CenterProcess>(data);
  center->start();
  const auto h = call("GET", "/api/v1/health");
  EXPECT_EQ(h.status, 503) << h.body;
  const json body = json::parse(h.body);
  EXPECT_EQ(body["ok"], false);
  ASSERT_TRUE(body.contains("problems")) << h.body;
  EXPECT_NE(body["problems"][0].get<std::string>().find("disk"), std::string::npos) << h.body;
  // A job waits in the queue rather than failing on its first write.
  const std::string token = login("erin");
  JobSpec spec = test::xor_job(20);
  spec.training.epochs = 1;
  const auto r = call("POST", "/api/v1/jobs", to_json(spec).dump(), token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = json::parse(r.body)["id"];
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(json::parse(call("GET", "/api/v1/jobs/" + id, "", token).body)["state"], "queued");
}

TEST_F(Hostile, AJobWhoseFilesRetentionRemovedAnswers410) {
  const std::string token = login("frank");
  const std::string id = finished_job(token);
  fs::remove_all(data / "jobs" / id);  // what the retention sweep does after [retention] days
  for (const char* what : {"/events", "/model"}) {
    const auto r = call("GET", "/api/v1/jobs/" + id + what, "", token);
    EXPECT_EQ(r.status, 410) << what << " " << r.body;
    EXPECT_NE(r.body.find("removed"), std::string::npos) << r.body;
  }
  EXPECT_EQ(call("GET", "/api/v1/jobs/" + id, "", token).status, 200);  // the row stays
}

TEST_F(Hostile, ATricklingHeadIsClosedAtTheConfiguredDeadline) {
  center.reset();
  std::ofstream(data / "center.toml") << kSettings << "[server]\nhead_timeout_seconds = 1\n";
  center = std::make_unique<CenterProcess>(data);
  center->start();
  const int fd = send_and_never_read(center->port(), "G");
  timeval tv{0, 200000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  const std::string rest = "ET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t i = 0; i < rest.size() && !closed; ++i) {
    ::send(fd, &rest[i], 1, MSG_NOSIGNAL);  // a byte every 200 ms: 8 s for the whole head
    char c;
    const ssize_t n = ::recv(fd, &c, 1, 0);
    closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_TRUE(healthy());
}

// Open files of a process.
int open_files(pid_t pid) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
  return n;
}

TEST_F(Hostile, StreamsAreCappedPerStudentAndHoldNoFileWhileTheyWait) {
  center.reset();
  std::string settings = kSettings;
  settings.insert(settings.find('\n') + 1, "max_streams_per_student = 30\n");  // into [limits]
  start(settings);
  const std::string token = login("grace");
  // A long job runs; the second waits in the queue (one worker), and its streams wait with it.
  JobSpec spec = test::xor_job(20);
  spec.training.epochs = 100000;
  ASSERT_EQ(call("POST", "/api/v1/jobs", to_json(spec).dump(), token).status, 201);
  const auto r = call("POST", "/api/v1/jobs", to_json(spec).dump(), token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string queued = json::parse(r.body)["id"];
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int before = open_files(center->pid());
  std::vector<int> fds;
  const std::string get =
      "GET /api/v1/jobs/" + queued + "/events HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  for (int i = 0; i < 30; ++i) fds.push_back(send_and_never_read(center->port(), get));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // One socket each; no log file held open between reads.
  EXPECT_LE(open_files(center->pid()) - before, 30 + 10);  // a file each would be 60
  // The 31st is refused, and says why.
  const int extra = send_and_never_read(center->port(), get);
  const std::string answer = test::read_until_closed(extra, 3);
  ::close(extra);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 429")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("event streams"), std::string::npos) << answer.substr(0, 300);
  // Closing one gives its place back.
  ::close(fds.back());
  fds.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int again = send_and_never_read(center->port(), get);
  const std::string second = test::read_until_closed(again, 1);
  ::close(again);
  EXPECT_TRUE(second.starts_with("HTTP/1.1 200")) << second.substr(0, 200);
  for (const int fd : fds) ::close(fd);
}

TEST_F(Hostile, AnEventTooLargeToStreamIsPassedOverInConstantMemory) {
  const std::string token = login("heidi");
  const std::string id = finished_job(token);
  const fs::path log = data / "jobs" / id / "events.jsonl";
  std::vector<std::string> lines;
  {
    std::ifstream in(log);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  ASSERT_GE(lines.size(), 3u);
  // A snapshot of 16 MB in the middle, as a very large model's could be.
  {
    std::ofstream out(log, std::ios::trunc);
    const size_t mid = lines.size() / 2;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i == mid) {
        out << "{\"seq\":" << i + 1 << ",\"step\":1,\"type\":\"snapshot\",\"weights\":[{\"name\":\"w\",\"data\":["
            << std::string(16 << 20, '1') << "]}]}\n";
      } else {
        json j = json::parse(lines[i]);
        j["seq"] = i + 1;
        out << j.dump() << "\n";
      }
    }
  }
  const int64_t before = rss_of(center->pid());
  std::vector<int> fds;
  const std::string get = "GET /api/v1/jobs/" + id + "/events HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  for (int i = 0; i < 8; ++i) fds.push_back(send_and_never_read(center->port(), get));
  int64_t peak = before;
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    peak = std::max(peak, rss_of(center->pid()));
  }
  EXPECT_LT(peak - before, int64_t{64} << 20) << "center memory grew by " << ((peak - before) >> 20) << " MB";
  for (const int fd : fds) ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // (their places come back as the center sees them go)
  // A client that reads gets every seq, the big one as a short stand-in.
  remote::CenterClient c(center->url(), token);
  std::vector<json> ev;
  c.follow(id, 0, [&](const json& e) {
    ev.push_back(e);
    return true;
  });
  ASSERT_EQ(ev.size(), lines.size());
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i]["seq"].get<uint64_t>(), i + 1);
  EXPECT_EQ(ev[lines.size() / 2]["type"], "log");
  EXPECT_EQ(ev.back()["type"], "done");
}

TEST_F(Hostile, InventedNamesCannotTakeTheTeachersStreams) {
  center.reset();
  std::string settings = kSettings;
  settings.insert(settings.find('\n') + 1, "max_streams_per_student = 5\nmax_streams_per_class = 10\n");
  start(settings);
  std::vector<std::string> tokens, jobs;
  for (const char* name : {"fake a", "fake b", "real"}) {
    tokens.push_back(login(name));
    JobSpec spec = test::xor_job(20);
    spec.training.epochs = 100000;  // the first runs, the others wait: every stream stays open
    const auto r = call("POST", "/api/v1/jobs", to_json(spec).dump(), tokens.back());
    ASSERT_EQ(r.status, 201) << r.body;
    jobs.push_back(json::parse(r.body)["id"]);
  }
  const auto open_stream = [&](const std::string& token, const std::string& job) {
    const int fd = send_and_never_read(
        center->port(), "GET /api/v1/jobs/" + job + "/events HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n");
    const std::string head = test::read_until_closed(fd, 0.5);
    return std::make_pair(fd, head);
  };
  std::vector<int> fds;
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; i < 5; ++i) {
      auto [fd, head] = open_stream(tokens[n], jobs[n]);
      EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head.substr(0, 120);
      fds.push_back(fd);
    }
  }
  // The class's student streams are all taken by two invented names ...
  auto [refused, why] = open_stream(tokens[2], jobs[2]);
  ::close(refused);
  EXPECT_TRUE(why.starts_with("HTTP/1.1 429")) << why.substr(0, 200);
  EXPECT_NE(why.find("for your class"), std::string::npos) << why.substr(0, 300);
  // ... but the teacher's class view has its own.
  auto [teacher, head] = open_stream(klass["teacher_token"], jobs[2]);
  ::close(teacher);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head.substr(0, 200);
  for (const int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace aisb
