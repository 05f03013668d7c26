#include "center/executor.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace aisb::center {

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<char*> c_argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

std::string describe_status(int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == kWorkerCannotWrite) {
    return "the center's disk is full: the job's log could not be written";
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return std::string("the worker was stopped by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (WIFEXITED(status)) return "the worker exited with status " + std::to_string(WEXITSTATUS(status));
  return "the worker ended";
}

// Single-quoted for sh: our own paths only, but quoted all the same.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

const char* const kDiskFullKo = "센터의 디스크가 가득 차서 작업의 기록을 쓸 수 없었어요";

// Numbers on a command line: "3072", "0.5".
std::string arg_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Where workers read a class's uploaded data: DATA/data beside DATA/jobs,
// so on Slurm the same shared folder the job's own is in.
fs::path data_folder_of(const fs::path& job_dir) {
  return job_dir.parent_path().parent_path() / "data";
}

}  // namespace

WorkerLimits worker_limits(const Limits& limits) {
  return WorkerLimits{limits.max_job_memory_mb, limits.max_job_log_mb, limits.max_job_model_mb};
}

std::vector<std::string> worker_limit_args(const WorkerLimits& limits) {
  std::vector<std::string> out;
  if (limits.memory_mb > 0) out.insert(out.end(), {"--max-memory-mb", arg_number(limits.memory_mb)});
  if (limits.log_mb > 0) out.insert(out.end(), {"--max-log-mb", arg_number(limits.log_mb)});
  if (limits.model_mb > 0) out.insert(out.end(), {"--max-model-mb", arg_number(limits.model_mb)});
  return out;
}

fs::path find_worker_binary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = self.parent_path() / "aisandbox-worker";
    if (fs::exists(beside)) return beside;
    // The build tree keeps each program in its own folder.
    const fs::path build = self.parent_path().parent_path() / "worker" / "aisandbox-worker";
    if (fs::exists(build)) return build;
  }
  return "aisandbox-worker";
}

