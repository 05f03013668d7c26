// aisandbox-worker: runs one job folder headless (SPEC.md section 1), as the
// compute center starts it, locally or through Slurm. Appends every event to
// DIR/events.jsonl with seq, checkpoints now and then, writes the trained
// weights, and, started again on a job that was interrupted, carries on from
// its checkpoint with no gap and no duplicate in the log.
//
// It trusts neither the job nor the machine: a job may ask for more memory
// or disk than the center allows (--max-memory-mb, --max-log-mb,
// --max-model-mb), and the disk may fill up under it. Each of these ends the
// job once, with a `done` that tells the student why; when not even that can
// be written, the exit status (kExitCannotWrite) tells the center, so that it
// does not start the job again.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <optional>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/job_reader.hpp"
#include "core/json_text.hpp"
#include "core/trained_model.hpp"
#include "engine/engine.hpp"
#include "worker/job_dir.hpp"

namespace fs = std::filesystem;

namespace {

// The job ended, but its log could not say so (the disk is full): the
// center's executor takes this status as final (runtime/center/executor.cpp).
constexpr int kExitCannotWrite = 74;  // EX_IOERR
// Interrupted under a center: resume from the checkpoint when started again.
constexpr int kExitInterrupted = 75;  // EX_TEMPFAIL

constexpr double kMiB = 1024.0 * 1024.0;
// The largest event the center streams (runtime/center/gateway.cpp).
constexpr size_t kMaxSnapshotBytes = size_t{1} << 20;

std::atomic<aisb::RunControl*> g_control{nullptr};
std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  if (auto* c = g_control.load()) c->cancel();
}

// Under a center, SIGTERM is the system's (Slurm's requeue or preemption, a
// node going down): stop without a `done`, so that the job resumes from its
// checkpoint when it is started again. SIGUSR1 is the student's cancel.
void on_interrupt(int) {
  g_interrupted = true;
  if (auto* c = g_control.load()) c->cancel();
}

// A line of /proc/self/status in bytes ("VmHWM", "VmRSS"); 0 when unreadable.
int64_t proc_status_bytes(const char* key) {
  std::ifstream in("/proc/self/status");
  const std::string prefix = std::string(key) + ":";
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, prefix.size(), prefix) == 0) return std::atoll(line.c_str() + prefix.size()) * 1024;
  }
  return 0;
}

// The job's own resident memory now: resident pages less those shared with
// files (the program's and libraries' code, which every worker shares and
// the kernel can drop), i.e. the heap, the tensors, the stacks. Cheap: the
// watchdog asks often.
int64_t private_resident_bytes() {
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  long long size = 0, resident = 0, shared = 0;
  if (std::sscanf(buf, "%lld %lld %lld", &size, &resident, &shared) != 3) return 0;
  return (resident - shared) * ::sysconf(_SC_PAGESIZE);
}

std::string megabytes(double bytes) {
  return std::to_string(static_cast<int64_t>(std::ceil(bytes / kMiB))) + " MB";
}

// libtorch's CPU allocator, the C++ runtime and BLAS say "out of memory" in
// their own words.
bool is_allocation_failure(const std::string& message) {
  for (const char* s : {"can't allocate memory", "bad_alloc", "Cannot allocate memory", "out of memory",
                        "Out of memory", "OutOfMemory"}) {
    if (message.find(s) != std::string::npos) return true;
  }
  return false;
}

aisb::Event done_event(const std::string& message, const std::string& message_ko) {
  aisb::Event e;
  e.type = aisb::EventType::done;
  e.reason = "failed";
  e.message = message;
  e.message_ko = message_ko;
  return e;
}

aisb::Event memory_done(double max_memory_mb) {
  const std::string mb = megabytes(max_memory_mb * kMiB);
  return done_event("This job needs more memory than this center allows (" + mb +
                        "): use a smaller batch_size, fewer filters or units, or fewer samples.",
                    "이 작업은 이 센터가 허용하는 것(" + mb +
                        ")보다 많은 메모리가 필요해요. batch_size, 필터나 유닛 수, 또는 샘플 수를 줄여 보세요.");
}

