// The center's disk and what one job may take (issue 11, items 4 and 6):
// free space, the retention sweep, the per-job limits in center.toml and
// check_limits, and the executor that hands the limits to every worker and
// takes a worker that could not write its end as final.
#include "center/disk.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "center/config.hpp"
#include "center/executor.hpp"
#include "center/store.hpp"

namespace fs = std::filesystem;

namespace aisb::center {
namespace {

class DiskTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("aisb_disk_" + std::to_string(::getpid()));
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(DiskTest, FreeSpaceUnderTheThresholdOrAnUnwritableFolderIsTrouble) {
  const DiskReport fine = check_disk(dir, 1);
  EXPECT_TRUE(fine.ok) << fine.problem;
  EXPECT_GT(fine.free_bytes, 0u);
  EXPECT_GE(fine.total_bytes, fine.free_bytes);
  EXPECT_TRUE(fine.problem.empty());
  EXPECT_TRUE(fs::is_empty(dir)) << "the probe file stays behind";

  const DiskReport tight = check_disk(dir, uint64_t{1} << 62);
  EXPECT_FALSE(tight.ok);
  EXPECT_NE(tight.problem.find("min_free_mb"), std::string::npos) << tight.problem;
  EXPECT_NE(tight.problem.find("free"), std::string::npos) << tight.problem;

  // Not a folder one can write in (root writes anywhere, so: a file).
  std::ofstream(dir / "file") << "x";
  const DiskReport not_dir = check_disk(dir / "file", 1);
  EXPECT_FALSE(not_dir.ok);
  EXPECT_NE(not_dir.problem.find("cannot write"), std::string::npos) << not_dir.problem;
  const DiskReport missing = check_disk(dir / "missing", 1);
  EXPECT_FALSE(missing.ok);
  EXPECT_FALSE(missing.problem.empty());
}

// A job row in `state` that ended `days_ago` days before `now`, with a folder.
JobRecord finished_job(Store& s, const std::string& owner_class, const std::string& owner, const fs::path& data,
                       const std::string& state, double days_ago, int64_t now) {
  JobRecord r;
  r.class_id = owner_class;
  r.owner = owner;
  r = s.add_job(r);
  r.state = state;
  if (state != "queued") r.started = now - static_cast<int64_t>((days_ago + 0.01) * 86400000.0);
  if (is_final_state(state)) r.finished = now - static_cast<int64_t>(days_ago * 86400000.0);
  s.update_job(r);
  fs::create_directories(data / "jobs" / r.id);
  std::ofstream(data / "jobs" / r.id / "events.jsonl") << std::string(1000, 'x');
  return r;
}

TEST_F(DiskTest, RetentionRemovesTheFoldersOfJobsThatEndedLongAgoAndNothingElse) {
  Store s(dir);
  const NewClass c = s.create_class("x");
  const auto who = *s.authenticate(s.sign_in(c.info.id, "a", "").token);
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto job = [&](const std::string& state, double days_ago) {
    return finished_job(s, who.class_id, who.student_id, dir, state, days_ago, now);
  };
  const JobRecord old_done = job("done", 40), old_failed = job("failed", 31), old_cancelled = job("cancelled", 90);
  const JobRecord recent = job("done", 29), queued = job("queued", 100), running = job("running", 100);
  // A folder that is a link leads elsewhere: it is not followed.
  const JobRecord linked = job("done", 50);
  fs::create_directories(dir / "elsewhere");
  std::ofstream(dir / "elsewhere" / "keep") << "keep";
  fs::remove_all(dir / "jobs" / linked.id);
  fs::create_directory_symlink(dir / "elsewhere", dir / "jobs" / linked.id);

  // 0 days: keep everything.
  EXPECT_EQ(remove_old_jobs(s, dir, 0, now).removed, 0);
  EXPECT_TRUE(fs::exists(dir / "jobs" / old_done.id));

  const RetentionResult r = remove_old_jobs(s, dir, 30, now);
  EXPECT_EQ(r.removed, 3);
  EXPECT_EQ(r.bytes_freed, 3000u);
  EXPECT_TRUE(r.errors.empty());
  for (const auto& gone : {old_done, old_failed, old_cancelled}) EXPECT_FALSE(fs::exists(dir / "jobs" / gone.id));
  for (const auto& kept : {recent, queued, running}) {
    EXPECT_TRUE(fs::exists(dir / "jobs" / kept.id / "events.jsonl")) << kept.state;
  }
  EXPECT_TRUE(fs::exists(dir / "elsewhere" / "keep"));
  // The rows stay, as they ended.
  EXPECT_EQ(s.job(old_done.id)->state, "done");
  EXPECT_EQ(s.job(old_failed.id)->state, "failed");
  // A second sweep finds nothing left to do.
  EXPECT_EQ(remove_old_jobs(s, dir, 30, now).removed, 0);
}

TEST(CenterConfig, TheJobLimitsRetentionAndDiskKeysReadAndCheck) {
  const Config d = parse_config("", "center.toml");
  EXPECT_EQ(d.limits.max_job_memory_mb, 3072);
  EXPECT_EQ(d.limits.max_job_log_mb, 64);
  EXPECT_EQ(d.limits.max_job_model_mb, 256);
  EXPECT_EQ(d.retention_days, 30);
  EXPECT_EQ(d.min_free_disk_mb, 1024);
  const Config c = parse_config(
      "[limits]\nmax_job_memory_mb = 1024\nmax_job_log_mb = 8\nmax_job_model_mb = 16\n"
      "[retention]\ndays = 0\n[disk]\nmin_free_mb = 5000\n",
      "center.toml");
  EXPECT_EQ(c.limits.max_job_memory_mb, 1024);
  EXPECT_EQ(c.limits.max_job_log_mb, 8);
  EXPECT_EQ(c.limits.max_job_model_mb, 16);
  EXPECT_EQ(c.retention_days, 0);
  EXPECT_EQ(c.min_free_disk_mb, 5000);
  try {
    parse_config("[limits]\nmax_job_memory_mb = 10\n", "center.toml");
    ADD_FAILURE() << "a limit too small to load the engine was taken";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("limits.max_job_memory_mb must be a number from 64"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_config("[retention]\nday = 3\n", "center.toml"), ConfigError);
}

// The job: one conv2d of 1,024 filters on the digits, pooled by 8,
// batch 300. Estimated at 1.84 GiB it was taken, and passed 10 GiB.
JobSpec thousand_filters() {
  JobSpec j;
  j.lesson = "hostile";
  j.dataset.source = "digits";
  j.dataset.samples = 1000;
  j.dataset.test_fraction = 0.2;
  j.model.task = "classification";
  j.model.inputs.clear();
  j.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 1024, .kernel = 3, .padding = "same"},
                    {.type = "maxpool2d", .size = 8},
                    {.type = "flatten"}};
  j.training.batch_size = 300;
  j.training.epochs = 1;
  return j;
}

TEST(CenterLimits, AJobThatNeedsMoreMemoryThanTheCenterAllowsIsRefusedNamingTheField) {
  Limits limits;
  // Its evaluation of 800 samples at once needs ~5 GB whatever the batch.
  const auto r = check_limits(thousand_filters(), limits, nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->field, "model.layers");
  EXPECT_NE(r->message.find("MB of memory; this center allows 3072 MB a job: use a smaller model or fewer samples"),
            std::string::npos)
      << r->message;
  // Fewer samples: now the batch is what does not fit.
  JobSpec few = thousand_filters();
  few.dataset.samples = 64;
  limits.max_job_memory_mb = 700;
  const auto b = check_limits(few, limits, nullptr);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->field, "training.batch_size");
  EXPECT_NE(b->message.find("this center allows 700 MB a job: use a smaller batch_size"), std::string::npos)
      << b->message;
  few.training.batch_size = 8;
  EXPECT_FALSE(check_limits(few, limits, nullptr)) << check_limits(few, limits, nullptr)->message;
}

