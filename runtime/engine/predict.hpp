// A trained network answering new inputs: what `aisandbox-cli predict`, the
// app's "try it" panel and the export tests ask. It takes raw values, as a
// file or a drawing gives them, and applies the model's standardisation
// itself. Nothing here includes torch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/trained_model.hpp"
#include "data/dataset.hpp"
#include "engine/engine.hpp"

namespace aisb {

class Net;

struct Prediction {
  int klass = -1;                    // classification: the most probable class
  std::vector<float> probabilities;  // classification: softmax of the outputs, one per class
  double value = 0.0;                // regression: in the data's own units
};

class Predictor {
 public:
  // Builds the network of `model` with its weights, on the CPU unless told
  // otherwise: the fast engine for the dense networks it trained, libtorch
  // for the rest. Throws std::invalid_argument for a model whose weights do
  // not fit (read_trained_model says so first).
  explicit Predictor(const TrainedModel& model, const std::string& device = "cpu");
  ~Predictor();
  Predictor(const Predictor&) = delete;
  Predictor& operator=(const Predictor&) = delete;

  // Per sample, how many raw values and in what shape.
  [[nodiscard]] const Shape& input_shape() const { return data_.input_shape; }
  [[nodiscard]] int64_t sample_size() const { return data_.features; }
  [[nodiscard]] bool classification() const { return data_.classification; }
  [[nodiscard]] const TrainedModel& model() const { return model_; }

  // `raw` holds n samples back to back, as the data set made them before
  // standardisation (a 2-D set: the features of model.inputs computed from
  // x1, x2; see point_inputs). Throws std::invalid_argument when its size is
  // not a whole number of samples.
  std::vector<Prediction> predict(const std::vector<float>& raw);
  // The network's outputs as trained, standardisation applied to `raw` first:
  // logits for classes, the standardised value for regression.
  std::vector<float> raw_outputs(const std::vector<float>& raw);

  // One sample through every layer for the inside views, as the trainer
  // probes it: `x` is a sample of the data set as training saw it (already
  // standardised), test sample number `sample`.
  Inside probe(const float* x, int64_t sample);

  // A 2-D set's sample from a point: model.inputs computed from (x1, x2).
  [[nodiscard]] std::vector<float> point_inputs(double x1, double x2) const;

 private:
  TrainedModel model_;
  Dataset data_;  // shapes only; the nets keep a reference
  std::unique_ptr<Net> net_;
};

// Continues a saved run: the model's weights and, when the same engine made
// it, its optimizer state and epoch count, so that training `extra_epochs`
// more equals one longer run on the CPU. Returns the job to train (epochs
// raised) and fills `options.resume` (or `options.initial_weights` when the
// state cannot be carried over).
JobSpec continue_training(const TrainedModel& model, int extra_epochs, TrainOptions& options);

}  // namespace aisb
