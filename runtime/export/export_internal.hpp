// What the three exports share (export.cpp, pytorch_export.cpp,
// onnx_export.cpp, notebook_export.cpp; not for other parts): the network
// as shape inference places it, the tensors a file carries besides the
// trained weights (the standardisation), safetensors bytes, the Python
// source of the network, and writing a file so that a failed export never
// leaves half a file behind.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/shape.hpp"
#include "core/trained_model.hpp"

namespace aisb::export_detail {

// What every export needs to know about a model, checked once.
struct Plan {
  const TrainedModel* model = nullptr;
  ModelInfo info;  // hidden layers, then "output"
  Shape input;     // per sample
  bool classification = true;
  std::string kind;                  // "points", "table", "sequence" or "image"
  std::vector<std::string> columns;  // what a CSV row gives: x1, x2 / a table's columns / a series' measurements
  std::vector<std::string> classes;  // classification: one name per output
  [[nodiscard]] size_t hidden() const { return info.layers.size() - 1; }
  [[nodiscard]] const LayerInfo& layer(size_t i) const { return info.layers[i]; }
  [[nodiscard]] const LayerInfo& output() const { return info.layers.back(); }
};

// Holds the model to its own network: a known layer type everywhere, every
// weight present with its shape, a class name per output. Throws
// ExportError otherwise.
Plan make_plan(const TrainedModel& model);

// A weight or buffer by name; throws ExportError when it is missing.
const NamedTensor& tensor(const TrainedModel& model, const std::string& name);

// The standardisation as tensors the network applies itself: input_mean and
// input_scale (shaped to broadcast over one sample: [measurements], or the
// whole sample's shape), and for regression target_mean and target_scale
// (scalars). Empty parts are left out (no input standardisation: no
// input_mean).
std::vector<NamedTensor> standardization_tensors(const Plan& plan);

// Every tensor of the PyTorch module's state dict: the trained weights, batch
// norm's running statistics, then the standardisation.
std::vector<NamedTensor> state_tensors(const Plan& plan);

// The safetensors format (a little-endian u64 header length, a JSON header
// naming each tensor's dtype, shape and byte range, then the raw bytes):
// written by hand, as no Debian package offers it. float32 only.
std::string safetensors_bytes(const std::vector<NamedTensor>& tensors,
                              const std::map<std::string, std::string>& metadata);

// The text of `en` or `ko` for `lang`.
inline const char* say(const std::string& lang, const char* en, const char* ko) {
  return lang == "ko" ? ko : en;
}

// A Python (and JSON) string literal for any text (invalid UTF-8 replaced).
std::string py_str(std::string_view s);
// A Python list literal of strings.
std::string py_list(const std::vector<std::string>& v);
// The shortest text that reads back as the same double.
std::string py_num(double v);
// Text for a comment: on one line, however it came.
std::string one_line(std::string_view s);

// Python source shared by model.py and the notebook: imports, the network's
// facts as constants (TASK, CLASSES, INPUT_SHAPE, ...), the Network class
// and load_safetensors. Comments in `lang`. `modules`: more of Python's own
// modules to import.
std::string python_network_source(const Plan& plan, const std::string& lang, std::vector<std::string> modules = {});

// The metadata both safetensors and ONNX carry (lesson, task, classes, ...).
std::map<std::string, std::string> model_metadata(const Plan& plan);

// Writes `bytes` to `file` through a temporary file beside it, renamed in
// place, so a failure leaves no half-written file. Throws ExportError.
void write_file(const std::filesystem::path& file, std::string_view bytes);

// The ONNX, notebook and PyTorch writers (the last writes a folder).
void write_pytorch(const Plan& plan, const std::filesystem::path& dir, const std::string& lang);
void write_onnx(const Plan& plan, const std::filesystem::path& file, const std::string& lang);
void write_notebook(const Plan& plan, const std::filesystem::path& file, const std::string& lang,
                    const std::filesystem::path& data_dir);

}  // namespace aisb::export_detail