// A stand-in for aisandbox-worker: records its arguments, then exits with
// the status the test gives it.
fs::path fake_worker(const fs::path& dir, int status) {
  const fs::path p = dir / ("worker-" + std::to_string(status) + ".sh");
  std::ofstream(p) << "#!/bin/sh\necho \"$@\" > \"$2/args\"\nexit " << status << "\n";
  fs::permissions(p, fs::perms::owner_all);
  return p;
}

std::optional<Ended> wait_end(LocalExecutor& ex, const JobRecord& j) {
  for (int i = 0; i < 500; ++i) {
    if (auto e = ex.check(j, nullptr)) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

TEST_F(DiskTest, TheLocalExecutorHandsEveryWorkerItsLimitsAndTakesACannotWriteAsFinal) {
  JobRecord j;
  j.id = "j0123456789abcdef";
  fs::create_directories(dir / "job");
  {
    LocalExecutor ex(fake_worker(dir, kWorkerCannotWrite), 1, 10, WorkerLimits{1024, 8, 16});
    ex.launch(j, dir / "job", 60);
    const auto e = wait_end(ex, j);
    ASSERT_TRUE(e.has_value());
    EXPECT_TRUE(e->final) << e->why;
    EXPECT_NE(e->why.find("disk is full"), std::string::npos) << e->why;
    EXPECT_FALSE(e->why_ko.empty());
    std::ifstream in(dir / "job" / "args");
    std::string args;
    std::getline(in, args);
    EXPECT_NE(args.find("--max-memory-mb 1024 --max-log-mb 8 --max-model-mb 16"), std::string::npos) << args;
    // Uploaded data is read from DATA/data, beside DATA/jobs.
    EXPECT_NE(args.find("--data-dir " + (dir.parent_path() / "data").string() + " "), std::string::npos) << args;
  }
  {
    // Any other failure is worth another try.
    LocalExecutor ex(fake_worker(dir, 1), 1, 10);
    ex.launch(j, dir / "job", 60);
    const auto e = wait_end(ex, j);
    ASSERT_TRUE(e.has_value());
    EXPECT_FALSE(e->final) << e->why;
    std::ifstream in(dir / "job" / "args");
    std::string args;
    std::getline(in, args);
    EXPECT_NE(args.find("--max-memory-mb 3072 --max-log-mb 64 --max-model-mb 256"), std::string::npos) << args;
  }
  EXPECT_EQ(worker_limit_args(WorkerLimits{0, 0, 0}).size(), 0u);
  const WorkerLimits from = worker_limits(parse_config("[limits]\nmax_job_memory_mb = 999\n", "c.toml").limits);
  EXPECT_EQ(from.memory_mb, 999);
}

// A stand-in for sbatch, found first on PATH: records each call's
// arguments (a line each) and answers with a job id. It refuses any --mem
// as Slurm does when the nodes declare less memory (RealMemory) while
// DIR/refuse-mem exists, and everything while DIR/refuse-all does.
class FakeSbatch {
 public:
  explicit FakeSbatch(const fs::path& dir) : dir_(dir), path_(std::getenv("PATH") ? std::getenv("PATH") : "") {
    fs::create_directories(dir / "bin");
    const std::string d = dir.string();
    std::ofstream(dir / "bin" / "sbatch") << "#!/bin/sh\necho \"$@\" >> '" << d << "/sbatch.calls'\n"
                                          << "if [ -e '" << d << "/refuse-all' ]; then\n"
                                          << "  echo 'sbatch: error: Invalid partition name specified'; exit 1\nfi\n"
                                          << "if [ -e '" << d << "/refuse-mem' ]; then\n"
                                          << "  for a in \"$@\"; do case \"$a\" in --mem=*)\n"
                                          << "    echo 'sbatch: error: Memory specification can not be satisfied'\n"
                                          << "    echo 'sbatch: error: Batch job submission failed: Requested node "
                                             "configuration is not available'; exit 1;; esac; done\n"
                                          << "fi\necho '4242;aisbtest'\n";
    fs::permissions(dir / "bin" / "sbatch", fs::perms::owner_all);
    ::setenv("PATH", ((dir / "bin").string() + ":" + path_).c_str(), 1);
  }
  ~FakeSbatch() { ::setenv("PATH", path_.c_str(), 1); }
  FakeSbatch(const FakeSbatch&) = delete;
  FakeSbatch& operator=(const FakeSbatch&) = delete;
  // Each call's arguments so far, and forgets them.
  std::vector<std::string> calls() {
    std::vector<std::string> out;
    std::ifstream in(dir_ / "sbatch.calls");
    for (std::string line; std::getline(in, line);) out.push_back(line);
    fs::remove(dir_ / "sbatch.calls");
    return out;
  }

 private:
  fs::path dir_;
  std::string path_;
};

// What the worker was started with when Slurm ran the job's script.
std::string run_script(const fs::path& job) {
  fs::remove(job / "args");
  EXPECT_EQ(std::system(("sh " + (job / "slurm.sh").string()).c_str()), 0);
  std::ifstream in(job / "args");
  std::string args;
  std::getline(in, args);
  return args;
}

TEST_F(DiskTest, TheSlurmExecutorAsksForTheWorkersMemoryAndGoesWithoutWhenTheNodesHaveLess) {
  FakeSbatch sbatch(dir);
  SlurmOptions o;
  o.worker = fake_worker(dir, 0);
  o.partition = "aisb";
  o.limits = WorkerLimits{1000, 8, 16};
  JobRecord j;
  j.id = "j0123456789abcdef";
  const fs::path job = dir / "jobs" / j.id;
  fs::create_directories(job);
  {
    SlurmExecutor ex(o);
    EXPECT_EQ(ex.launch(j, job, 600).executor_id, "4242");
    const auto calls = sbatch.calls();
    ASSERT_EQ(calls.size(), 1u);
    // The worker's limit and 512 MB for what Slurm's cgroup counts besides
    // (shared code, the page cache), so that the worker's own limit, which
    // ends the job with a message, comes first.
    EXPECT_NE(calls[0].find(" --mem=1512 "), std::string::npos) << calls[0];
    EXPECT_NE(calls[0].find("--partition=aisb"), std::string::npos) << calls[0];
    EXPECT_NE(run_script(job).find("--max-memory-mb 1000 --max-log-mb 8 --max-model-mb 16"), std::string::npos);
  }
  {
    // Nodes that declare less memory than that (slurm.conf RealMemory):
    // sbatch refuses the --mem, and the job goes without it, as every later
    // one does at once. The worker still keeps to its own limit.
    std::ofstream(dir / "refuse-mem") << "";
    SlurmExecutor ex(o);
    EXPECT_EQ(ex.launch(j, job, 600).executor_id, "4242");
    auto calls = sbatch.calls();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_NE(calls[0].find(" --mem=1512 "), std::string::npos) << calls[0];
    EXPECT_EQ(calls[1].find("--mem"), std::string::npos) << calls[1];
    EXPECT_EQ(calls[1], calls[0].substr(0, calls[0].find(" --mem=")) + calls[0].substr(calls[0].find(" --mem=") + 11));
    EXPECT_NE(run_script(job).find("--max-memory-mb 1000 "), std::string::npos);
    EXPECT_EQ(ex.launch(j, job, 600).executor_id, "4242");
    calls = sbatch.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].find("--mem"), std::string::npos) << calls[0];
    fs::remove(dir / "refuse-mem");
  }
  {
    // Any other refusal is not taken for one of memory: no second try.
    std::ofstream(dir / "refuse-all") << "";
    SlurmExecutor ex(o);
    EXPECT_THROW(ex.launch(j, job, 600), std::runtime_error);
    EXPECT_EQ(sbatch.calls().size(), 1u);
    fs::remove(dir / "refuse-all");
  }
  {
    // No limit: none asked of Slurm, none given to the worker.
    o.limits.memory_mb = 0;
    SlurmExecutor ex(o);
    ex.launch(j, job, 600);
    const auto calls = sbatch.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].find("--mem"), std::string::npos) << calls[0];
    EXPECT_EQ(run_script(job).find("--max-memory-mb"), std::string::npos);
  }
}

}  // namespace
}  // namespace aisb::center
