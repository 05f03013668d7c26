// The center with its Slurm executor against a real one-node Slurm (munge,
// slurmctld, slurmd from Debian), configured by the test itself.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "backend/center_client.hpp"
#include "center/executor.hpp"
#include "center_process.hpp"
#include "core/event_log.hpp"
#include "data/user_data.hpp"
#include "lesson/lesson.hpp"
#include "slurm_cluster.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

using test::CenterProcess;
using test::SlurmCluster;

class Slurm : public ::testing::Test {
 protected:
  static inline std::unique_ptr<SlurmCluster> cluster;
  static inline std::string cluster_error;

  static void SetUpTestSuite() {
    ::signal(SIGPIPE, SIG_IGN);
    if (!SlurmCluster::installed(&cluster_error)) return;
    // A port can still be taken between choosing it and the daemon binding
    // it; then the cluster starts again on others.
    for (int attempt = 0; attempt < 3; ++attempt) {
      cluster =
          std::make_unique<SlurmCluster>(fs::temp_directory_path() / ("aisb_slurm_" + std::to_string(::getpid())));
      if (cluster->start(&cluster_error)) return;
      cluster.reset();
      if (cluster_error.find("Address already in use") == std::string::npos) return;
    }
  }
  static void TearDownTestSuite() { cluster.reset(); }

