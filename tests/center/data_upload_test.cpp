// A class's own data at the center (issue 13): files travel by content hash
// (PUT/HEAD /api/v1/data/SHA256), never by path. A real aisandbox-center
// on loopback, sent what students send and what a broken or hostile client
// does: bytes that are not their hash, a file over the limit or the class's
// quota, an upload cut off or stalled mid-way, the same file from two
// students at once. Then a job that names its data by hash, end to end on a
// real worker, and the client that uploads what the center lacks.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
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
#include "data/data_pack.hpp"
#include "data/user_data.hpp"
#include "net/http.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

using test::CenterProcess;

// Small limits, so that the tests pass them with small files.
constexpr const char* kSettings = R"([limits]
max_samples = 5000
requests_per_minute = 100000
max_upload_mb = 0.07
data_quota_mb_per_class = 0.1
[stream]
heartbeat_seconds = 0.2
poll_ms = 20
[local]
workers = 1
)";
constexpr int64_t kMaxUpload = 73400;    // 0.07 MiB
constexpr int64_t kClassQuota = 104857;  // 0.1 MiB

// `n` bytes that differ from one `seed` to the next.
std::string bytes_of(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7 + i / 251);
  return s;
}

// A head for a PUT of `length` bytes to /api/v1/data/HASH, sent by hand.
std::string put_head(const std::string& sha256, const std::string& token, size_t length) {
  return "PUT /api/v1/data/" + sha256 + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
         "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

// The status of a raw answer ("HTTP/1.1 413 ..." -> 413), 0 for none.
int status_of(const std::string& answer) {
  return answer.starts_with("HTTP/1.1 ") && answer.size() >= 12 ? std::stoi(answer.substr(9, 3)) : 0;
}

json body_of(const std::string& answer) {
  const size_t at = answer.find("\r\n\r\n");
  return at == std::string::npos ? json() : json::parse(answer.substr(at + 4), nullptr, false);
}

class Data : public test::CenterFixture {
 protected:
  Data() : CenterFixture("data") {}
  std::string login(const std::string& name, const json& of_class = {}) {
    remote::CenterClient c(center->url(), "");
    json answer;
    const std::string code = (of_class.is_null() ? klass : of_class)["class_code"];
    const std::string token = c.login(code, name, codes_[code + name], &answer);
    if (answer.contains("code")) codes_[code + name] = answer["code"];
    return token;
  }
  net::ClientResponse put(const std::string& sha256, const std::string& bytes, const std::string& token) {
    return call("PUT", "/api/v1/data/" + sha256, bytes, token);
  }
  int head(const std::string& sha256, const std::string& token) {
    return call("HEAD", "/api/v1/data/" + sha256, "", token).status;
  }
  // Every name in DATA/data (files kept, and temporary ones).
  std::set<std::string> stored() {
    std::set<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(data / "data", ec), end; !ec && it != end; it.increment(ec)) {
      out.insert(it->path().filename().string());
    }
    return out;
  }
  // Waits until DATA/data holds exactly `want` (a connection's end is noticed
  // by the server a moment after the client's close).
  bool stored_becomes(const std::set<std::string>& want, double seconds = 10) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (stored() == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // What `aisandbox-cli submit LESSON --detach ARGS` gives, run as a student
  // whose config and cache are in `home`: its exit status, the job's id, and
  // what it said on stderr; the job is then followed to its `done`.
  struct Submitted {
    int status = -1;
    std::string id, err, out;
    json done;
  };
  Submitted submit_with_cli(const fs::path& lesson, const fs::path& home, const std::string& token,
                            const std::string& args = "") {
    Submitted r;
    const std::string cmd = "LANG=C LC_ALL=C XDG_CONFIG_HOME=" + home.string() + " XDG_CACHE_HOME=" + home.string() +
                            " " + AISB_CLI + " submit " + lesson.string() + " " + args + " --center " + center->url() +
                            " --token " + token + " --detach 2>" + (home / "stderr.txt").string();
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p) != nullptr) r.out += buf;
    r.status = WEXITSTATUS(::pclose(p));
    r.err = read_file(home / "stderr.txt");
    r.id = json::parse(r.out, nullptr, false).value("job", "");
    if (!r.id.empty()) {
      remote::CenterClient client(center->url(), token);
      client.follow(r.id, 0, [&](const json& e) {
        if (e["type"] == "done") r.done = e;
        return true;
      });
    }
    return r;
  }
  static std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::map<std::string, std::string> codes_;
};

