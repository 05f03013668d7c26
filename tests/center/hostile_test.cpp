// A student who wants to break the center (issue 11, items 1, 2, 3, 5 and
// 6): a real aisandbox-center process on loopback, attacked over real
// sockets (plain and TLS). Each test is something that stopped or starved
// the center before. Last, the same deep JSON given to the worker and, from
// a fake center, to the CLI.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <map>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "../support/sockets.hpp"
#include "backend/center_client.hpp"
#include "center_fixture.hpp"
#include "center_process.hpp"
#include "core/json_text.hpp"
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
  // An encoded slash is not a separator. Decoded before routing, these
  // would be an existing job's status and its event stream.
  const std::string token = login("mallory");
  JobSpec spec = test::xor_job(20);
  spec.training.epochs = 1;
  const auto made = call("POST", "/api/v1/jobs", to_json(spec).dump(), token);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = json::parse(made.body)["id"];
  ASSERT_EQ(call("GET", "/api/v1/jobs/" + id, "", token).status, 200);
  const auto status = call("GET", "/api/v1/jobs%2F" + id, "", token);
  EXPECT_EQ(status.status, 404) << status.body;
  const auto events = call("GET", "/api/v1/jobs/" + id + "%2Fevents", "", token);
  EXPECT_EQ(events.status, 404) << events.body.substr(0, 200);
  // The slash stayed inside the job's id, which no job has.
  EXPECT_NE(events.body.find("no job '" + id + "/events'"), std::string::npos) << events.body.substr(0, 200);
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

