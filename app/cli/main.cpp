// aisandbox-cli: everything headless. Thin: parses the command line and hands
// over to the commands.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/usage.hpp"
#include "cli/utf8_args.hpp"
#include "engine/engine.hpp"
#include "i18n/strings.hpp"

int main(int argc, char** argv) {
  using namespace aisb;
  // UTF-8 from here on, on Windows too (a student's Korean folder names).
  cli::Utf8Args utf8(argc, argv);
  argc = utf8.argc();
  argv = utf8.argv();
  const CLI::Validator& existing_file = cli::existing_file;
  CLI::App app{"AI Sandbox command line: train lessons, check them, print job specs, run them at a compute center"};
  app.name("aisandbox-cli");
  app.allow_windows_style_options(false);  // on Windows too: "/path/to/x" is a path, not an option
  app.require_subcommand(1);
  // A callback: asking libtorch for its version loads it, which only --version should pay for.
  // "CUDA" appears only when it is usable (tests and bench/gpu.py look for the word).
  app.set_version_flag("--version", [] {
    return std::string("aisandbox-cli ") + AISB_VERSION + "\nlibtorch " + torch_version() +
           (cuda_available() ? ", CUDA usable" : ", CPU only (no usable GPU)");
  });
  // Known before parsing, so that parsing's own errors come in it too.
  std::string lang;
  app.add_option("--lang", lang, "Language of messages: ko or en (default: from the locale, as the app)")
      ->check(CLI::IsMember({"ko", "en"}));
  cli::set_language(i18n::pick_language(cli::lang_in_args(argc, argv)));

  cli::TrainArgs t;
  auto* train = app.add_subcommand("train", "Train a lesson's starting network and show its progress");
  train->add_option("lesson", t.lesson, "Lesson file (.toml)")->required()->check(existing_file);
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
  train->add_option("--model", t.model_file, "Also write the trained-model file (.aimodel) here");

  cli::PredictArgs p;
  auto* predict = app.add_subcommand("predict",
                                     "Ask a trained model (.aimodel) about new inputs: CSV files (one "
                                     "prediction a row), images, or folders of images");
  predict->add_option("model", p.model, "Trained-model file (.aimodel)")->required();
  predict->add_option("inputs", p.inputs, "CSV files, image files or folders")->required();
  predict->add_flag("--json", p.json, "One JSON object per prediction, in input order");

  cli::ExportArgs x;
  auto* exp = app.add_subcommand("export",
                                 "Export a trained model to PyTorch (model.py + model.safetensors), "
                                 "ONNX, or a Jupyter notebook");
  exp->add_option("model", x.model, "Trained-model file (.aimodel)")->required();
  exp->add_option("--to", x.to, "What to make")->required()->check(CLI::IsMember({"pytorch", "onnx", "notebook"}));
  exp->add_option("-o,--output", x.output, "A folder for pytorch; a .onnx or .ipynb file")->required();

  std::string job_lesson;
  auto* job = app.add_subcommand("job", "Print the job spec (JSON) of a lesson");
  job->add_option("lesson", job_lesson, "Lesson file (.toml)")->required()->check(existing_file);

  std::vector<std::string> check_paths;
  auto* lesson = app.add_subcommand("lesson", "Work with lesson files");
  lesson->require_subcommand(1);
  auto* check = lesson->add_subcommand("check", "Check lesson and course files, or folders of them (recursively)");
  check->add_option("paths", check_paths, "Files or folders")->required();
  bool no_train = false;
  check->add_flag("--no-train", no_train, "Do not train the lessons' solutions against their goals");

#ifdef AISB_HAVE_NET
  cli::CenterArgs c;
  auto* login = app.add_subcommand("login",
                                   "Sign in to a compute center: a student with the class code, a name and "
                                   "a personal code; a teacher with the class's teacher token");
  login->add_option("--center", c.center, "The center's address, e.g. https://ai.pohang.example")->required();
  login->add_option("--class", c.class_code, "Your class's code (your teacher has it)");
  login->add_option("--name", c.name, "Your name as your class knows you");
  login->add_option("--code", c.code, "Your personal code (your teacher has it; a new name's first sign-in gets one)");
  login->add_option("--teacher", c.teacher, "Sign in as the class's teacher with its teacher token");
  login->add_flag("--json", c.json, "Print {\"token\": ...}");
  auto* logout = app.add_subcommand("logout", "Sign out: end your token at the center and forget it here");
  auto* jobs = app.add_subcommand("jobs", "List your jobs at the compute center");
  jobs->add_flag("--json", c.json, "Print the center's answer as JSON");
  auto* cancel = app.add_subcommand("cancel", "Cancel one of your jobs at the compute center");
  cancel->add_option("job", c.job, "The job's id")->required();
  auto* model = app.add_subcommand("model", "Fetch a finished job's trained-model file from the compute center");
  model->add_option("job", c.job, "The job's id")->required();
  model->add_option("-o,--output", c.output, "Where to write it (.aimodel)")->required();
  model->add_option("--center", c.center, "The center's address (default: the one you logged in to)");
  model->add_option("--token", c.token, "Your token (default: the saved one)");
  auto* klass = app.add_subcommand("class", "A teacher's class at the center: publish lessons, the roster, progress");
  klass->require_subcommand(1);
  auto* publish = klass->add_subcommand("publish",
                                        "Check lessons (files, or a course folder) and publish them to the "
                                        "class: students see them as the \"Class\" course");
  publish->add_option("paths", c.paths, "Lesson files or course folders")->required();
  publish->add_flag("--json", c.json, "Print what the center kept as JSON");
  auto* report = klass->add_subcommand("report", "The class's results as CSV (for a gradebook)");
  report->add_option("-o,--output", c.output, "Write the CSV to this file (default: print it)");
  auto* roster = klass->add_subcommand("roster", "List the roster, or add names (each gets a personal code)");
  roster->add_option("names", c.paths, "Names to add");
  roster->add_flag("--json", c.json, "Print JSON");
  roster->add_option("--sheet", c.output, "Also write the new codes as a page of cards to print (HTML)");
  auto* unpublish = klass->add_subcommand("unpublish", "Take lessons (by id) out of the class's \"Class\" course");
  unpublish->add_option("ids", c.paths, "Lesson ids")->required();
  auto* reset = klass->add_subcommand("reset-code", "Give students new personal codes (signs them out everywhere)");
  reset->add_option("names", c.paths, "Students' names")->required();
  reset->add_flag("--json", c.json, "Print JSON");
  reset->add_option("--sheet", c.output, "Also write the new codes as a page of cards to print (HTML)");
  auto* progress = klass->add_subcommand("progress", "Who is on which step of which lesson");
  progress->add_flag("--json", c.json, "Print the center's answer as JSON");
  auto* submit = app.add_subcommand("submit", "Run a lesson's network on the compute center and follow it");
  submit->add_option("lesson", c.lesson, "Lesson file (.toml)")->required()->check(existing_file);
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

  cli::accept_global_options(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    return cli::usage_error(app, e);  // an unknown command or option gets the nearest name
  }
  try {
    if (*train) return cli::train(t);
    if (*job) return cli::print_job(job_lesson);
    if (*check) return cli::check_lessons(check_paths, !no_train);
    if (*predict) return cli::predict(p);
    if (*exp) return cli::export_model(x);
#ifdef AISB_HAVE_NET
    if (*login) return cli::login(c);
    if (*logout) return cli::logout(c);
    if (*jobs) return cli::jobs(c);
    if (*cancel) return cli::cancel(c);
    if (*model) return cli::fetch_model(c);
    if (*publish) return cli::class_publish(c);
    if (*unpublish) return cli::class_unpublish(c);
    if (*report) return cli::class_report(c);
    if (*roster) return cli::class_roster(c, false);
    if (*reset) return cli::class_roster(c, true);
    if (*progress) return cli::class_progress(c);
    if (*submit) return cli::submit(c);
    if (*watch) return cli::watch(c);
#endif
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return cli::bad_input;
  }
  return cli::usage;
}
