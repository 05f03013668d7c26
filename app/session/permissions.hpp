// What a student may change in the current lesson step: the controls its
// `unlock` names, within its `constraints`. The playground (no lesson) allows
// everything. The views ask before drawing a control, so a locked one is not
// shown at all; the checks live here so that tests hold them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/shape.hpp"
#include "core/spec.hpp"
#include "lesson/lesson.hpp"

namespace aisb::app {

struct Permissions {
  bool free = true;
  std::vector<std::string> unlock;
  std::map<std::string, int64_t> constraints;

  static Permissions for_step(const Step& step);
  [[nodiscard]] bool allows(std::string_view control) const;
  [[nodiscard]] std::optional<int64_t> limit(const std::string& constraint) const;
  // Whether one more hidden layer, or one more unit in `layer`, stays within
  // the constraints (and the playground's own bounds: 6 layers of 8).
  [[nodiscard]] bool can_add_layer(const JobSpec& job) const;
  [[nodiscard]] bool can_add_unit(const JobSpec& job, size_t layer) const;
  // The first constraint `job` breaks, or none.
  [[nodiscard]] std::optional<std::string> broken(const JobSpec& job, const ModelInfo& info) const;
};

// Units of every dense, lstm and gru layer together.
int64_t hidden_units(const ModelSpec& model);

inline constexpr int kPlaygroundMaxLayers = 6;
inline constexpr int kPlaygroundMaxUnits = 8;

}  // namespace aisb::app
