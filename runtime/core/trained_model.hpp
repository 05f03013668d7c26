// The trained-model file (docs/model-format.md): one JSON file that holds a
// finished run whole, so that it can be reopened anywhere: the job spec, the
// trained weights, the input standardisation, the class and input names, the
// final metrics and the curves, and where training stood (epochs, steps, the
// optimizer's state) so that it can go on. `aisandbox-cli train --model`, the
// worker (`model.json` at the center), the app and the exporters share it.
//
// A model file is input like any other: it may come from a classmate or the
// internet. Reading it bounds its size before parsing, its nesting while
// parsing, reads the job through the one validator, and holds every weight to
// the shapes that the job's model has, before anything is built from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/diagnostics.hpp"
#include "core/event.hpp"
#include "core/spec.hpp"

namespace aisb {

// The version this build writes and the one it reads ("aisandbox_model": 1).
inline constexpr int kModelFormat = 1;
// The largest model file read: 20 million parameters (the validator's limit)
// as base64 float32, with room for the curves.
inline constexpr size_t kMaxModelFileBytes = size_t{160} << 20;
inline constexpr const char* kModelFileExtension = ".aimodel";

struct TrainedModel {
  JobSpec job;
  WeightSet weights;                 // as the engine names them: "layers.0.weight", ..., "output.bias"
  WeightSet buffers;                 // batch norm's running statistics: "layers.N.running_mean", "layers.N.running_var"
  Standardization standardization;   // what a raw input goes through first (empty: nothing)
  std::vector<std::string> classes;  // classification: one name per output, in order
  std::vector<std::string> inputs;   // the input values by name (x1 x2 / a table's columns / a series' measures)
  // Where training stood: epochs and optimizer steps done, and the
  // optimizer's state (opaque, of `engine`) so that training can go on
  // exactly as one longer run would have.
  int epochs_done = 0;
  int64_t steps_done = 0;
  std::string engine;           // "fast" or "torch": which engine trained (and whose optimizer state)
  std::string optimizer_state;  // Net::save_state(); may be empty
  bool has_metrics = false;
  Metrics metrics;              // the last evaluation
  std::vector<Metrics> curves;  // one per evaluated epoch, in order (no confusion matrices)
  std::string created;          // UTC, ISO 8601
  std::string app;              // "aisandbox 0.7.0"

  bool operator==(const TrainedModel&) const = default;
};

// The class names of a job's outputs: a file's own, the English names of a
// built-in source's classes, else "0", "1", ... Empty for regression.
std::vector<std::string> class_names_of(const JobSpec& job);
// The names of a job's inputs: a 2-D set's raw point (x1, x2, from which
// model.inputs are computed), a table's columns or a series' measurements.
std::vector<std::string> input_names_of(const JobSpec& job);

// Fills classes, inputs, created and app from the job.
TrainedModel make_trained_model(const JobSpec& job, WeightSet weights, Standardization standardization = {});

// Gathers a run's model from its events as they come (any backend: local,
// the worker, a center's stream): `started` gives the standardisation and
// the engine, each `metrics` a point of the curves, a `snapshot` the
// weights, `done` the final metrics; a checkpoint (the engine's
// on_checkpoint) the optimizer's state. complete() is true once a run
// finished with weights.
class ModelRecorder {
 public:
  explicit ModelRecorder(const JobSpec& job);
  void on_event(const Event& e);
  void on_checkpoint(int epoch, int64_t step, const WeightSet& weights, const WeightSet& buffers,
                     const std::string& optimizer_state);
  [[nodiscard]] bool complete() const { return done_ && !model_.weights.empty(); }
  [[nodiscard]] const TrainedModel& model() const { return model_; }
  // A model to continue from: its curves go first, and a resumed run's
  // first metrics (that epoch evaluated again) is not counted twice.
  void continue_from(const TrainedModel& earlier);

 private:
  TrainedModel model_;
  bool done_ = false;
};

nlohmann::json to_json(const TrainedModel& m);
std::string model_file_text(const TrainedModel& m);

// Reads a model file's text. Problems go to `diags` with key paths
// ("weights[3].shape"); the result is only meaningful without errors.
TrainedModel read_trained_model(std::string_view text, Diagnostics& diags);
// Reads a file: its size is checked before a byte is parsed. Problems carry
// the file's name as their `where`.
TrainedModel read_model_file(const std::string& path, Diagnostics& diags);

}  // namespace aisb
