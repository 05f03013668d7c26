#include "core/trained_model.hpp"

#include "core/files.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"
#include "core/messages.hpp"
#include "core/reader.hpp"
#include "core/shape.hpp"

namespace aisb {

using nlohmann::json;

namespace {

// Weights travel as little-endian float32 in base64: exact (every bit comes
// back), a third of the size of decimal text, and quick to read.
std::string floats_to_base64(const std::vector<float>& v) {
  return base64_encode(float32_le_bytes(v));
}

std::optional<std::vector<float>> floats_from_base64(std::string_view text) {
  const auto bytes = base64_decode(text);
  if (!bytes) return std::nullopt;
  return float32_from_le_bytes(*bytes);
}

json tensors_to_json(const WeightSet& ws) {
  json out = json::array();
  for (const auto& t : ws) out.push_back({{"name", t.name}, {"shape", t.shape}, {"f32", floats_to_base64(t.data)}});
  return out;
}

// A list of tensors as tensors_to_json writes them, bounded in count and
// shape before a byte is decoded.
WeightSet tensors_from_json(const json& ws, const std::string& path, Diagnostics& diags) {
  WeightSet out;
  if (ws.size() > 4 * static_cast<size_t>(limits::max_layers) + 8) {
    diags.error(path, "too many tensors for any network");
    return out;
  }
  for (size_t i = 0; i < ws.size(); ++i) {
    JsonReader tr(&ws[i], path + "[" + std::to_string(i) + "]", diags);
    NamedTensor t;
    t.name = tr.string("name", "", true);
    if (const json* shape = tr.array("shape", true); shape != nullptr) {
      bool ok = shape->size() <= 4;
      for (const auto& v : *shape) {
        ok = ok && v.is_number_integer() && v.get<int64_t>() > 0 && v.get<int64_t>() <= limits::max_parameters;
      }
      if (ok) {
        t.shape = shape->get<std::vector<int64_t>>();
      } else {
        diags.error(tr.path_of("shape"), "expected up to 4 sizes, each 1 .. " + std::to_string(limits::max_parameters));
      }
    }
    const std::string data = tr.string("f32", "", true);
    if (auto v = floats_from_base64(data); v) {
      t.data = std::move(*v);
    } else if (!data.empty()) {
      diags.error(tr.path_of("f32"), "expected little-endian float32 values in base64");
    }
    tr.finish();
    out.push_back(std::move(t));
  }
  return out;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
#ifdef _WIN32
  gmtime_s(&tm, &t);
#else
  gmtime_r(&t, &tm);
#endif
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The names a list holds, bounded, or an error under `path`.
std::vector<std::string> bounded_names(JsonReader& r, const std::string& key, size_t max) {
  std::vector<std::string> out = r.strings(key);
  if (out.size() > max) {
    r.diags().error(r.path_of(key), "at most " + std::to_string(max) + " names");
    out.clear();
  }
  for (const auto& n : out) {
    if (n.size() > 256) {
      r.diags().error(r.path_of(key), "a name longer than 256 bytes");
      out.clear();
      break;
    }
  }
  return out;
}

// Every weight the job's model has, in the engine's order, with its shape;
// the file's must be exactly these.
void check_weights(const TrainedModel& m, Diagnostics& diags) {
  Diagnostics model_diags;
  const ModelInfo info = describe_model(m.job, model_diags);
  if (!info.ok) return;  // the job's own errors are already reported
  std::vector<const ParamInfo*> expected;
  for (const auto& layer : info.layers)
    for (const auto& p : layer.param_list) expected.push_back(&p);
  if (expected.size() != m.weights.size()) {
    diags.error("weights",
                msg("model.weight_count", {std::to_string(m.weights.size()), std::to_string(expected.size())}));
    return;
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const NamedTensor& t = m.weights[i];
    const std::string path = "weights[" + std::to_string(i) + "]";
    if (t.name != expected[i]->name || t.shape != expected[i]->shape) {
      diags.error(path, msg("model.weight_misfit", {t.name, shape_to_string(t.shape), expected[i]->name,
                                                    shape_to_string(expected[i]->shape)}));
      return;
    }
    if (static_cast<int64_t>(t.data.size()) != shape_elements(t.shape)) {
      diags.error(path, "'" + t.name + "' holds " + std::to_string(t.data.size()) + " numbers; its shape needs " +
                            std::to_string(shape_elements(t.shape)));
      return;
    }
    for (float v : t.data) {
      if (!std::isfinite(v)) {
        diags.error(path, "'" + t.name + "' holds a number that is not finite (NaN or infinity)");
        return;
      }
    }
  }
  // Batch norm's running statistics: a mean and a variance (not negative)
  // per feature of each batch norm layer, named as its parameters are.
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    const NamedTensor& t = m.buffers[i];
    const std::string path = "buffers[" + std::to_string(i) + "]";
    const ParamInfo* owner = nullptr;
    for (const auto& layer : info.layers) {
      if (layer.spec.type != "batchnorm" || layer.param_list.empty()) continue;
      const std::string& w = layer.param_list[0].name;  // "layers.N.weight"
      const std::string module = w.substr(0, w.rfind('.'));
      if (t.name == module + ".running_mean" || t.name == module + ".running_var") owner = &layer.param_list[0];
    }
    if (owner == nullptr || t.shape != owner->shape || static_cast<int64_t>(t.data.size()) != shape_elements(t.shape)) {
      diags.error(path, "'" + t.name + "' is not a running statistic of this network's batch norm layers");
      return;
    }
    const bool variance = t.name.size() > 4 && t.name.compare(t.name.size() - 4, 4, "_var") == 0;
    for (float v : t.data) {
      if (!std::isfinite(v) || (variance && v < 0)) {
        diags.error(path, "'" + t.name + "' holds a value that is not finite" + (variance ? " or is negative" : ""));
        return;
      }
    }
  }
}

}  // namespace

std::vector<std::string> class_names_of(const JobSpec& job) {
  if (job.model.task != "classification") return {};
  const DatasetSpec& d = job.dataset;
  if (is_file_source(d)) return d.class_names;
  if (d.source == "steel-defects") return {"crazing", "inclusion", "patches", "pitted", "rolled-in scale", "scratches"};
  if (d.source == "smart-farm") return {"low risk", "medium risk", "high risk"};
  const int64_t k = output_units(job);
  std::vector<std::string> out;
  for (int64_t c = 0; c < k; ++c) out.push_back(std::to_string(c));
  return out;
}

std::vector<std::string> input_names_of(const JobSpec& job) {
  const SourceInfo s = describe_source(job);
  if (s.kind == DataKind::points) return {"x1", "x2"};
  if (s.kind == DataKind::image) return {};
  return s.measures;
}

TrainedModel make_trained_model(const JobSpec& job, WeightSet weights, Standardization standardization) {
  TrainedModel m;
  m.job = job;
  m.weights = std::move(weights);
  m.standardization = std::move(standardization);
  m.classes = class_names_of(job);
  m.inputs = input_names_of(job);
  m.created = utc_now();
#ifdef AISB_VERSION
  m.app = std::string("aisandbox ") + AISB_VERSION;
#endif
  return m;
}

ModelRecorder::ModelRecorder(const JobSpec& job) : model_(make_trained_model(job, {})) {}

void ModelRecorder::continue_from(const TrainedModel& earlier) {
  model_.curves = earlier.curves;
  model_.epochs_done = earlier.epochs_done;
  model_.steps_done = earlier.steps_done;
  model_.weights = earlier.weights;
  model_.buffers = earlier.buffers;
  model_.metrics = earlier.metrics;
  model_.has_metrics = earlier.has_metrics;
}

void ModelRecorder::on_event(const Event& e) {
  switch (e.type) {
    case EventType::started:
      model_.standardization = e.standardization;
      model_.engine = e.engine;
      break;
    case EventType::metrics: {
      Metrics plain = e.metrics;
      plain.confusion.clear();
      // A resumed run evaluates its first epoch again: keep one point an epoch.
      while (!model_.curves.empty() && model_.curves.back().epoch >= plain.epoch) model_.curves.pop_back();
      model_.curves.push_back(std::move(plain));
      model_.metrics = e.metrics;
      model_.has_metrics = true;
      model_.epochs_done = std::max(model_.epochs_done, e.metrics.epoch);
      model_.steps_done = std::max(model_.steps_done, e.metrics.step);
      break;
    }
    case EventType::snapshot:
      model_.weights = e.weights;
      break;
    case EventType::done:
      done_ = e.reason == "completed";
      if (e.has_metrics) {
        model_.metrics = e.metrics;
        model_.has_metrics = true;
      }
      model_.steps_done = std::max(model_.steps_done, e.steps);
      model_.created = utc_now();
      break;
    case EventType::log:
      break;
  }
}

void ModelRecorder::on_checkpoint(int epoch, int64_t step, const WeightSet& weights, const WeightSet& buffers,
                                  const std::string& optimizer_state) {
  model_.epochs_done = epoch;
  model_.steps_done = step;
  model_.weights = weights;
  model_.buffers = buffers;
  model_.optimizer_state = optimizer_state;
}

json to_json(const TrainedModel& m) {
  json curves = json::array();
  for (const auto& c : m.curves) {
    Metrics plain = c;
    plain.confusion.clear();
    curves.push_back(metrics_to_json(plain));
  }
  json j = {{"aisandbox_model", kModelFormat},
            {"created", m.created},
            {"app", m.app},
            {"job", to_json(m.job)},
            {"classes", m.classes},
            {"inputs", m.inputs},
            {"weights", tensors_to_json(m.weights)},
            {"trained", {{"epochs", m.epochs_done}, {"steps", m.steps_done}, {"engine", m.engine}}},
            {"curves", std::move(curves)}};
  if (!m.buffers.empty()) j["buffers"] = tensors_to_json(m.buffers);
  if (!m.optimizer_state.empty()) j["trained"]["optimizer"] = base64_encode(m.optimizer_state);
  if (!m.standardization.empty()) j["standardization"] = to_json(m.standardization);
  if (m.has_metrics) j["metrics"] = metrics_to_json(m.metrics);
  return j;
}

std::string model_file_text(const TrainedModel& m) {
  return to_json(m).dump() + "\n";
}

TrainedModel read_trained_model(std::string_view text, Diagnostics& diags) {
  TrainedModel m;
  if (text.size() > kMaxModelFileBytes) {
    diags.error("",
                msg("model.too_big", {std::to_string(text.size() >> 20), std::to_string(kMaxModelFileBytes >> 20)}));
    return m;
  }
  std::string why;
  const json j = parse_json(text, &why);
  if (j.is_discarded() || !j.is_object()) {
    diags.error("", msg("model.not_a_model", {why.empty() ? std::string("not a JSON object") : why}));
    return m;
  }
  if (!j.contains("aisandbox_model")) {
    diags.error("", msg("model.no_version"));
    return m;
  }
  const json& version = j["aisandbox_model"];
  if (!version.is_number_integer()) {
    diags.error("aisandbox_model", "the version must be a whole number, not " + version.dump());
    return m;
  }
  if (version.get<int64_t>() != kModelFormat) {
    diags.error("aisandbox_model", msg("model.version", {version.dump(), std::to_string(kModelFormat)}));
    return m;
  }
  JsonReader r(&j, "", diags);
  r.integer("aisandbox_model", kModelFormat, kModelFormat, kModelFormat, true);
  m.created = r.string("created", "");
  m.app = r.string("app", "");
  if (const json* job = r.object("job", true); job != nullptr) {
    Diagnostics job_diags;
    m.job = read_job(*job, job_diags);
    for (auto d : job_diags.all()) {
      d.path = d.path.empty() ? "job" : "job." + d.path;
      diags.add(std::move(d));
    }
  }
  m.classes = bounded_names(r, "classes", static_cast<size_t>(limits::max_classes));
  m.inputs = bounded_names(r, "inputs", static_cast<size_t>(limits::max_input_names));
  if (const json* ws = r.array("weights", true); ws != nullptr) m.weights = tensors_from_json(*ws, "weights", diags);
  if (const json* bs = r.array("buffers"); bs != nullptr) m.buffers = tensors_from_json(*bs, "buffers", diags);
  if (const json* st = r.any("standardization"); st != nullptr) {
    m.standardization = standardization_from_json(*st, "standardization", diags);
  }
  if (const json* tr_json = r.object("trained"); tr_json != nullptr) {
    JsonReader tr(tr_json, "trained", diags);
    m.epochs_done = static_cast<int>(tr.integer("epochs", 0, 0, limits::max_epochs));
    m.steps_done = tr.integer("steps", 0, 0, INT64_MAX / 2);
    m.engine = tr.choice("engine", "", {"", "fast", "torch"});
    const std::string opt = tr.string("optimizer", "");
    if (auto bytes = base64_decode(opt); bytes) {
      m.optimizer_state = std::move(*bytes);
    } else {
      diags.error(tr.path_of("optimizer"), "expected the optimizer's state in base64");
    }
    tr.finish();
  }
  if (const json* metrics = r.object("metrics"); metrics != nullptr) {
    m.metrics = metrics_from_json(*metrics, "metrics", diags);
    m.has_metrics = true;
  }
  if (const json* curves = r.array("curves"); curves != nullptr) {
    if (curves->size() > static_cast<size_t>(limits::max_epochs)) {
      diags.error("curves", "more points than epochs a run can have");
    } else {
      for (size_t i = 0; i < curves->size(); ++i) {
        m.curves.push_back(metrics_from_json((*curves)[i], "curves[" + std::to_string(i) + "]", diags));
      }
    }
  }
  r.finish();
  if (diags.has_errors()) return m;

  // What joins the parts: the weights fit the network, the names fit its
  // inputs and outputs, the standardisation fits its inputs.
  check_weights(m, diags);
  const int64_t outputs = output_units(m.job);
  if (m.job.model.task == "classification" && static_cast<int64_t>(m.classes.size()) != outputs) {
    diags.error("classes", std::to_string(m.classes.size()) + " class names for a network with " +
                               std::to_string(outputs) + " outputs");
  }
  for (size_t i = 0; i < m.classes.size(); ++i) {
    if (m.classes[i].empty() || std::find(m.classes.begin(), m.classes.begin() + static_cast<ptrdiff_t>(i),
                                          m.classes[i]) != m.classes.begin() + static_cast<ptrdiff_t>(i)) {
      diags.error("classes[" + std::to_string(i) + "]", "class names must be different and not empty");
      break;
    }
  }
  // The input names are what a CSV row gives: x1 and x2 for a point set, one
  // per input (per time step's value) for tables and series, none for images.
  const Shape in = input_shape(m.job);
  const SourceInfo source = describe_source(m.job);
  const size_t want = source.kind == DataKind::points  ? 2
                      : source.kind == DataKind::image ? 0
                                                       : static_cast<size_t>(in.empty() ? 0 : in.back());
  if (m.inputs.size() != want) {
    diags.error("inputs", std::to_string(m.inputs.size()) + " input names for a network that takes " +
                              std::to_string(want) + " values a row");
  }
  if (!m.standardization.mean.empty()) {
    const Shape in = input_shape(m.job);
    const int64_t per_step = in.empty() ? 0 : in.back();
    const auto n = static_cast<int64_t>(m.standardization.mean.size());
    if (n != shape_elements(in) && n != per_step) {
      diags.error("standardization", std::to_string(n) + " means and scales for " + shape_to_string(in) + " inputs");
    }
  }
  return m;
}

TrainedModel read_model_file(const std::string& path, Diagnostics& diags) {
  const auto place = [&](Diagnostics&& inner) {
    for (auto d : inner.all()) {
      d.where = path + (d.path.empty() ? "" : " (" + d.path + ")");
      d.path.clear();
      diags.add(std::move(d));
    }
  };
  // Only a plain file: a FIFO or a device would block or never end.
  std::error_code ec;
  std::ifstream in;
  if (const std::filesystem::path file = path_of_utf8(path); std::filesystem::is_regular_file(file, ec)) {
    in.open(file, std::ios::binary);
  }
  if (!in.is_open() || !in) {
    Diagnostics d;
    d.error("", msg("model.cannot_open"));
    place(std::move(d));
    return {};
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0);
  Diagnostics inner;
  if (size < 0 || static_cast<uint64_t>(size) > kMaxModelFileBytes) {
    inner.error("", msg("model.too_big", {std::to_string(size >> 20), std::to_string(kMaxModelFileBytes >> 20)}));
    place(std::move(inner));
    return {};
  }
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  text.resize(static_cast<size_t>(in.gcount()));
  TrainedModel m = read_trained_model(text, inner);
  place(std::move(inner));
  return m;
}

}  // namespace aisb