TEST_F(Data, AFileIsKeptByItsHashAndHeadSaysWhetherTheClassHoldsIt) {
  start(kSettings);
  const std::string token = login("minji");
  const std::string bytes = "a,b,y\n1,2,yes\n3,4,no\n";
  const std::string sha = sha256_hex(bytes);
  EXPECT_EQ(head(sha, token), 404);
  const auto first = put(sha, bytes, token);
  EXPECT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(json::parse(first.body)["bytes"], bytes.size());
  EXPECT_EQ(head(sha, token), 200);
  EXPECT_EQ(read_file(data / "data" / sha), bytes);
  EXPECT_EQ(stored(), std::set<std::string>{sha});
  // Again: held, and the body is not needed.
  const auto again = put(sha, bytes, token);
  EXPECT_EQ(again.status, 200) << again.body;
  // The class's teacher holds it too (the class does).
  EXPECT_EQ(head(sha, klass["teacher_token"]), 200);
  // Another class does not: it has to send the bytes itself.
  const json other = CenterProcess::create_class(data, "other");
  const std::string stranger = login("jisu", other);
  EXPECT_EQ(head(sha, stranger), 404);
  EXPECT_EQ(put(sha, bytes, stranger).status, 201);
  EXPECT_EQ(head(sha, stranger), 200);
  EXPECT_EQ(stored(), std::set<std::string>{sha});
  // No token, a token the center does not know.
  EXPECT_EQ(head(sha, ""), 401);
  EXPECT_EQ(put(sha, bytes, "").status, 401);
  EXPECT_EQ(put(sha, bytes, std::string(64, 'f')).status, 401);
  // Only a hash names a file: 64 lower-case hex digits, nothing else.
  for (const std::string& bad : {std::string("abc"), std::string(64, 'A'), std::string(63, 'a') + "g",
                                 std::string("..%2F..%2Fcenter.db"), std::string(65, 'a')}) {
    EXPECT_EQ(put(bad, bytes, token).status, 400) << bad;
    EXPECT_EQ(head(bad, token), 400) << bad;
  }
  EXPECT_EQ(call("GET", "/api/v1/data/" + sha, "", token).status, 405);
  EXPECT_EQ(call("DELETE", "/api/v1/data/" + sha, "", token).status, 405);
}

TEST_F(Data, BytesThatDoNotMatchTheirHashAreRefusedAndNothingIsKept) {
  start(kSettings);
  const std::string token = login("mallory");
  const std::string claimed = sha256_hex("the real table");
  const auto r = put(claimed, "something else entirely", token);
  EXPECT_EQ(r.status, 422) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["field"], "sha256");
  EXPECT_NE(j["error"].get<std::string>().find(sha256_hex("something else entirely")), std::string::npos) << r.body;
  EXPECT_TRUE(j.contains("error_ko"));
  EXPECT_EQ(head(claimed, token), 404);
  EXPECT_TRUE(stored().empty()) << *stored().begin();
}

TEST_F(Data, AFileOverTheLimitIsRefusedFromItsHeadAlone) {
  start(kSettings);
  const std::string token = login("mallory");
  // Content-Length over max_upload_mb, and not a byte of the body: the
  // answer comes at once, with the limit.
  const int fd = test::connect_from("127.0.0.1", center->port());
  ASSERT_GE(fd, 0);
  const std::string h = put_head(sha256_hex("x"), token, size_t{10} << 30);
  ::send(fd, h.data(), h.size(), MSG_NOSIGNAL);
  const std::string answer = test::read_until_closed(fd, 5);
  ::close(fd);
  EXPECT_EQ(status_of(answer), 413) << answer;
  const json j = body_of(answer);
  EXPECT_EQ(j["limit"], kMaxUpload) << answer;
  EXPECT_TRUE(j.contains("error_ko")) << answer;
  EXPECT_TRUE(stored().empty());
  // Through the client too (a real body, answered before it is sent).
  const std::string big = bytes_of(kMaxUpload + 1, 'b');
  const auto r = put(sha256_hex(big), big, token);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_TRUE(stored().empty());
}

