#include "core/diagnostics.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace aisb {

void Diagnostics::error(std::string path, std::string message) {
  items_.push_back({Severity::error, std::move(path), std::move(message)});
}

void Diagnostics::warning(std::string path, std::string message) {
  items_.push_back({Severity::warning, std::move(path), std::move(message)});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::error;
  }));
}

std::string Diagnostics::first_error() const {
  for (const auto& d : items_) {
    if (d.severity == Severity::error) return d.path.empty() ? d.message : d.path + ": " + d.message;
  }
  return {};
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Close enough to be a slip of the keyboard, not a different word.
  const size_t allowed = std::max<size_t>(1, std::min(word.size(), best.size()) / 3);
  if (best.empty() || best_distance > allowed || best_distance == 0) return {};
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string n = nearest(word, candidates);
  return n.empty() ? std::string{} : " (did you mean '" + n + "'?)";
}

std::string one_of(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace aisb
