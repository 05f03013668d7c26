// The words students and teachers read from the runtime and the command line,
// in English and Korean: ONE table of {key, English, Korean} entries with
// {0}, {1}, ... placeholders. The checker's diagnostics carry a key and its
// arguments besides their English text, so each front end renders them in
// its reader's language (the CLI's --lang, the app's language), while the
// center's API answers stay English. The app's own UI words live in
// assets/i18n/ instead; this table is for what the runtime and the CLI say.
// A test holds every entry to non-empty texts with the same placeholders in
// both languages, and every key the code names to an entry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aisb {

// One argument of a message: a value shown as it is (a name, a number, a
// path), a phrase of the table rendered in the reader's language (a type's
// name, a "did you mean"), or a list of values joined the way the language
// joins them ("a, b or c"; "a, b, c").
struct MsgArg {
  enum class Kind { value, phrase, list };
  Kind kind = Kind::value;
  std::string text;                // value: the value; phrase: the entry's key
  std::vector<std::string> items;  // phrase: its arguments; list: the items

  MsgArg() = default;
  MsgArg(std::string v) : text(std::move(v)) {}  // NOLINT: values convert implicitly
  MsgArg(const char* v) : text(v) {}             // NOLINT
  bool operator==(const MsgArg&) const = default;
};

MsgArg phrase(std::string key, std::vector<std::string> args = {});
MsgArg list_arg(std::vector<std::string> items);

// A message of the table with its arguments.
struct Message {
  std::string key;
  std::vector<MsgArg> args;
};

inline Message msg(std::string key, std::vector<MsgArg> args = {}) {
  return {std::move(key), std::move(args)};
}

struct MessageEntry {
  const char* key;
  const char* en;
  const char* ko;
};

const std::vector<MessageEntry>& message_table();
// The entry for `key`, or null.
const MessageEntry* find_message(std::string_view key);

// Languages are "en" and "ko"; anything else reads as English.
// The message in `lang`; an unknown key renders as the key and its arguments
// (visible, never a crash).
std::string render_message(const Message& m, std::string_view lang);
// A table entry with plain arguments, for fixed texts (the CLI's labels).
std::string message_text(std::string_view key, std::string_view lang, const std::vector<std::string>& args = {});

// Replaces {0}, {1}, ... in `pattern` with `args`; other braces stay.
std::string fill_placeholders(std::string_view pattern, const std::vector<std::string>& args);
// The placeholder numbers a pattern uses, sorted and unique (for tests).
std::vector<int> placeholders_of(std::string_view pattern);

// A phrase of the table: " (did you mean 'x'?)" when a candidate is close to
// `word`, else an empty value.
MsgArg suggestion(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace aisb
