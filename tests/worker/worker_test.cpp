// aisandbox-worker as the center uses it: real processes on job folders,
// killed with SIGKILL mid-run and started again.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "core/spec.hpp"
#include "worker/job_dir.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

class Worker : public ::testing::Test {
 protected:
  fs::path root = fs::temp_directory_path() / ("aisb_worker_" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(root); }
  void TearDown() override { fs::remove_all(root); }

  fs::path job_dir(const std::string& name, const JobSpec& job) {
    const fs::path d = root / name;
    fs::create_directories(d);
    std::ofstream(d / "job.json") << to_json(job).dump();
    return d;
  }
  static pid_t spawn(const fs::path& dir, const std::string& extra = "") {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const std::string cmd = std::string(AISB_WORKER) + " --job " + dir.string() + " " + extra + " 2>/dev/null";
      ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }
  static int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static int run(const fs::path& dir, const std::string& extra = "") { return wait_exit(spawn(dir, extra)); }
  static std::vector<json> events(const fs::path& dir) {
    std::vector<json> out;
    std::ifstream in(dir / "events.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }
  // seq 1..n with no gap, one `done` at the end, each epoch's metrics once.
  static void expect_complete_log(const std::vector<json>& ev, int epochs) {
    ASSERT_FALSE(ev.empty());
    std::set<int> seen;
    for (size_t i = 0; i < ev.size(); ++i) {
      EXPECT_EQ(ev[i].at("seq").get<uint64_t>(), i + 1) << "gap or duplicate at line " << i + 1;
      if (ev[i]["type"] == "metrics") {
        EXPECT_TRUE(seen.insert(ev[i]["epoch"].get<int>()).second) << ev[i].dump();
      }
      if (i + 1 < ev.size()) {
        EXPECT_NE(ev[i]["type"], "done");
      }
    }
    EXPECT_EQ(ev.back()["type"], "done");
    EXPECT_EQ(seen.size(), static_cast<size_t>(epochs + 1));  // epoch 0 too
  }
};

TEST_F(Worker, RunsAJobFolderToTheEnd) {
  const fs::path d = job_dir("plain", test::xor_job(30));
  EXPECT_EQ(run(d), 0);
  const auto ev = events(d);
  expect_complete_log(ev, 30);
  EXPECT_EQ(ev.front()["type"], "started");
  EXPECT_EQ(ev.back()["reason"], "completed");
  const json model = json::parse(std::ifstream(d / "model.json"));
  EXPECT_EQ(model["weights"].size(), 6u);
  EXPECT_EQ(model["job"]["lesson"], "test-xor");
  // Started again on a finished job: nothing happens, nothing is written.
  const auto size = fs::file_size(d / "events.jsonl");
  EXPECT_EQ(run(d), 0);
  EXPECT_EQ(fs::file_size(d / "events.jsonl"), size);
}

TEST_F(Worker, KilledMidRunItResumesWithNoGapNoDuplicateAndTheSameResult) {
  JobSpec job = test::xor_job(10000);
  job.training.optimizer = "adam";
  job.training.learning_rate = 0.003;
  const fs::path whole = job_dir("whole", job), cut = job_dir("cut", job);
  ASSERT_EQ(run(whole, "--snapshots 20"), 0);

  // Kill -9 once a checkpoint exists and the log has gone past it.
  const pid_t pid = spawn(cut, "--checkpoint-seconds 0.05 --snapshots 20");
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    const auto cp = worker::read_checkpoint(cut / "checkpoint.json");
    const auto log = worker::scan_log(cut / "events.jsonl");
    if (cp && log.last_epoch > cp->first.epoch + 5) break;
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20)) << "no checkpoint came";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  wait_exit(pid);
  const auto before = worker::scan_log(cut / "events.jsonl");
  ASSERT_FALSE(before.done_reason) << "finished before it could be killed: make the job longer";
  // A crash in the middle of a line leaves a torn end; it is cut off.
  std::ofstream(cut / "events.jsonl", std::ios::app) << R"({"type":"metr)";

  EXPECT_EQ(run(cut, "--checkpoint-seconds 0.05 --snapshots 20"), 0);
  const auto ev = events(cut);
  expect_complete_log(ev, 10000);
  bool resumed = false;
  for (const auto& e : ev) resumed = resumed || (e["type"] == "log" && e["message"].get<std::string>().find("resumed") == 0);
  EXPECT_TRUE(resumed);
  // The same result as the run nobody interrupted (the CPU is deterministic).
  const auto a = events(whole).back(), b = ev.back();
  EXPECT_EQ(a["reason"], "completed");
  EXPECT_EQ(b["reason"], "completed");
  EXPECT_EQ(a["steps"], b["steps"]);
  EXPECT_DOUBLE_EQ(a["train_loss"].get<double>(), b["train_loss"].get<double>());
  EXPECT_DOUBLE_EQ(a["test_loss"].get<double>(), b["test_loss"].get<double>());
  EXPECT_EQ(json::parse(std::ifstream(whole / "model.json"))["weights"],
            json::parse(std::ifstream(cut / "model.json"))["weights"]);
}

