// Inside the engine: one network that can take an optimizer step and be
// evaluated. Two implementations hold to the same contract (the trainer does
// not know which it drives), and a test holds them to each other step by step.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/event.hpp"
#include "core/shape.hpp"
#include "core/spec.hpp"
#include "data/dataset.hpp"

namespace aisb {

struct EvalResult {
  double loss = 0.0;      // mean data loss (no regularization term)
  double accuracy = 0.0;  // classification
  double mae = 0.0;       // regression
  double r2 = 0.0;        // regression
  // classification: counts, row = true class, column = predicted, row-major
  std::vector<int64_t> confusion;
  // Each sample's answer, in the split's order: the predicted class, or the
  // value as trained (standardised), for the inside views.
  std::vector<float> predicted;
};

// One sample seen through the network, for the inside views.
struct Probe {
  struct Layer {
    Shape shape;  // the layer's output for one sample
    std::vector<float> values;
  };
  std::vector<Layer> layers;   // one per layer of model.layers, in order, after its activation
  std::vector<float> outputs;  // the raw outputs
  int klass = -1;              // the class the saliency explains: the predicted one
  // |d outputs[klass] / d input| per input value (the input's shape); empty
  // for regression or a network that cannot say.
  std::vector<float> saliency;
};

class Net {
 public:
  virtual ~Net() = default;
  [[nodiscard]] virtual std::string device() const = 0;
  [[nodiscard]] virtual const char* engine() const = 0;  // "fast" or "torch"
  // One optimizer step on rows `rows[0..n)` of the training split; returns
  // the batch's mean data loss before the step.
  virtual double train_step(const int64_t* rows, int64_t n) = 0;
  virtual EvalResult evaluate(const Split& split) = 0;
  // The network's raw outputs (logits, or a regression's value as trained)
  // for `n` samples at `x` (each as the data set shapes one), in evaluation
  // mode, without touching the optimizer: n x outputs values.
  [[nodiscard]] virtual std::vector<float> outputs(const float* x, int64_t n) = 0;
  // One sample (as the data set shapes it) through every layer, in
  // evaluation mode, leaving the weights, gradients and optimizer as they
  // were (training goes on exactly as without it). This default gives the
  // outputs only.
  [[nodiscard]] virtual Probe probe(const float* x) {
    Probe p;
    p.outputs = outputs(x, 1);
    return p;
  }
  [[nodiscard]] virtual WeightSet weights() const = 0;
  // The L2 norm of each parameter's gradient in the last step, in the order
  // of weights(): how much each layer is learning right now.
  [[nodiscard]] virtual std::vector<float> gradient_norms() const = 0;
  // The optimizer's state (momentum, Adam's moments and step count) as opaque
  // bytes, for checkpoints; load_state() takes what save_state() of the same
  // kind of net gave, and throws std::runtime_error for anything else.
  // What the network keeps besides its parameters: batch norm's running
  // means and variances ("layers.2.running_mean"), which evaluation uses.
  // Empty for networks without batch norm.
  [[nodiscard]] virtual WeightSet buffers() const { return {}; }
  // Takes what buffers() gave; throws std::runtime_error for a buffer this
  // network does not have or of another shape.
  virtual void load_buffers(const WeightSet& buffers) {
    if (!buffers.empty()) throw std::runtime_error("this network keeps no running statistics");
  }
  [[nodiscard]] virtual std::string save_state() const = 0;
  virtual void load_state(const std::string& bytes) = 0;
};

// The starting weights of a model, from our own PRNG, so that both paths (and
// every machine) start from the same point: Glorot-uniform weights (He for
// rectifiers), zero biases, unit norm scales.
WeightSet initial_weights(const ModelInfo& info, uint64_t seed);

// True when the fast path can train this model on the CPU, small enough that
// per-operator overhead, not arithmetic, dominates: every layer dense on a
// flat input (fast_mlp.cpp), or an image through conv2d (stride 1),
// maxpool2d, flatten and dense layers (fast_cnn.cpp).
bool fast_path_fits(const JobSpec& job, const ModelInfo& info);
// The second kind alone.
bool fast_cnn_fits(const JobSpec& job, const ModelInfo& info);

// The fast net for a model fast_path_fits: the dense one or the CNN.
std::unique_ptr<Net> make_fast_net(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                   const WeightSet& init);
std::unique_ptr<Net> make_fast_mlp(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                   const WeightSet& init);
// `threads` 0: as many as libtorch would take for this model; the results
// are the same bit for bit with any number.
std::unique_ptr<Net> make_fast_cnn(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                   const WeightSet& init, int threads = 0);
std::unique_ptr<Net> make_torch_net(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                    const WeightSet& init, const std::string& device);

}  // namespace aisb
