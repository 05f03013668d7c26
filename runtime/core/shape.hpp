// Shape inference for every layer type of SPEC.md section 2: output shape,
// parameters (with the names and shapes the engine creates), FLOPs per sample
// and a training-memory estimate. The network editor, the validator and the
// center's limits all use these numbers, and a test holds them to what torch
// reports.
#pragma once

#include <algorithm>
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

// Samples the torch engine evaluates at once (engine/torch_net.cpp): with
// large layers, evaluation, not training, sets a job's peak memory.
inline constexpr int64_t kEvaluationChunk = 4096;

// The peak resident memory of a worker training a job, in parts, as measured
// on libtorch's CPU path (tests/worker/worker_test.cpp holds it to within
// 1.5x of the peak the worker reports). The largest of training and
// evaluation counts, as they never overlap.
struct MemoryEstimate {
  int64_t baseline = 0;    // the process with its engine loaded (libtorch: ~180 MB)
  int64_t data = 0;        // the data set: the generated samples and their tensors
  int64_t model = 0;       // weights, gradients, optimizer state, and the copies snapshots and checkpoints make
  int64_t training = 0;    // one step: what backward keeps, and the gradients
  int64_t evaluation = 0;  // one chunk of forward passes without gradients (kEvaluationChunk samples at most)
  [[nodiscard]] int64_t total() const { return baseline + data + model + std::max(training, evaluation); }
};

// `torch` false: the small dense networks the CPU's fast path trains (no
// libtorch, far less memory); see training_uses_torch.
MemoryEstimate estimate_memory(const ModelInfo& info, int batch_size, const std::string& optimizer,
                               int64_t train_samples, int64_t test_samples, bool torch = true);

// True unless the fast path trains this model on the CPU (the rule of
// engine/init.cpp's fast_path_fits: dense layers only, a flat input, at most
// 200,000 FLOPs a sample; or an image through conv2d of stride 1 and at most
// 64 filters, maxpool2d, flatten and dense layers of at most 262,144
// weights, at most 20 MFLOPs a sample). On a GPU every model goes through
// libtorch.
bool training_uses_torch(const ModelSpec& model, const ModelInfo& info);

// How many of `samples` the data set deals to its test split (the rest train):
// samples x test_fraction, rounded to the nearest whole number. The one rule
// for data/dataset.cpp, the validator and the lesson checker.
int64_t test_samples_of(int64_t samples, double test_fraction);

// The peak memory of training `job` (split as the data set splits it) on the
// path the worker picks on a CPU; `torch` forces libtorch (a GPU node). An
// estimate, not a promise.
int64_t training_memory_bytes(const JobSpec& job, const ModelInfo& info, bool force_torch = false);

// FLOPs of one training step (forward + backward ~ 3x forward).
int64_t training_flops_per_sample(const ModelInfo& info);

}  // namespace aisb