TEST_F(Hostile, TheRetentionSweepRemovesAnEndedJobsFilesWhichThenAnswer410) {
  // A retention of 1.7 seconds. The center sweeps as it starts, and every
  // hour after.
  center.reset();
  std::ofstream(data / "center.toml") << kSettings << "[retention]\ndays = 0.00002\n";
  center = std::make_unique<CenterProcess>(data);
  center->start();
  const std::string token = login("frank");
  const std::string id = finished_job(token);
  // A job that has not ended keeps its files, however old.
  JobSpec spec = test::xor_job(20);
  spec.training.epochs = 100000;
  const auto r = call("POST", "/api/v1/jobs", to_json(spec).dump(), token);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string running = json::parse(r.body)["id"];
  ASSERT_TRUE(fs::exists(data / "jobs" / id / "events.jsonl"));
  ASSERT_TRUE(fs::exists(data / "jobs" / id / "model.json"));
  ASSERT_EQ(call("GET", "/api/v1/jobs/" + id + "/model", "", token).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // the ended job is past its retention now
  center.reset();
  center = std::make_unique<CenterProcess>(data);
  center->start();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (fs::exists(data / "jobs" / id) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(fs::exists(data / "jobs" / id)) << "the sweep left the ended job's folder";
  EXPECT_TRUE(fs::exists(data / "jobs" / running / "job.json"));
  for (const char* what : {"/events", "/model"}) {
    const auto gone = call("GET", "/api/v1/jobs/" + id + what, "", token);
    EXPECT_EQ(gone.status, 410) << what << " " << gone.body;
    EXPECT_NE(gone.body.find("removed"), std::string::npos) << gone.body;
  }
  EXPECT_EQ(call("GET", "/api/v1/jobs/" + id, "", token).status, 200);  // the row stays
  EXPECT_EQ(call("POST", "/api/v1/jobs/" + running + "/cancel", "", token).status / 100, 2);
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

// A TLS 1.2 ClientHello in one record, as a client's first bytes: a random,
// two RSA cipher suites, and the extensions a server needs to answer it.
std::string client_hello() {
  const auto u16 = [](int v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; };
  const auto u24 = [](size_t v) {
    return std::string{static_cast<char>(v >> 16), static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
  };
  const auto extension = [&](int type, const std::string& data) {
    return u16(type) + u16(static_cast<int>(data.size())) + data;
  };
  const std::string extensions = extension(0x000a, u16(4) + u16(0x001d) + u16(0x0017)) +  // groups: x25519, P-256
                                 extension(0x000b, std::string("\x01\x00", 2)) +          // points: uncompressed
                                 extension(0x000d, u16(6) + u16(0x0804) + u16(0x0401) + u16(0x0403)) +  // signatures
                                 extension(0xff01, std::string(1, '\0'));            // renegotiation_info
  std::string hello = u16(0x0303) + std::string(32, '\x5a') + std::string(1, '\0');  // version, random, no session
  hello += u16(4) + u16(0xc02f) + u16(0x009c);  // ECDHE-RSA-AES128-GCM-SHA256, AES128-GCM-SHA256
  hello += std::string("\x01\x00", 2);          // no compression
  hello += u16(static_cast<int>(extensions.size())) + extensions;
  const std::string handshake = std::string(1, '\x01') + u24(hello.size()) + hello;
  return std::string("\x16\x03\x01", 3) + u16(static_cast<int>(handshake.size())) + handshake;
}

TEST_F(Hostile, ATrickledTlsClientHelloIsClosedAtTheHeadDeadline) {
  const std::string cert = (data / "cert.pem").string(), key = (data / "key.pem").string();
  ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
                         "subjectAltName=IP:127.0.0.1 -keyout " +
                         key + " -out " + cert + " 2>/dev/null")
                            .c_str()),
            0);
  center.reset();
  std::ofstream(data / "center.toml") << kSettings << "[server]\nhead_timeout_seconds = 1\n";
  center = std::make_unique<CenterProcess>(data, std::vector<std::string>{"--tls-cert", cert, "--tls-key", key});
  center->start();
  net::ClientOptions trusted;
  trusted.ca_file = cert;
  const std::string health = "https://127.0.0.1:" + std::to_string(center->port()) + "/api/v1/health";
  const auto answers = [&] {
    try {
      return net::request("GET", health, "", {}, trusted).status == 200;
    } catch (const net::Unreachable& e) {
      ADD_FAILURE() << e.what();
      return false;
    }
  };
  ASSERT_TRUE(answers());
  const std::string hello = client_hello();
  // Sent whole, it is a ClientHello the center answers with its ServerHello.
  {
    const int fd = send_and_never_read(center->port(), hello);
    const std::string back = test::read_until_closed(fd, 1);
    ::close(fd);
    ASSERT_GE(back.size(), 6u);
    EXPECT_EQ(back[0], '\x16') << "not a handshake record";
    EXPECT_EQ(back[5], '\x02') << "not a ServerHello";
  }
  // Sent a byte every 200 ms (each well inside any wait for one read, the
  // whole of it ~17 s), it is closed by the deadline for the handshake.
  const int fd = test::connect_from("127.0.0.1", center->port());
  ASSERT_GE(fd, 0);
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < hello.size() && !closed; ++i) {
    if (::send(fd, &hello[i], 1, MSG_NOSIGNAL) != 1) break;
    test::read_until_closed(fd, 0.2, &closed);
    if (i == 2) {
      EXPECT_TRUE(answers()) << "a TLS client got no answer while the hello trickled";
    }
  }
  if (!closed) test::read_until_closed(fd, 0.5, &closed);  // (a reset can come as the last byte goes)
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  EXPECT_TRUE(closed) << "the trickling hello was still connected after " << took << " s";
  EXPECT_GE(took, 0.8) << "closed before its deadline";
  EXPECT_LT(took, 3.0) << "closed " << took << " s after it began; the deadline is 1 s";
  EXPECT_TRUE(answers());
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

// ---------------------------------------------------------------- deep JSON
// What the worker and the CLI read is bounded as the center's bodies are:
// a value nested 100,000 deep is an error, not a stack overflow.

std::string nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']');
}

// A program run to its end, with extra environment: how it ended (as
// waitpid says) and what it printed on either stream.
struct Finished {
  int status = -1;
  std::string out;
};
Finished run_to_end(std::vector<std::string> argv, const fs::path& out_file, std::vector<std::string> env = {}) {
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);  // later ones lose to the extra ones
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  Finished f;
  ::waitpid(pid, &f.status, 0);
  std::ifstream in(out_file);
  f.out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return f;
}

