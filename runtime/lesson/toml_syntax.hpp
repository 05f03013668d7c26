// Plain words for TOML syntax errors. toml++ reports where it noticed that
// something is wrong, in parser terms; for a `[`, `{`, `"""`, `'''`, `"` or
// `'` that is never closed that is often lines after the mistake (the next
// key read as part of a list that never ended, the next text's `"""` taken as
// the end of this one). A small scan of the source finds where the broken
// construct starts, so the checker can name that line and say what to close.
// Other errors keep the parser's position, with its words made plainer.
#pragma once

#include <optional>
#include <string_view>

#include "core/messages.hpp"

namespace aisb {

struct SyntaxProblem {
  int line = 1;
  int column = 1;  // in characters, as toml++ counts them
  Message message;
};

// The first construct the source opens and never closes, if the scan finds one.
std::optional<SyntaxProblem> find_unclosed(std::string_view text);

// What to report for a parse error toml++ found at (line, column) with
// `description`: the unclosed construct before it, else the parser's own
// position with plainer words.
SyntaxProblem explain_toml_error(std::string_view text, int line, int column, std::string_view description);

}  // namespace aisb
