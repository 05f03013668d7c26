#include "widgets/network_layout.hpp"

#include <algorithm>
#include <cmath>

namespace aisb::layout {

Graph layout(const std::vector<int>& sizes, float width, float height, float max_node, const WeightSet* weights,
             float max_link_width) {
  Graph g;
  if (sizes.empty() || width <= 0 || height <= 0) return g;
  const int columns = static_cast<int>(sizes.size());
  const int tallest = std::max(1, *std::max_element(sizes.begin(), sizes.end()));
  const float column_gap = columns > 1 ? width / static_cast<float>(columns) : width;
  // Nodes fill at most 70% of a column's height slot and 45% of its width.
  g.node_size = std::min({max_node, 0.7f * height / static_cast<float>(tallest), 0.45f * column_gap});
  std::vector<int> first(sizes.size());
  for (int l = 0; l < columns; ++l) {
    first[static_cast<size_t>(l)] = static_cast<int>(g.nodes.size());
    const int n = sizes[static_cast<size_t>(l)];
    const float slot = height / static_cast<float>(tallest);
    const float top = 0.5f * (height - slot * static_cast<float>(n));
    for (int i = 0; i < n; ++i) {
      g.nodes.push_back({column_gap * (static_cast<float>(l) + 0.5f), top + slot * (static_cast<float>(i) + 0.5f), l, i});
    }
  }
  float largest = 0;
  for (int l = 1; l < columns; ++l) {
    const NamedTensor* w = nullptr;
    if (weights != nullptr && weights->size() >= 2 * static_cast<size_t>(l)) w = &(*weights)[2 * static_cast<size_t>(l - 1)];
    const int rows = sizes[static_cast<size_t>(l)], cols = sizes[static_cast<size_t>(l - 1)];
    const bool fits = w != nullptr && w->shape == std::vector<int64_t>{rows, cols};
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        Link k;
        k.from = first[static_cast<size_t>(l - 1)] + c;
        k.to = first[static_cast<size_t>(l)] + r;
        if (fits) {
          k.weight = w->data[static_cast<size_t>(r * cols + c)];
          k.param = w->name.c_str();
        }
        k.row = r;
        k.col = c;
        largest = std::max(largest, std::fabs(k.weight));
        g.links.push_back(k);
      }
    }
  }
  for (auto& k : g.links) {
    k.shade = largest > 0 ? k.weight / largest : 0.0f;
    // Width grows with |weight| but stays visible and bounded.
    k.width = 0.5f + (max_link_width - 0.5f) * std::sqrt(std::fabs(k.shade));
  }
  return g;
}

}  // namespace aisb::layout
