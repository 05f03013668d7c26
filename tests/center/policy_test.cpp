// The center's policies against its own students (issue 11, items 7 to 12):
// logins a pupil cannot lock a school out of, quotas per person and per
// class that queued jobs cannot slip past, fair turns between classes, no
// memory for unknown tokens, no lock held over a log, one center per data
// folder, tokens that end, retries that make one job, and a folder only its
// owner reads. A real aisandbox-center on a free loopback port, driven over
// HTTP; nothing here trusts the center's word for what the files say.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <map>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iomanip>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "center/config.hpp"
#include "center/store.hpp"
#include "center_fixture.hpp"
#include "center_process.hpp"
#include "net/http.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

using test::CenterProcess;

class Policy : public test::CenterFixture {
 protected:
  Policy() : CenterFixture("policy") {}
  // Signs in with the personal code the name got at its first sign-in
  // (remembered per class code and name).
  net::ClientResponse try_login(const std::string& name, const std::string& code = "", net::Headers h = {}) {
    const std::string class_code = code.empty() ? klass["class_code"].get<std::string>() : code;
    json body{{"class_code", class_code}, {"name", name}};
    std::string why;  // look-alike names are one name, with one code
    std::string& personal = codes_[class_code + " " + center::Store::normalize_name(name, &why)];
    if (!personal.empty()) body["code"] = personal;
    auto r = call("POST", "/api/v1/login", body.dump(), "", std::move(h));
    if (r.status == 200) {
      const json j = json::parse(r.body);
      if (j.contains("code")) personal = j["code"];
    }
    return r;
  }
  std::map<std::string, std::string> codes_;
  std::string login(const std::string& name, const std::string& code = "") {
    const auto r = try_login(name, code);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  net::ClientResponse submit(const std::string& token, const JobSpec& job, net::Headers h = {}) {
    return call("POST", "/api/v1/jobs", to_json(job).dump(), token, std::move(h));
  }
  std::string submitted(const std::string& token, const JobSpec& job) {
    const auto r = submit(token, job);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<std::string>() : "";
  }
  json job(const std::string& token, const std::string& id) {
    const auto r = call("GET", "/api/v1/jobs/" + id, "", token);
    return r.status == 200 ? json::parse(r.body) : json{{"state", "?"}, {"status", r.status}};
  }
  json wait_state(const std::string& token, const std::string& id, const std::set<std::string>& states,
                  double seconds = 60) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    json j;
    while (std::chrono::steady_clock::now() < until) {
      j = job(token, id);
      if (states.count(j["state"].get<std::string>()) != 0) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "job " << id << " stayed " << j.dump();
    return j;
  }
  static JobSpec long_job(int epochs = 100000) {
    JobSpec j = test::xor_job(epochs);
    j.training.optimizer = "adam";
    j.training.learning_rate = 0.003;
    return j;
  }
  static std::string error_of(const net::ClientResponse& r) {
    const json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : r.body;
  }
  // The pids of aisandbox-worker processes on `dir`.
  static std::vector<pid_t> workers_on(const fs::path& dir) {
    std::vector<pid_t> out;
    for (const auto& p : fs::directory_iterator("/proc")) {
      const std::string name = p.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(p.path() / "cmdline", std::ios::binary);
      std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (cmd.find("aisandbox-worker") != std::string::npos && cmd.find(dir.string()) != std::string::npos) {
        out.push_back(std::stoi(name));
      }
    }
    return out;
  }
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

// ---------------------------------------------------------------- 7. logins

TEST_F(Policy, JunkLoginBodiesCostNoOneALogin) {
  // Every budget a sign-in can spend, at 5 a minute: the address's
  // failures, the class's, and the name's sign-ins and wrong codes. The
  // class has never signed in from this address, so nothing lets it past
  // a spent one.
  start(
      "[limits]\nlogin_failures_per_minute = 5\nsign_in_failures_per_class_per_minute = 5\n"
      "logins_per_name_per_minute = 5\nsign_in_failures_per_name_per_minute = 5\n");
  const std::string code = klass["class_code"];
  std::vector<std::string> junk = {"",
                                   "{",
                                   "[]",
                                   "{\"class_code\": 1, \"name\": \"a\"}",
                                   "{\"name\": \"a\"}",
                                   "{\"class_code\": \"K7QP3M\"}",
                                   "{\"class_code\": \"x y\", \"name\": \"a\"}",
                                   "{\"class_code\": \"K7QP3M\", \"name\": \"\"}"};
  // The real class and name, with something else wrong.
  for (const json& j :
       {json{{"class_code", code}, {"name", "민지"}, {"code", 7}},
        json{{"class_code", code}, {"name", "민지"}, {"code", "!!"}},
        json{{"class_code", code + "Q"}, {"name", "민지"}}, json{{"class_code", code}, {"name", json::array({"민지"})}},
        json{{"class_code", code}, {"name", std::string(41, 'x')}}}) {
    junk.push_back(j.dump());
  }
  for (int i = 0; i < 300; ++i) {
    const auto r = call("POST", "/api/v1/login", junk[i % junk.size()]);
    ASSERT_TRUE(r.status == 400 || r.status == 422) << i << ": " << r.status << " " << r.body;
  }
  EXPECT_EQ(try_login("민지").status, 200) << "300 junk bodies locked out a real login";
  // The budgets are real: five wrong codes from here spend the address's.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(try_login("x", "ZZZZZ" + std::to_string(i)).status, 401);
  EXPECT_EQ(try_login("x", "ZZZZZA").status, 429);
}

TEST_F(Policy, WrongCodesFromOnePupilDoNotLockOutTheSchool) {
  start("[limits]\nlogin_failures_per_minute = 5\n");
  const json other = CenterProcess::create_class(data, "another class");
  login("a");  // the class has logged in from this address before
  int unauthorized = 0, limited = 0;
  for (int i = 0; i < 30; ++i) {
    const int status = try_login("x", "ZZZZZZ").status;
    unauthorized += status == 401;
    limited += status == 429;
  }
  EXPECT_EQ(unauthorized, 5);
  EXPECT_EQ(limited, 25);
  // The classmates of this address still log in, new names too.
  EXPECT_EQ(try_login("a").status, 200);
  EXPECT_EQ(try_login("b").status, 200);
  // A right code that never logged in from here answers as a wrong one, so
  // the one guessing learns nothing while over the limit.
  const auto guessed = try_login("x", other["class_code"]);
  EXPECT_EQ(guessed.status, 429) << guessed.body;
  EXPECT_EQ(error_of(guessed), error_of(try_login("x", "ZZZZZZ")));
}

TEST_F(Policy, LoginsAreCountedPerClassAndName) {
  start("[limits]\nlogins_per_name_per_minute = 3\n");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(try_login("민지").status, 200);
  const auto r = try_login("민지");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_TRUE(r.headers.count("retry-after"));
  EXPECT_EQ(try_login("지수").status, 200);  // a classmate is not held up
}

TEST_F(Policy, ForwardedForCountsOnlyFromTrustedProxies) {
  const auto from = [](const std::string& xff) { return net::Headers{{"X-Forwarded-For", xff}}; };
  start("[server]\ntrusted_proxies = [\"127.0.0.1\"]\n[limits]\nlogin_failures_per_minute = 3\n");
  // (Each client tries codes of its own: a wrong code is also counted for
  // itself, whoever sends it.)
  for (const char* code : {"ZZZZZA", "ZZZZZC", "ZZZZZD"})
    EXPECT_EQ(try_login("x", code, from("203.0.113.7")).status, 401);
  EXPECT_EQ(try_login("x", "ZZZZZE", from("203.0.113.7")).status, 429);
  // Behind the proxy, another client has its own count.
  EXPECT_EQ(try_login("x", "ZZZZZF", from("203.0.113.8")).status, 401);
  // What a client writes left of the proxy's entry changes nothing ...
  EXPECT_EQ(try_login("x", "ZZZZZG", from("198.51.100.1, 203.0.113.7")).status, 429);
  // ... and trusted hops on the right are skipped.
  EXPECT_EQ(try_login("x", "ZZZZZH", from("203.0.113.7, 127.0.0.1")).status, 429);
  EXPECT_EQ(try_login("x", "ZZZZZJ", from("203.0.113.9:5555")).status, 401);
  // An IPv6 client is its /64: stepping through it changes nothing.
  for (const char* code : {"XXXXXA", "XXXXXC", "XXXXXD"})
    EXPECT_EQ(try_login("x", code, from("2001:db8::1")).status, 401);
  EXPECT_EQ(try_login("x", "XXXXXE", from("2001:db8::2")).status, 429);
  EXPECT_EQ(try_login("x", "XXXXXF", from("[2001:db8::ffff:1]:443")).status, 429);
  EXPECT_EQ(try_login("x", "XXXXXG", from("2001:db8:0:1::1")).status, 401);
  // A code tried from three addresses is spent too.
  EXPECT_EQ(try_login("x", "ZZZZZK", from("203.0.113.20")).status, 401);
  EXPECT_EQ(try_login("x", "ZZZZZK", from("203.0.113.21")).status, 401);
  EXPECT_EQ(try_login("x", "ZZZZZK", from("203.0.113.22")).status, 401);
  EXPECT_EQ(try_login("x", "ZZZZZK", from("203.0.113.23")).status, 429);

  // From a peer that is not a trusted proxy the header is ignored: every
  // "client" is the peer, 127.0.0.1.
  center.reset();
  start("[server]\ntrusted_proxies = []\n[limits]\nlogin_failures_per_minute = 3\n");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(try_login("x", "YYYYY" + std::to_string(i), from("203.0.113." + std::to_string(10 + i))).status, 401);
  }
  EXPECT_EQ(try_login("x", "YYYYYA", from("203.0.113.99")).status, 429);
}

TEST_F(Policy, RightCodeLoginsFromOneAddressDoNotLockOutAnotherClass) {
  // One pupil, many names, ten logins each (as many as a name may have):
  // a school's one address has no budget of right-code logins to spend.
  // (logins_per_minute is still accepted, and limits nothing.)
  start("[limits]\nlogins_per_minute = 600\n");
  const json other = CenterProcess::create_class(data, "another class");
  for (int n = 0; n < 61; ++n) {
    for (int i = 0; i < 10; ++i) {
      const auto r = try_login("pupil " + std::to_string(n));
      ASSERT_EQ(r.status, 200) << n << "/" << i << ": " << r.body;
    }
  }
  const auto r = try_login("민지", other["class_code"]);
  EXPECT_EQ(r.status, 200) << "610 logins of one class locked another out of this address: " << r.body;
  EXPECT_EQ(try_login("지수").status, 200);  // and a classmate under a name of their own
  // The limit per class and name still holds (the name used last: a sign-in
  // checks a slow hash, so the first names have had time to refill).
  EXPECT_EQ(try_login("pupil 60").status, 429);
}

TEST_F(Policy, IPv4MappedClientsBehindAProxyAreCountedApart) {
  // A dual-stack nginx writes IPv4 clients as ::ffff:a.b.c.d: each is its
  // own IPv4 address, not one shared ::/64.
  const auto from = [](const std::string& xff) { return net::Headers{{"X-Forwarded-For", xff}}; };
  start("[server]\ntrusted_proxies = [\"127.0.0.1\"]\n[limits]\nlogin_failures_per_minute = 3\n");
  for (const char* code : {"ZZZZZA", "ZZZZZC", "ZZZZZD"})
    EXPECT_EQ(try_login("x", code, from("::ffff:203.0.113.7")).status, 401);
  EXPECT_EQ(try_login("x", "ZZZZZE", from("::ffff:203.0.113.7")).status, 429);
  EXPECT_EQ(try_login("x", "ZZZZZE", from("203.0.113.7")).status, 429);  // the same client, unmapped
  const auto other = try_login("x", "ZZZZZF", from("::ffff:203.0.113.8"));
  EXPECT_EQ(other.status, 401) << "another IPv4 client behind the proxy shares the first one's count: " << other.body;
  EXPECT_EQ(try_login("x", "ZZZZZG", from("[::ffff:203.0.113.9]:443")).status, 401);
  EXPECT_EQ(try_login("x", "ZZZZZH", from("::FFFF:CB00:710A")).status, 401);  // 203.0.113.10, written in hex
}

TEST_F(Policy, NoProxyIsTrustedByDefault) {
  // Any process on the center's machine could otherwise forge an address
  // for every guess.
  const auto from = [](const std::string& xff) { return net::Headers{{"X-Forwarded-For", xff}}; };
  start("[limits]\nlogin_failures_per_minute = 3\n");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(try_login("x", "YYYYY" + std::to_string(i), from("203.0.113." + std::to_string(10 + i))).status, 401);
  }
  const auto r = try_login("x", "YYYYYA", from("203.0.113.99"));
  EXPECT_EQ(r.status, 429) << "a forged X-Forwarded-For from 127.0.0.1 was believed by default: " << r.body;
  EXPECT_EQ(try_login("x", "YYYYYC", from("::1")).status, 429);
}

