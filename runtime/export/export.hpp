// Taking a trained model elsewhere (SPEC.md section 1, `export`): a readable
// PyTorch module with its weights as safetensors, an ONNX model, or a Jupyter
// notebook that carries on the lesson. Nothing here includes torch: the
// files are written as text and bytes, and tests run them with Python's
// PyTorch, ONNX's checker and ONNX Runtime.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/trained_model.hpp"

namespace aisb {

enum class ExportKind { pytorch, onnx, notebook };

// "pytorch", "onnx", "notebook"; throws std::invalid_argument for others.
ExportKind export_kind(const std::string& name);

class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `model` as `kind` at `out`: pytorch, a folder (made when missing)
// with model.py and model.safetensors; onnx and notebook, one file. `lang`
// ("ko" or "en") is the language of the comments and texts in what is made.
// `data_dir`: where a file source's data is (the lesson's folder), for the
// notebook's test set; empty when it is not at hand. Throws ExportError with
// a message a student understands.
void export_model(const TrainedModel& model, ExportKind kind, const std::filesystem::path& out, const std::string& lang,
                  const std::filesystem::path& data_dir = {});

}  // namespace aisb