TEST_F(Worker, ARefusedJobEndsAsFailedWithTheKeyPath) {
  JobSpec job = test::xor_job(5);
  job.model.layers[0].units = 0;
  const fs::path d = job_dir("bad", job);
  EXPECT_EQ(run(d), 1);
  const auto ev = events(d);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["type"], "done");
  EXPECT_EQ(ev[0]["reason"], "failed");
  EXPECT_NE(ev[0]["message"].get<std::string>().find("model.layers[0].units"), std::string::npos) << ev[0].dump();
  // Not JSON at all, or missing: the same, never a crash.
  const fs::path g = root / "garbage";
  fs::create_directories(g);
  std::ofstream(g / "job.json") << "{ not json";
  EXPECT_EQ(run(g), 1);
  EXPECT_EQ(events(g).back()["reason"], "failed");
  const fs::path m = root / "missing";
  fs::create_directories(m);
  EXPECT_EQ(run(m), 1);
  EXPECT_NE(events(m).back()["message"].get<std::string>().find("missing"), std::string::npos);
}

TEST_F(Worker, SigtermCancelsCleanly) {
  const fs::path d = job_dir("term", test::xor_job(100000));
  const pid_t pid = spawn(d);
  const auto t0 = std::chrono::steady_clock::now();
  while (worker::scan_log(d / "events.jsonl").last_epoch < 2) {
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid), 0);
  EXPECT_EQ(events(d).back()["reason"], "cancelled");
}

TEST_F(Worker, SnapshotsKeepToTheirByteBudget) {
  const fs::path d = job_dir("budget", test::xor_job(20000));
  EXPECT_EQ(run(d, "--snapshots 100 --snapshot-budget 20000"), 0);
  size_t bytes = 0;
  double seconds = 0;
  for (const auto& e : events(d)) {
    if (e["type"] == "snapshot") bytes += e.dump().size();
    if (e["type"] == "done") seconds = e["seconds"].get<double>();
  }
  ASSERT_GT(seconds, 0.0);
  // The final snapshot may come on top of the budget.
  EXPECT_LE(static_cast<double>(bytes), 20000.0 * std::max(1.0, seconds) + 4000.0) << bytes << " bytes in " << seconds << " s";
}

TEST(JobDir, Base64RoundTrips) {
  for (const std::string& s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"),
                              std::string("\0\xff\x10 binary", 10)}) {
    EXPECT_EQ(worker::base64_decode(worker::base64_encode(s)), s);
  }
  EXPECT_EQ(worker::base64_encode("Man"), "TWFu");
  EXPECT_FALSE(worker::base64_decode("abc"));
  EXPECT_FALSE(worker::base64_decode("a=bc"));
  EXPECT_FALSE(worker::base64_decode("ab!c"));
}

}  // namespace
}  // namespace aisb

namespace aisb {
namespace {

TEST_F(Worker, TheLastSeqIsReadFromTheEndOfTheLog) {
  const fs::path d = job_dir("tail", test::xor_job(300));
  ASSERT_EQ(run(d, "--snapshots 50"), 0);
  const auto whole = worker::scan_log(d / "events.jsonl");
  ASSERT_GT(fs::file_size(d / "events.jsonl"), 70000u) << "the log should span several chunks";
  EXPECT_EQ(last_seq(d / "events.jsonl"), whole.last_seq);
  std::ofstream(d / "events.jsonl", std::ios::app) << R"({"seq":99999,"type":"metr)";  // a torn end
  EXPECT_EQ(last_seq(d / "events.jsonl"), whole.last_seq);
  EXPECT_EQ(last_seq(d / "none.jsonl"), 0u);
}

}  // namespace
}  // namespace aisb