Ran run_program(const std::vector<std::string>& argv_in, int timeout_ms) {
  Ran r;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return r;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> args = argv_in;
  auto cargs = c_argv(args);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, pipe_only;
  sigemptyset(&none);
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &pipe_only);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, cargs[0], &fa, &attr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    r.out = "cannot run " + argv_in[0] + ": " + std::strerror(rc);
    return r;
  }
  const double until = steady_seconds() + timeout_ms / 1000.0;
  char buf[4096];
  while (true) {
    pollfd p{pipefd[0], POLLIN, 0};
    const int wait = static_cast<int>(std::max(0.0, (until - steady_seconds()) * 1000));
    if (::poll(&p, 1, wait) <= 0) {
      ::kill(pid, SIGKILL);
      r.out += "\n(" + argv_in[0] + " took too long and was stopped)";
      break;
    }
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    if (r.out.size() < (size_t{1} << 20)) r.out.append(buf, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// ---------------------------------------------------------------- local

LocalExecutor::LocalExecutor(fs::path worker, int workers, double checkpoint_seconds, WorkerLimits limits)
    : worker_(std::move(worker)), workers_(workers), checkpoint_seconds_(checkpoint_seconds), limits_(limits) {}

LocalExecutor::~LocalExecutor() {
  shutdown();
}

Launch LocalExecutor::launch(const JobRecord& job, const fs::path& dir, double time_limit_seconds) {
  std::vector<std::string> args = {worker_.string(),
                                   "--job",
                                   dir.string(),
                                   "--data-dir",
                                   data_folder_of(dir).string(),
                                   "--center",
                                   "--checkpoint-seconds",
                                   std::to_string(checkpoint_seconds_)};
  for (auto& a : worker_limit_args(limits_)) args.push_back(std::move(a));
  auto cargs = c_argv(args);
  const std::string log = (dir / "worker.log").string();
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot write " + log + ": " + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    // The center blocks its stop signals and ignores SIGPIPE; a worker
    // inherits both through exec and must not.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a center that dies takes its workers with it ...
    if (::getppid() != parent) ::_exit(111);
    ::setpgid(0, 0);  // ... but a Ctrl-C meant for it does not cancel them
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::execv(cargs[0], cargs.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (pid < 0) throw std::runtime_error(std::string("cannot start a worker: ") + std::strerror(errno));
  const std::lock_guard lock(mutex_);
  children_[job.id] = Child{pid, steady_seconds() + time_limit_seconds, false};
  char host[256] = "local";
  ::gethostname(host, sizeof host - 1);
  return Launch{std::to_string(pid), host};
}

std::optional<Ended> LocalExecutor::check(const JobRecord& job, Progress* progress) {
  const std::lock_guard lock(mutex_);
  const auto it = children_.find(job.id);
  if (it == children_.end()) return Ended{"the center restarted while the worker ran"};
  int status = 0;
  const pid_t got = ::waitpid(it->second.pid, &status, WNOHANG);
  if (got == 0) {
    if (!it->second.timed_out && steady_seconds() > it->second.deadline) {
      it->second.timed_out = true;
      ::kill(it->second.pid, SIGKILL);
    }
    if (progress != nullptr) *progress = Progress{true, ""};
    return std::nullopt;
  }
  const bool disk = WIFEXITED(status) && WEXITSTATUS(status) == kWorkerCannotWrite;
  Ended e{it->second.timed_out ? "the job ran past its time limit" : describe_status(status),
          it->second.timed_out || disk, disk ? kDiskFullKo : ""};
  children_.erase(it);
  return e;
}

void LocalExecutor::cancel(const JobRecord& job) {
  const std::lock_guard lock(mutex_);
  if (const auto it = children_.find(job.id); it != children_.end()) ::kill(it->second.pid, SIGUSR1);
}

void LocalExecutor::shutdown() {
  const std::lock_guard lock(mutex_);
  for (const auto& [id, c] : children_) ::kill(c.pid, SIGKILL);
  for (const auto& [id, c] : children_) ::waitpid(c.pid, nullptr, 0);
  children_.clear();
}

// ---------------------------------------------------------------- slurm

// Above the worker's own memory limit (resident memory), what Slurm's cgroup
// also counts: the page cache of the job's files, and memory the worker's
// watchdog has not seen yet.
constexpr int64_t kSlurmMemSlackMb = 512;

SlurmExecutor::SlurmExecutor(SlurmOptions options) : options_(std::move(options)) {}

Launch SlurmExecutor::launch(const JobRecord& job, const fs::path& dir, double time_limit_seconds) {
  const fs::path script = dir / "slurm.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n# aisandbox-center: job " << job.id << "\nexec " << sh_quote(options_.worker.string())
        << " --job " << sh_quote(dir.string()) << " --data-dir " << sh_quote(data_folder_of(dir).string())
        << " --center --checkpoint-seconds " << options_.checkpoint_seconds;
    for (const auto& a : worker_limit_args(options_.limits)) out << " " << sh_quote(a);
    out << "\n";
    if (!out) throw std::runtime_error("cannot write " + script.string());
  }
  const int minutes = static_cast<int>(std::ceil(time_limit_seconds / 60));
  std::vector<std::string> args = {"sbatch",
                                   "--parsable",
                                   "--requeue",
                                   "--job-name=aisb-" + job.id,
                                   "--output=" + (dir / "worker.log").string(),
                                   "--open-mode=append",
                                   "--time=" + std::to_string(minutes),
                                   "--chdir=" + dir.string()};
  if (!options_.partition.empty()) args.push_back("--partition=" + options_.partition);
  if (!options_.gres.empty()) args.push_back("--gres=" + options_.gres);
  const bool ask_memory = options_.limits.memory_mb > 0 && !memory_refused_;
  if (ask_memory) {
    args.push_back("--mem=" +
                   std::to_string(static_cast<int64_t>(std::ceil(options_.limits.memory_mb)) + kSlurmMemSlackMb));
  }
  args.push_back(script.string());
  Ran r = run_program(args);
  if (ask_memory && r.status != 0 && r.out.find("Memory specification can not be satisfied") != std::string::npos) {
    // The nodes declare less memory (slurm.conf RealMemory) than a job is
    // allowed: run without --mem rather than not at all. The worker's own
    // limit still holds; say so once, for the operator.
    memory_refused_ = true;
    std::fprintf(stderr,
                 "aisandbox-center: Slurm cannot give a job --mem=%lld MB (the nodes' RealMemory is smaller): jobs go "
                 "without --mem; each worker still keeps to max_job_memory_mb itself\n",
                 static_cast<long long>(std::ceil(options_.limits.memory_mb)) + kSlurmMemSlackMb);
    args.erase(args.end() - 2);
    r = run_program(args);
  }
  std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
  if (r.status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    throw std::runtime_error("sbatch refused the job: " + r.out);
  }
  return Launch{id, ""};
}

void SlurmExecutor::refresh() {
  const double now = steady_seconds();
  if (now - last_poll_ < options_.settings.poll_seconds) return;
  last_poll_ = now;
  const Ran r = run_program({"squeue", "--noheader", "--format=%i|%T|%N|%r"});
  if (r.status != 0) return;  // Slurm is busy or down: keep what we knew
  std::map<std::string, State> fresh;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string part; std::getline(ls, part, '|');) f.push_back(part);
    if (f.size() >= 4) fresh[f[0]] = State{f[1], f[2], f[3]};
  }
  for (const auto& [id, s] : fresh) missing_since_.erase(id);
  states_ = std::move(fresh);
  ++generation_;
}

