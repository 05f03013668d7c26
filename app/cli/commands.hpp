// The subcommands of aisandbox-cli (SPEC.md section 1).
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace aisb::cli {

// Exit codes of SPEC.md section 1.
enum Exit : int { ok = 0, bad_input = 1, usage = 2, unreachable = 3 };

struct TrainArgs {
  std::string lesson;
  std::optional<int> epochs;
  std::optional<uint64_t> seed;
  std::string device = "auto";
  std::string engine = "auto";  // auto | fast | torch
  bool json = false;
  bool solution = false;   // train the lesson's [solution] instead of its starting network
  double snapshots = 0.0;  // snapshot events per second in --json output
  std::string save_dir;
  std::string model_file;  // --model: also write the trained-model file
};

int train(const TrainArgs& args);
int print_job(const std::string& lesson);
// Checks lessons and courses; trains each lesson's solution against its goals
// unless `train_solutions` is false.
int check_lessons(const std::vector<std::string>& paths, bool train_solutions);

// A trained model (model_command.cpp): predict with it; export_command.cpp:
// export it to PyTorch, ONNX or a notebook.
struct PredictArgs {
  std::string model;
  std::vector<std::string> inputs;  // CSV files, images, folders
  bool json = false;
};
int predict(const PredictArgs& args);
struct ExportArgs {
  std::string model;
  std::string to;      // pytorch | onnx | notebook
  std::string output;  // a folder (pytorch) or a file
};
int export_model(const ExportArgs& args);

// login, submit and watch (the compute center).
struct CenterArgs {
  std::string center, token, class_code, name, code, teacher, lesson, job, output;
  std::vector<std::string> paths;  // class publish: files and folders; class roster: names
  std::optional<int> epochs;
  bool json = false;
  bool detach = false;
};
// What a failed call to the center says and its exit code: 3 when it cannot
// be reached, 1 when it refuses (with its words and field), 2 for a bad address.
int center_failure(const std::exception_ptr& failure);
int login(const CenterArgs& args);
int logout(const CenterArgs& args);
int submit(const CenterArgs& args);
int watch(const CenterArgs& args);
int jobs(const CenterArgs& args);
int cancel(const CenterArgs& args);
// Fetches a finished job's trained-model file (`model JOB -o FILE`).
int fetch_model(const CenterArgs& args);
// The teacher's commands (class_command.cpp): publish lessons, the report,
// the roster, the class's progress.
int class_publish(const CenterArgs& args);
int class_unpublish(const CenterArgs& args);
int class_report(const CenterArgs& args);
int class_roster(const CenterArgs& args, bool reset);
int class_progress(const CenterArgs& args);

}  // namespace aisb::cli
