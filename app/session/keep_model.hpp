// Taking a trained model home (issue 14), as the app does it: the model
// file (.aimodel, core/trained_model.hpp) written atomically, the exports
// (runtime/export: a PyTorch folder, an ONNX file, a notebook) named from one
// folder and one name, and the model files a folder holds, for the "open a
// trained model" list. No UI; the app runs these off its UI thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/trained_model.hpp"

namespace aisb::app {

// Where the app offers to keep models: $XDG_DATA_HOME/aisandbox/models
// (default ~/.local/share/aisandbox/models), beside the student's lessons.
std::filesystem::path user_models_dir();

// A file name for a model of `job`: its lesson's id ("digits-cnn"), or
// "playground"; without an extension.
std::string model_name_for(const JobSpec& job);

// The file or folder each kind is written to: NAME.aimodel ("model"),
// NAME-pytorch/ ("pytorch"), NAME.onnx, NAME.ipynb ("notebook").
std::filesystem::path keep_path(const std::filesystem::path& folder, const std::string& name, const std::string& kind);

struct KeepResult {
  bool ok = false;
  std::filesystem::path path;  // what was (or would have been) written
  std::string problem;         // when not ok: why, as the writer said it
};

// Writes the model file (a temporary file renamed over the old one, so a
// full disk never leaves half a model), making the folder when missing.
KeepResult save_model_file(const TrainedModel& model, const std::filesystem::path& file);

// Writes `model` as `kind` ("model", "pytorch", "onnx", "notebook") at
// keep_path(folder, name, kind). `lang`: the language of the exports' words;
// `data_dir`: where a file source's data lies (the notebook's test set).
// Never throws: the exporter's message comes back in `problem`.
KeepResult keep_model(const TrainedModel& model, const std::string& kind, const std::filesystem::path& folder,
                      const std::string& name, const std::string& lang, const std::filesystem::path& data_dir = {});

// The model files (*.aimodel) in `folder`, newest first (at most 200).
std::vector<std::filesystem::path> model_files_in(const std::filesystem::path& folder);

// True for a path whose name ends in .aimodel (any case).
bool is_model_file(const std::filesystem::path& path);

}  // namespace aisb::app
