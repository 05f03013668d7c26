#include "engine/grid.hpp"

#include <cmath>

#include "core/catalog.hpp"
#include "data/dataset.hpp"
#include "engine/activations.hpp"

namespace aisb {

namespace {

struct Layer {
  const NamedTensor* w;
  const NamedTensor* b;
  act::Act act;
};

std::vector<Layer> layers_of(const JobSpec& job, const WeightSet& weights) {
  if (!grid_supported(job)) throw std::invalid_argument("the views draw dense networks on 2-D datasets only");
  const size_t n = job.model.layers.size() + 1;
  if (weights.size() != 2 * n) throw std::invalid_argument("the weights do not match the model");
  std::vector<Layer> out;
  size_t in = job.model.inputs.size();
  for (size_t k = 0; k < n; ++k) {
    const NamedTensor& w = weights[2 * k];
    const NamedTensor& b = weights[2 * k + 1];
    if (w.shape.size() != 2 || static_cast<size_t>(w.shape[1]) != in || b.shape.size() != 1 || b.shape[0] != w.shape[0] ||
        w.data.size() != static_cast<size_t>(w.shape[0] * w.shape[1]) || b.data.size() != static_cast<size_t>(b.shape[0])) {
      throw std::invalid_argument("the weights do not match the model at '" + w.name + "'");
    }
    const bool output = k + 1 == n;
    const int64_t units = output ? (job.model.task == "classification" ? 2 : 1) : job.model.layers[k].units;
    if (w.shape[0] != units) throw std::invalid_argument("the weights do not match the model at '" + w.name + "'");
    out.push_back({&w, &b, output ? act::Act::linear : act::parse_activation(job.model.layers[k].activation)});
    in = static_cast<size_t>(w.shape[0]);
  }
  return out;
}

// Forward one point; fills `values[k]` with layer k's outputs. Returns the view's output value.
float forward(const std::vector<Layer>& layers, bool classification, const float* x,
              std::vector<std::vector<float>>& values) {
  const float* in = x;
  for (size_t k = 0; k < layers.size(); ++k) {
    const Layer& l = layers[k];
    const auto rows = static_cast<size_t>(l.w->shape[0]), cols = static_cast<size_t>(l.w->shape[1]);
    std::vector<float>& z = values[k];
    z.resize(rows);
    for (size_t o = 0; o < rows; ++o) {
      float sum = 0.0f;
      for (size_t i = 0; i < cols; ++i) sum += l.w->data[o * cols + i] * in[i];
      z[o] = sum + l.b->data[o];
    }
    act::activate(l.act, z.data(), z.data(), static_cast<int>(rows));
    in = z.data();
  }
  const std::vector<float>& out = values.back();
  if (!classification) return out[0];
  // Two classes: softmax(1) - softmax(0) = tanh((z1 - z0) / 2).
  return out.size() >= 2 ? std::tanh(0.5f * (out[1] - out[0])) : 0.0f;
}

}  // namespace

bool grid_supported(const JobSpec& job) {
  const SourceInfo* s = find_source(job.dataset.source);
  if (s == nullptr || s->kind != DataKind::points || job.model.inputs.empty()) return false;
  for (const auto& l : job.model.layers) {
    if (l.type != "dense") return false;
  }
  return true;
}

GridMaps evaluate_grid(const JobSpec& job, const WeightSet& weights, int resolution, double lo, double hi) {
  const std::vector<Layer> layers = layers_of(job, weights);
  const bool classification = job.model.task == "classification";
  GridMaps g;
  g.resolution = resolution;
  g.lo = lo;
  g.hi = hi;
  const auto cells = static_cast<size_t>(resolution) * static_cast<size_t>(resolution);
  g.inputs.assign(job.model.inputs.size(), std::vector<float>(cells));
  g.hidden.resize(layers.size() - 1);
  for (size_t k = 0; k + 1 < layers.size(); ++k) {
    g.hidden[k].assign(static_cast<size_t>(layers[k].w->shape[0]), std::vector<float>(cells));
  }
  g.output.resize(cells);
  std::vector<float> x(job.model.inputs.size());
  std::vector<std::vector<float>> values(layers.size());
  const double step = (hi - lo) / resolution;
  for (int r = 0; r < resolution; ++r) {
    const double x2 = hi - (r + 0.5) * step;
    for (int c = 0; c < resolution; ++c) {
      const double x1 = lo + (c + 0.5) * step;
      const size_t cell = static_cast<size_t>(r) * static_cast<size_t>(resolution) + static_cast<size_t>(c);
      point_features(job.model.inputs, x1, x2, x.data());
      for (size_t i = 0; i < x.size(); ++i) g.inputs[i][cell] = x[i];
      g.output[cell] = forward(layers, classification, x.data(), values);
      for (size_t k = 0; k < g.hidden.size(); ++k) {
        for (size_t j = 0; j < g.hidden[k].size(); ++j) g.hidden[k][j][cell] = values[k][j];
      }
    }
  }
  return g;
}

std::vector<float> evaluate_points(const JobSpec& job, const WeightSet& weights, const std::vector<float>& xy) {
  const std::vector<Layer> layers = layers_of(job, weights);
  const bool classification = job.model.task == "classification";
  std::vector<float> out(xy.size() / 2);
  std::vector<float> x(job.model.inputs.size());
  std::vector<std::vector<float>> values(layers.size());
  for (size_t p = 0; p < out.size(); ++p) {
    point_features(job.model.inputs, xy[2 * p], xy[2 * p + 1], x.data());
    out[p] = forward(layers, classification, x.data(), values);
  }
  return out;
}

}  // namespace aisb
