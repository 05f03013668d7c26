// The compute center end to end: a real aisandbox-center process on a free
// loopback port with the local executor (real aisandbox-worker processes),
// driven over HTTP by the same client the CLI and the app use.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#include <map>

#include <sys/wait.h>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "../support/sockets.hpp"
#include "backend/backend.hpp"
#include "backend/center_client.hpp"
#include "backend/remote_backend.hpp"
#include "center_process.hpp"
#include "core/event_log.hpp"
#include "core/trained_model.hpp"
#include "gateway_fixture.hpp"
#include "net/http.hpp"
#include "session/session.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

using test::CenterProcess;

TEST_F(Center, AStudentRunsAJobAndFollowsItsEvents) {
  start();
  json health = json::parse(call("GET", "/api/v1/health").body);
  EXPECT_GT(health["disk_free_mb"].get<int64_t>(), 0);
  health.erase("disk_free_mb");
  EXPECT_EQ(health, json({{"ok", true}, {"queued", 0}, {"running", 0}, {"executor", "local"}, {"version", 1}}));
  auto c = client(login("민지"));
  const std::string id = c.submit(test::xor_job(30));
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.front()["type"], "started");
  EXPECT_TRUE(ev.front()["device"].get<std::string>().starts_with("center:")) << ev.front().dump();
  EXPECT_EQ(ev.back()["reason"], "completed");
  int metrics = 0;
  for (const auto& e : ev) metrics += e["type"] == "metrics" ? 1 : 0;
  EXPECT_EQ(metrics, 31);
  const json status = wait_state(c, id, {"done"});
  EXPECT_EQ(status["owner_name"], "민지");
  EXPECT_EQ(status["lesson"], "test-xor");
  EXPECT_EQ(status["spec"]["training"]["epochs"], 30);
  EXPECT_FALSE(status["started"].get<std::string>().empty());
  EXPECT_EQ(status["events"], ev.size());
  const json model = c.model(id);
  EXPECT_EQ(model["weights"].size(), 6u);  // 3 dense layers x (weight, bias)
  // Last-Event-ID resumes after the given seq.
  const auto tail = follow(c, id, ev.size() - 3);
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_EQ(tail[0], ev[ev.size() - 3]);
  // The curves alone, for a class view.
  std::vector<json> curves;
  c.follow(
      id, 0,
      [&](const json& e) {
        curves.push_back(e);
        return true;
      },
      nullptr, 60, /*snapshots=*/false);
  size_t snapshots = 0;
  for (const auto& e : ev) snapshots += e["type"] == "snapshot" ? 1 : 0;
  EXPECT_GT(snapshots, 0u);
  EXPECT_EQ(curves.size(), ev.size() - snapshots);
  EXPECT_EQ(curves.back(), ev.back());
  // Newest first.
  const std::string second = c.submit(test::xor_job(5));
  const json list = c.jobs(10);
  ASSERT_EQ(list["jobs"].size(), 2u);
  EXPECT_EQ(list["jobs"][0]["id"], second);
  EXPECT_EQ(list["jobs"][1]["id"], id);
}

