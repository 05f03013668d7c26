// aisandbox-worker as the center uses it: real processes on job folders,
// killed with SIGKILL mid-run and started again, held to the memory and disk
// limits a center gives them.
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"
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
  // `file_limit` > 0: the worker's files may not grow past it (RLIMIT_FSIZE),
  // as on a disk that is full.
  // `data_limit` > 0: its address space for data may not pass it (RLIMIT_DATA).
  static pid_t spawn(const fs::path& dir, const std::string& extra = "", rlim_t file_limit = 0, rlim_t data_limit = 0) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (file_limit > 0) {
        const rlimit l{file_limit, file_limit};
        ::setrlimit(RLIMIT_FSIZE, &l);
      }
      if (data_limit > 0) {
        const rlimit l{data_limit, data_limit};
        ::setrlimit(RLIMIT_DATA, &l);
      }
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
  for (const auto& e : ev)
    resumed = resumed || (e["type"] == "log" && e["message"].get<std::string>().find("resumed") == 0);
  EXPECT_TRUE(resumed);
  // The same result as the run nobody interrupted (the CPU is deterministic).
  const auto a = events(whole).back(), b = ev.back();
  EXPECT_EQ(a["reason"], "completed");
  EXPECT_EQ(b["reason"], "completed");
  EXPECT_EQ(a["steps"], b["steps"]);
  EXPECT_DOUBLE_EQ(a["train_loss"].get<double>(), b["train_loss"].get<double>());
  EXPECT_DOUBLE_EQ(a["test_loss"].get<double>(), b["test_loss"].get<double>());
  const json mw = json::parse(std::ifstream(whole / "model.json")), mc = json::parse(std::ifstream(cut / "model.json"));
  EXPECT_EQ(mw["weights"], mc["weights"]);
  // The model file's curves are whole: the epochs before the kill come from the log.
  ASSERT_EQ(mc["curves"].size(), 10001u);
  ASSERT_EQ(mw["curves"].size(), mc["curves"].size());
  for (size_t i = 0; i < mc["curves"].size(); i += 997) {
    EXPECT_EQ(mc["curves"][i]["epoch"], i);
    EXPECT_EQ(mw["curves"][i]["test_loss"], mc["curves"][i]["test_loss"]);
  }
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
  EXPECT_LE(static_cast<double>(bytes), 20000.0 * std::max(1.0, seconds) + 4000.0)
      << bytes << " bytes in " << seconds << " s";
}

TEST_F(Worker, TheInsideViewsReachTheLogWithinTheByteBudget) {
  // A CNN's probe (maps, saliency) and test answers: at the center the views
  // get them from the log; when the weights do not fit the budget, they go alone.
  const JobSpec spec = test::steel_job(160, 4, {test::conv(4), test::pool(2), test::layer("flatten"), test::dense(16)});
  const fs::path d = job_dir("inside", spec);
  // Its weights (65,000) make a snapshot of some 700 KB, past this budget.
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(run(d, "--snapshots 20 --snapshot-budget 60000"), 0);
  // The worker's budget counts from its start, libtorch's loading included.
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t bytes = 0, probes = 0, answers = 0, alone = 0;
  for (const auto& e : events(d)) {
    if (e["type"] != "snapshot") continue;
    bytes += e.dump().size();
    if (!e.contains("inside")) continue;
    Diagnostics diags;
    const Inside in = inside_from_json(e["inside"], "inside", diags);
    EXPECT_FALSE(diags.has_errors()) << diags.first_error();
    if (in.has_probe()) {
      ++probes;
      EXPECT_EQ(in.maps.size(), 3U);  // conv, pool, dense
      EXPECT_EQ(in.saliency.size(), 64U * 64U);
    }
    if (in.has_predictions()) {
      ++answers;
      EXPECT_EQ(in.predictions.size(), 40U);
    }
    alone += e["weights"].empty() ? 1 : 0;
  }
  EXPECT_GT(alone, 0U);
  EXPECT_GT(probes, 0U);
  EXPECT_GT(answers, 0U);
  // The final snapshot (here the inside alone, some 40 KB) may come on top.
  EXPECT_LE(static_cast<double>(bytes), 60000.0 * std::max(1.0, seconds) + 45000.0) << bytes << " in " << seconds;
}

