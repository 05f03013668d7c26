#include "core/spec.hpp"

#include <nlohmann/json.hpp>

namespace aisb {

namespace names {
const std::vector<std::string> tasks = {"classification", "regression"};
const std::vector<std::string> layer_types = {"dense",   "conv2d",    "maxpool2d", "flatten",
                                              "dropout", "batchnorm", "lstm",      "gru"};
const std::vector<std::string> activations = {"relu", "tanh", "sigmoid", "linear", "leaky_relu", "gelu"};
const std::vector<std::string> optimizers = {"sgd", "momentum", "adam"};
const std::vector<std::string> regularizations = {"none", "l1", "l2"};
const std::vector<std::string> paddings = {"valid", "same"};
const std::vector<std::string> point_features = {"x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"};
const std::vector<std::string> missing = {"drop", "mean"};
}  // namespace names

bool is_csv_source(const DatasetSpec& d) {
  return d.source.starts_with("csv:");
}

bool is_images_source(const DatasetSpec& d) {
  return d.source.starts_with("images:");
}

std::string source_path(const DatasetSpec& d) {
  if (is_csv_source(d)) return d.source.substr(4);
  if (is_images_source(d)) return d.source.substr(7);
  return {};
}

bool data_resolved(const DatasetSpec& d) {
  if (!is_file_source(d) || d.data_sha256.empty()) return false;
  return is_images_source(d) ? !d.class_names.empty() : !d.input_names.empty();
}

nlohmann::json to_json(const DatasetSpec& d) {
  nlohmann::json j = {
      {"source", d.source}, {"samples", d.samples}, {"test_fraction", d.test_fraction}, {"seed", d.seed}};
  if (!is_file_source(d)) j["noise"] = d.noise;  // a file's data is used as it is
  if (!d.features.empty()) j["features"] = d.features;
  if (!d.target.empty()) j["target"] = d.target;
  if (is_csv_source(d)) {
    j["missing"] = d.missing;
    if (d.window > 0) {
      j["window"] = d.window;
      j["horizon"] = d.horizon;
      if (!d.group.empty()) j["group"] = d.group;
      if (!d.order.empty()) j["order"] = d.order;
    }
  }
  if (!d.size.empty()) {
    j["size"] = d.size;
    j["channels"] = d.channels;
  }
  if (!d.data_sha256.empty()) j["data_sha256"] = d.data_sha256;
  if (!d.input_names.empty()) j["input_names"] = d.input_names;
  if (!d.class_names.empty()) j["class_names"] = d.class_names;
  return j;
}

nlohmann::json to_json(const LayerSpec& l) {
  nlohmann::json j = {{"type", l.type}};
  if (l.type == "dense" || l.type == "lstm" || l.type == "gru") j["units"] = l.units;
  if (l.type == "dense" || l.type == "conv2d") j["activation"] = l.activation;
  if (l.type == "conv2d") {
    j["filters"] = l.filters;
    j["kernel"] = l.kernel;
    j["stride"] = l.stride;
    j["padding"] = l.padding;
  }
  if (l.type == "maxpool2d") j["size"] = l.size;
  if (l.type == "dropout") j["rate"] = l.rate;
  return j;
}

nlohmann::json to_json(const ModelSpec& m) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : m.layers) layers.push_back(to_json(l));
  return {{"task", m.task}, {"inputs", m.inputs}, {"layers", layers}};
}

nlohmann::json to_json(const TrainingSpec& t) {
  return {{"optimizer", t.optimizer},
          {"learning_rate", t.learning_rate},
          {"batch_size", t.batch_size},
          {"epochs", t.epochs},
          {"regularization", t.regularization},
          {"regularization_rate", t.regularization_rate},
          {"seed", t.seed}};
}

nlohmann::json to_json(const JobSpec& s) {
  nlohmann::json j = {{"format", s.format},
                      {"lesson", s.lesson},
                      {"dataset", to_json(s.dataset)},
                      {"model", to_json(s.model)},
                      {"training", to_json(s.training)}};
  if (!s.files.empty()) j["files"] = s.files;
  return j;
}

}  // namespace aisb