// Inside the network at the center (issue 15): the run's snapshots carry
// the probe and the test answers, and a student's choice of a test sample
// reaches the worker through POST /jobs/ID/probe.
TEST_F(Center, AStudentsChosenSampleIsProbedAtTheCenter) {
  start();
  const std::string token = login("서연");
  auto c = client(token);
  // Long enough that the choice reaches the worker however fast it trains;
  // cancelled once it has.
  const JobSpec job =
      test::steel_job(400, 5000, {test::conv(4), test::pool(4), test::layer("flatten"), test::dense(16)});
  const std::string id = c.submit(job);
  std::set<int64_t> probed;
  int answers = 0;
  bool asked = false, cancelled = false;
  c.follow(id, 0, [&](const json& e) {
    if (e["type"] == "snapshot" && e.contains("inside")) {
      Diagnostics diags;
      const Inside in = inside_from_json(e["inside"], "inside", diags);
      EXPECT_FALSE(diags.has_errors()) << diags.first_error();
      if (in.has_probe()) {
        probed.insert(in.sample);
        EXPECT_EQ(in.saliency.size(), 64U * 64U);
      }
      answers += in.has_predictions() ? 1 : 0;
      if (!asked) {
        asked = true;
        c.probe(id, 57);  // the 58th test photo
      }
      if (probed.count(57) == 1 && answers > 0 && !cancelled) {
        cancelled = true;
        c.cancel(id);
      }
    }
    return true;
  });
  EXPECT_TRUE(asked);
  EXPECT_EQ(probed.count(0), 1U);   // the first, until a student chooses
  EXPECT_EQ(probed.count(57), 1U);  // the student's choice
  EXPECT_GT(answers, 0);
  // An ended run's worker is gone: the model file answers instead.
  wait_state(c, id, {"cancelled"});
  const auto refused = [&](const std::string& body) {
    return call("POST", "/api/v1/jobs/" + id + "/probe", body, token).status;
  };
  EXPECT_EQ(refused("{\"sample\": 3}"), 409);
  EXPECT_EQ(refused("{\"sample\": -1}"), 422);
  EXPECT_EQ(refused("{\"sample\": \"x\"}"), 422);
  EXPECT_EQ(refused("[[[["), 400);
  // Nobody else's.
  auto other = client(login("도윤"));
  try {
    other.probe(id, 1);
    ADD_FAILURE() << "another student's job took a probe";
  } catch (const remote::Refused& e) {
    EXPECT_EQ(e.status, 404);
  }
}

TEST_F(Center, TheSameSpecAndSeedGiveTheSameMetricsAsALocalRun) {
  start();
  const JobSpec job = test::xor_job(40);
  auto c = client(login("conformance"));
  const auto remote_events = follow(c, c.submit(job));
  LocalBackend local;
  TrainOptions options;
  options.device = "cpu";
  local.start(job, options);
  std::vector<Event> local_events;
  while (local_events.empty() || local_events.back().type != EventType::done) {
    local.wait(std::chrono::milliseconds(100));
    local.poll(local_events);
  }
  std::vector<json> a, b;
  for (const auto& e : local_events) {
    if (e.type == EventType::metrics) a.push_back(to_json(e));
  }
  for (const auto& e : remote_events) {
    if (e["type"] == "metrics") b.push_back(e);
  }
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    for (const char* k : {"epoch", "step", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "confusion"}) {
      EXPECT_EQ(a[i][k], b[i][k]) << k << " at epoch " << i;
    }
  }
}