  fs::path data = fs::temp_directory_path() / ("aisb_slurm_center_" + std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<CenterProcess> center;
  json klass;
  std::string token;

  void SetUp() override {
    // Installed by installer/deps.sh; a machine without it says so instead of passing.
    ASSERT_TRUE(cluster) << "no Slurm to test against: " << cluster_error;
    fs::remove_all(data);
    fs::create_directories(data);
    write_settings();
    klass = CenterProcess::create_class(data, "slurm class");
    start_center();
    token = remote::CenterClient(center->url(), "").login(klass["class_code"], "민지");
  }
  void TearDown() override {
    center.reset();
    fs::remove_all(data);
  }
  void write_settings(const std::string& limits = "") {
    std::ofstream(data / "center.toml") << "[slurm]\npoll_seconds = 0.2\n[stream]\npoll_ms = 20\n"
                                           "[limits]\nrequests_per_minute = 100000\n"
                                        << limits << "[worker]\ncheckpoint_seconds = 0.2\n";
  }
  void start_center(int port = 0) {
    center = std::make_unique<CenterProcess>(
        data, std::vector<std::string>{"--executor", "slurm", "--slurm-partition", "aisb"});
    center->start(port);
  }
  remote::CenterClient client() { return remote::CenterClient(center->url(), token); }
  static std::vector<json> follow(remote::CenterClient& c, const std::string& id) {
    std::vector<json> ev;
    c.follow(id, 0, [&](const json& e) {
      ev.push_back(e);
      return true;
    });
    return ev;
  }
  static void expect_complete(const std::vector<json>& ev) {
    ASSERT_FALSE(ev.empty());
    for (size_t i = 0; i < ev.size(); ++i) {
      ASSERT_EQ(ev[i].at("seq").get<uint64_t>(), i + 1) << "gap or duplicate at " << i;
    }
    EXPECT_EQ(ev.back()["type"], "done");
  }
  static json wait_state(remote::CenterClient& c, const std::string& id, const std::string& state, double s = 60) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(s);
    json j;
    while (std::chrono::steady_clock::now() < until) {
      j = c.job(id);
      if (j["state"] == state) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job " << id << " never became " << state << ": " << j.dump();
    return j;
  }
  void wait_events(const std::string& id, uint64_t n) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (scan_log(data / "jobs" / id / "events.jsonl").last_seq < n) {
      ASSERT_LT(std::chrono::steady_clock::now(), until) << "the job did not get going";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  static JobSpec long_job(int epochs) {
    JobSpec j = test::xor_job(epochs);
    j.training.optimizer = "adam";
    j.training.learning_rate = 0.003;
    return j;
  }
};

TEST_F(Slurm, AJobRunsThroughSbatchWithLiveEvents) {
  auto c = client();
  EXPECT_EQ(c.health()["executor"], "slurm");
  const std::string id = c.submit(test::xor_job(40));
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "completed");
  EXPECT_EQ(ev.front()["device"], "center:" + cluster->node());
  const json status = wait_state(c, id, "done");
  const std::string slurm_id = status["slurm_job_id"];
  EXPECT_FALSE(slurm_id.empty());
  EXPECT_EQ(status["node"], cluster->node());
  const auto shown = center::run_program({"scontrol", "--oneliner", "show", "job", slurm_id});
  EXPECT_NE(shown.out.find("JobName=aisb-" + id), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("Partition=aisb"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("TimeLimit=00:05:00"), std::string::npos) << shown.out;  // the minimum
  EXPECT_EQ(c.model(id)["weights"].size(), 6u);
}

TEST_F(Slurm, TheWorkersMemoryLimitIsAskedOfSlurmAndKeptByTheWorker) {
  // What a job ran with: Slurm's record of it, and the worker's arguments.
  const auto ran = [&](const std::string& limits) {
    center.reset();
    write_settings(limits);
    start_center();
    auto c = client();
    const std::string id = c.submit(test::xor_job(5));
    expect_complete(follow(c, id));
    const std::string slurm_id = wait_state(c, id, "done")["slurm_job_id"];
    std::ifstream script(data / "jobs" / id / "slurm.sh");
    return std::make_pair(center::run_program({"scontrol", "--oneliner", "show", "job", slurm_id}).out,
                          std::string((std::istreambuf_iterator<char>(script)), std::istreambuf_iterator<char>()));
  };
  ASSERT_GE(SlurmCluster::real_memory_mb(), 1512) << "this machine is too small for the test";
  // Within what the node declares: the job asks for the worker's limit and
  // 512 MB for what Slurm's cgroup counts besides, and the worker keeps to
  // the limit itself.
  const auto [asked, script] = ran("max_job_memory_mb = 1000\n");
  EXPECT_NE(asked.find("MinMemoryNode=1512M"), std::string::npos) << asked;
  EXPECT_NE(script.find("'--max-memory-mb' '1000'"), std::string::npos) << script;
  // Past it (the node declares less than a job may use): sbatch refuses
  // the --mem, and the job runs without it; the worker's own limit holds.
  const auto [unasked, script2] = ran("max_job_memory_mb = 4000\n");
  EXPECT_EQ(unasked.find("MinMemoryNode=4512M"), std::string::npos) << unasked;
  EXPECT_NE(unasked.find("JobState=COMPLETED"), std::string::npos) << unasked;
  EXPECT_NE(script2.find("'--max-memory-mb' '4000'"), std::string::npos) << script2;
}

TEST_F(Slurm, CancelGoesThroughScancel) {
  auto c = client();
  const std::string id = c.submit(long_job(100000));
  wait_state(c, id, "running");
  wait_events(id, 5);
  c.cancel(id);
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "cancelled");
  wait_state(c, id, "cancelled");
}

TEST_F(Slurm, ARequeuedJobResumesFromItsCheckpoint) {
  auto c = client();
  const std::string id = c.submit(long_job(40000));
  const fs::path dir = data / "jobs" / id;
  wait_state(c, id, "running");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir / "checkpoint.json")) {
    ASSERT_LT(std::chrono::steady_clock::now(), until);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // What Slurm does to a job whose node fails or that is preempted.
  const std::string slurm_id = c.job(id)["slurm_job_id"];
  const auto r = center::run_program({"scontrol", "requeue", slurm_id});
  ASSERT_EQ(r.status, 0) << r.out;
  // Slurm holds a requeued job for two minutes; a test need not wait for that.
  for (int i = 0; i < 50; ++i) {
    const auto q = center::run_program({"squeue", "--noheader", "--format=%T", "--jobs=" + slurm_id});
    if (q.out.find("PENDING") != std::string::npos) {
      center::run_program({"scontrol", "update", "JobId=" + slurm_id, "StartTime=now"});
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "completed");
  bool resumed = false;
  for (const auto& e : ev)
    resumed = resumed || (e["type"] == "log" && e["message"].get<std::string>().find("resumed") == 0);
  EXPECT_TRUE(resumed) << std::ifstream(dir / "worker.log").rdbuf();
}

TEST_F(Slurm, JobsOutliveAKilledCenter) {
  auto c = client();
  const int port = center->port();
  const std::string id = c.submit(long_job(20000));
  wait_events(id, 20);
  center->kill(SIGKILL);
  const uint64_t before = scan_log(data / "jobs" / id / "events.jsonl").last_seq;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // Slurm's worker went on without the center.
  EXPECT_GT(scan_log(data / "jobs" / id / "events.jsonl").last_seq, before);
  start_center(port);
  auto again = client();
  const auto ev = follow(again, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "completed");
  wait_state(again, id, "done");
}

TEST_F(Slurm, ACsvJobReadsItsDataFromTheSharedDataFolder) {
  // A class's table, uploaded by hash: the batch job's worker reads the
  // center's copy in DATA/data (the shared folder), not the lesson's file.
  const fs::path here = data.string() + "-lesson";
  fs::create_directories(here);
  {
    std::ofstream csv(here / "data.csv");
    csv << "a,b,y\n";
    for (int i = 0; i < 60; ++i)
      csv << i % 10 << "," << (i * 7) % 10 << "," << ((i % 10) + (i * 7) % 10 > 9 ? "yes" : "no") << "\n";
  }
  JobSpec job = test::xor_job(3);
  job.dataset = DatasetSpec{};
  job.dataset.source = "csv:data.csv";
  job.dataset.target = "y";
  job.model.inputs.clear();
  Diagnostics diags;
  ASSERT_TRUE(resolve_data(job, here, diags)) << diags.first_error();
  auto c = client();
  EXPECT_GT(c.upload_data(job), 0u);
  fs::remove_all(here);
  const std::string id = c.submit(job);
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "completed") << ev.back().dump();
  std::ifstream script(data / "jobs" / id / "slurm.sh");
  const std::string text((std::istreambuf_iterator<char>(script)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("--data-dir '" + (fs::absolute(data) / "data").string() + "'"), std::string::npos) << text;
}

TEST_F(Slurm, TheShippedPhotoLessonTrainsThroughSbatchFromItsUploadedTar) {
  // The pipe-photos lesson as a student's app sends it: its folder packed
  // into the canonical tar, uploaded by hash, decoded by the batch job.
  LessonResult lesson = load_lesson(fs::path(AISB_SOURCE_DIR) / "lessons" / "industry" / "06-pipe-photos.toml");
  ASSERT_TRUE(lesson.ok()) << format_diagnostics(lesson, "06-pipe-photos.toml");
  JobSpec job = lesson.lesson.job;
  job.training.epochs = 1;
  auto c = client();
  EXPECT_GT(c.upload_data(job), 0u);
  const std::string id = c.submit(job);
  const auto ev = follow(c, id);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "completed") << ev.back().dump();
}

}  // namespace
}  // namespace aisb
