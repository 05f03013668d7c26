#include "lesson/toml_syntax.hpp"

#include <cctype>
#include <string>
#include <vector>

namespace aisb {

namespace {

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

// A line (without its newline) that starts a key = value pair: a bare or
// dotted key, spaces, then a single '='.
bool looks_like_key_value(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  const size_t key_start = i;
  while (i < line.size() && (is_key_char(line[i]) || line[i] == '.' || line[i] == ' ' || line[i] == '\t' ||
                             line[i] == '"' || line[i] == '\'')) {
    ++i;
  }
  if (i == key_start || i >= line.size() || line[i] != '=') return false;
  return i + 1 >= line.size() || line[i + 1] != '=';
}

// A line that is a table header: [name], [[name]], [a.b].
bool looks_like_header(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i >= line.size() || line[i] != '[') return false;
  ++i;
  if (i < line.size() && line[i] == '[') ++i;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size() || std::isalpha(static_cast<unsigned char>(line[i])) == 0) return false;
  const size_t name_start = i;
  while (i < line.size() && (is_key_char(line[i]) || line[i] == '.')) ++i;
  const std::string_view name = line.substr(name_start, i - name_start);
  // Values a nested list might hold on a line of its own.
  if (name == "true" || name == "false" || name == "inf" || name == "nan") return false;
  while (i < line.size() && line[i] == ' ') ++i;
  return i < line.size() && line[i] == ']';
}

// The text before position `at` on its line only holds "key =" (and spaces):
// a closing quote there is really the opening of the next key's text.
bool only_key_before(std::string_view text, size_t at) {
  const size_t start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const std::string_view before = text.substr(start == std::string_view::npos ? 0 : start + 1,
                                              at - (start == std::string_view::npos ? 0 : start + 1));
  size_t end = before.size();
  while (end > 0 && (before[end - 1] == ' ' || before[end - 1] == '\t')) --end;
  return end > 0 && before[end - 1] == '=' && looks_like_key_value(before.substr(0, end));
}

struct Opening {
  char kind;  // '[' or '{'
  int line;
  int column;
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<SyntaxProblem> run() {
    bool after_equals = false;  // at the top level: this line's value has started
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '#') {
        while (at_ < text_.size() && text_[at_] != '\n') advance();
        continue;
      }
      if (c == '\n') {
        if (!open_.empty() && open_.back().kind == '{') return unclosed(open_.back());
        advance();
        if (open_.empty()) {
          after_equals = false;
        } else if (const std::string_view next = current_line();
                   looks_like_key_value(next) || looks_like_header(next)) {
          return unclosed(open_.back());  // the next key came while the list was still open
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        if (auto p = string(c)) return p;
        continue;
      }
      if (c == '=' && open_.empty()) after_equals = true;
      if (c == '[' && open_.empty() && !after_equals) {
        if (auto p = header()) return p;
        continue;
      }
      if (c == '[' || c == '{') open_.push_back({c, line_, column_});
      if ((c == ']' || c == '}') && !open_.empty() && open_.back().kind == (c == ']' ? '[' : '{')) open_.pop_back();
      advance();
    }
    if (!open_.empty()) return unclosed(open_.back());
    return std::nullopt;
  }

 private:
  void advance() {
    if (text_[at_] == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(text_[at_]) & 0xC0) != 0x80) {
      ++column_;
    }
    ++at_;
  }
  void advance(size_t n) {
    for (size_t i = 0; i < n && at_ < text_.size(); ++i) advance();
  }

  std::string_view current_line() const {
    size_t end = text_.find('\n', at_);
    if (end == std::string_view::npos) end = text_.size();
    return text_.substr(at_, end - at_);
  }

  static SyntaxProblem unclosed(const Opening& o) {
    if (o.kind == '{') return {o.line, o.column, msg("toml.unclosed_inline_table", {std::to_string(o.line)})};
    return {o.line, o.column, msg("toml.unclosed_list", {std::to_string(o.line)})};
  }

  // A table header: its `]` (or `]]`) must come on the same line.
  std::optional<SyntaxProblem> header() {
    const int line = line_, column = column_;
    const bool array = at_ + 1 < text_.size() && text_[at_ + 1] == '[';
    const std::string_view rest = current_line();
    const size_t close = rest.find(array ? "]]" : "]", array ? 2 : 1);
    if (close == std::string_view::npos) {
      return SyntaxProblem{line, column, msg("toml.unclosed_header", {std::to_string(line), array ? "]]" : "]"})};
    }
    advance(close + (array ? 2 : 1));
    return std::nullopt;
  }

  // A string of either kind, from its opening quote to past its closing one.
  std::optional<SyntaxProblem> string(char quote) {
    const int line = line_, column = column_;
    const std::string three(3, quote);
    const bool basic = quote == '"';
    if (text_.substr(at_, 3) == three) {
      advance(3);
      while (at_ < text_.size()) {
        if (basic && text_[at_] == '\\') {
          advance(2);
          continue;
        }
        if (text_.substr(at_, 3) == three) {
          // Up to two more quotes belong to the text.
          size_t run = 3;
          while (at_ + run < text_.size() && text_[at_ + run] == quote && run < 5) ++run;
          if (line_ > line && only_key_before(text_, at_)) break;  // the next text's opening
          advance(run);
          return std::nullopt;
        }
        advance();
      }
      return SyntaxProblem{line, column, msg("toml.unclosed_text", {std::to_string(line), three})};
    }
    advance();
    while (at_ < text_.size() && text_[at_] != '\n') {
      if (basic && text_[at_] == '\\') {
        advance();
        if (at_ < text_.size() && text_[at_] != '\n') advance();
        continue;
      }
      if (text_[at_] == quote) {
        advance();
        return std::nullopt;
      }
      advance();
    }
    return SyntaxProblem{line, column, msg("toml.unclosed_string", {std::to_string(line), std::string(1, quote)})};
  }

  std::string_view text_;
  size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::vector<Opening> open_;
};

// The last '...' quoted name in a parser message.
std::string quoted_name(std::string_view description) {
  const size_t end = description.rfind('\'');
  if (end == std::string_view::npos || end == 0) return {};
  const size_t start = description.rfind('\'', end - 1);
  if (start == std::string_view::npos) return {};
  return std::string(description.substr(start + 1, end - start - 1));
}

Message plain_words(std::string_view d) {
  const auto has = [&](std::string_view s) { return d.find(s) != std::string_view::npos; };
  if (has("could not determine value type")) return msg("toml.bad_value");
  if (has("expected '='")) return msg("toml.expected_equals");
  if (has("expected value")) return msg("toml.missing_value");
  if (has("cannot redefine existing") || has("already been defined") || has("already defined")) {
    if (std::string name = quoted_name(d); !name.empty()) return msg("toml.defined_twice", {name});
  }
  if (has("expected comma or closing ']'")) return msg("toml.list_comma");
  if (has("expected a comment or whitespace")) return msg("toml.extra_after_value");
  return msg("toml.invalid", {std::string(d)});
}

}  // namespace

std::optional<SyntaxProblem> find_unclosed(std::string_view text) {
  return Scanner(text).run();
}

SyntaxProblem explain_toml_error(std::string_view text, int line, int column, std::string_view description) {
  if (std::optional<SyntaxProblem> p = find_unclosed(text);
      p && (p->line < line || (p->line == line && p->column <= column))) {
    return *p;
  }
  return {line, column, plain_words(description)};
}

}  // namespace aisb