TEST_F(Policy, LookAlikeNamesAreOneStudent) {
  start("");
  const auto me = [&](const std::string& token) { return json::parse(call("GET", "/api/v1/me", "", token).body); };
  const json bob = me(login("bob"));
  for (const char* same : {"bob ", " bob\t", "\u3000bob\u00a0", "\uff42\uff4f\uff42"}) {
    const json j = me(login(same));
    EXPECT_EQ(j["student"], bob["student"]) << same;
    EXPECT_EQ(j["name"], "bob") << same;
  }
  for (const char* bad : {"b\u200bob", "bob\u202e", "\u2066bob\u2069", "bo\u00adb", "\ufeffbob", "   "}) {
    const auto r = try_login(bad);
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("field", ""), "name") << r.body;
  }
  EXPECT_EQ(try_login(std::string(40, 'a')).status, 200);
  EXPECT_EQ(try_login(std::string(41, 'a')).status, 422);
}

// ---------------------------------------------------------------- 8. quotas

TEST_F(Policy, InventedNamesCannotMultiplyAClassesQuotas) {
  start("[limits]\nmax_students_per_class = 3\n");
  for (const char* name : {"a", "b", "c"}) EXPECT_EQ(try_login(name).status, 200);
  const auto r = try_login("invented");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_NE(error_of(r).find("3"), std::string::npos) << r.body;
  EXPECT_EQ(try_login("b").status, 200);  // a name in use logs in
}