aisb::Event disk_done(int error) {
  if (error == ENOSPC || error == EDQUOT || error == EFBIG) {
    return done_event(
        "The center's disk is full, so this job could not save its results. Tell your teacher; the "
        "job can be sent again once there is room.",
        "센터의 디스크가 가득 차서 이 작업의 결과를 저장할 수 없었어요. 선생님께 알려 주세요. 자리가 "
        "생기면 다시 보낼 수 있어요.");
  }
  return done_event(
      std::string("The center could not write this job's files (") + std::strerror(error) + "). Tell your teacher.",
      std::string("센터가 이 작업의 파일을 쓸 수 없었어요 (") + std::strerror(error) + "). 선생님께 알려 주세요.");
}

// 64 lower-case hex digits: the only file names in the data folder.
bool is_sha256(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Points a file-source job at the center's copy of its data
// (DATA_DIR/SHA256); nothing, or the `done` that ends the job when there is
// no such copy.
std::optional<aisb::Event> locate_data(aisb::JobSpec& job, const std::string& data_dir) {
  const std::string& sha256 = job.dataset.data_sha256;
  if (data_dir.empty()) {
    return done_event(
        "This job reads its own data, but this worker was not told where the center keeps data "
        "(--data-dir). Tell your teacher.",
        "이 작업은 직접 올린 데이터를 읽는데, 워커가 센터의 데이터 폴더(--data-dir)를 모릅니다. 선생님께 "
        "알려 주세요.");
  }
  if (!is_sha256(sha256)) {
    return done_event(
        "This job does not name its data by its content hash (dataset.data_sha256): send it again from "
        "the app or aisandbox-cli submit, which upload the data first.",
        "이 작업은 데이터를 내용 해시(dataset.data_sha256)로 가리키지 않습니다. 데이터를 먼저 올리는 앱이나 "
        "aisandbox-cli submit으로 다시 보내세요.");
  }
  const fs::path file = fs::path(data_dir) / sha256;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return done_event(
        "The data this job uses is no longer at the center (it is removed when no job has used it for "
        "a while): send the job again; the app and aisandbox-cli submit upload the data first.",
        "이 작업이 쓰는 데이터가 센터에 더 이상 없습니다(한동안 쓰이지 않은 데이터는 지워집니다). 작업을 "
        "다시 보내세요. 앱과 aisandbox-cli submit이 데이터를 먼저 올립니다.");
  }
  job.dataset.location = file.string();
  return std::nullopt;
}

// What ends a run from outside the trainer's own flow (the memory watchdog,
// an allocation that throws where no one catches it): set once the writer
// and the limit are known.
struct MemoryGuard {
  aisb::worker::EventWriter* writer = nullptr;
  int fd = -1;
  double max_memory_mb = 0;
  std::atomic<bool>* ended = nullptr;
  std::string room_file;  // given back on the way out
};
MemoryGuard g_memory;
// Address space given back just before the last `done` is written, so that
// writing it does not fail for the very want of memory it reports.
void* g_spare = nullptr;
std::terminate_handler g_previous_terminate = nullptr;

// Ends the job for want of memory and leaves at once: no destructor runs
// (BLAS threads that could not get their buffers never join). The writer's
// lock keeps this from meeting an event the training thread is writing.
[[noreturn]] void end_for_memory() {
  int status = 1;
  std::free(g_spare);
  g_spare = nullptr;
  if (g_memory.writer != nullptr) {
    const std::lock_guard lock(g_memory.writer->mutex());
    if (!g_memory.ended->exchange(true)) {
      if (g_memory.writer->write_final(memory_done(g_memory.max_memory_mb)) !=
          aisb::worker::EventWriter::Result::written) {
        status = kExitCannotWrite;
      }
      ::fsync(g_memory.fd);
    }
    std::fprintf(stderr, "aisandbox-worker: stopped: the job needs more than %.0f MB of memory\n",
                 g_memory.max_memory_mb);
    ::unlink(g_memory.room_file.c_str());
  }
  ::_exit(status);
}