TEST_F(Center, TokensGuardEveryJob) {
  start();
  const std::string minji = login("민지"), jisu = login("지수");
  auto c = client(minji);
  const std::string id = c.submit(test::xor_job(5));
  follow(c, id);
  const std::string wrong(64, 'a');
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/jobs"},
           {"POST", "/api/v1/jobs"},
           {"GET", "/api/v1/jobs/" + id},
           {"GET", "/api/v1/jobs/" + id + "/events"},
           {"POST", "/api/v1/jobs/" + id + "/cancel"},
           {"GET", "/api/v1/jobs/" + id + "/model"},
           {"GET", "/api/v1/classes/" + klass["class"].get<std::string>() + "/jobs"}}) {
    EXPECT_EQ(call(method, path, "{}").status, 401) << method << " " << path << " without a token";
    EXPECT_EQ(call(method, path, "{}", wrong).status, 401) << method << " " << path << " with a wrong token";
    if (path.find(id) != std::string::npos) {
      const auto r = call(method, path, "", jisu);
      EXPECT_EQ(r.status, 404) << method << " " << path << " as another student";
      EXPECT_EQ(r.body.find("민지"), std::string::npos);
    }
  }
  // The teacher sees the class; a student does not; another class's teacher neither.
  const std::string teacher = klass["teacher_token"];
  const std::string class_path = "/api/v1/classes/" + klass["class"].get<std::string>() + "/jobs";
  // The app's teacher login: the teacher token in, a student's refused.
  ::setenv("XDG_CONFIG_HOME", (data / "config").c_str(), 1);
  const remote::CenterLogin tl = remote::log_in_teacher(center->url(), teacher);
  EXPECT_EQ(tl.role, "teacher");
  EXPECT_EQ(tl.name, "포항고 2-3");
  EXPECT_EQ(remote::load_login()->token, teacher);
  try {
    remote::log_in_teacher(center->url(), minji);
    ADD_FAILURE() << "a student's token passed as a teacher's";
  } catch (const remote::Refused& e) {
    EXPECT_EQ(e.status, 403);
  }
  EXPECT_THROW(remote::log_in_teacher(center->url(), wrong), remote::Refused);
  const remote::CenterLogin sl = remote::log_in(center->url(), klass["class_code"], "서연");
  EXPECT_EQ(sl.role, "student");
  EXPECT_EQ(remote::load_login()->name, "서연");
  ::unsetenv("XDG_CONFIG_HOME");
  EXPECT_EQ(client(teacher).me()["role"], "teacher");
  EXPECT_EQ(client(teacher).me()["class_name"], "포항고 2-3");
  EXPECT_EQ(client(minji).me()["name"], "민지");
  EXPECT_EQ(call("GET", "/api/v1/me").status, 401);
  const json seen = json::parse(call("GET", class_path, "", teacher).body);
  ASSERT_EQ(seen["jobs"].size(), 1u);
  EXPECT_EQ(seen["jobs"][0]["owner_name"], "민지");
  EXPECT_EQ(call("GET", "/api/v1/jobs/" + id, "", teacher).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/jobs/" + id + "/model", "", teacher).status, 200);
  EXPECT_EQ(call("GET", class_path, "", minji).status, 403);
  const json other = CenterProcess::create_class(data, "other");
  EXPECT_EQ(call("GET", class_path, "", other["teacher_token"]).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/jobs/" + id, "", other["teacher_token"]).status, 404);
  // A teacher watches; only students submit.
  EXPECT_EQ(call("POST", "/api/v1/jobs", to_json(test::xor_job(5)).dump(), teacher).status, 403);
  // The database holds no token.
  for (const auto& f : fs::directory_iterator(data)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(minji), std::string::npos) << f.path();
    EXPECT_EQ(bytes.find(teacher), std::string::npos) << f.path();
  }
}

