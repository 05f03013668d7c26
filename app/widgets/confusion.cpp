#include "widgets/confusion.hpp"

#include <algorithm>
#include <cmath>

namespace aisb::confusion {

Summary summarize(const std::vector<int64_t>& counts, size_t top) {
  Summary s;
  const auto k = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(counts.size()))));
  if (k == 0 || k * k != counts.size()) return s;
  s.classes = static_cast<int>(k);
  s.share.assign(k * k, 0.0f);
  int64_t total = 0, right = 0;
  for (size_t r = 0; r < k; ++r) {
    int64_t row = 0;
    for (size_t c = 0; c < k; ++c) row += counts[r * k + c];
    total += row;
    right += counts[r * k + r];
    for (size_t c = 0; c < k && row > 0; ++c) {
      s.share[r * k + c] = static_cast<float>(static_cast<double>(counts[r * k + c]) / static_cast<double>(row));
    }
    for (size_t c = 0; c < k; ++c) {
      if (c != r && counts[r * k + c] > 0) s.mistakes.push_back({static_cast<int>(r), static_cast<int>(c), counts[r * k + c]});
    }
  }
  s.accuracy = total > 0 ? static_cast<double>(right) / static_cast<double>(total) : 0.0;
  std::stable_sort(s.mistakes.begin(), s.mistakes.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  if (s.mistakes.size() > top) s.mistakes.resize(top);
  return s;
}

}  // namespace aisb::confusion