std::optional<Ended> SlurmExecutor::check(const JobRecord& job, Progress* progress) {
  const std::lock_guard lock(mutex_);
  refresh();
  const auto it = states_.find(job.executor_id);
  if (it != states_.end()) {
    const std::string& st = it->second.state;
    if (progress != nullptr) {
      *progress = Progress{st == "RUNNING" || st == "COMPLETING", it->second.node};
    }
    return std::nullopt;
  }
  // Not (or no longer) in squeue. A job only just submitted may not show
  // yet: it has ended once two polls in a row have not listed it.
  const auto [since, fresh] = missing_since_.try_emplace(job.executor_id, generation_);
  if (generation_ - since->second < 2) return std::nullopt;
  missing_since_.erase(since);
  const Ran r = run_program({"scontrol", "--oneliner", "show", "job", job.executor_id});
  std::string state = "gone";
  if (const size_t at = r.out.find("JobState="); at != std::string::npos) {
    state = r.out.substr(at + 9, r.out.find(' ', at) - at - 9);
  }
  if (const size_t at = r.out.find("BatchHost="); at != std::string::npos && progress != nullptr) {
    progress->node = r.out.substr(at + 10, r.out.find(' ', at) - at - 10);
  }
  if (state == "TIMEOUT") return Ended{"the job ran past its time limit (Slurm job " + job.executor_id + ")", true};
  // The worker's status: kWorkerCannotWrite means its job is over for good.
  if (const size_t at = r.out.find(" ExitCode="); at != std::string::npos) {
    if (std::atoi(r.out.c_str() + at + 10) == kWorkerCannotWrite) {
      return Ended{"the center's disk is full: the job's log could not be written (Slurm job " + job.executor_id + ")",
                   true, kDiskFullKo};
    }
  }
  return Ended{"Slurm ended job " + job.executor_id + " (" + state + ")", state == "CANCELLED"};
}

void SlurmExecutor::cancel(const JobRecord& job) {
  bool running = false;
  {
    const std::lock_guard lock(mutex_);
    const auto it = states_.find(job.executor_id);
    running = it != states_.end() && it->second.state == "RUNNING";
  }
  // A running worker gets SIGUSR1 and writes its own `done`; a pending one
  // is just taken out of the queue.
  if (running) {
    run_program({"scancel", "--batch", "--signal=USR1", job.executor_id});
  } else {
    run_program({"scancel", job.executor_id});
  }
}

}  // namespace aisb::center
