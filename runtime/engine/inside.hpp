// The inside views' data (issue 15) from a probe: each layer's output
// quantised per channel to bytes, cut to a byte budget, and the saliency as
// an image. Shared by the trainer (live, between steps) and the app (a
// trained model's probe). No torch here.
#pragma once

#include <cstdint>

#include "core/event.hpp"
#include "core/spec.hpp"
#include "engine/net.hpp"

namespace aisb {

// Fills in.sample, maps, outputs, klass and saliency from `probe` of test
// sample `sample` through `model`'s layers. Flatten and dropout layers are
// left out (in evaluation they show what the layer before showed); layers
// past kInsideMapBytes keep as many channels as fit, at least none.
void fill_probe(Inside& in, const Probe& probe, const ModelSpec& model, const Shape& input_shape, int64_t sample);

}  // namespace aisb
