#include "core/shape.hpp"

#include <numeric>

namespace aisb {

std::string shape_to_string(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

int64_t shape_elements(const Shape& s) {
  return std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<>());
}

namespace {

bool rectified(const std::string& activation) {
  return activation == "relu" || activation == "leaky_relu" || activation == "gelu";
}

ParamInfo weight(std::string name, Shape shape, Init init, int64_t fan_in, int64_t fan_out) {
  return {std::move(name), std::move(shape), init, fan_in, fan_out, true};
}

ParamInfo vec(std::string name, int64_t n, Init init) {
  return {std::move(name), {n}, init, 0, 0, false};
}

// Places one layer; returns false (with a diagnostic) when it cannot follow `in`.
bool place(const LayerSpec& l, const std::string& module, const std::string& path, const Shape& in, LayerInfo& out,
           Diagnostics& diags) {
  out.in = in;
  const auto need_flat = [&]() {
    if (in.size() == 1) return true;
    diags.error(path, msg("shape.needs_flat", {l.type, shape_to_string(in)}));
    return false;
  };
  if (l.type == "dense") {
    if (!need_flat()) return false;
    const int64_t n_in = in[0], n_out = l.units;
    out.out = {n_out};
    out.param_list = {
        weight(module + ".weight", {n_out, n_in}, rectified(l.activation) ? Init::he : Init::glorot, n_in, n_out),
        vec(module + ".bias", n_out, Init::zeros)};
    out.flops = 2 * n_in * n_out + n_out;
  } else if (l.type == "conv2d") {
    if (in.size() != 3) {
      diags.error(path, msg("shape.conv_needs_image", {shape_to_string(in)}));
      return false;
    }
    const int64_t c = in[0], h = in[1], w = in[2], k = l.kernel, s = l.stride;
    int64_t oh = 0, ow = 0;
    if (l.padding == "same") {
      oh = (h - 1) / s + 1;
      ow = (w - 1) / s + 1;
    } else {
      if (k > h || k > w) {
        diags.error(path + ".kernel", msg("shape.kernel_too_big", {std::to_string(k), shape_to_string(in)}));
        return false;
      }
      oh = (h - k) / s + 1;
      ow = (w - k) / s + 1;
    }
    out.out = {l.filters, oh, ow};
    out.param_list = {weight(module + ".weight", {l.filters, c, k, k},
                             rectified(l.activation) ? Init::he : Init::glorot, c * k * k, l.filters * k * k),
                      vec(module + ".bias", l.filters, Init::zeros)};
    out.flops = 2 * c * k * k * l.filters * oh * ow + l.filters * oh * ow;
  } else if (l.type == "maxpool2d") {
    if (in.size() != 3) {
      diags.error(path, msg("shape.pool_needs_image", {shape_to_string(in)}));
      return false;
    }
    if (l.size > in[1] || l.size > in[2]) {
      diags.error(path + ".size", msg("shape.pool_too_big", {std::to_string(l.size), shape_to_string(in)}));
      return false;
    }
    out.out = {in[0], in[1] / l.size, in[2] / l.size};
    out.flops = shape_elements(out.out) * l.size * l.size;
  } else if (l.type == "flatten") {
    out.out = {shape_elements(in)};
  } else if (l.type == "dropout") {
    out.out = in;
    out.flops = shape_elements(in);
  } else if (l.type == "batchnorm") {
    if (in.size() != 1 && in.size() != 3) {
      diags.error(path, msg("shape.batchnorm_input", {shape_to_string(in)}));
      return false;
    }
    out.out = in;
    out.param_list = {vec(module + ".weight", in[0], Init::ones), vec(module + ".bias", in[0], Init::zeros)};
    out.flops = 4 * shape_elements(in);
  } else if (l.type == "lstm" || l.type == "gru") {
    if (in.size() != 2) {
      diags.error(path, msg("shape.needs_sequence", {l.type, shape_to_string(in)}));
      return false;
    }
    const int64_t gates = l.type == "lstm" ? 4 : 3, steps = in[0], f = in[1], h = l.units;
    out.out = {h};
    out.param_list = {weight(module + ".weight_ih_l0", {gates * h, f}, Init::glorot, f, gates * h),
                      weight(module + ".weight_hh_l0", {gates * h, h}, Init::glorot, h, gates * h),
                      vec(module + ".bias_ih_l0", gates * h, Init::zeros),
                      vec(module + ".bias_hh_l0", gates * h, Init::zeros)};
    out.flops = steps * (2 * gates * h * (f + h) + 10 * h);
  } else {
    return false;  // unknown types are reported by the reader
  }
  for (const auto& p : out.param_list) out.params += shape_elements(p.shape);
  return true;
}

}  // namespace

ModelInfo infer_model(const ModelSpec& model, const Shape& input, int64_t outputs, Diagnostics& diags) {
  ModelInfo info;
  info.input = input;
  Shape cur = input;
  info.ok = true;
  for (size_t i = 0; i < model.layers.size(); ++i) {
    LayerInfo li;
    li.name = "layers[" + std::to_string(i) + "]";
    li.spec = model.layers[i];
    if (!place(model.layers[i], "layers." + std::to_string(i), "model.layers[" + std::to_string(i) + "]", cur, li,
               diags)) {
      info.ok = false;
      return info;
    }
    cur = li.out;
    info.layers.push_back(std::move(li));
  }
  LayerInfo out;
  out.name = "output";
  out.spec.type = "dense";
  out.spec.units = static_cast<int>(outputs);
  out.spec.activation = "linear";
  if (cur.size() != 1) {
    diags.error("model.layers", msg("shape.output_needs_flat", {shape_to_string(cur)}));
    info.ok = false;
    return info;
  }
  place(out.spec, "output", "model", cur, out, diags);
  info.layers.push_back(std::move(out));
  for (const auto& l : info.layers) {
    info.params += l.params;
    info.flops_per_sample += l.flops;
    info.activations_per_sample += shape_elements(l.out);
  }
  return info;
}

namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

// Per sample, in floats: what one layer adds to a training step (kept for
// backward) and what it holds at once in a forward pass without gradients.
struct LayerMemory {
  int64_t kept = 0;
  int64_t forward = 0;
};

LayerMemory layer_memory(const LayerInfo& l) {
  const LayerSpec& s = l.spec;
  const int64_t in = shape_elements(l.in), out = shape_elements(l.out);
  const bool activated = (s.type == "dense" || s.type == "conv2d") && s.activation != "linear";
  LayerMemory m;
  if (s.type == "dense" || s.type == "conv2d") {
    // The layer's output and, with an activation, the activation's own output
    // (relu, tanh and sigmoid keep their result for backward). libtorch's CPU
    // convolution (oneDNN) unfolds nothing: no im2col buffer to count.
    m.kept = out * (activated ? 2 : 1);
    m.forward = in + m.kept;
  } else if (s.type == "maxpool2d") {
    m.kept = 3 * out;  // the output and its int64 indices
    m.forward = in + 3 * out;
  } else if (s.type == "dropout") {
    m.kept = 2 * out;  // the output and the mask
    m.forward = in + out;
  } else if (s.type == "batchnorm") {
    m.kept = 2 * out;  // the normalised input and the output
    m.forward = in + 2 * out;
  } else if (s.type == "lstm" || s.type == "gru") {
    // libtorch's CPU cell keeps every gate of every time step: LSTM about
    // 21 values per unit and step (two projections of 4 units, their sum,
    // 4 gates, the cell, its tanh, the output), GRU about 16.
    const int64_t steps = l.in[0], units = s.units, per_step = s.type == "lstm" ? 21 : 16;
    m.kept = steps * units * (per_step + 1);
    m.forward = in + steps * units * 2 + units * per_step;
  } else {  // flatten: a view
    m.forward = in;
  }
  return m;
}

}  // namespace

