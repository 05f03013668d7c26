// Where the network graph puts its neurons and links, and how a link shows
// its weight (width from magnitude, colour from sign). No UI.
#pragma once

#include <vector>

#include "core/event.hpp"

namespace aisb::layout {

struct Node {
  float x = 0, y = 0;  // centre
  int layer = 0;       // 0 = inputs
  int index = 0;
};

struct Link {
  int from = 0, to = 0;  // indices into nodes
  float weight = 0;
  float width = 1;       // in the same units as the box
  float shade = 0;       // weight / the largest |weight|, in [-1, 1], for the colour
  const char* param = nullptr;  // which weight tensor it comes from
  int row = 0, col = 0;         // and where in it (for hover and editing)
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<Link> links;
  float node_size = 0;
};

// Lays out `sizes` (inputs, each hidden layer, outputs) in a box: layers in
// evenly spaced columns, neurons centred in each column, square nodes as
// large as fits (at most `max_node`). With `weights` (dense layers, as in a
// snapshot) the links between neighbouring layers carry them.
Graph layout(const std::vector<int>& sizes, float width, float height, float max_node,
             const WeightSet* weights = nullptr, float max_link_width = 6.0f);

}  // namespace aisb::layout
