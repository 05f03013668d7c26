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
  // csv (SPEC.md section 2): the columns, what to do with empty cells, and
  // for a sequence lesson the window of rows each sample sees.
  std::vector<std::string> features;  // empty: every other numeric column
  std::string target;
  std::string missing = "drop";  // drop | mean
  int window = 0;                // 0: one row a sample; N: N rows a sample (a sequence)
  int horizon = 1;               // a sequence's target: the target column H rows after its window
  std::string group;             // a sequence never crosses from one value of this column to the next
  std::string order;             // rows are sorted by this column (within a group) before windows are cut
  // images
  std::vector<int> size;
  int channels = 1;

  // File sources: what the file holds, found by reading it (data/user_data.hpp,
  // resolve_data). Job specs carry these so that the validator and the center
  // can size the model without the file; the worker checks them against the
  // data it reads and refuses a job whose facts do not match.
  std::string data_sha256;               // the content hash (a CSV's bytes, an image folder's canonical tar)
  std::vector<std::string> input_names;  // csv: the input values of a row, one-hot columns as "column=value"
  std::vector<std::string> class_names;  // classification: the classes by index (values or folder names)
  // Where the file or folder is on this machine. Never in JSON: the center
  // finds data by its hash alone.
  std::string location;

  bool operator==(const DatasetSpec&) const = default;
};

// "csv:PATH" and "images:PATH" name files beside the lesson.
bool is_csv_source(const DatasetSpec& d);
bool is_images_source(const DatasetSpec& d);
inline bool is_file_source(const DatasetSpec& d) {
  return is_csv_source(d) || is_images_source(d);
}
// The PATH of a file source; empty for generators.
std::string source_path(const DatasetSpec& d);
// True once resolve_data has filled the facts a file source's shapes need.
bool data_resolved(const DatasetSpec& d);

struct LayerSpec {
  std::string type;               // dense conv2d maxpool2d flatten dropout batchnorm lstm gru
  int units = 0;                  // dense, lstm, gru
  std::string activation;         // dense, conv2d
  int filters = 0;                // conv2d
  int kernel = 0;                 // conv2d
  int stride = 1;                 // conv2d
  std::string padding = "valid";  // conv2d
  int size = 0;                   // maxpool2d
  double rate = 0.0;              // dropout

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

// What was subtracted from each input and what it was divided by, from the
// training split alone (a table's numeric columns): a later prediction must
// use the same numbers, so they travel with the run (`started`) and the
// model (`model.json`). Empty: inputs as made.
struct Standardization {
  std::vector<float> mean;   // per input (per measurement of a time step for sequences)
  std::vector<float> scale;  // the spread; 1 where a column never varies, or is one-hot
  // A regression's target, scaled the same way so that a teacher's numbers in
  // the thousands train with the usual learning rates; the metrics are given
  // back in the file's units (MAE x scale, loss x scale^2).
  float target_mean = 0.0F;
  float target_scale = 1.0F;
  [[nodiscard]] bool empty() const { return mean.empty() && target_mean == 0.0F && target_scale == 1.0F; }
  bool operator==(const Standardization&) const = default;
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
extern const std::vector<std::string> missing;         // drop mean
}  // namespace names

// JSON, as in SPEC.md section 3. Writing never fails; reading goes through
// read_job() in job_reader.hpp, which validates as it reads.
nlohmann::json to_json(const DatasetSpec& d);
nlohmann::json to_json(const LayerSpec& l);
nlohmann::json to_json(const ModelSpec& m);
nlohmann::json to_json(const TrainingSpec& t);
nlohmann::json to_json(const JobSpec& j);

}  // namespace aisb
