// The arithmetic of the confusion-matrix view: row shares (what fraction of
// each true class went where) and the most frequent mistakes, for a sentence
// like "3 is most often taken for 8". No UI.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace aisb::confusion {

struct Summary {
  int classes = 0;
  std::vector<float> share;  // classes x classes, each row sums to 1 (or 0 for an empty row)
  double accuracy = 0.0;
  struct Mistake {
    int truth = 0, predicted = 0;
    int64_t count = 0;
  };
  std::vector<Mistake> mistakes;  // off the diagonal, most frequent first, at most `top`
};

// `counts` is classes x classes, row-major; an empty or non-square input
// gives classes = 0.
Summary summarize(const std::vector<int64_t>& counts, size_t top = 3);

}  // namespace aisb::confusion
