// aisandbox-cli: everything headless. Thin: parses the command line and hands
// over to the commands.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "engine/engine.hpp"

int main(int argc, char** argv) {
  using namespace aisb;
  CLI::App app{"AI Sandbox command line: train lessons, check them, print job specs, run them at a compute center"};
  app.name("aisandbox-cli");
  app.require_subcommand(1);
  // A callback: asking libtorch for its version loads it, which only --version should pay for.
  app.set_version_flag("--version", [] {
    return std::string("aisandbox-cli ") + AISB_VERSION + " (libtorch " + torch_version() +
           (cuda_available() ? ", CUDA" : ", CPU") + ")";
  });

  cli::TrainArgs t;
  auto* train = app.add_subcommand("train", "Train a lesson's starting network and show its progress");
  train->add_option("lesson", t.lesson, "Lesson file (.toml)")->required()->check(CLI::ExistingFile);
  train->add_option("--epochs", t.epochs, "Override training.epochs")->check(CLI::Range(1, 100000));
  train->add_option("--seed", t.seed, "Override dataset.seed and training.seed");
  train->add_option("--device", t.device, "Where to train")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  train->add_option("--engine", t.engine, "Which engine trains (auto picks the fast one when it can)")
      ->check(CLI::IsMember({"auto", "fast", "torch"}));
  train->add_flag("--json", t.json, "One JSON event per line on stdout");
  train->add_flag("--solution", t.solution, "Train the lesson's [solution] instead of its starting network");
  train->add_option("--snapshots", t.snapshots, "With --json: snapshot events per second (default 0: none)")
      ->check(CLI::Range(0.0, 100.0));
  train->add_option("--save", t.save_dir, "Save the job, its events and the trained weights in this folder");

  std::string job_lesson;
  auto* job = app.add_subcommand("job", "Print the job spec (JSON) of a lesson");
  job->add_option("lesson", job_lesson, "Lesson file (.toml)")->required()->check(CLI::ExistingFile);

  std::vector<std::string> check_paths;
  auto* lesson = app.add_subcommand("lesson", "Work with lesson files");
  lesson->require_subcommand(1);
  auto* check = lesson->add_subcommand("check", "Check lesson and course files, or folders of them (recursively)");
  check->add_option("paths", check_paths, "Files or folders")->required();
  bool no_train = false;
  check->add_flag("--no-train", no_train, "Do not train the lessons' solutions against their goals");

#ifdef AISB_HAVE_NET
  cli::CenterArgs c;
  auto* login = app.add_subcommand("login", "Log in to a compute center with your class's code");
  login->add_option("--center", c.center, "The center's address, e.g. https://ai.pohang.example")->required();
  login->add_option("--class", c.class_code, "Your class's code (your teacher has it)")->required();
  login->add_option("--name", c.name, "Your name as your class knows you")->required();
  login->add_flag("--json", c.json, "Print {\"token\": ...}");
  auto* submit = app.add_subcommand("submit", "Run a lesson's network on the compute center and follow it");
  submit->add_option("lesson", c.lesson, "Lesson file (.toml)")->required()->check(CLI::ExistingFile);
  submit->add_option("--center", c.center, "The center's address (default: the one you logged in to)");
  submit->add_option("--token", c.token, "Your token (default: the saved one)");
  submit->add_option("--epochs", c.epochs, "Override training.epochs")->check(CLI::Range(1, 100000));
  submit->add_flag("--json", c.json, "One JSON event per line on stdout, each with its seq");
  submit->add_flag("--detach", c.detach, "Print {\"job\": ID} and return at once");
  auto* watch = app.add_subcommand("watch", "Follow a job on the compute center from its first event to its end");
  watch->add_option("job", c.job, "The job's id")->required();
  watch->add_option("--center", c.center, "The center's address (default: the one you logged in to)");
  watch->add_option("--token", c.token, "Your token (default: the saved one)");
  watch->add_flag("--json", c.json, "One JSON event per line on stdout, each with its seq");
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::usage;
  }
  try {
    if (*train) return cli::train(t);
    if (*job) return cli::print_job(job_lesson);
    if (*check) return cli::check_lessons(check_paths, !no_train);
#ifdef AISB_HAVE_NET
    if (*login) return cli::login(c);
    if (*submit) return cli::submit(c);
    if (*watch) return cli::watch(c);
#endif
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return cli::bad_input;
  }
  return cli::usage;
}