class DeepJson : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("aisb_deep_" + std::to_string(::getpid()) + "_" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(DeepJson, ParseJsonReadsUpToItsDepthAndRefusesPastIt) {
  std::string why;
  EXPECT_FALSE(parse_json(nested(max_json_depth)).is_discarded());
  EXPECT_TRUE(parse_json(nested(max_json_depth + 1), &why).is_discarded());
  EXPECT_EQ(why, "nested deeper than 64 levels (at byte 64)");
  EXPECT_EQ(json_too_deep_at(nested(max_json_depth + 1)), 64u);
  EXPECT_EQ(json_too_deep_at(nested(max_json_depth)), std::string_view::npos);
  // Objects count as arrays do, and their closing lowers the depth again.
  std::string objects;
  for (int i = 0; i <= max_json_depth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(max_json_depth + 1, '}');
  EXPECT_TRUE(parse_json(objects).is_discarded());
  EXPECT_FALSE(parse_json("[" + nested(max_json_depth - 1) + "," + nested(max_json_depth - 1) + "]").is_discarded());
  // Brackets inside strings are text, escaped quotes too.
  const std::string text = "{\"s\": \"\\\"" + std::string(1000, '[') + std::string(1000, '{') + "\"}";
  EXPECT_FALSE(parse_json(text, &why).is_discarded()) << why;
  // A reader may ask for less.
  EXPECT_TRUE(parse_json("[[[1]]]", nullptr, 2).is_discarded());
  EXPECT_FALSE(parse_json("[[1]]", nullptr, 2).is_discarded());
  // The depth that overflowed a stack, refused in one pass.
  EXPECT_TRUE(parse_json("{\"format\": " + nested(100000) + "}", &why).is_discarded());
  EXPECT_EQ(why, "nested deeper than 64 levels (at byte 74)");
  EXPECT_TRUE(parse_json("[1,", &why).is_discarded());
  EXPECT_EQ(why, "not valid JSON");
}

TEST_F(DeepJson, TheWorkerEndsADeepJobWithAnErrorNotACrash) {
  const fs::path job = dir / "job";
  fs::create_directories(job);
  std::ofstream(job / "job.json") << "{\"format\": " << nested(100000) << ", \"lesson\": \"x\"}";
  const Finished f = run_to_end({AISB_WORKER, "--job", job.string()}, dir / "worker.out");
  ASSERT_TRUE(WIFEXITED(f.status)) << "the worker died of signal " << WTERMSIG(f.status) << ": " << f.out;
  EXPECT_EQ(WEXITSTATUS(f.status), 1) << f.out;
  EXPECT_NE(f.out.find("nested deeper than 64 levels"), std::string::npos) << f.out;
  // Its log ends the run, and says why.
  std::ifstream log(job / "events.jsonl");
  std::string line, last;
  while (std::getline(log, line)) last = line;
  const json done = json::parse(last);
  EXPECT_EQ(done["type"], "done");
  EXPECT_EQ(done["reason"], "failed");
  EXPECT_NE(done["message"].get<std::string>().find("job.json"), std::string::npos) << last;
  EXPECT_NE(done["message"].get<std::string>().find("nested deeper"), std::string::npos) << last;
}

TEST_F(DeepJson, TheCliTakesADeepAnswerFromACenterAsAnErrorNotACrash) {
  // A "center" whose every answer is JSON nested 100,000 deep: an accepted
  // login (200), then a refusal (401).
  const std::string deep = "{\"token\": \"t\", \"name\": " + nested(100000) + "}";
  std::atomic<int> status{200};
  std::atomic<int> asked{0};
  test::Listener fake([&](int fd) {
    test::read_http_message(fd, 10);
    ++asked;
    const std::string answer =
        "HTTP/1.1 " + std::to_string(status.load()) +
        " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(deep.size()) +
        "\r\n\r\n" + deep;
    ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
  });
  const std::vector<std::string> env = {"XDG_CONFIG_HOME=" + (dir / "config").string(), "LANG=C", "LC_ALL=C"};
  const auto login = [&] {
    return run_to_end({AISB_CLI, "login", "--center", fake.url(), "--class", "K7QP3M", "--name", "x"}, dir / "cli.out",
                      env);
  };
  const Finished accepted = login();
  ASSERT_TRUE(WIFEXITED(accepted.status)) << "the CLI died of signal " << WTERMSIG(accepted.status);
  EXPECT_EQ(WEXITSTATUS(accepted.status), 3) << accepted.out;  // not a center
  EXPECT_NE(accepted.out.find("not JSON"), std::string::npos) << accepted.out;
  status = 401;
  const Finished refused = login();
  ASSERT_TRUE(WIFEXITED(refused.status)) << "the CLI died of signal " << WTERMSIG(refused.status);
  EXPECT_EQ(WEXITSTATUS(refused.status), 1) << refused.out;
  EXPECT_NE(refused.out.find("401"), std::string::npos) << refused.out;
  EXPECT_EQ(asked.load(), 2);
  EXPECT_FALSE(fs::exists(dir / "config" / "aisandbox" / "center.toml")) << "a login was saved";
}

}  // namespace
}  // namespace aisb
