#include "engine/inside.hpp"

#include <algorithm>
#include <cmath>

namespace aisb {

namespace {

// `n` values mapped onto 0..255 over [lo, hi].
void quantise(const float* v, int64_t n, float lo, float hi, std::string& out) {
  const float span = hi > lo ? hi - lo : 1.0f;
  for (int64_t i = 0; i < n; ++i) {
    const float q = std::round((v[i] - lo) / span * 255.0f);
    out.push_back(static_cast<char>(static_cast<uint8_t>(std::clamp(q, 0.0f, 255.0f))));
  }
}

}  // namespace

void fill_probe(Inside& in, const Probe& probe, const ModelSpec& model, const Shape& input_shape, int64_t sample) {
  in.sample = sample;
  in.outputs = probe.outputs;
  in.klass = probe.klass;
  in.maps.clear();
  int64_t budget = kInsideMapBytes;
  for (size_t i = 0; i < probe.layers.size() && i < model.layers.size(); ++i) {
    const std::string& type = model.layers[i].type;
    if (type == "flatten" || type == "dropout") continue;
    const Probe::Layer& l = probe.layers[i];
    if (l.shape.empty() || l.shape.size() > 3) continue;
    LayerMap m;
    m.layer = static_cast<int>(i);
    m.shape = l.shape;
    const int64_t channels = l.shape.size() == 3 ? l.shape[0] : 1;
    const int64_t per = static_cast<int64_t>(l.values.size()) / std::max<int64_t>(1, channels);
    if (per <= 0) continue;
    m.channels_shown = std::min(channels, budget / per);
    for (int64_t c = 0; c < m.channels_shown; ++c) {
      const float* v = l.values.data() + c * per;
      const auto [lo, hi] = std::minmax_element(v, v + per);
      m.lo.push_back(*lo);
      m.hi.push_back(*hi);
      quantise(v, per, *lo, *hi, m.bytes);
    }
    budget -= m.channels_shown * per;
    in.maps.push_back(std::move(m));
  }
  in.saliency.clear();
  in.saliency_shape.clear();
  if (input_shape.size() == 3 && !probe.saliency.empty() &&
      static_cast<int64_t>(probe.saliency.size()) == shape_elements(input_shape)) {
    const int64_t c = input_shape[0], hw = input_shape[1] * input_shape[2];
    std::vector<float> most(static_cast<size_t>(hw), 0.0f);
    for (int64_t k = 0; k < c; ++k) {
      for (int64_t p = 0; p < hw; ++p) {
        most[static_cast<size_t>(p)] = std::max(most[static_cast<size_t>(p)], std::fabs(probe.saliency[k * hw + p]));
      }
    }
    const float top = *std::max_element(most.begin(), most.end());
    in.saliency_shape = {input_shape[1], input_shape[2]};
    quantise(most.data(), hw, 0.0f, top > 0 ? top : 1.0f, in.saliency);
  }
}

}  // namespace aisb
