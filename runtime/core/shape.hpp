// Shape inference for every layer type of SPEC.md section 2: output shape,
// parameters (with the names and shapes the engine creates), FLOPs per sample
// and a training-memory estimate. The network editor, the validator and the
// center's limits all use these numbers, and a test holds them to what torch
// reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/diagnostics.hpp"
#include "core/spec.hpp"

namespace aisb {

using Shape = std::vector<int64_t>;  // per sample, without the batch dimension

std::string shape_to_string(const Shape& s);
int64_t shape_elements(const Shape& s);

enum class Init { glorot, he, zeros, ones };

struct ParamInfo {
  std::string name;  // as the engine names it: "layers.0.weight", "output.bias"
  Shape shape;
  Init init = Init::zeros;
  int64_t fan_in = 0;
  int64_t fan_out = 0;
  bool regularized = false;  // L1/L2 apply to weights, not to biases or norms
};

struct LayerInfo {
  std::string name;  // "layers[0]" or "output"
  LayerSpec spec;    // the output layer appears as a dense layer
  Shape in;
  Shape out;
  int64_t params = 0;
  int64_t flops = 0;  // forward, per sample; a multiply-add counts as 2
  std::vector<ParamInfo> param_list;
};

struct ModelInfo {
  Shape input;
  std::vector<LayerInfo> layers;  // hidden layers, then "output"
  int64_t params = 0;
  int64_t flops_per_sample = 0;
  int64_t activations_per_sample = 0;  // elements of every layer output
  bool ok = false;                     // false when a layer could not be placed
};

// Infers the model for a per-sample input shape and `outputs` output units.
// Problems go to `diags` with key paths under "model.layers".
ModelInfo infer_model(const ModelSpec& model, const Shape& input, int64_t outputs, Diagnostics& diags);

// Bytes to train with this batch: weights, gradients, optimizer state and the
// activations kept for backward. An estimate, not a promise.
int64_t training_memory_bytes(const ModelInfo& info, int batch_size, const std::string& optimizer);

// FLOPs of one training step (forward + backward ~ 3x forward).
int64_t training_flops_per_sample(const ModelInfo& info);

}  // namespace aisb
