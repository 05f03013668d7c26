// Events of SPEC.md section 4: what every run, local or remote, yields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/diagnostics.hpp"
#include "core/spec.hpp"

namespace aisb {

enum class EventType { started, metrics, snapshot, log, done };

const char* to_string(EventType t);

struct Metrics {
  int epoch = 0;
  int64_t step = 0;
  double train_loss = 0.0;
  double test_loss = 0.0;
  double elapsed = 0.0;
  double steps_per_second = 0.0;
  std::optional<double> train_accuracy, test_accuracy;  // classification
  std::optional<double> train_mae, test_mae, test_r2;   // regression
  // classification: the test split's confusion matrix, counts, row = true
  // class, column = predicted class (classes x classes, row-major)
  std::vector<int64_t> confusion;

  bool operator==(const Metrics&) const = default;
};

// One parameter tensor, flat, row-major.
struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;

  bool operator==(const NamedTensor&) const = default;
};
using WeightSet = std::vector<NamedTensor>;

// One layer's output for the probed sample, as the views draw it: each
// channel quantised to bytes over its own range (0 is lo[c], 255 is hi[c]).
struct LayerMap {
  int layer = 0;               // index in model.layers
  std::vector<int64_t> shape;  // [channels, height, width], or [units] for a flat layer
  int64_t channels_shown = 0;  // the first channels carried (a wide layer is cut to the byte budget)
  std::vector<float> lo, hi;   // per channel carried
  std::string bytes;           // channels_shown x the rest of shape, one byte each

  bool operator==(const LayerMap&) const = default;
};

// What the "inside" views need at a step (issue 15), carried by a snapshot:
// one test sample seen through the network, and the test split's answers
// after the last evaluation. Either part may be absent.
struct Inside {
  // The probe: test sample `sample` (-1: none) through every layer.
  int64_t sample = -1;
  std::vector<LayerMap> maps;
  std::vector<float> outputs;  // the raw outputs (logits, or the standardised value)
  int klass = -1;              // the class the saliency explains (the predicted one)
  // How much each pixel moves that class's score: |gradient|, the largest
  // over channels, as bytes over 0..max (an image's height x width); empty
  // for inputs that are not images.
  std::vector<int64_t> saliency_shape;
  std::string saliency;
  // The test split's answers after epoch `epoch` (-1: none): the predicted
  // class, or the value in the data's own units, for its first
  // predictions.size() samples.
  int epoch = -1;
  std::vector<float> predictions;

  [[nodiscard]] bool has_probe() const { return sample >= 0; }
  [[nodiscard]] bool has_predictions() const { return epoch >= 0; }
  bool operator==(const Inside&) const = default;
};

// Bounds that keep a snapshot's inside within the live views' byte budget.
inline constexpr int64_t kInsideMapBytes = 256 * 1024;  // all maps of one probe
inline constexpr int64_t kInsidePredictions = 2000;     // test samples answered

struct Event {
  EventType type = EventType::log;
  uint64_t seq = 0;
  // started
  std::string device;
  int64_t parameters = 0;
  int64_t steps_per_epoch = 0;
  std::string engine;               // "fast" or "torch": which implementation trains
  Standardization standardization;  // a table's inputs as the model sees them
  // metrics, and the final metrics of done
  Metrics metrics;
  // snapshot
  int64_t step = 0;
  WeightSet weights;
  std::vector<float> gradients;  // L2 norm of each weight's last gradient, in the order of `weights`
  std::optional<Inside> inside;  // what the inside views need (a snapshot may carry only this)
  // log ("info", "warning", "error") and the student-facing message of done
  std::string level;
  std::string message;
  std::string message_ko;
  // done
  std::string reason;  // completed | cancelled | diverged | failed
  int64_t steps = 0;
  double seconds = 0.0;
  double steps_per_second = 0.0;
  bool has_metrics = false;  // done carries final metrics once an epoch was evaluated

  bool operator==(const Event&) const = default;
};

nlohmann::json to_json(const Event& e);
// One epoch's metrics as in a `metrics` event (without "type"), and back.
nlohmann::json metrics_to_json(const Metrics& m);
Metrics metrics_from_json(const nlohmann::json& j, const std::string& path, Diagnostics& diags);
// Weights as in a snapshot event: [{"name", "shape", "data"}, ...].
nlohmann::json weights_to_json(const WeightSet& w);
// Reads them back; problems go to diags under `path`.
WeightSet weights_from_json(const nlohmann::json& j, const std::string& path, Diagnostics& diags);
nlohmann::json to_json(const Standardization& s);
// Reads {"mean", "scale"}: lists of the same length, finite, scales > 0.
Standardization standardization_from_json(const nlohmann::json& j, const std::string& path, Diagnostics& diags);
nlohmann::json to_json(const Inside& in);
Inside inside_from_json(const nlohmann::json& j, const std::string& path, Diagnostics& diags);
// Reads an event; problems (with key paths) go to diags.
Event event_from_json(const nlohmann::json& j, Diagnostics& diags);

}  // namespace aisb