TEST_F(Center, EveryRefusalHasItsCodeAndSaysWhy) {
  start(std::string(kSettings) + "");
  const std::string token = login("민지");
  const auto code_of = [&](const std::string& method, const std::string& path, const std::string& body) {
    return call(method, path, body, token);
  };
  // 400: not JSON.
  auto r = code_of("POST", "/api/v1/jobs", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("JSON"), std::string::npos);
  // 413: over the body limit, before it is read.
  r = code_of("POST", "/api/v1/jobs", std::string((1 << 20) + 10, ' '));
  EXPECT_EQ(r.status, 413);
  // 422: the validator's key path.
  json job = to_json(test::xor_job(5));
  job["model"]["layers"][0]["units"] = 0;
  r = code_of("POST", "/api/v1/jobs", job.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["field"], "model.layers[0].units");
  // ... in Korean too, the same words the Korean lesson checker uses.
  EXPECT_NE(json::parse(r.body).value("error_ko", "").find("0"), std::string::npos) << r.body;
  EXPECT_NE(json::parse(r.body).value("error_ko", ""), json::parse(r.body).value("error", "")) << r.body;
  job = to_json(test::xor_job(5));
  job["training"]["learning_rte"] = 0.1;
  r = code_of("POST", "/api/v1/jobs", job.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["field"], "training.learning_rte");
  // 422: the center's limits, naming the field and the limit.
  job = to_json(test::xor_job(5));
  job["dataset"]["samples"] = 6000;
  r = code_of("POST", "/api/v1/jobs", job.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["field"], "dataset.samples");
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("5000"), std::string::npos);
  job = to_json(test::xor_job(100000));
  job["model"]["layers"][0]["units"] = 1024;
  job["model"]["layers"][1]["units"] = 1024;
  r = code_of("POST", "/api/v1/jobs", job.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["field"], "training.epochs") << r.body;
  // A table of the class's own is found by its hash, never by the path in
  // `source`: without one, nothing is looked for (data_upload_test has the rest).
  job = to_json(test::xor_job(5));
  job["dataset"]["source"] = "csv:data.csv";
  job["dataset"]["features"] = {"a"};
  job["dataset"]["target"] = "b";
  job["dataset"]["input_names"] = {"a"};
  job["dataset"].erase("noise");
  job["model"].erase("inputs");
  r = code_of("POST", "/api/v1/jobs", job.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["field"], "dataset.data_sha256") << r.body;
  // 429: more queued jobs than a student may have.
  auto c = client(token);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(c.submit(long_job()));
  r = code_of("POST", "/api/v1/jobs", to_json(test::xor_job(5)).dump());
  EXPECT_EQ(r.status, 429);
  for (const auto& id : ids) c.cancel(id);
  // 404 and 405.
  EXPECT_EQ(code_of("GET", "/api/v1/jobs/j0000000000000000", "").status, 404);
  EXPECT_EQ(code_of("GET", "/api/v1/jobs/../../center.db", "").status, 404);
  EXPECT_EQ(code_of("GET", "/api/v1/nothing", "").status, 404);
  EXPECT_EQ(code_of("DELETE", "/api/v1/jobs", "").status, 405);
  // Login: a wrong code, a missing name, not JSON.
  EXPECT_EQ(call("POST", "/api/v1/login", R"({"class_code": "ZZZZZZ", "name": "a"})").status, 401);
  r = call("POST", "/api/v1/login", json{{"class_code", klass["class_code"]}}.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["field"], "name");
  EXPECT_EQ(call("POST", "/api/v1/login", "[").status, 400);
}