TEST_F(Worker, ASnapshotTooLargeToStreamIsNotWritten) {
  // 2 x 860 units: about 744,000 weights, a snapshot of some 15 MB.
  JobSpec spec = test::xor_job(2);
  spec.model.layers = {{.type = "dense", .units = 860, .activation = "tanh"},
                       {.type = "dense", .units = 860, .activation = "tanh"}};
  const fs::path d = job_dir("huge", spec);
  EXPECT_EQ(run(d, "--snapshots 100 --snapshot-budget 1e9"), 0);
  std::ifstream in(d / "events.jsonl");
  bool said = false;
  for (std::string line; std::getline(in, line);) {
    EXPECT_LE(line.size(), size_t{1} << 20) << "a line of " << line.size() << " bytes";
    said = said || line.find("too large to show its weights live") != std::string::npos;
  }
  EXPECT_TRUE(said);
}

TEST(JobDir, Base64RoundTrips) {
  for (const std::string& s :
       {std::string(), std::string("a"), std::string("ab"), std::string("abc"), std::string("\0\xff\x10 binary", 10)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("Man"), "TWFu");
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("a=bc"));
  EXPECT_FALSE(base64_decode("ab!c"));
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

namespace aisb {
namespace {

// A line of a running process's status ("RssAnon", "VmRSS") in bytes; 0
// once it is gone.
int64_t status_of(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::atoll(line.c_str() + key.size() + 1) * 1024;
  }
  return 0;
}

using test::conv;
using test::dense;
using test::dropout;
using test::layer;
using test::pool;
using test::recurrent;

JobSpec job_on(const std::string& source, int samples, std::vector<LayerSpec> layers, int batch,
               const std::string& optimizer = "sgd") {
  JobSpec j = test::xor_job(1);
  j.lesson = "test-memory";
  j.dataset.source = source;
  j.dataset.samples = samples;
  j.dataset.noise = 0.1;
  j.model.inputs.clear();
  j.model.task = source == "battery-fade" || source == "air-quality" ? "regression" : "classification";
  j.model.layers = std::move(layers);
  j.training.batch_size = batch;
  j.training.optimizer = optimizer;
  j.training.learning_rate = 0.01;
  return j;
}

// The issue's job: one conv2d of 1,024 filters on the digits, pooled by 8.
JobSpec thousand_filters(int samples, int batch) {
  return job_on("digits", samples, {conv(1024), pool(8), layer("flatten")}, batch);
}

int64_t estimate_of(const JobSpec& job) {
  Diagnostics diags;
  const ModelInfo info = describe_model(job, diags);
  EXPECT_TRUE(info.ok) << diags.first_error();
  return training_memory_bytes(job, info);
}

// The peak the worker reports in its last `log` event, in MB.
double reported_peak_mb(const std::vector<json>& ev) {
  static const std::regex re("memory: at most ([0-9]+) MB used");
  for (const auto& e : ev) {
    std::smatch m;
    const std::string text = e.value("message", "");
    if (e["type"] == "log" && std::regex_search(text, m, re)) return std::stod(m[1]);
  }
  return 0;
}

TEST_F(Worker, TheMemoryEstimateHoldsWithinOneAndAHalfTimesThePeakForEveryLayerType) {
  const std::vector<std::pair<std::string, JobSpec>> specs = {
      {"thousand-filters", thousand_filters(64, 32)},
      {"conv-stack", job_on("digits", 192, {conv(32), conv(64), pool(2), layer("flatten"), dense(128)}, 64)},
      {"conv-batchnorm-dropout",
       job_on("steel-defects", 96,
              {conv(16, 5), layer("batchnorm"), pool(2), layer("flatten"), dropout(0.3), dense(64)}, 32, "adam")},
      {"dense",
       job_on("digits", 1500, {layer("flatten"), dense(1024), dropout(0.5), dense(512, "tanh"), layer("batchnorm")},
              256, "momentum")},
      {"wide-dense", job_on("digits", 120, {layer("flatten"), dense(4096), dense(1024)}, 64, "adam")},
      {"lstm", job_on("battery-fade", 300, {recurrent("lstm", 512)}, 128)},
      {"gru", job_on("air-quality", 300, {recurrent("gru", 256), dropout(0.2), dense(32)}, 128, "adam")},
  };
  for (const auto& [name, job] : specs) {
    const fs::path d = job_dir(name, job);
    ASSERT_EQ(run(d, "--device cpu"), 0) << name << ": " << events(d).back().dump().substr(0, 400);
    const double peak = reported_peak_mb(events(d));
    const double estimate = static_cast<double>(estimate_of(job)) / (1 << 20);
    ASSERT_GT(peak, 0) << name << ": the worker reported no peak";
    std::printf("%-24s estimate %6.0f MB, peak %6.0f MB (x%.2f)\n", name.c_str(), estimate, peak, peak / estimate);
    EXPECT_LE(peak, 1.5 * estimate) << name;
    EXPECT_GE(peak, estimate / 1.5) << name;
  }
}

TEST_F(Worker, AJobPastTheMemoryLimitEndsFailedOnceWithoutPassingIt) {
  // ~800 MB by the estimate (evaluation of 100 samples at once is most of it).
  const JobSpec job = thousand_filters(200, 8);
  ASSERT_GT(estimate_of(job), int64_t{700} << 20);
  const fs::path d = job_dir("too-big", job);
  constexpr int64_t kLimitMb = 400;
  const pid_t pid = spawn(d, "--device cpu --center --max-memory-mb " + std::to_string(kLimitMb));
  // The limit is on the job's own memory (RssAnon: heap, tensors), not on
  // the code pages every worker shares with the others.
  int64_t highest = 0, highest_total = 0;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    highest = std::max(highest, status_of(pid, "RssAnon"));
    highest_total = std::max(highest_total, status_of(pid, "VmRSS"));
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_GT(highest, 0);
  EXPECT_LE(highest, kLimitMb << 20) << "the worker passed its limit: " << (highest >> 20) << " MB";
  std::printf("limit %lld MB: at most %lld MB of its own, %lld MB with shared code\n", static_cast<long long>(kLimitMb),
              static_cast<long long>(highest >> 20), static_cast<long long>(highest_total >> 20));
  const auto ev = events(d);
  ASSERT_FALSE(ev.empty());
  int dones = 0;
  for (const auto& e : ev) dones += e["type"] == "done" ? 1 : 0;
  EXPECT_EQ(dones, 1);
  EXPECT_EQ(ev.back()["type"], "done");
  EXPECT_EQ(ev.back()["reason"], "failed");
  EXPECT_NE(ev.back()["message"].get<std::string>().find("needs more memory than this center allows"),
            std::string::npos)
      << ev.back().dump();
  EXPECT_FALSE(ev.back().value("message_ko", "").empty());
  // The log says how it ended: the center reads that as final and does not
  // start it again (a worker started on it anyway does nothing).
  EXPECT_EQ(worker::scan_log(d / "events.jsonl").done_reason, "failed");
  const auto size = fs::file_size(d / "events.jsonl");
  EXPECT_EQ(run(d, "--max-memory-mb 400"), 1);
  EXPECT_EQ(fs::file_size(d / "events.jsonl"), size);
  // The same job with room enough completes.
  const fs::path roomy = job_dir("roomy", job);
  EXPECT_EQ(run(roomy, "--device cpu --max-memory-mb 3072"), 0);
  EXPECT_EQ(events(roomy).back()["reason"], "completed");
}

TEST_F(Worker, AnAllocationRefusedInsideLibtorchEndsTheJobWithTheSameMessage) {
  // The data limit, not the watchdog, stops it here: libtorch's allocator
  // throws when it asks for the evaluation's 320 MB, the trainer ends the
  // run with torch's words, and the worker says them in a student's. The
  // limit leaves room for what libtorch and each BLAS thread reserve.
  const fs::path d = job_dir("refused", thousand_filters(200, 8));
  const rlim_t reserve = (rlim_t{256} + 160 * std::max(1u, std::thread::hardware_concurrency())) << 20;
  const pid_t pid = spawn(d, "--device cpu --max-memory-mb 100000", 0, reserve + (rlim_t{200} << 20));
  int status = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(120)) {
      ::kill(pid, SIGKILL);
      wait_exit(pid);
      FAIL() << "the worker did not end (a BLAS thread waiting for memory?)";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const auto ev = events(d);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back()["reason"], "failed");
  EXPECT_NE(ev.back()["message"].get<std::string>().find("needs more memory than this center allows"),
            std::string::npos)
      << ev.back().dump();
}

TEST_F(Worker, SnapshotsStopBeforeTheLogsCapAndMetricsPastItEndTheJob) {
  // Snapshots alone would pass the cap (each ~200 KB): they stop, training
  // completes.
  JobSpec wide = test::xor_job(3);
  wide.model.layers = {dense(128, "tanh"), dense(128, "tanh")};
  const fs::path d = job_dir("cap", wide);
  EXPECT_EQ(run(d, "--snapshots 100 --snapshot-budget 1e9 --max-log-mb 0.5"), 0);
  auto ev = events(d);
  expect_complete_log(ev, 3);
  EXPECT_EQ(ev.back()["reason"], "completed");
  EXPECT_LE(fs::file_size(d / "events.jsonl"), 0.5 * (1 << 20));
  bool stopped = false;
  size_t after = 0;
  for (const auto& e : ev) {
    if (stopped && e["type"] == "snapshot") ++after;
    stopped = stopped || (e["type"] == "log" &&
                          e["message"].get<std::string>().find("live view of the weights stops") != std::string::npos);
  }
  EXPECT_TRUE(stopped);
  EXPECT_EQ(after, 0u);
  // Metrics alone pass it: the job ends failed, once, within the cap.
  const fs::path m = job_dir("cap-metrics", test::xor_job(5000));
  EXPECT_EQ(run(m, "--snapshots 0 --max-log-mb 0.05"), 1);
  ev = events(m);
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i]["seq"].get<size_t>(), i + 1);
  EXPECT_EQ(ev.back()["reason"], "failed");
  EXPECT_NE(ev.back()["message"].get<std::string>().find("log reached"), std::string::npos) << ev.back().dump();
  EXPECT_LE(fs::file_size(m / "events.jsonl"), 0.05 * (1 << 20));
  // A model larger than its cap is not kept, and the job says why.
  const fs::path big = job_dir("model-cap", test::xor_job(2));
  EXPECT_EQ(run(big, "--max-model-mb 0.0005"), 1);
  EXPECT_FALSE(fs::exists(big / "model.json"));
  EXPECT_NE(events(big).back()["message"].get<std::string>().find("more than the"), std::string::npos);
}

