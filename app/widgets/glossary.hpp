// The glossary: the words of machine learning the app shows, each with a
// short, friendly definition for a high-school student. The words and their
// definitions live in the string tables (assets/i18n), as "glossary.<id>"
// (the word as the app writes it) and "glossary.<id>.text"; this is the list
// of ids, in the order a course meets them. The views show a definition when
// the pointer rests on a metric or a control, and the glossary window lists
// them all. A test keeps both languages complete. Header-only, no UI.
#pragma once

#include <string>
#include <vector>

namespace aisb::glossary {

inline const std::vector<std::string>& terms() {
  static const std::vector<std::string> ids = {
      "neuron",      "weight",
      "activation",  "hidden_layer",
      "feature",     "parameters",
      "task",        "training_set",
      "test_set",    "epoch",
      "batch",       "loss",
      "accuracy",    "mae",
      "r2",          "learning_rate",
      "optimizer",   "gradient",
      "overfitting", "regularization",
      "noise",       "decision_boundary",
      "dense",       "convolution",
      "pooling",     "dropout",
      "lstm",        "confusion_matrix",
      "filter",      "feature_map",
      "saliency",
  };
  return ids;
}

// The string-table keys of a term: its word and its definition.
inline std::string word_key(const std::string& id) {
  return "glossary." + id;
}
inline std::string text_key(const std::string& id) {
  return "glossary." + id + ".text";
}

}  // namespace aisb::glossary
