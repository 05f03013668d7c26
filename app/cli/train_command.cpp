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
#include "lesson/lesson.hpp"

namespace aisb::cli {

namespace {

std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  g_interrupted = true;
}

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
  const std::string& lang = language();
  const LessonResult lesson = load_lesson(args.lesson);
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
  options.final_snapshot = !args.save_dir.empty() || (args.json && args.snapshots > 0);

  std::ofstream events_log;
  if (!args.save_dir.empty()) {
    std::filesystem::create_directories(args.save_dir);
    write_file(std::filesystem::path(args.save_dir) / "job.json", to_json(job).dump(2) + "\n");
    events_log.open(std::filesystem::path(args.save_dir) / "events.jsonl", std::ios::trunc);
  }

  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  Progress progress(stdout, tty, job.training.epochs, lesson.lesson.title.in(lang));
  progress.set_goals(step_goals(lesson.lesson));
  LocalBackend backend;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  backend.start(job, options);

  std::vector<Event> events;
  Event last_snapshot;              // its weights are the trained model for --save
  Standardization standardization;  // from `started`: a table's inputs as the model saw them
  std::string reason;
  while (reason.empty()) {
    backend.wait(std::chrono::milliseconds(100));
    if (g_interrupted.exchange(false)) backend.cancel();
    events.clear();
    backend.poll(events);
    for (auto& e : events) {
      if (e.type == EventType::done) reason = e.reason;
      if (e.type == EventType::started) standardization = e.standardization;
      if (e.type == EventType::snapshot) {
        if (args.json && args.snapshots > 0) std::cout << to_json(e).dump() << '\n';
        last_snapshot = std::move(e);
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
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  if (!args.save_dir.empty() && !last_snapshot.weights.empty()) {
    write_file(std::filesystem::path(args.save_dir) / "model.json",
               model_json(job, last_snapshot.weights, standardization).dump() + "\n");
  }
  return reason == "completed" ? ok : bad_input;
}

}  // namespace aisb::cli