TEST_F(Worker, AFullDiskEndsTheJobOnceWithNoHalfLine) {
  // The model cannot be written (its file would pass the limit): the log,
  // which still has room, ends with `done`/failed naming the disk.
  JobSpec wide = test::xor_job(3);
  wide.model.layers = {dense(256, "tanh"), dense(256, "tanh")};
  const fs::path d = job_dir("model-full", wide);
  EXPECT_EQ(wait_exit(spawn(d, "", 200000)), 1);
  auto ev = events(d);
  EXPECT_EQ(ev.back()["reason"], "failed");
  EXPECT_NE(ev.back()["message"].get<std::string>().find("disk is full"), std::string::npos) << ev.back().dump();
  EXPECT_FALSE(fs::exists(d / "model.json"));
  EXPECT_FALSE(fs::exists(d / "model.json.tmp"));
  // The log itself is full: no `done` fits, the status says so (the center
  // takes it as final), and the log holds only whole lines.
  const fs::path f = job_dir("log-full", test::xor_job(1000));
  EXPECT_EQ(wait_exit(spawn(f, "--snapshots 0", 1024)), 74);
  std::ifstream in(f / "events.jsonl");
  size_t lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
  }
  EXPECT_GT(lines, 0u);
  EXPECT_FALSE(worker::scan_log(f / "events.jsonl").torn);
  EXPECT_LE(fs::file_size(f / "events.jsonl"), 1024u);
}