TEST_F(Policy, AClassHasAtMostSoManyJobsQueued) {
  start("[limits]\nmax_queued_per_class = 3\nrequests_per_minute = 100000\n[local]\nworkers = 1\n");
  std::vector<std::pair<std::string, std::string>> jobs;
  for (const char* name : {"a", "b", "c"}) {
    const std::string t = login(name);
    jobs.emplace_back(t, submitted(t, long_job()));
  }
  const auto r = submit(login("d"), test::xor_job(5));
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_NE(error_of(r).find("class"), std::string::npos) << r.body;
  for (const auto& [t, id] : jobs) call("POST", "/api/v1/jobs/" + id + "/cancel", "", t);
}

TEST_F(Policy, ARequestAllowanceIsPerStudentNotPerToken) {
  start("[limits]\nrequests_per_minute = 5\n");
  const std::string first = login("민지");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(call("GET", "/api/v1/me", "", first).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/me", "", first).status, 429);
  const std::string second = login("민지");
  const auto r = call("GET", "/api/v1/me", "", second);
  EXPECT_EQ(r.status, 429) << "logging in again gave a fresh allowance";
  EXPECT_EQ(call("GET", "/api/v1/me", "", login("지수")).status, 200);  // a classmate has their own
}

// Settings under which `job` is estimated at `seconds` (the estimate is
// FLOPs / node_flops).
std::string flops_for(const JobSpec& job, double seconds) {
  center::Limits probe;
  probe.node_flops = 1;
  probe.max_wall_minutes = 1e300;
  probe.max_work = 1e300;
  double work = 0;
  center::check_limits(job, probe, &work);
  std::ostringstream s;
  s << std::setprecision(17) << work / seconds;
  return s.str();
}

TEST_F(Policy, QueuedTimeCountsAgainstTheClassesMinutes) {
  // Each job is estimated at 100 s, the class has 250 s: two fit, a third
  // does not, whoever sends it, although nothing has run for long yet.
  const JobSpec j = long_job();
  start("[limits]\nnode_flops = " + flops_for(j, 100) + "\nclass_gpu_minutes_per_day = " + std::to_string(250.0 / 60) +
        "\nmax_wall_minutes = 10\nrequests_per_minute = 100000\n[local]\nworkers = 1\n");
  std::vector<std::pair<std::string, std::string>> jobs;
  for (const char* name : {"a", "b"}) {
    const std::string t = login(name);
    jobs.emplace_back(t, submitted(t, j));
  }
  const auto r = submit(login("c"), j);
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_NE(error_of(r).find("queued"), std::string::npos) << r.body;
  for (const auto& [t, id] : jobs) call("POST", "/api/v1/jobs/" + id + "/cancel", "", t);
}

TEST_F(Policy, AQueuedJobOfAClassPastItsMinutesDoesNotRun) {
  // 1.2 s a day. The second job is queued while the class has time left;
  // by its turn the first has used it up.
  start("[limits]\nclass_gpu_minutes_per_day = 0.02\nrequests_per_minute = 100000\n[local]\nworkers = 1\n");
  const std::string a = login("a"), b = login("b");
  const std::string first = submitted(a, long_job());
  const std::string second = submitted(b, test::xor_job(5));
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  wait_state(a, first, {"running"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  EXPECT_EQ(job(b, second)["state"], "queued");
  call("POST", "/api/v1/jobs/" + first + "/cancel", "", a);
  const json s = wait_state(b, second, {"done", "failed", "cancelled"});
  EXPECT_EQ(s["state"], "failed") << s.dump();
  EXPECT_NE(s.value("reason", "").find("minutes"), std::string::npos) << s.dump();
  EXPECT_FALSE(s.contains("started")) << "it ran: " << s.dump();
}

TEST_F(Policy, ClassesTakeTurnsBeforeTheirStudentsDo) {
  start("[limits]\nrequests_per_minute = 100000\n[local]\nworkers = 1\n");
  const json other = CenterProcess::create_class(data, "another class");
  // Four names in one class send a job each, then one student of another class.
  std::vector<std::pair<std::string, std::string>> many;
  for (const char* name : {"n1", "n2", "n3", "n4"}) {
    const std::string t = login(name);
    many.emplace_back(t, submitted(t, long_job(20000)));
  }
  const std::string lone = login("b", other["class_code"]);
  const std::string lone_job = submitted(lone, test::xor_job(5));
  wait_state(lone, lone_job, {"done"}, 120);
  for (const auto& [t, id] : many) wait_state(t, id, {"done"}, 120);
  const auto started = [&](const std::string& t, const std::string& id) {
    return job(t, id)["started"].get<std::string>();
  };
  // The other class's one job ran second, before the second of the first
  // class's invented names, though sent after all four.
  EXPECT_LT(started(many[0].first, many[0].second), started(lone, lone_job));
  EXPECT_LT(started(lone, lone_job), started(many[1].first, many[1].second));
}

// ---------------------------------------------------------------- 9. unknown tokens

TEST_F(Policy, UnknownTokensAreLimitedPerAddress) {
  start("[limits]\nunknown_tokens_per_minute = 5\n");
  const std::string student = login("민지");
  int unauthorized = 0, limited = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string token = center::random_token();  // a new string each time
    const int status = call("GET", "/api/v1/me", "", token).status;
    unauthorized += status == 401;
    limited += status == 429;
  }
  EXPECT_EQ(unauthorized, 5);
  EXPECT_EQ(limited, 35);
  EXPECT_EQ(call("GET", "/api/v1/me", "", student).status, 200);  // a known token is not held up
}

// ---------------------------------------------------------------- 10. the lock and the log

TEST_F(Policy, ReadingAnEndedJobsLogDoesNotHoldUpSubmissions) {
  start("[limits]\nrequests_per_minute = 100000\n[local]\nworkers = 1\n[worker]\ncheckpoint_seconds = 0.1\n");
  const std::string a = login("a"), b = login("b");
  const std::string id = submitted(a, long_job());
  ASSERT_FALSE(id.empty());
  wait_state(a, id, {"running"});
  const fs::path dir = data / "jobs" / id;
  std::vector<pid_t> workers;
  for (int i = 0; i < 500 && workers.empty(); ++i) {
    workers = workers_on(dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(workers.size(), 1u);
  // The worker's log becomes a pipe that gives nothing until the test says
  // so: the center's read of it stands for a read of a huge log, for as long
  // as the test likes. Then the worker dies, and the scheduler reads it.
  ::kill(workers[0], SIGSTOP);
  const fs::path fifo = dir / "events.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::rename(fifo, dir / "events.jsonl");
  ::kill(workers[0], SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the scheduler looks every 100 ms
  // Another student submits meanwhile: the answer must not wait for the read.
  auto answer = std::async(std::launch::async, [&] { return submit(b, test::xor_job(5)).status; });
  const bool answered = answer.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  // Let the read end whatever happened, so that the center can go on.
  const int w = ::open((dir / "events.jsonl").c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(w, 0);
  const std::string done = R"({"message":"the test ended it","reason":"failed","seq":1,"type":"done"})"
                           "\n";
  EXPECT_EQ(::write(w, done.data(), done.size()), static_cast<ssize_t>(done.size()));
  ::close(w);
  EXPECT_TRUE(answered) << "a submission waited while the scheduler read an ended job's log";
  EXPECT_EQ(answer.get(), 201);
  // The job ends from what the read found. (Its state from the list: a
  // job's own page reads the log, and a pipe without a writer never answers.)
  json listed;
  for (int i = 0; i < 1000; ++i) {
    listed = json::parse(call("GET", "/api/v1/jobs", "", a).body)["jobs"].at(0);
    if (listed["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(listed["state"], "failed") << listed.dump();
  EXPECT_EQ(listed["reason"], "the test ended it") << listed.dump();
  std::ofstream(dir / "events.tmp") << done;
  fs::rename(dir / "events.tmp", dir / "events.jsonl");
}

TEST_F(Policy, CancellingAQueuedJobReadsItsLogOutsideTheLock) {
  start("[limits]\nrequests_per_minute = 100000\n[local]\nworkers = 1\n");
  const std::string a = login("a"), b = login("b"), c = login("c");
  const std::string running = submitted(a, long_job());
  wait_state(a, running, {"running"});
  const std::string queued = submitted(b, long_job());
  ASSERT_FALSE(queued.empty());
  // The queued job's log (as one requeued after its worker died has) is a
  // pipe that gives nothing until the test says so; a second name keeps it
  // reachable once a plain file takes its place.
  const fs::path dir = data / "jobs" / queued;
  ASSERT_EQ(::mkfifo((dir / "events.jsonl").c_str(), 0600), 0);
  fs::create_hard_link(dir / "events.jsonl", dir / "held.fifo");
  auto cancelled =
      std::async(std::launch::async, [&] { return call("POST", "/api/v1/jobs/" + queued + "/cancel", "", b).status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto answer = std::async(std::launch::async, [&] { return submit(c, test::xor_job(5)).status; });
  const bool answered = answer.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  // Let the read end: a plain (empty) log in its place, then the pipe closes.
  std::ofstream(dir / "events.tmp").close();
  fs::rename(dir / "events.tmp", dir / "events.jsonl");
  const int w = ::open((dir / "held.fifo").c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(w, 0);
  ::close(w);
  EXPECT_TRUE(answered) << "a submission waited while a cancel read a queued job's log";
  EXPECT_EQ(answer.get(), 201);
  EXPECT_EQ(cancelled.get(), 200);
  EXPECT_EQ(job(b, queued)["state"], "cancelled");
  call("POST", "/api/v1/jobs/" + running + "/cancel", "", a);
}

// ---------------------------------------------------------------- 11. one center a folder

TEST_F(Policy, ASecondCenterOnTheSameFolderExits) {
  start("");
  const std::string cmd = std::string("timeout 20 ") + AISB_CENTER + " serve --listen 127.0.0.1:0 --data " +
                          data.string() + " --worker " + AISB_WORKER + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 1) << out;
  EXPECT_NE(out.find(data.string()), std::string::npos) << out;
  EXPECT_NE(out.find("pid " + std::to_string(center->pid())), std::string::npos) << out;
  // The class commands still work beside it.
  EXPECT_EQ(CenterProcess::create_class(data, "x")["name"], "x");
  // The first center serves on.
  EXPECT_EQ(call("GET", "/api/v1/health").status, 200);
}

// ---------------------------------------------------------------- 12. tokens, retries, files

TEST_F(Policy, StudentTokensExpire) {
  start("[limits]\ntoken_days = 0.00002\n");  // 1.7 s
  const std::string t = login("민지");
  EXPECT_EQ(call("GET", "/api/v1/me", "", t).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  const auto r = call("GET", "/api/v1/me", "", t);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(call("GET", "/api/v1/me", "", klass["teacher_token"]).status, 200);  // a teacher's does not
}

TEST_F(Policy, LogoutEndsTheCallersToken) {
  start("");
  const std::string t = login("민지"), other = login("민지");
  const auto r = call("POST", "/api/v1/logout", "", t);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(call("GET", "/api/v1/me", "", t).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/me", "", other).status, 200);  // the student's other device stays logged in
  EXPECT_EQ(call("POST", "/api/v1/logout", "", klass["teacher_token"]).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/logout", "", other).status, 405);
}

TEST_F(Policy, ARetriedSubmissionMakesOneJob) {
  start("[limits]\nrequests_per_minute = 100000\n");
  const std::string t = login("민지");
  const net::Headers key{{"Idempotency-Key", "4f1c2e-retry"}};
  const auto first = submit(t, test::xor_job(5), key);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = submit(t, test::xor_job(5), key);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.headers.at("location"), first.headers.at("location"));
  EXPECT_EQ(json::parse(call("GET", "/api/v1/jobs", "", t).body)["jobs"].size(), 1u);
  // Another key, or another student with the same key: another job.
  EXPECT_NE(submit(t, test::xor_job(5), {{"Idempotency-Key", "other"}}).body, first.body);
  EXPECT_NE(submit(login("지수"), test::xor_job(5), key).body, first.body);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/jobs", "", t).body)["jobs"].size(), 2u);
  EXPECT_EQ(submit(t, test::xor_job(5), {{"Idempotency-Key", "has space"}}).status, 400);
  EXPECT_EQ(submit(t, test::xor_job(5), {{"Idempotency-Key", std::string(201, 'k')}}).status, 400);
}

TEST_F(Policy, AJobWhoseFolderCannotBeWrittenLeavesNoRow) {
  start("[limits]\nrequests_per_minute = 100000\n");
  const std::string t = login("민지");
  // jobs/ becomes a file: no folder can be made in it, not even by root.
  fs::remove_all(data / "jobs");
  std::ofstream(data / "jobs") << "in the way\n";
  const auto r = submit(t, test::xor_job(5));
  fs::remove(data / "jobs");
  fs::create_directories(data / "jobs");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(json::parse(call("GET", "/api/v1/jobs", "", t).body)["jobs"].size(), 0u)
      << "a job's row was written before its folder";
}

TEST_F(Policy, OrphanFoldersAreSwept) {
  // A center that died between a job's folder and its row left this one.
  const fs::path orphan = data / "jobs" / "j0123456789abcdef";
  const fs::path young = data / "jobs" / "j00000000000000aa";
  fs::create_directories(orphan);
  fs::create_directories(young);
  std::ofstream(orphan / "job.json") << "{}\n";
  fs::last_write_time(orphan, fs::file_time_type::clock::now() - std::chrono::hours(2));
  start("");
  const std::string t = login("민지");
  const std::string id = submitted(t, test::xor_job(5));
  wait_state(t, id, {"done"});
  for (int i = 0; i < 200 && fs::exists(orphan); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(young)) << "a folder whose row may be on its way was swept";
  EXPECT_TRUE(fs::exists(data / "jobs" / id / "job.json"));
}

TEST_F(Policy, TheDataFolderIsTheOwnersAlone) {
  fs::permissions(data, fs::perms(0755));  // as an older version left it
  start("");
  EXPECT_EQ(mode_of(data), 0700u);
  EXPECT_EQ(mode_of(data / "center.db"), 0600u);
  const std::string t = login("민지");
  const std::string id = submitted(t, test::xor_job(5));
  EXPECT_EQ(mode_of(data / "jobs" / id), 0700u);
  EXPECT_EQ(mode_of(data / "jobs" / id / "job.json"), 0600u);
}

}  // namespace
}  // namespace aisb
