#include "export/export.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "core/files.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"
#include "export/export_internal.hpp"

namespace aisb {

ExportKind export_kind(const std::string& name) {
  if (name == "pytorch") return ExportKind::pytorch;
  if (name == "onnx") return ExportKind::onnx;
  if (name == "notebook") return ExportKind::notebook;
  throw std::invalid_argument("unknown export '" + name + "': use pytorch, onnx or notebook");
}

namespace export_detail {

namespace fs = std::filesystem;

const NamedTensor& tensor(const TrainedModel& model, const std::string& name) {
  for (const WeightSet* set : {&model.weights, &model.buffers}) {
    for (const auto& t : *set) {
      if (t.name == name) return t;
    }
  }
  throw ExportError("the model has no tensor '" + name + "': the model file is damaged");
}

namespace {

void expect_shape(const TrainedModel& model, const std::string& name, const Shape& shape) {
  const NamedTensor& t = tensor(model, name);
  if (t.shape != shape || static_cast<int64_t>(t.data.size()) != shape_elements(shape)) {
    throw ExportError("the tensor '" + name + "' has the shape " + shape_to_string(t.shape) + ", not " +
                      shape_to_string(shape) + ": the model file is damaged");
  }
}

}  // namespace

Plan make_plan(const TrainedModel& model) {
  Plan p;
  p.model = &model;
  Diagnostics diags;
  p.info = describe_model(model.job, diags);
  if (!p.info.ok || diags.has_errors() || p.info.layers.empty()) {
    throw ExportError("the model's network is not valid: " + diags.first_error());
  }
  p.input = input_shape(model.job);
  p.classification = model.job.model.task == "classification";
  for (size_t i = 0; i < p.info.layers.size(); ++i) {
    const LayerInfo& l = p.info.layers[i];
    static const std::array<const char*, 8> known = {"dense",   "conv2d",    "maxpool2d", "flatten",
                                                     "dropout", "batchnorm", "lstm",      "gru"};
    if (std::find(known.begin(), known.end(), l.spec.type) == known.end()) {
      throw ExportError("this version cannot export a '" + l.spec.type + "' layer");
    }
    for (const auto& param : l.param_list) expect_shape(model, param.name, param.shape);
    if (l.spec.type == "batchnorm") {
      const std::string module = "layers." + std::to_string(i);
      expect_shape(model, module + ".running_mean", {l.in[0]});
      expect_shape(model, module + ".running_var", {l.in[0]});
    }
  }
  const int64_t outputs = p.output().out[0];
  if (p.classification) {
    p.classes = model.classes.empty() ? class_names_of(model.job) : model.classes;
    if (static_cast<int64_t>(p.classes.size()) != outputs) {
      throw ExportError("the model names " + std::to_string(p.classes.size()) + " classes for " +
                        std::to_string(outputs) + " outputs: the model file is damaged");
    }
  }
  switch (describe_source(model.job).kind) {
    case DataKind::points:
      p.kind = "points";
      break;
    case DataKind::image:
      p.kind = "image";
      break;
    case DataKind::sequence:
      p.kind = "sequence";
      break;
    case DataKind::table:
      p.kind = "table";
      break;
  }
  // The shape decides where the source's kind and the input disagree (a
  // table's window makes a sequence).
  if (p.input.size() == 3) p.kind = "image";
  if (p.input.size() == 2) p.kind = "sequence";
  if (p.input.size() == 1 && (p.kind == "image" || p.kind == "sequence")) p.kind = "table";
  p.columns = model.inputs.empty() ? input_names_of(model.job) : model.inputs;
  if (p.kind == "points") p.columns = {"x1", "x2"};
  const int64_t per_row = p.kind == "sequence" ? p.input[1] : p.kind == "table" ? p.input[0] : 0;
  if (per_row > 0 && static_cast<int64_t>(p.columns.size()) != per_row) {
    throw ExportError("the model names " + std::to_string(p.columns.size()) + " inputs for " + std::to_string(per_row) +
                      " values a row: the model file is damaged");
  }
  const Standardization& st = model.standardization;
  const auto m = static_cast<int64_t>(st.mean.size());
  if (st.mean.size() != st.scale.size() || (m > 0 && shape_elements(p.input) % m != 0)) {
    throw ExportError("the model's standardisation does not fit its inputs: the model file is damaged");
  }
  return p;
}

std::vector<NamedTensor> standardization_tensors(const Plan& plan) {
  const Standardization& st = plan.model->standardization;
  std::vector<NamedTensor> out;
  if (!st.mean.empty()) {
    // As the engine applies it: value i of a sample by entry i % m.
    const auto m = static_cast<int64_t>(st.mean.size());
    Shape shape = {m};
    std::vector<float> mean = st.mean, scale = st.scale;
    if (m != plan.input.back()) {
      shape = plan.input;
      const int64_t n = shape_elements(shape);
      mean.resize(static_cast<size_t>(n));
      scale.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        mean[static_cast<size_t>(i)] = st.mean[static_cast<size_t>(i % m)];
        scale[static_cast<size_t>(i)] = st.scale[static_cast<size_t>(i % m)];
      }
    }
    out.push_back({"input_mean", shape, mean});
    out.push_back({"input_scale", shape, scale});
  }
  if (!plan.classification) {
    out.push_back({"target_mean", {}, {st.target_mean}});
    out.push_back({"target_scale", {}, {st.target_scale}});
  }
  return out;
}

std::vector<NamedTensor> state_tensors(const Plan& plan) {
  std::vector<NamedTensor> out;
  for (size_t i = 0; i < plan.info.layers.size(); ++i) {
    const LayerInfo& l = plan.info.layers[i];
    for (const auto& param : l.param_list) out.push_back(tensor(*plan.model, param.name));
    if (l.spec.type == "batchnorm") {
      const std::string module = "layers." + std::to_string(i);
      out.push_back(tensor(*plan.model, module + ".running_mean"));
      out.push_back(tensor(*plan.model, module + ".running_var"));
    }
  }
  for (auto& t : standardization_tensors(plan)) out.push_back(std::move(t));
  return out;
}

std::string safetensors_bytes(const std::vector<NamedTensor>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& t : tensors) {
    const size_t bytes = t.data.size() * 4;
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Padded with spaces so that the tensors start 8-byte aligned, as the
  // format's own writer does.
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + text.size() + offset);
  const uint64_t n = text.size();
  for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((n >> (8 * b)) & 0xFF));
  out += text;
  for (const auto& t : tensors) out += float32_le_bytes(t.data);
  return out;
}

