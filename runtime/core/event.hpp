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
// Reads an event; problems (with key paths) go to diags.
Event event_from_json(const nlohmann::json& j, Diagnostics& diags);

}  // namespace aisb
