// Diagnostics: what the one validator answers with. Each problem names the
// key path of what is wrong (`model.layers[0].units`) so that every front end
// (the lesson checker with line:column, the center with a 422, the app next to
// a control) can point at it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aisb {

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string path;     // key path, e.g. "training.learning_rate"; empty for the whole file
  std::string message;  // says what is wrong and, where it can, what would be right
};

class Diagnostics {
 public:
  void error(std::string path, std::string message);
  void warning(std::string path, std::string message);
  [[nodiscard]] bool has_errors() const;
  [[nodiscard]] size_t error_count() const;
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
  // First error as "path: message", for one-line reports.
  [[nodiscard]] std::string first_error() const;

 private:
  std::vector<Diagnostic> items_;
};

// Edit distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely
// misspelling; empty otherwise.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b or c"
std::string one_of(const std::vector<std::string>& names);

}  // namespace aisb
