// aisandbox-worker: runs one job folder headless (SPEC.md section 1), as the
// compute center starts it, locally or through Slurm. Appends every event to
// DIR/events.jsonl with seq, checkpoints now and then, writes the trained
// weights, and, started again on a job that was interrupted, carries on from
// its checkpoint with no gap and no duplicate in the log.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/job_reader.hpp"
#include "core/json_text.hpp"
#include "engine/engine.hpp"
#include "worker/job_dir.hpp"

namespace fs = std::filesystem;

namespace {

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

}  // namespace

int main(int argc, char** argv) {
  using namespace aisb;
  CLI::App cli{"AI Sandbox worker: runs one job folder (job.json) headless and logs its events", "aisandbox-worker"};
  cli.set_version_flag("--version", std::string("aisandbox-worker ") + AISB_VERSION);
  std::string dir, device = "auto";
  double checkpoint_seconds = 30.0, snapshot_hz = 2.0, snapshot_budget = 48000.0;
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
  bool as_center = false;
  cli.add_flag("--center", as_center,
               "Run for the compute center: name the device center:HOST in `started`; SIGTERM then stops without "
               "ending the job (it resumes when started again) and SIGUSR1 cancels");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }

  char hostname[256] = "node";
  ::gethostname(hostname, sizeof hostname - 1);
  const std::string host = hostname;
  const fs::path folder(dir);
  const fs::path events_file = folder / "events.jsonl", checkpoint_file = folder / "checkpoint.json";
  worker::LogState log = worker::scan_log(events_file);
  std::error_code ec;
  if (log.torn) fs::resize_file(events_file, log.good_bytes, ec);  // a write cut short by a crash
  if (log.done_reason) {
    std::cerr << "aisandbox-worker: " << folder.string() << " has already ended (" << *log.done_reason << ")\n";
    return *log.done_reason == "completed" || *log.done_reason == "cancelled" ? 0 : 1;
  }
  const int fd = ::open(events_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::cerr << "aisandbox-worker: cannot write " << events_file.string() << "\n";
    return 1;
  }
  uint64_t seq = log.last_seq;
  const auto write_event = [&](Event e) {
    e.seq = ++seq;
    const std::string line = to_json(e).dump() + "\n";
    size_t at = 0;
    while (at < line.size()) {
      const ssize_t n = ::write(fd, line.data() + at, line.size() - at);
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
  };

  // The job: through the one validator; a refusal is the run's end.
  JobSpec job;
  {
    std::ifstream in(folder / "job.json", std::ios::binary);
    const std::string text = in ? std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()) : "";
    std::string why;
    const nlohmann::json j = in ? parse_json(text, &why) : nlohmann::json();
    Diagnostics diags;
    if (!in || j.is_discarded()) {
      diags.error("", in ? "job.json is " + why : "job.json is missing");
    } else {
      job = read_job(j, diags);
    }
    if (diags.has_errors()) {
      Event done;
      done.type = EventType::done;
      done.reason = "failed";
      const auto& d = diags.all().front();
      done.message = "job.json: " + (d.path.empty() ? "" : d.path + ": ") + d.message;
      write_event(done);
      ::fsync(fd);
      std::cerr << "aisandbox-worker: " << done.message << "\n";
      return 1;
    }
  }

  TrainOptions options;
  options.device = device;
  options.snapshot_hz = snapshot_hz;
  options.checkpoint_seconds = checkpoint_seconds;
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
    write_event(note);
  }
  options.on_checkpoint = [&](const Checkpoint& c) {
    ::fsync(fd);  // the log first, so a checkpoint is never ahead of it
    worker::write_atomically(checkpoint_file, worker::checkpoint_json(c, seq));
  };

  RunControl control;
  g_control = &control;
  std::signal(SIGTERM, as_center ? on_interrupt : on_signal);
  std::signal(SIGINT, as_center ? on_interrupt : on_signal);
  std::signal(SIGUSR1, on_signal);
  WeightSet trained;
  std::string reason;
  // Snapshots share a byte budget (a token bucket): big models send fewer.
  const auto t0 = std::chrono::steady_clock::now();
  double snapshot_bytes = 0;
  train(job, options, control, [&](Event&& e) {
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
          write_event(std::move(e));
          write_event(std::move(where));
          return;
        }
        break;
      case EventType::metrics:
        if (e.metrics.epoch <= log.last_epoch) return;
        break;
      case EventType::snapshot: {
        trained = e.weights;
        if (e.step <= log.last_snapshot_step) return;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::string text = to_json(e).dump();
        if (snapshot_bytes + static_cast<double>(text.size()) > snapshot_budget * std::max(1.0, elapsed)) return;
        snapshot_bytes += static_cast<double>(text.size());
        break;
      }
      case EventType::done:
        reason = e.reason;
        if (g_interrupted && reason == "cancelled") return;  // to be resumed: no end in the log
        break;
      default: break;
    }
    write_event(std::move(e));
  });
  g_control = nullptr;
  ::fsync(fd);
  ::close(fd);
  if (reason == "completed" && !trained.empty()) {
    worker::write_atomically(folder / "model.json", model_json(job, trained).dump() + "\n");
  }
  if (g_interrupted && reason == "cancelled") {
    std::cerr << "aisandbox-worker: interrupted; the job resumes from its checkpoint when started again\n";
    return 75;  // EX_TEMPFAIL
  }
  return reason == "completed" || reason == "cancelled" ? 0 : 1;
}
