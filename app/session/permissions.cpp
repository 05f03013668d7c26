#include "session/permissions.hpp"

#include <algorithm>

namespace aisb::app {

Permissions Permissions::for_step(const Step& step) {
  Permissions p;
  p.free = false;
  p.unlock = step.unlock;
  p.constraints = step.constraints;
  return p;
}

bool Permissions::allows(std::string_view control) const {
  if (free) return true;
  return std::find(unlock.begin(), unlock.end(), control) != unlock.end();
}

std::optional<int64_t> Permissions::limit(const std::string& constraint) const {
  auto it = constraints.find(constraint);
  if (it == constraints.end()) return std::nullopt;
  return it->second;
}

int64_t hidden_units(const ModelSpec& model) {
  int64_t n = 0;
  for (const auto& l : model.layers) n += l.units;
  return n;
}

bool Permissions::can_add_layer(const JobSpec& job) const {
  const auto layers = static_cast<int64_t>(job.model.layers.size());
  if (layers >= kPlaygroundMaxLayers) return false;
  if (auto m = limit("max_layers"); m && layers + 1 > *m) return false;
  // A new layer starts with two units (as in TensorFlow Playground).
  if (auto m = limit("max_hidden_units"); m && hidden_units(job.model) + 2 > *m) return false;
  return true;
}

bool Permissions::can_add_unit(const JobSpec& job, size_t layer) const {
  if (layer >= job.model.layers.size()) return false;
  const int units = job.model.layers[layer].units;
  if (units >= kPlaygroundMaxUnits) return false;
  if (auto m = limit("max_units_per_layer"); m && units + 1 > *m) return false;
  if (auto m = limit("max_hidden_units"); m && hidden_units(job.model) + 1 > *m) return false;
  return true;
}

std::optional<std::string> Permissions::broken(const JobSpec& job, const ModelInfo& info) const {
  for (const auto& [name, value] : constraints) {
    bool bad = false;
    if (name == "max_hidden_units") bad = hidden_units(job.model) > value;
    if (name == "max_layers") bad = static_cast<int64_t>(job.model.layers.size()) > value;
    if (name == "max_parameters") bad = info.params > value;
    if (name == "max_epochs") bad = job.training.epochs > value;
    if (name == "max_units_per_layer") {
      for (const auto& l : job.model.layers) bad = bad || l.units > value;
    }
    if (bad) return name;
  }
  return std::nullopt;
}

}  // namespace aisb::app