TEST_F(Worker, OnARealFullDiskTheDoneFindsTheRoomTheWorkerKept) {
  // A 300 KB file system (tmpfs; needs the right to mount, as root in a
  // container), two thirds full: the log fills the rest mid-run.
  const fs::path small = root / "small";
  fs::create_directories(small);
  if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=300k") != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here: " << std::strerror(errno);
  }
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{small};
  std::ofstream(small / "filler") << std::string(200 * 1024, 'x');
  const fs::path d = small / "job";
  fs::create_directories(d);
  std::ofstream(d / "job.json") << to_json(test::xor_job(100000)).dump();
  EXPECT_EQ(run(d, "--center --snapshots 20"), 1);
  const auto ev = events(d);
  ASSERT_GT(ev.size(), 2u);
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i]["seq"].get<size_t>(), i + 1);
  EXPECT_EQ(ev.back()["type"], "done");
  EXPECT_EQ(ev.back()["reason"], "failed");
  EXPECT_NE(ev.back()["message"].get<std::string>().find("disk is full"), std::string::npos) << ev.back().dump();
  EXPECT_FALSE(ev.back().value("message_ko", "").empty());
  EXPECT_FALSE(fs::exists(d / ".room-for-done"));
  EXPECT_FALSE(worker::scan_log(d / "events.jsonl").torn);
}

}  // namespace
}  // namespace aisb
