// Diagnostics: what the one validator answers with. Each problem names the
// key path of what is wrong (`model.layers[0].units`) so that every front end
// (the lesson checker with line:column, the center with a 422, the app next to
// a control) can point at it. Each also carries its entry in the message
// table (core/messages.hpp) and that entry's arguments, so that a front end
// can say it in its reader's language; `message` stays English (the center's
// API answers with it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/messages.hpp"

namespace aisb {

// A note reports what was done (rows of a teacher's file left out): not a
// problem, never counted as one, always shown.
enum class Severity { error, warning, note };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string path;          // key path, e.g. "training.learning_rate"; empty for the whole file
  std::string message;       // says what is wrong and, where it can, what would be right (English)
  std::string key;           // its message-table entry; empty for an English-only message
  std::vector<MsgArg> args;  // the entry's arguments
  // A place outside the lesson file that is wrong: a data file's "FILE:LINE"
  // or an image's path, relative to where the lesson was read from. Shown
  // instead of the lesson's FILE:LINE:COL; `path` then is empty.
  std::string where = {};
};

class Diagnostics {
 public:
  // English only: for messages no student or teacher reads.
  void error(std::string path, std::string message);
  void warning(std::string path, std::string message);
  // A message of the table, in every language.
  void error(std::string path, Message m);
  void warning(std::string path, Message m);
  void note(std::string path, Message m);
  void add(Diagnostic d);
  [[nodiscard]] bool has_errors() const;
  [[nodiscard]] size_t error_count() const;
  [[nodiscard]] size_t warning_count() const;
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
  // First error as "path: message", for one-line reports.
  [[nodiscard]] std::string first_error() const;

 private:
  std::vector<Diagnostic> items_;
};

// Edit distance, for "did you mean" suggestions; swapping two neighbouring
// letters counts as one edit.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely
// misspelling; empty otherwise.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b or c"
std::string one_of(const std::vector<std::string>& names);

// The diagnostic's message in `lang` ("en" or "ko"): its table entry when it
// has one, else its English message.
std::string render_diagnostic(const Diagnostic& d, std::string_view lang);
// A key path as a reader of `lang` sees it: the path itself in English; in
// Korean with the key's name first when the table has one
// ("학습률(training.learning_rate)").
std::string path_label(const std::string& path, std::string_view lang);
// "PATH: MESSAGE" (or just the message for the whole file) in `lang`.
std::string describe_diagnostic(const Diagnostic& d, std::string_view lang);

}  // namespace aisb