TEST_F(Data, AFileFarOverTheBodyLimitStreamsToDisk) {
  // max_body_bytes (1 MiB) bounds what a request holds in memory; an
  // upload goes to disk a piece at a time, up to max_upload_mb.
  start("[limits]\nrequests_per_minute = 100000\nmax_upload_mb = 8\ndata_quota_mb_per_class = 16\n");
  const std::string token = login("minji");
  const std::string big = bytes_of(size_t{5} << 20, 'g');
  const std::string sha = sha256_hex(big);
  const auto r = put(sha, big, token);  // sent at once, without waiting for 100 Continue
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(read_file(data / "data" / sha), big);
  // The client streams from a file, after `Expect: 100-continue`.
  const fs::path file = data.string() + "-big.csv";
  const std::string other = bytes_of(size_t{3} << 20, 'h');
  std::ofstream(file, std::ios::binary) << other;
  JobSpec job;
  job.dataset.source = "csv:big.csv";
  job.dataset.location = file.string();
  job.dataset.data_sha256 = sha256_hex(other);
  uint64_t sent = 0;
  remote::CenterClient client(center->url(), token);
  EXPECT_EQ(client.upload_data(job, {}, [&](uint64_t now, uint64_t) { sent = now; }), other.size());
  EXPECT_EQ(sent, other.size());
  EXPECT_EQ(sha256_of_file(data / "data" / job.dataset.data_sha256), job.dataset.data_sha256);
  fs::remove(file);
}

TEST_F(Data, AnUploadOverTheClassQuotaIsRefusedWithTheLimit) {
  start(kSettings);
  const std::string token = login("minji");
  const std::string a = bytes_of(60000, 'a'), b = bytes_of(60000, 'b');
  ASSERT_EQ(put(sha256_hex(a), a, token).status, 201);
  // 120,000 bytes together: over the class's 0.1 MB.
  const auto r = put(sha256_hex(b), b, login("jisu"));
  EXPECT_EQ(r.status, 413) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["limit"], kClassQuota);
  EXPECT_NE(j["error"].get<std::string>().find("class"), std::string::npos) << r.body;
  EXPECT_TRUE(j.contains("error_ko"));
  EXPECT_EQ(stored(), std::set<std::string>{sha256_hex(a)});
  // The quota is the class's: another class has its own.
  const json other = CenterProcess::create_class(data, "other");
  EXPECT_EQ(put(sha256_hex(b), b, login("seoyeon", other)).status, 201);
}