void on_terminate() {
  // An allocation that failed where nothing catches it (a thread pool, a
  // destructor): under a memory limit that is the limit at work.
  if (g_memory.max_memory_mb > 0) {
    if (const auto e = std::current_exception()) {
      try {
        std::rethrow_exception(e);
      } catch (const std::bad_alloc&) {
        end_for_memory();
      } catch (...) {
      }
    }
  }
  if (g_previous_terminate != nullptr) g_previous_terminate();  // says what was thrown
  std::abort();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace aisb;
  CLI::App cli{"AI Sandbox worker: runs one job folder (job.json) headless and logs its events", "aisandbox-worker"};
  cli.set_version_flag("--version", [] {
    return std::string("aisandbox-worker ") + AISB_VERSION + "\nlibtorch " + torch_version() +
           (cuda_available() ? ", CUDA usable" : ", CPU only (no usable GPU)");
  });
  std::string dir, device = "auto";
  double checkpoint_seconds = 30.0, snapshot_hz = 2.0, snapshot_budget = 48000.0;
  double max_memory_mb = 0, max_log_mb = 0, max_model_mb = 0;
  cli.add_option("--job", dir, "The job folder: job.json in, events.jsonl, checkpoint.json and model.json out")
      ->required()
      ->check(CLI::ExistingDirectory);
  cli.add_option("--device", device, "auto (CUDA when this node has it and the model gains from it), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cli.add_option("--checkpoint-seconds", checkpoint_seconds, "Seconds between checkpoints (default 30)")
      ->check(CLI::Range(0.0, 86400.0));
  cli.add_option("--snapshots", snapshot_hz, "Weight snapshots a second for live views (default 2; 0 for none)")
      ->check(CLI::Range(0.0, 100.0));
  cli.add_option("--snapshot-budget", snapshot_budget,
                 "Bytes a second that snapshots may take on average (default 48000), so a class of 40 streams over a "
                 "school's link")
      ->check(CLI::Range(0.0, 1e9));
  cli.add_option("--max-memory-mb", max_memory_mb,
                 "Resident memory the job may use, in MiB (0, the default: no limit); past it the job ends failed, "
                 "saying it needs more memory than the center allows")
      ->check(CLI::Range(0.0, 1e9));
  cli.add_option("--max-log-mb", max_log_mb,
                 "Size events.jsonl may reach, in MiB (0: no limit); snapshots stop at three quarters of it, and a "
                 "job whose metrics still fill it ends failed")
      ->check(CLI::Range(0.0, 1e9));
  cli.add_option("--max-model-mb", max_model_mb,
                 "Size model.json may take, in MiB (0: no limit); a larger trained model ends the job failed")
      ->check(CLI::Range(0.0, 1e9));
  std::string data_dir;
  cli.add_option("--data-dir", data_dir,
                 "Where the center keeps uploaded data by content hash (DATA/data): a job whose dataset is a file "
                 "reads DIR/<its data_sha256>, never its own path");
  bool as_center = false;
  cli.add_flag("--center", as_center,
               "Run for the compute center: name the device center:HOST in `started`; SIGTERM then stops without "
               "ending the job (it resumes when started again) and SIGUSR1 cancels");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  // A write past a file-size limit fails with EFBIG like any full disk,
  // instead of killing the process without a word.
  std::signal(SIGXFSZ, SIG_IGN);

  char hostname[256] = "node";
  ::gethostname(hostname, sizeof hostname - 1);
  const std::string host = hostname;
  const fs::path folder(dir);
  const fs::path events_file = folder / "events.jsonl", checkpoint_file = folder / "checkpoint.json";
  std::vector<Metrics> curves_so_far;  // a resumed run's model file has its whole curves
  worker::LogState log = worker::scan_log(events_file, &curves_so_far);
  std::error_code ec;
  if (log.torn) fs::resize_file(events_file, log.good_bytes, ec);  // a write cut short by a crash
  if (log.done_reason) {
    std::cerr << "aisandbox-worker: " << folder.string() << " has already ended (" << *log.done_reason << ")\n";
    return *log.done_reason == "completed" || *log.done_reason == "cancelled" ? 0 : 1;
  }
  const int fd = ::open(events_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    std::cerr << "aisandbox-worker: cannot write " << events_file.string() << ": " << std::strerror(error) << "\n";
    return error == ENOSPC || error == EDQUOT ? kExitCannotWrite : 1;
  }
  // Room for the last words: a small file the worker holds while it runs
  // and gives back to the disk when a write fails, so that the `done` that
  // says the disk is full finds room there.
  const fs::path spare_file = folder / ".room-for-done";
  {
    const int spare = ::open(spare_file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (spare >= 0) {
      if (::posix_fallocate(spare, 0, 64 * 1024) != 0) {
        // Not even that fits: the first write will say so.
      }
      ::close(spare);
    }
  }
  const auto give_back_room = [&] { ::unlink(spare_file.c_str()); };
  const auto log_cap = static_cast<uint64_t>(max_log_mb * kMiB);
  worker::EventWriter writer(fd, log.last_seq, log.torn ? log.good_bytes : fs::file_size(events_file, ec), log_cap);
  // Set when the worker itself ended the run (a limit, a failed write): the
  // trainer's own end, which follows, is not written.
  std::atomic<bool> ended{false};
  bool self_ended = false;
  int exit_status = 1;
  using Result = worker::EventWriter::Result;
  // The end of a run for a reason of the worker's: the `done` that says why,
  // or, when not even that can be written, the status that says so.
  const auto end_run = [&](Event done) {
    const std::lock_guard lock(writer.mutex());
    if (ended.exchange(true)) return;
    self_ended = true;
    if (auto* c = g_control.load()) c->cancel();
    give_back_room();  // the run is over: its last words may need the room
    exit_status = writer.write_final(std::move(done)) == Result::written ? 1 : kExitCannotWrite;
    ::fsync(fd);
    std::cerr << "aisandbox-worker: " << (exit_status == 1 ? "ended the job" : "could not end the job in its log")
              << (writer.failed() ? std::string(": ") + std::strerror(writer.error()) : std::string()) << "\n";
  };
  // Every event but the end; false when it was not written.
  const auto put = [&](Event e) {
    const std::lock_guard lock(writer.mutex());
    if (ended) return false;
    switch (writer.write(std::move(e))) {
      case Result::written:
        return true;
      case Result::failed:
        end_run(disk_done(writer.error()));
        return false;
      case Result::over_cap:
        end_run(done_event("This job's log reached the " + megabytes(static_cast<double>(log_cap)) +
                               " this center keeps for one job: use fewer epochs.",
                           "이 작업의 기록이 센터가 한 작업에 허용하는 크기(" +
                               megabytes(static_cast<double>(log_cap)) + ")에 닿았어요. 에포크 수를 줄여 보세요."));
        return false;
    }
    return false;
  };

  // The job: through the one validator; a refusal is the run's end.
  JobSpec job;
  {
    std::ifstream in(folder / "job.json", std::ios::binary);
    const std::string text =
        in ? std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()) : "";
    std::string why;
    const nlohmann::json j = in ? parse_json(text, &why) : nlohmann::json();
    Diagnostics diags;
    if (!in || j.is_discarded()) {
      diags.error("", in ? "job.json is " + why : "job.json is missing");
    } else {
      job = read_job(j, diags);
    }
    if (diags.has_errors()) {
      const auto& d = diags.all().front();
      Event done = done_event("job.json: " + (d.path.empty() ? "" : d.path + ": ") + d.message, "");
      std::cerr << "aisandbox-worker: " << done.message << "\n";
      end_run(std::move(done));
      give_back_room();
      return exit_status;
    }
  }
  // A class's own data: the file the center holds under the job's hash,
  // never a path the job names (SPEC.md section 5). The engine reads and
  // checks it with the limits of runtime/data, as on a laptop.
  if (is_file_source(job.dataset)) {
    if (const auto refusal = locate_data(job, data_dir)) {
      std::cerr << "aisandbox-worker: " << refusal->message << "\n";
      end_run(*refusal);
      give_back_room();
      return exit_status;
    }
  }
  int64_t estimate = 0;
  {
    Diagnostics diags;
    const ModelInfo info = describe_model(job, diags);
    if (info.ok) estimate = training_memory_bytes(job, info, device == "cuda");
  }

  // The memory limit: a watchdog on the job's own resident memory (not the
  // code pages it shares) ends the job as soon as it passes; the data limit
  // makes an allocation far past it fail inside the engine (c10::Error,
  // std::bad_alloc) instead of taking the machine. The data limit counts
  // address space that is reserved but not resident (each BLAS thread
  // reserves ~130 MB, each thread a stack), so it lies that far above; a
  // CUDA context reserves far more, so on a node with a GPU only the
  // watchdog applies.
  std::atomic<bool> watching{true};
  std::thread watchdog;
  if (max_memory_mb > 0) {
    g_memory = MemoryGuard{&writer, fd, max_memory_mb, &ended, spare_file.string()};
    g_spare = std::malloc(size_t{4} << 20);  // mapped on its own, so free() unmaps it
    g_previous_terminate = std::set_terminate(on_terminate);
    const bool gpu = device != "cpu" && (fs::exists("/dev/nvidiactl") || fs::exists("/dev/kfd"));
    if (!gpu) {
      const double reserve_mb = 256.0 + 160.0 * std::max(1u, std::thread::hardware_concurrency());
      const auto data = static_cast<rlim_t>((max_memory_mb + reserve_mb) * kMiB);
      const rlimit limit{data, data};
      if (::setrlimit(RLIMIT_DATA, &limit) != 0) {
        std::cerr << "aisandbox-worker: cannot limit memory: " << std::strerror(errno) << "\n";
      }
    }
    // Memory grows by a few MB a millisecond at most: stopping a margin
    // short of the limit keeps the process under it between two looks.
    const auto max_bytes = static_cast<int64_t>(max_memory_mb * kMiB);
    const int64_t stop_at = max_bytes - std::min<int64_t>(int64_t{48} << 20, max_bytes / 8);
    watchdog = std::thread([&watching, &ended, stop_at] {
      while (watching && !ended) {
        if (private_resident_bytes() > stop_at) end_for_memory();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  const auto stop_watching = [&] {
    watching = false;
    if (watchdog.joinable()) watchdog.join();
  };

  TrainOptions options;
  options.device = device;
  options.snapshot_hz = snapshot_hz;
  options.checkpoint_seconds = checkpoint_seconds;
  // The inside views' chosen test sample: the center writes probe.json when
  // a student picks one (POST /jobs/ID/probe). Looked at no more than four
  // times a second, read only when it changed; a few bytes at most.
  options.probe_sample = [file = folder / "probe.json", sample = int64_t{0},
                          looked = std::chrono::steady_clock::time_point{}, seen = fs::file_time_type{}]() mutable {
    const auto now = std::chrono::steady_clock::now();
    if (now - looked < std::chrono::milliseconds(250)) return sample;
    looked = now;
    std::error_code ec;
    const auto when = fs::last_write_time(file, ec);
    if (ec || when == seen) return sample;
    seen = when;
    std::ifstream in(file, std::ios::binary);
    char buf[128] = {};
    in.read(buf, sizeof buf - 1);
    const nlohmann::json j = parse_json(std::string_view(buf, static_cast<size_t>(in.gcount())));
    if (j.is_object() && j.contains("sample") && j["sample"].is_number_integer()) {
      sample = std::clamp<int64_t>(j["sample"].get<int64_t>(), 0, 1'000'000);
    }
    return sample;
  };
  if (log.last_seq > 0) {
    // Started before and interrupted: carry on from the checkpoint, or from
    // the start (the CPU is deterministic, so the events the log already
    // holds come out the same and are not written twice).
    auto cp = worker::read_checkpoint(checkpoint_file);
    Event note;
    note.type = EventType::log;
    note.level = "info";
    if (cp && cp->first.epoch <= log.last_epoch) {
      note.message = "resumed after epoch " + std::to_string(cp->first.epoch);
      note.message_ko = std::to_string(cp->first.epoch) + "번째 에포크 다음부터 이어서 학습해요";
      options.resume = std::make_shared<const Checkpoint>(std::move(cp->first));
    } else {
      note.message = "restarted from the beginning";
      note.message_ko = "처음부터 다시 학습해요";
    }
    put(std::move(note));
  }
  // What model.json holds (the trained-model file): gathered from the run's
  // own events, and the optimizer's state from its last checkpoint.
  ModelRecorder recorder(job);
  for (const Metrics& m : curves_so_far) {  // the curves before an interruption
    Event e;
    e.type = EventType::metrics;
    e.metrics = m;
    recorder.on_event(e);
  }
  options.on_checkpoint = [&](const Checkpoint& c) {
    recorder.on_checkpoint(c.epoch, c.step, c.weights, c.buffers, c.optimizer);
    // The log first, so a checkpoint is never ahead of it.
    const std::lock_guard lock(writer.mutex());
    if (ended) return;
    if (::fsync(fd) != 0 || !worker::write_atomically(checkpoint_file, worker::checkpoint_json(c, writer.seq()))) {
      end_run(disk_done(errno != 0 ? errno : EIO));
    }
  };

  RunControl control;
  g_control = &control;
  std::signal(SIGTERM, as_center ? on_interrupt : on_signal);
  std::signal(SIGINT, as_center ? on_interrupt : on_signal);
  std::signal(SIGUSR1, on_signal);
  std::string reason;
  bool snapshots_stopped = false, snapshots_too_big = false;
  // Snapshots share a byte budget (a token bucket): big models send fewer.
  const auto t0 = std::chrono::steady_clock::now();
  double snapshot_bytes = 0;
  train(job, options, control, [&](Event&& e) {
    if (ended) return;
    recorder.on_event(e);
    switch (e.type) {
      case EventType::started:
        if (log.started) return;
        if (as_center) {
          // SPEC.md 4: a center's run names the node; the log says the chip.
          Event where;
          where.type = EventType::log;
          where.level = "info";
          where.message = "running on " + host + " (" + e.device + ")";
          where.message_ko = host + "에서 실행 중 (" + e.device + ")";
          e.device = "center:" + host;
          if (put(std::move(e))) put(std::move(where));
          return;
        }
        break;
      case EventType::metrics:
        if (e.metrics.epoch <= log.last_epoch) return;
        break;
      case EventType::snapshot: {
        if (e.step <= log.last_snapshot_step || snapshots_stopped) return;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::string text = to_json(e).dump();
        // The inside views' part (a probe, the test answers) is small: when
        // the weights cannot go (too large, over the budget), it goes alone.
        if (e.inside && (text.size() > kMaxSnapshotBytes || snapshot_bytes + static_cast<double>(text.size()) >
                                                                snapshot_budget * std::max(1.0, elapsed))) {
          e.weights.clear();
          e.gradients.clear();
          text = to_json(e).dump();
        }
        // The center streams no event past 1 MiB (a live view could not use
        // one either): such a snapshot is said once and not written.
        if (text.size() > kMaxSnapshotBytes) {
          if (!snapshots_too_big) {
            snapshots_too_big = true;
            Event note;
            note.type = EventType::log;
            note.level = "info";
            note.message = "This model is too large to show its weights live; training goes on.";
            note.message_ko = "이 모델은 너무 커서 가중치를 실시간으로 보여 줄 수 없어요. 학습은 계속돼요.";
            put(std::move(note));
          }
          return;
        }
        if (snapshot_bytes + static_cast<double>(text.size()) > snapshot_budget * std::max(1.0, elapsed)) return;
        // Snapshots are for the live view only: they stop at three quarters
        // of the log's cap, and the metrics go on in the rest.
        if (log_cap > 0 && writer.bytes() + text.size() > std::min(log_cap / 4 * 3, writer.soft_cap())) {
          snapshots_stopped = true;
          Event note;
          note.type = EventType::log;
          note.level = "warning";
          note.message = "This job's log is near the " + megabytes(static_cast<double>(log_cap)) +
                         " this center keeps for one job: the live view of the weights stops here; training goes on.";
          note.message_ko = "이 작업의 기록이 센터가 허용하는 크기(" + megabytes(static_cast<double>(log_cap)) +
                            ")에 가까워져서 가중치 실시간 보기를 여기서 멈춰요. 학습은 계속돼요.";
          put(std::move(note));
          return;
        }
        snapshot_bytes += static_cast<double>(text.size());
        break;
      }
      case EventType::done: {
        reason = e.reason;
        if (g_interrupted && reason == "cancelled") return;  // to be resumed: no end in the log
        if (reason == "failed" && max_memory_mb > 0 && is_allocation_failure(e.message)) {
          std::cerr << "aisandbox-worker: " << e.message.substr(0, e.message.find('\n')) << "\n";
          end_run(memory_done(max_memory_mb));
          return;
        }
        // The model before the `done`: a log that says "completed" always
        // has its model.json beside it.
        if (recorder.complete()) {
          const std::string text = model_file_text(recorder.model());
          if (max_model_mb > 0 && static_cast<double>(text.size()) > max_model_mb * kMiB) {
            end_run(done_event("The trained model would take " + megabytes(static_cast<double>(text.size())) +
                                   ", more than the " + megabytes(max_model_mb * kMiB) +
                                   " this center keeps for one job: use a smaller model.",
                               "학습한 모델이 " + megabytes(static_cast<double>(text.size())) +
                                   "를 차지해서 센터가 한 작업에 허용하는 " + megabytes(max_model_mb * kMiB) +
                                   "보다 커요. 더 작은 모델을 써 보세요."));
            return;
          }
          errno = 0;
          if (!worker::write_atomically(folder / "model.json", text)) {
            end_run(disk_done(errno != 0 ? errno : EIO));
            return;
          }
        }
        // How much memory the run took, for the student and the tests that
        // hold the estimate to it: the resident high-water mark of the whole
        // process (libtorch's code included), beside the estimate.
        const int64_t peak = proc_status_bytes("VmHWM");
        if (peak > 0) {
          Event note;
          note.type = EventType::log;
          note.level = "info";
          note.message = "memory: at most " + megabytes(static_cast<double>(peak)) + " used (estimated " +
                         megabytes(static_cast<double>(estimate)) + ")";
          note.message_ko = "메모리: 최대 " + megabytes(static_cast<double>(peak)) + " 사용 (예상 " +
                            megabytes(static_cast<double>(estimate)) + ")";
          const std::lock_guard lock(writer.mutex());
          if (writer.write_final(std::move(note)) == Result::failed) {
            end_run(disk_done(writer.error()));
            return;
          }
        }
        const std::lock_guard lock(writer.mutex());
        if (ended.exchange(true)) return;
        if (writer.write_final(std::move(e)) != Result::written) {
          // The run is over, but its log could not say so; a last try at a
          // `done` that names the disk (it is shorter).
          ended = false;
          end_run(disk_done(writer.failed() ? writer.error() : ENOSPC));
        }
        return;
      }
      default:
        break;
    }
    put(std::move(e));
  });
  g_control = nullptr;
  stop_watching();
  ::fsync(fd);
  ::close(fd);
  give_back_room();
  int status = 0;
  if (self_ended) {
    status = exit_status;
  } else if (g_interrupted && reason == "cancelled") {
    std::cerr << "aisandbox-worker: interrupted; the job resumes from its checkpoint when started again\n";
    status = kExitInterrupted;
  } else {
    status = reason == "completed" || reason == "cancelled" ? 0 : 1;
  }
  // Leave without running the libraries' exit handlers: a BLAS thread that
  // could not get its buffer under the memory limit would never join.
  std::cout.flush();
  std::cerr.flush();
  ::_exit(status);
}
