// What the export tests share: tiny models trained for real (one per group
// of layer types and tasks, each with the inputs a student would give it),
// running other programs (Python's PyTorch, ONNX Runtime under Node, the
// CLI), and files they read (CSV, PNG, BMP).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/trained_model.hpp"
#include "engine/predict.hpp"

namespace aisb::test {

namespace fs = std::filesystem;

// A fresh folder for one test, removed when it ends.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

struct Ran {
  int status = -1;  // the exit code, or 128 + signal
  std::string out, err;
};
// Runs argv[0] (found on PATH) with the arguments, stdin empty, `env` added
// to the environment, and collects its output.
Ran run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});

// The Python with PyTorch, onnx and nbclient (Debian's), and the environment
// its runs get (no user site-packages, Agg for matplotlib).
std::string python();
std::map<std::string, std::string> python_env();

void write_text(const fs::path& file, const std::string& text);
std::string read_bytes(const fs::path& file);
// Pixels are rows of `channels` bytes; the format follows the extension
// (.png or .bmp).
void write_image(const fs::path& file, int width, int height, int channels, const std::vector<uint8_t>& pixels);

// The JSON objects of a program's output, one per line.
std::vector<nlohmann::ordered_json> json_lines(const std::string& out);

// Trains `job` on the CPU (its own engine choice) and gathers its model as
// a model file holds it.
TrainedModel train_model(const JobSpec& job);

// One prediction asked of an export: what the program prints as `input`,
// and the raw sample our Predictor takes.
struct Asked {
  std::string label;
  std::vector<float> raw;
};

// A model and the inputs a student would give it: `args` for model.py,
// `asked` the predictions they make, in order.
struct ModelCase {
  std::string name;
  TrainedModel model;
  std::vector<std::string> args;
  std::vector<Asked> asked;
  fs::path data_dir;  // a file source's lesson folder
};

// The cases, by name; each made in `dir` (its data and inputs written there).
std::vector<std::string> case_names();
ModelCase make_case(const std::string& name, const fs::path& dir);

// A classification line (class and probabilities) or a regression line
// (value) against our own Predictor's answer for the same sample, within
// 1e-5 (values: 1e-5 of their size, at least 1e-5).
void expect_matches(const nlohmann::ordered_json& line, const Asked& asked, const Prediction& ours,
                    const TrainedModel& model, const std::string& where);

}  // namespace aisb::test
