// The specs of SPEC.md section 3: what a backend runs. Plain values, no rules;
// the rules live in job_reader.cpp (the one validator).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace aisb {

inline constexpr int kFormat = 1;

struct DatasetSpec {
  std::string source = "xor";  // a built-in generator, "csv:PATH" or "images:PATH"
  int samples = 500;
  double noise = 0.0;
  double test_fraction = 0.5;
  uint64_t seed = 1;
  // csv
  std::vector<std::string> features;
  std::string target;
  // images
  std::vector<int> size;
  int channels = 1;

  bool operator==(const DatasetSpec&) const = default;
};

struct LayerSpec {
  std::string type;        // dense conv2d maxpool2d flatten dropout batchnorm lstm gru
  int units = 0;           // dense, lstm, gru
  std::string activation;  // dense, conv2d
  int filters = 0;         // conv2d
  int kernel = 0;          // conv2d
  int stride = 1;          // conv2d
  std::string padding = "valid";  // conv2d
  int size = 0;            // maxpool2d
  double rate = 0.0;       // dropout

  bool operator==(const LayerSpec&) const = default;
};

struct ModelSpec {
  std::string task = "classification";  // classification | regression
  std::vector<std::string> inputs = {"x1", "x2"};
  std::vector<LayerSpec> layers;  // hidden layers; the output layer is implied

  bool operator==(const ModelSpec&) const = default;
};

struct TrainingSpec {
  std::string optimizer = "sgd";  // sgd | momentum | adam
  double learning_rate = 0.03;
  int batch_size = 10;
  int epochs = 100;
  std::string regularization = "none";  // none | l1 | l2
  double regularization_rate = 0.0;
  uint64_t seed = 1;

  bool operator==(const TrainingSpec&) const = default;
};

struct JobSpec {
  int format = kFormat;
  std::string lesson;
  DatasetSpec dataset;
  ModelSpec model;
  TrainingSpec training;
  std::map<std::string, std::string> files;  // dataset file -> content hash

  bool operator==(const JobSpec&) const = default;
};

// Names the format knows, in one place for the validator, the checker's
// "did you mean" and the app's pickers.
namespace names {
extern const std::vector<std::string> tasks;
extern const std::vector<std::string> layer_types;
extern const std::vector<std::string> activations;
extern const std::vector<std::string> optimizers;
extern const std::vector<std::string> regularizations;
extern const std::vector<std::string> paddings;
extern const std::vector<std::string> point_features;  // x1 x2 x1_sq x2_sq x1_x2 sin_x1 sin_x2
}  // namespace names

// JSON, as in SPEC.md section 3. Writing never fails; reading goes through
// read_job() in job_reader.hpp, which validates as it reads.
nlohmann::json to_json(const DatasetSpec& d);
nlohmann::json to_json(const LayerSpec& l);
nlohmann::json to_json(const ModelSpec& m);
nlohmann::json to_json(const TrainingSpec& t);
nlohmann::json to_json(const JobSpec& j);

}  // namespace aisb
