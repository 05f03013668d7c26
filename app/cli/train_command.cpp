#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "backend/backend.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/usage.hpp"
#include "core/files.hpp"
#include "core/trained_model.hpp"
#include "lesson/lesson.hpp"

namespace aisb::cli {

namespace {

std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  g_interrupted = true;
}

// Ctrl-C (or SIGTERM) from the moment `train` starts until its run has
// ended cancels the run cleanly ("done", reason cancelled), also when it
// comes while the lesson and its data are still being read: a run that has
// not started yet is cancelled as it starts. Installed only here, so the
// other commands keep Ctrl-C's usual meaning.
class CancelOnInterrupt {
 public:
  CancelOnInterrupt() {
    g_interrupted = false;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
  }
  ~CancelOnInterrupt() { release(); }
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;
  void release() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
};

EnginePath engine_path(const std::string& name) {
  if (name == "fast") return EnginePath::fast;
  if (name == "torch") return EnginePath::torch;
  return EnginePath::automatic;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int train(const TrainArgs& args) {
  CancelOnInterrupt interrupt;
  const std::string& lang = language();
  const LessonResult lesson = load_lesson(path_of_utf8(args.lesson));
  std::cerr << format_diagnostics(lesson, args.lesson, lang);
  if (!lesson.ok()) return bad_input;

  if (args.solution && !lesson.lesson.solution) {
    std::cerr << args.lesson << ":1:1: error: " << message_text("cli.no_solution", lang) << "\n";
    return bad_input;
  }
  JobSpec job = args.solution ? *lesson.lesson.solution : lesson.lesson.job;
  if (args.epochs) job.training.epochs = *args.epochs;
  if (args.seed) job.dataset.seed = job.training.seed = *args.seed;
  if (args.device == "cuda") {  // say so before any work; other choices never fail
    try {
      resolve_device(args.device);
    } catch (const std::invalid_argument&) {
      std::cerr << "aisandbox-cli: " << message_text("cli.no_gpu", lang) << "\n";
      return bad_input;
    }
  }

  TrainOptions options;
  options.device = args.device;
  options.path = engine_path(args.engine);
  options.snapshot_hz = args.json ? args.snapshots : 0.0;
  const bool keep_model = !args.save_dir.empty() || !args.model_file.empty();
  options.final_snapshot = keep_model || (args.json && args.snapshots > 0);
  ModelRecorder recorder(job);
  if (keep_model) {
    // After the last epoch only: the optimizer's state goes into the model
    // file so that training can go on from it.
    options.checkpoint_seconds = 1e9;
    options.on_checkpoint = [&recorder](const Checkpoint& c) {
      recorder.on_checkpoint(c.epoch, c.step, c.weights, c.buffers, c.optimizer);
    };
  }

  std::ofstream events_log;
  if (!args.save_dir.empty()) {
    std::filesystem::create_directories(path_of_utf8(args.save_dir));
    write_file(path_of_utf8(args.save_dir) / "job.json", to_json(job).dump(2) + "\n");
    events_log.open(path_of_utf8(args.save_dir) / "events.jsonl", std::ios::trunc);
  }

  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  Progress progress(stdout, tty, job.training.epochs, lesson.lesson.title.in(lang));
  progress.set_goals(step_goals(lesson.lesson));
  LocalBackend backend;
  backend.start(job, options);

  std::vector<Event> events;
  std::string reason;
  while (reason.empty()) {
    backend.wait(std::chrono::milliseconds(100));
    if (g_interrupted.exchange(false)) backend.cancel();
    events.clear();
    backend.poll(events);
    for (auto& e : events) {
      if (e.type == EventType::done) reason = e.reason;
      recorder.on_event(e);
      if (e.type == EventType::snapshot) {
        if (args.json && args.snapshots > 0) std::cout << to_json(e).dump() << '\n';
        continue;
      }
      const std::string line = args.json || events_log.is_open() ? to_json(e).dump() : std::string();
      if (args.json) {
        std::cout << line << '\n';
      } else {
        progress.on_event(e);
      }
      if (events_log.is_open()) events_log << line << '\n';
    }
    if (args.json) std::cout.flush();
  }
  interrupt.release();

  if (recorder.complete()) {
    const std::string text = model_file_text(recorder.model());
    if (!args.save_dir.empty()) write_file(path_of_utf8(args.save_dir) / "model.json", text);
    if (!args.model_file.empty()) {
      std::string why;
      if (!write_file_atomically(path_of_utf8(args.model_file), text, 0644, &why)) {
        std::cerr << "aisandbox-cli: " << why << "\n";
        return bad_input;
      }
      if (!args.json) std::cerr << message_text("cli.model_saved", language(), {args.model_file}) << "\n";
    }
  }
  return reason == "completed" ? ok : bad_input;
}

}  // namespace aisb::cli