TEST_F(Data, AnUploadCutOffMidwayLeavesNothing) {
  start(kSettings);
  const std::string token = login("minji");
  const std::string bytes = bytes_of(40000, 'c');
  const std::string sha = sha256_hex(bytes);
  // Content-Length 40000, half of it, then gone.
  const int fd = test::connect_from("127.0.0.1", center->port());
  ASSERT_GE(fd, 0);
  const std::string h = put_head(sha, token, bytes.size());
  ::send(fd, h.data(), h.size(), MSG_NOSIGNAL);
  ::send(fd, bytes.data(), bytes.size() / 2, MSG_NOSIGNAL);
  // The half is on the center's disk, in a temporary file, before the end.
  bool temp_seen = false;
  for (int i = 0; i < 250 && !temp_seen; ++i) {
    for (const auto& name : stored()) temp_seen = temp_seen || name.starts_with(".upload-");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(temp_seen) << "the upload was not streamed to disk";
  ::close(fd);
  EXPECT_TRUE(stored_becomes({})) << "left behind: " << (stored().empty() ? "" : *stored().begin());
  EXPECT_EQ(head(sha, token), 404);
  // The whole file afterwards is kept as any other.
  EXPECT_EQ(put(sha, bytes, token).status, 201);
  EXPECT_EQ(read_file(data / "data" / sha), bytes);
}

TEST_F(Data, AStalledUploadIsClosedAndLeavesNothing) {
  // A client that sends part of a body and then nothing holds no connection
  // (nor a temporary file) for longer than the server's write timeout.
  start(std::string(kSettings) + "[server]\nwrite_timeout_seconds = 1\n");
  const std::string token = login("mallory");
  const std::string bytes = bytes_of(30000, 'd');
  const int fd = test::connect_from("127.0.0.1", center->port());
  ASSERT_GE(fd, 0);
  const std::string h = put_head(sha256_hex(bytes), token, bytes.size());
  ::send(fd, h.data(), h.size(), MSG_NOSIGNAL);
  ::send(fd, bytes.data(), 1000, MSG_NOSIGNAL);
  bool closed = false;
  const auto t0 = std::chrono::steady_clock::now();
  test::read_until_closed(fd, 8, &closed);
  ::close(fd);
  EXPECT_TRUE(closed) << "a stalled upload kept its connection";
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EXPECT_TRUE(stored_becomes({}));
}

TEST_F(Data, TwoStudentsSendTheSameFileAtOnce) {
  start(kSettings);
  const std::string bytes = bytes_of(50000, 'e');
  const std::string sha = sha256_hex(bytes);
  const std::vector<std::string> tokens = {login("minji"), login("jisu")};
  // Both heads and the first halves, then both second halves: the two
  // uploads are on the disk at the same time.
  std::vector<int> fds;
  for (const auto& t : tokens) {
    const int fd = test::connect_from("127.0.0.1", center->port());
    ASSERT_GE(fd, 0);
    const std::string h = put_head(sha, t, bytes.size());
    ::send(fd, h.data(), h.size(), MSG_NOSIGNAL);
    ::send(fd, bytes.data(), bytes.size() / 2, MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (const int fd : fds) {
    ::send(fd, bytes.data() + bytes.size() / 2, bytes.size() - bytes.size() / 2, MSG_NOSIGNAL);
  }
  std::vector<int> statuses;
  for (const int fd : fds) {
    std::string answer;
    for (int i = 0; i < 100 && answer.find("\r\n\r\n") == std::string::npos; ++i) {
      answer += test::read_until_closed(fd, 0.1);
    }
    ::close(fd);
    statuses.push_back(status_of(answer));
  }
  for (const int s : statuses) EXPECT_TRUE(s == 201 || s == 200) << s;
  EXPECT_TRUE(statuses[0] == 201 || statuses[1] == 201);
  EXPECT_EQ(stored(), std::set<std::string>{sha});
  EXPECT_EQ(read_file(data / "data" / sha), bytes);
  EXPECT_EQ(head(sha, tokens[0]), 200);
  EXPECT_EQ(head(sha, tokens[1]), 200);
}

TEST_F(Data, AStudentSendsAFewFilesAtOnceNotMore) {
  start(kSettings);
  const std::string token = login("mallory");
  const std::string slow = bytes_of(30000, 'f');
  const int fd = test::connect_from("127.0.0.1", center->port());
  ASSERT_GE(fd, 0);
  const std::string h = put_head(sha256_hex(slow), token, slow.size());
  ::send(fd, h.data(), h.size(), MSG_NOSIGNAL);
  ::send(fd, slow.data(), 100, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Two at once is the default: a second is taken, a third is not.
  const int fd2 = test::connect_from("127.0.0.1", center->port());
  ::send(fd2, h.data(), h.size(), MSG_NOSIGNAL);
  ::send(fd2, slow.data(), 100, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string third = "third";
  const auto r = put(sha256_hex(third), third, token);
  EXPECT_EQ(r.status, 429) << r.body;
  // A classmate is not held up by it.
  EXPECT_EQ(put(sha256_hex(third), third, login("minji")).status, 201);
  ::close(fd);
  ::close(fd2);
  // The places come back when the uploads end.
  const std::string fourth = "fourth";
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    taken = put(sha256_hex(fourth), fourth, token).status == 201;
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(taken);
}

TEST_F(Data, LeftoversOfACrashAreSweptAtStart) {
  // A temporary file of an earlier center, and a file whose row was never
  // written (killed between the rename and the row): neither is used.
  fs::create_directories(data / "data");
  std::ofstream(data / "data" / ".upload-999999-0123456789abcdef") << "half";
  const std::string orphan = sha256_hex("orphan");
  std::ofstream(data / "data" / orphan) << "orphan";
  std::ofstream(data / "data" / "README") << "the operator's";
  start(kSettings);
  EXPECT_EQ(stored(), std::set<std::string>{"README"});
  EXPECT_EQ(head(orphan, login("minji")), 404);
}

// ---------------------------------------------------------------- jobs

// A tiny table: two numbers and a class that depends on their sum.
std::string tiny_csv(int rows) {
  std::ostringstream s;
  s << "a,b,y\n";
  for (int i = 0; i < rows; ++i) {
    const double a = (i % 10) / 10.0, b = ((i * 7) % 10) / 10.0;
    s << a << "," << b << "," << (a + b > 0.9 ? "yes" : "no") << "\n";
  }
  return s.str();
}

// A job on the table in `folder`/data.csv, resolved as loading a lesson
// does (its hash, inputs, classes and samples).
JobSpec csv_job(const fs::path& folder) {
  JobSpec j;
  j.lesson = "t";
  j.dataset.source = "csv:data.csv";
  j.dataset.target = "y";
  j.dataset.test_fraction = 0.5;
  j.dataset.seed = 1;
  j.model.task = "classification";
  j.model.inputs.clear();  // the table's columns are the inputs
  j.model.layers = {{.type = "dense", .units = 4, .activation = "tanh"}};
  j.training.optimizer = "adam";
  j.training.learning_rate = 0.01;
  j.training.batch_size = 8;
  j.training.epochs = 3;
  Diagnostics diags;
  EXPECT_TRUE(resolve_data(j, folder, diags)) << diags.first_error();
  return j;
}

TEST_F(Data, AJobNamingDataTheClassDoesNotHoldIsRefused) {
  start(kSettings);
  const std::string token = login("minji");
  const fs::path here = data.string() + "-lesson";
  fs::create_directories(here);
  std::ofstream(here / "data.csv") << tiny_csv(40);
  JobSpec job = csv_job(here);
  const auto r = call("POST", "/api/v1/jobs", to_json(job).dump(), token);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["field"], "dataset.data_sha256") << r.body;
  EXPECT_NE(r.body.find("upload the data first"), std::string::npos) << r.body;
  // Another class's upload of the same file is not this class's.
  const json other = CenterProcess::create_class(data, "other");
  const std::string bytes = read_file(here / "data.csv");
  ASSERT_EQ(put(job.dataset.data_sha256, bytes, login("jisu", other)).status, 201);
  EXPECT_EQ(call("POST", "/api/v1/jobs", to_json(job).dump(), token).status, 422);
  // Without a hash at all: refused, never looked for by its path.
  json no_hash = to_json(job);
  no_hash["dataset"].erase("data_sha256");
  const auto r2 = call("POST", "/api/v1/jobs", no_hash.dump(), token);
  EXPECT_EQ(r2.status, 422) << r2.body;
  fs::remove_all(here);
}

TEST_F(Data, ACsvJobRunsOnAWorkerFromTheCentersCopy) {
  start(kSettings);
  const std::string token = login("minji");
  const fs::path here = data.string() + "-lesson";
  fs::create_directories(here);
  std::ofstream(here / "data.csv") << tiny_csv(60);
  const JobSpec job = csv_job(here);
  remote::CenterClient client(center->url(), token);
  uint64_t announced = 0;
  EXPECT_EQ(client.upload_data(job, [&](uint64_t bytes) { announced = bytes; }), fs::file_size(here / "data.csv"));
  EXPECT_EQ(announced, fs::file_size(here / "data.csv"));
  EXPECT_EQ(client.upload_data(job), 0u) << "the center had it: nothing more to send";
  // The lesson's folder is gone before the job runs: the worker reads the
  // center's copy, by hash.
  fs::remove_all(here);
  const std::string id = client.submit(job);
  std::vector<json> events;
  client.follow(id, 0, [&](const json& e) {
    events.push_back(e);
    return true;
  });
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["type"], "done");
  EXPECT_EQ(events.back()["reason"], "completed") << events.back().dump() << "\n"
                                                  << read_file(data / "jobs" / id / "worker.log");
  const json spec = json::parse(read_file(data / "jobs" / id / "job.json"));
  EXPECT_EQ(spec["dataset"]["data_sha256"], job.dataset.data_sha256);
  EXPECT_FALSE(spec["dataset"].contains("location"));
}

TEST_F(Data, AJobWhoseDataIsGoneEndsInWordsAStudentReads) {
  start(kSettings);
  const std::string token = login("minji");
  remote::CenterClient client(center->url(), token);
  // The one worker is busy, so the next job waits in the queue ...
  const std::string busy = client.submit(test::xor_job(100000));
  const fs::path here = data.string() + "-lesson";
  fs::create_directories(here);
  std::ofstream(here / "data.csv") << tiny_csv(40);
  const JobSpec job = csv_job(here);
  client.upload_data(job);
  fs::remove_all(here);
  const std::string id = client.submit(job);
  // ... while its data is removed behind the center's back.
  fs::remove(data / "data" / job.dataset.data_sha256);
  EXPECT_EQ(head(job.dataset.data_sha256, token), 404);
  client.cancel(busy);
  std::vector<json> events;
  client.follow(id, 0, [&](const json& e) {
    events.push_back(e);
    return true;
  });
  ASSERT_FALSE(events.empty());
  const json& done = events.back();
  EXPECT_EQ(done["type"], "done");
  EXPECT_EQ(done["reason"], "failed");
  EXPECT_NE(done.value("message", "").find("no longer at the center"), std::string::npos) << done.dump();
  EXPECT_FALSE(done.value("message_ko", "").empty()) << done.dump();
  std::string state;  // the scheduler reads the log's end a moment after the worker wrote it
  for (int i = 0; i < 200 && state != "failed"; ++i) {
    state = client.job(id)["state"];
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(state, "failed");
  // Sent again as it is, it is refused until the data is uploaded again.
  EXPECT_EQ(call("POST", "/api/v1/jobs", to_json(job).dump(), token).status, 422);
}

TEST_F(Data, TheCliUploadsALessonsTableBeforeItSubmits) {
  start(kSettings);
  const std::string token = login("minji");
  const fs::path here = data.string() + "-cli";
  fs::create_directories(here / "data");
  std::ofstream(here / "data" / "table.csv") << tiny_csv(40);
  std::ofstream(here / "lesson.toml")
      << "format = 1\nid = \"own\"\ntitle.en = \"Own data\"\ntitle.ko = \"내 데이터\"\n\n[dataset]\n"
         "source = \"csv:data/table.csv\"\ntarget = \"y\"\n\n[model]\ntask = \"classification\"\n"
         "layers = [ { type = \"dense\", units = 4, activation = \"tanh\" } ]\n\n[training]\noptimizer = "
         "\"adam\"\nlearning_rate = 0.01\nbatch_size = 8\nepochs = 3\n\n[[steps]]\ntext.en = \"Go\"\n"
         "text.ko = \"가요\"\n";
  const Submitted r = submit_with_cli(here / "lesson.toml", here, token);
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.err.find("uploading data ("), std::string::npos) << r.err;
  ASSERT_FALSE(r.id.empty()) << r.out;
  EXPECT_EQ(r.done.value("reason", ""), "completed") << r.done.dump();
  EXPECT_EQ(head(sha256_hex(read_file(here / "data" / "table.csv")), token), 200);
  fs::remove_all(here);
}

TEST_F(Data, TheClientUploadsAnImageFolderAsItsTar) {
  start(kSettings);
  const std::string token = login("minji");
  const fs::path photos = data.string() + "-photos";
  // The listing goes by extension; the center never decodes them.
  for (const char* cls : {"cat", "dog"}) {
    fs::create_directories(photos / cls);
    for (const char* file : {"p0.png", "p1.png", "p2.png", "p3.png"}) std::ofstream(photos / cls / file) << cls << file;
  }
  JobSpec job;
  job.dataset.source = "images:photos";
  job.dataset.location = photos.string();
  Diagnostics diags;
  const auto sha = image_folder_sha256(photos, diags);
  ASSERT_TRUE(sha) << diags.first_error();
  job.dataset.data_sha256 = *sha;
  remote::CenterClient client(center->url(), token);
  EXPECT_GT(client.upload_data(job), 0u);
  EXPECT_EQ(head(*sha, token), 200);
  EXPECT_EQ(sha256_of_file(data / "data" / *sha), *sha);
  // A folder that changed since its hash was taken is not sent.
  std::ofstream(photos / "cat" / "p9.png") << "new";
  job.dataset.data_sha256 = sha256_hex("what the folder was");
  EXPECT_THROW(client.upload_data(job), remote::UploadError);
  fs::remove_all(photos);
}

// The two shipped lessons on files, as a student submits them: the CLI reads
// the lesson beside its data, uploads the CSV or the photos' tar, and the
// center's worker trains on its own copy.
TEST_F(Data, TheShippedLessonsOnFilesRunAtTheCenter) {
  start("");
  const std::string token = login("seoyeon");
  for (const char* lesson : {"05-pohang-air-csv.toml", "06-pipe-photos.toml"}) {
    SCOPED_TRACE(lesson);
    const fs::path home = data.string() + "-home";
    fs::create_directories(home);
    const Submitted r =
        submit_with_cli(fs::path(AISB_SOURCE_DIR) / "lessons" / "industry" / lesson, home, token, "--epochs 1");
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_NE(r.err.find("uploading data ("), std::string::npos) << r.err;
    ASSERT_FALSE(r.id.empty()) << r.out << r.err;
    EXPECT_EQ(r.done.value("reason", ""), "completed") << r.done.dump();
    EXPECT_TRUE(r.done.contains("epoch")) << r.done.dump();  // it trained and was evaluated
    fs::remove_all(home);
  }
  // Only the hashes came: two files in the center's data folder.
  std::set<std::string> kept = stored();
  EXPECT_EQ(kept.size(), 2u);
}

}  // namespace
}  // namespace aisb