MemoryEstimate estimate_memory(const ModelInfo& info, int batch_size, const std::string& optimizer,
                               int64_t train_samples, int64_t test_samples, bool torch) {
  MemoryEstimate m;
  const int64_t samples = std::max<int64_t>(0, train_samples) + std::max<int64_t>(0, test_samples);
  const int64_t per_sample = shape_elements(info.input) + 1;  // inputs and the target
  // libtorch and its BLAS, resident once loaded; the fast path is the bare program.
  m.baseline = torch ? 180 * kMiB : 8 * kMiB;
  // The generated samples, and a tensor copy of each split.
  m.data = 4 * samples * per_sample * (torch ? 2 : 1);
  // Weights, gradients and optimizer state in the engine; the initial
  // weights, the last snapshot's copy and, while a snapshot or checkpoint is
  // written, its JSON (a tree of ~32 bytes a value, then ~12 bytes of text),
  // and what the heap keeps of them.
  const int64_t state = optimizer == "adam" ? 2 : optimizer == "momentum" ? 1 : 0;
  m.model = info.params * (4 * (4 + state) + 100);
  const int64_t batch = std::max<int64_t>(1, std::min<int64_t>(batch_size, std::max<int64_t>(1, train_samples)));
  int64_t kept = shape_elements(info.input), widest = 0, forward = 0;
  for (const auto& l : info.layers) {
    const LayerMemory lm = layer_memory(l);
    kept += lm.kept;
    forward = std::max(forward, lm.forward);
    widest = std::max({widest, shape_elements(l.in), shape_elements(l.out)});
  }
  // Backward holds the gradients of a layer's output and of its input while
  // the kept tensors are not yet freed.
  m.training = 4 * batch * (kept + 2 * widest);
  const int64_t chunk = std::min(kEvaluationChunk, std::max({int64_t{1}, train_samples, test_samples}));
  m.evaluation = 4 * chunk * forward;
  return m;
}

bool training_uses_torch(const ModelSpec& model, const ModelInfo& info) {
  if (!info.ok) return true;
  bool dense = true, cnn = true;
  for (const auto& l : model.layers) {
    dense = dense && l.type == "dense";
    cnn = cnn && (l.type == "dense" || l.type == "flatten" || l.type == "maxpool2d" ||
                  (l.type == "conv2d" && l.stride == 1 && l.filters <= 64));
  }
  if (dense && info.input.size() == 1 && info.flops_per_sample <= 200000) return false;
  for (const auto& l : info.layers) cnn = cnn && (l.spec.type != "dense" || l.in[0] * l.out[0] <= 262144);
  return !(cnn && info.input.size() == 3 && info.flops_per_sample <= 20'000'000);
}

int64_t test_samples_of(int64_t samples, double test_fraction) {
  return static_cast<int64_t>(static_cast<double>(samples) * test_fraction + 0.5);
}

int64_t training_memory_bytes(const JobSpec& job, const ModelInfo& info, bool force_torch) {
  const int64_t test = test_samples_of(job.dataset.samples, job.dataset.test_fraction);
  const int64_t train = job.dataset.samples - test;
  return estimate_memory(info, job.training.batch_size, job.training.optimizer, train, test,
                         force_torch || training_uses_torch(job.model, info))
      .total();
}

int64_t training_flops_per_sample(const ModelInfo& info) {
  return 3 * info.flops_per_sample;
}

}  // namespace aisb