TEST_F(Center, ARateLimitAnswers429WithRetryAfter) {
  start(R"([limits]
requests_per_minute = 5
)");
  const std::string token = login("민지");
  int ok = 0, limited = 0;
  std::string retry;
  for (int i = 0; i < 8; ++i) {
    const auto r = call("GET", "/api/v1/jobs", "", token);
    ok += r.status == 200 ? 1 : 0;
    if (r.status == 429) {
      ++limited;
      retry = r.headers.count("retry-after") != 0 ? r.headers.at("retry-after") : "";
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(limited, 3);
  EXPECT_FALSE(retry.empty());
}

TEST_F(Center, CancellingEndsTheStreamWithCancelled) {
  start();
  auto c = client(login("민지"));
  const std::string running = c.submit(long_job(100000));
  wait_state(c, running, {"running"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  c.cancel(running);
  const auto ev = follow(c, running);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "cancelled");
  EXPECT_EQ(wait_state(c, running, {"cancelled"})["state"], "cancelled");
}

TEST_F(Center, QueuedJobsAreSharedRoundRobinBetweenStudents) {
  start(R"([limits]
max_queued_per_student = 5
requests_per_minute = 100000
[local]
workers = 1
)");
  auto a = client(login("a")), b = client(login("b"));
  std::vector<std::string> a_jobs;
  for (int i = 0; i < 3; ++i) a_jobs.push_back(a.submit(long_job(3000)));
  const std::string b_job = b.submit(long_job(3000));
  // A queued job says where it stands.
  const json queued = a.job(a_jobs[2]);
  if (queued["state"] == "queued") {
    EXPECT_GE(queued["queue_position"].get<int>(), 1);
  }
  for (const auto& id : a_jobs) wait_state(a, id, {"done"}, 60);
  wait_state(b, b_job, {"done"}, 60);
  // b's one job ran second: before a's second and third, though submitted after them.
  const auto started = [&](remote::CenterClient& c, const std::string& id) {
    return c.job(id)["started"].get<std::string>();
  };
  EXPECT_LT(started(a, a_jobs[0]), started(b, b_job));
  EXPECT_LT(started(b, b_job), started(a, a_jobs[1]));
  EXPECT_LT(started(a, a_jobs[1]), started(a, a_jobs[2]));
}

TEST_F(Center, KillingTheCenterLosesNoJobAndNoEvent) {
  // The same port after the restart, so that the follower reconnects by itself.
  start();
  const int port = center->port();
  auto c = client(login("민지"));
  const JobSpec job = long_job(20000);
  const std::string running = c.submit(job), queued_a = c.submit(test::xor_job(50)),
                    queued_b = c.submit(test::xor_job(60));
  std::vector<json> seen;
  std::atomic<bool> done{false};
  // Follow from another thread while the center dies and comes back.
  const std::string token = login("민지");
  std::thread reader([&, token] {
    remote::CenterClient r("http://127.0.0.1:" + std::to_string(port), token);
    r.follow(running, 0, [&](const json& e) {
      seen.push_back(e);
      return true;
    });
    done = true;
  });
  // Kill -9 once the run is well under way and has checkpointed.
  const fs::path dir = data / "jobs" / running;
  const auto t0 = std::chrono::steady_clock::now();
  while (!fs::exists(dir / "checkpoint.json") || scan_log(dir / "events.jsonl").last_seq < 50) {
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  center->kill(SIGKILL);
  // Its workers went with it.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(workers_on(dir).empty());
  center = std::make_unique<CenterProcess>(data);
  center->start(port);
  reader.join();
  ASSERT_TRUE(done);
  expect_complete(seen);
  EXPECT_EQ(seen.back()["reason"], "completed");
  // Every job still ends.
  for (const auto& id : {running, queued_a, queued_b}) EXPECT_EQ(wait_state(c, id, {"done"})["state"], "done");
  // The same result as a run nobody interrupted.
  LocalBackend local;
  TrainOptions options;
  options.device = "cpu";
  local.start(job, options);
  std::vector<Event> ev;
  while (ev.empty() || ev.back().type != EventType::done) {
    local.wait(std::chrono::milliseconds(100));
    local.poll(ev);
  }
  EXPECT_DOUBLE_EQ(to_json(ev.back())["test_loss"].get<double>(), seen.back()["test_loss"].get<double>());
}

TEST_F(Center, AWorkerThatDiesIsStartedAgainAndResumes) {
  start();
  auto c = client(login("민지"));
  const std::string id = c.submit(long_job(20000));
  const fs::path dir = data / "jobs" / id;
  const auto t0 = std::chrono::steady_clock::now();
  while (!fs::exists(dir / "checkpoint.json") || workers_on(dir).empty()) {
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (const pid_t p : workers_on(dir)) ::kill(p, SIGKILL);
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "completed");
  const json status = wait_state(c, id, {"done"});
  EXPECT_EQ(status["restarts"], 1);
  bool resumed = false;
  for (const auto& e : ev)
    resumed = resumed || (e["type"] == "log" && e["message"].get<std::string>().find("resumed") == 0);
  EXPECT_TRUE(resumed);
}

TEST_F(Center, AWorkerThatKeepsDyingEndsTheJobAsFailedWithAReason) {
  // A "worker" that dies at once, every time.
  const fs::path fake = data / "dies.sh";
  std::ofstream(fake) << "#!/bin/sh\nkill -9 $$\n";
  fs::permissions(fake, fs::perms::owner_all);
  std::ofstream(data / "center.toml") << kSettings;
  klass = CenterProcess::create_class(data, "x");
  center = std::make_unique<CenterProcess>(data, std::vector<std::string>{"--worker", fake.string()});
  center->start();
  auto c = client(login("민지"));
  const std::string id = c.submit(test::xor_job(5));
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "failed");
  const json status = wait_state(c, id, {"failed"});
  EXPECT_NE(status["reason"].get<std::string>().find("signal 9"), std::string::npos) << status.dump();
}

TEST_F(Center, QuietStreamsGetHeartbeats) {
  start(R"([local]
workers = 1
[stream]
heartbeat_seconds = 0.1
[limits]
requests_per_minute = 100000
)");
  const std::string token = login("민지");
  auto c = client(token);
  const std::string first = c.submit(long_job(100000)), waiting = c.submit(test::xor_job(5));
  (void)first;
  int beats = 0;
  std::atomic<bool> stop{false};
  std::thread t([&] {
    net::stream_lines(
        center->url() + "/api/v1/jobs/" + waiting + "/events", {{"Authorization", "Bearer " + token}},
        [&](std::string_view line) {
          if (line.starts_with(":")) ++beats;
          return beats < 3;
        },
        {}, nullptr, &stop);
  });
  const auto t0 = std::chrono::steady_clock::now();
  while (beats < 3 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  t.join();
  EXPECT_GE(beats, 3);
  c.cancel(first);
  c.cancel(waiting);
}

TEST_F(Center, ServesHttpsWithACertificateAndRefusesAnUntrustedOne) {
  const std::string cert = (data / "cert.pem").string(), key = (data / "key.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  start(kSettings, {"--tls-cert", cert, "--tls-key", key});
  const std::string url = "https://127.0.0.1:" + std::to_string(center->port());
  net::ClientOptions trusted;
  trusted.ca_file = cert;
  remote::CenterClient c(url, "", trusted);
  EXPECT_EQ(c.health()["ok"], true);
  c.login(klass["class_code"], "민지");
  const std::string id = c.submit(test::xor_job(5));
  const auto ev = [&] {
    std::vector<json> out;
    c.follow(id, 0, [&](const json& e) {
      out.push_back(e);
      return true;
    });
    return out;
  }();
  expect_complete(ev);
  // Without the certificate the client does not trust it, and says so.
  remote::CenterClient untrusted(url, "");
  try {
    untrusted.health();
    ADD_FAILURE() << "an untrusted certificate was accepted";
  } catch (const net::Unreachable& e) {
    EXPECT_NE(std::string(e.what()).find("certificate"), std::string::npos) << e.what();
  }
  // Plain HTTP to the TLS port gets nowhere, and the server carries on.
  EXPECT_THROW(net::request("GET", "http://127.0.0.1:" + std::to_string(center->port()) + "/api/v1/health"),
               net::Unreachable);
  EXPECT_EQ(c.health()["ok"], true);
}

}  // namespace
}  // namespace aisb

namespace aisb {
namespace {

TEST_F(Center, ABurstFromOneStudentCannotSlipPastTheQueueLimit) {
  start();  // max_queued_per_student = 3
  const std::string token = login("민지");
  const std::string body = to_json(long_job(100000)).dump();
  std::atomic<int> created{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      const auto r = call("POST", "/api/v1/jobs", body, token);
      (r.status == 201 ? created : r.status == 429 ? limited : other)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created, 3);
  EXPECT_EQ(limited, 13);
  EXPECT_EQ(other, 0);
  auto c = client(token);
  for (const auto& j : c.jobs(100)["jobs"]) c.cancel(j["id"]);
}

TEST_F(Center, ASubmissionWhoseAnswerIsLostIsRetriedAsTheSameJob) {
  start();
  const std::string token = login("민지");
  // A school's network between the client and the center: it passes every
  // request on, but loses the center's answer to the first submission.
  std::mutex mu;
  std::vector<std::string> keys;  // the Idempotency-Key of each submission that reached the center
  int lost = 0;
  test::Listener network([&](int client) {
    const std::string request = test::read_http_message(client, 10);
    const int up = test::connect_from("127.0.0.1", center->port());
    ASSERT_GE(up, 0);
    ::send(up, request.data(), request.size(), MSG_NOSIGNAL);
    const std::string answer = test::read_http_message(up, 30);
    ::close(up);
    const std::lock_guard lock(mu);
    if (request.starts_with("POST /api/v1/jobs ")) {
      std::string head = request.substr(0, request.find("\r\n\r\n") + 2);
      std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
      const size_t at = head.find("\r\nidempotency-key: ");
      keys.push_back(at == std::string::npos ? "" : head.substr(at + 19, head.find("\r\n", at + 2) - at - 19));
      if (lost++ == 0) return;  // the center made the job; its answer never arrives
    }
    ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
  });
  remote::CenterClient through(network.url(), token);
  const std::string id = through.submit(test::xor_job(5));
  {
    const std::lock_guard lock(mu);
    ASSERT_EQ(keys.size(), 2u) << "the client did not try again";
    EXPECT_FALSE(keys[0].empty());
    EXPECT_EQ(keys[0], keys[1]);
  }
  // One job at the center, and it is the one the client was told of.
  const json jobs = client(token).jobs(100)["jobs"];
  ASSERT_EQ(jobs.size(), 1u) << jobs.dump();
  EXPECT_EQ(jobs[0]["id"], id);
}

}  // namespace
}  // namespace aisb

namespace aisb {
namespace {

TEST_F(Center, AClassThatUsedItsMinutesGets429) {
  start(R"([limits]
class_gpu_minutes_per_day = 0.005
requests_per_minute = 100000
)");
  auto c = client(login("민지"));
  const std::string id = c.submit(long_job(3000));  // runs for longer than 0.3 s
  wait_state(c, id, {"done"});
  const auto r = call("POST", "/api/v1/jobs", to_json(test::xor_job(5)).dump(), login("지수"));
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("teacher"), std::string::npos) << r.body;
}

TEST_F(Center, AJobPastItsTimeLimitFailsAndSaysWhy) {
  start(R"([slurm]
min_time_minutes = 0.01
time_factor = 1
[limits]
requests_per_minute = 100000
)");
  auto c = client(login("민지"));
  const std::string id = c.submit(long_job(100000));  // far longer than 0.6 s
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "failed");
  const json status = wait_state(c, id, {"failed"});
  EXPECT_NE(status["reason"].get<std::string>().find("time limit"), std::string::npos) << status.dump();
  EXPECT_FALSE(status.contains("restarts")) << "a job past its limit is not started again";
}

}  // namespace
}  // namespace aisb

namespace aisb {
namespace {

// The app's session with the center as its device, without a window.
app::History run_session(app::Session& s) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (s.state() != app::RunState::finished && std::chrono::steady_clock::now() < until) {
    s.update();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return s.history();
}

TEST_F(Center, TheAppsSessionTrainsAtTheCenterAndWatchesItAgainAfterARestart) {
  start();
  const std::string token = login("민지");
  const JobSpec job = test::xor_job(30);
  app::Session s;
  auto remote = std::make_unique<RemoteBackend>();
  RemoteBackend* r = remote.get();
  r->set_login(center->url(), token);
  s.set_remote(std::move(remote));
  s.load(job);
  s.set_device("center");
  s.play();
  EXPECT_TRUE(s.remote_run());
  const app::History h = run_session(s);
  ASSERT_EQ(s.state(), app::RunState::finished);
  EXPECT_EQ(s.done()->reason, "completed");
  EXPECT_EQ(h.size(), 31u);
  EXPECT_FALSE(s.weights().empty());
  EXPECT_TRUE(s.started()->device.starts_with("center:"));
  const RemoteStatus st = r->status();
  EXPECT_EQ(st.state, "done");
  ASSERT_FALSE(st.job_id.empty());

  // The app restarted: a new session follows the same job from its first event.
  app::Session again;
  auto remote2 = std::make_unique<RemoteBackend>();
  remote2->set_login(center->url(), token);
  again.set_remote(std::move(remote2));
  ASSERT_TRUE(again.attach(job, st.job_id));
  const app::History h2 = run_session(again);
  EXPECT_EQ(h2.test_loss, h.test_loss);
  EXPECT_EQ(h2.epoch, h.epoch);

  // A center that cannot be reached ends the run with a message, not a hang.
  app::Session offline;
  auto remote3 = std::make_unique<RemoteBackend>();
  RemoteBackend* r3 = remote3.get();
  remote3->set_login("http://127.0.0.1:1", token);
  offline.set_remote(std::move(remote3));
  offline.load(job);
  offline.set_device("center");
  offline.play();
  run_session(offline);
  ASSERT_EQ(offline.state(), app::RunState::finished);
  EXPECT_EQ(offline.done()->reason, "failed");
  EXPECT_NE(offline.done()->message.find("cannot be reached"), std::string::npos) << offline.done()->message;
  EXPECT_TRUE(r3->status().unreachable);
}

// A run at the center too large to stream its weights: when it ends, the app
// has the trained network all the same (fetched whole), and a picture
// chosen afterwards is probed from it.
TEST_F(Center, AfterALargeRunEndsTheAppsInsideViewsProbeTheTrainedNetwork) {
  start();
  const std::string token = login("하은");
  const JobSpec job = test::steel_job(400, 3, {test::conv(8), test::pool(2), test::layer("flatten"), test::dense(64)});
  app::Session s;
  auto remote = std::make_unique<RemoteBackend>();
  RemoteBackend* r = remote.get();
  r->set_login(center->url(), token);
  s.set_remote(std::move(remote));
  s.load(job);
  s.set_device("center");
  s.play();
  run_session(s);
  ASSERT_EQ(s.state(), app::RunState::finished);
  ASSERT_EQ(s.done()->reason, "completed");
  ASSERT_NE(r->trained_model(), nullptr) << "the snapshots carried the weights: the test needs a larger network";
  ASSERT_NE(s.trained_model(), nullptr);
  EXPECT_EQ(s.trained_model()->epochs_done, 3);
  s.choose_sample(57);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(s.inside().has_probe() && s.inside().sample == 57) && std::chrono::steady_clock::now() < until) {
    s.update();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(s.inside().has_probe());
  EXPECT_EQ(s.inside().sample, 57);
  EXPECT_EQ(s.inside().saliency.size(), 64U * 64U);
}

}  // namespace
}  // namespace aisb

namespace aisb {
namespace {

TEST_F(Center, ABadAddressOrSettingsFileStopsItWithWhereAndWhy) {
  const auto serve = [&](const std::string& args) {
    const std::string cmd = std::string(AISB_CENTER) + " serve --data " + data.string() + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    const int status = ::pclose(p);
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
  };
  for (const char* listen : {"127.0.0.1:99999", "nowhere", "127.0.0.1:"}) {
    EXPECT_EQ(serve(std::string("--listen ") + listen).first, 2) << listen;
  }
  std::ofstream(data / "center.toml") << "[limits]\nmax_paramters = 5\n";
  auto [code, out] = serve("--listen 127.0.0.1:0");
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("center.toml:2:"), std::string::npos) << out;
  EXPECT_NE(out.find("max_parameters"), std::string::npos) << out;
  std::ofstream(data / "center.toml") << "[stream]\nheartbeat_seconds = 0\n";
  std::tie(code, out) = serve("--listen 127.0.0.1:0");
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("stream.heartbeat_seconds must be"), std::string::npos) << out;
}

}  // namespace
}  // namespace aisb