std::string py_str(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string py_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + py_str(v[i]);
  return out + "]";
}

std::string py_num(double v) {
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  std::string s(buf.data(), r.ptr);
  // Python reads "1e-05" and "3" alike; "3" would be an int, which is fine
  // everywhere these numbers go, but a float says what it is.
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string one_line(std::string_view s) {
  std::string out;
  for (const char c : s) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

std::map<std::string, std::string> model_metadata(const Plan& plan) {
  const TrainedModel& m = *plan.model;
  std::map<std::string, std::string> out = {
      {"format", "pt"},
      {"lesson", m.job.lesson},
      {"task", m.job.model.task},
      {"input_shape", nlohmann::json(plan.input).dump()},
      {"inputs", nlohmann::json(plan.columns).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)},
      {"producer", m.app.empty() ? "aisandbox" : m.app},
  };
  if (plan.classification) {
    out["classes"] = nlohmann::json(plan.classes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (plan.kind == "points") {
    out["features"] = nlohmann::json(m.job.model.inputs).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out;
}

void write_file(const fs::path& file, std::string_view bytes) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) throw ExportError("cannot write " + file.string() + ": it is a folder");
  const fs::path parent = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) {
    throw ExportError("cannot write " + file.string() + ": the folder " + parent.string() + " does not exist");
  }
  fs::path part = file;
  part += path_of_utf8(".part-" + std::to_string(::getpid()));
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) throw ExportError("cannot write " + file.string() + ": " + std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      out.close();
      fs::remove(part, ec);
      throw ExportError("cannot write " + file.string() + ": " + why);
    }
  }
  fs::rename(part, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(part, ignored);
    throw ExportError("cannot write " + file.string() + ": " + ec.message());
  }
}

}  // namespace export_detail

void export_model(const TrainedModel& model, ExportKind kind, const std::filesystem::path& out, const std::string& lang,
                  const std::filesystem::path& data_dir) {
  if (out.empty()) throw ExportError("no output path given");
  const std::string language = lang == "ko" ? "ko" : "en";
  const export_detail::Plan plan = export_detail::make_plan(model);
  switch (kind) {
    case ExportKind::pytorch:
      export_detail::write_pytorch(plan, out, language);
      break;
    case ExportKind::onnx:
      export_detail::write_onnx(plan, out, language);
      break;
    case ExportKind::notebook:
      export_detail::write_notebook(plan, out, language, data_dir);
      break;
  }
}

}  // namespace aisb
