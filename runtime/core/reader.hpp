// JsonReader: reads one JSON object field by field, checking type and range
// and recording every problem with its key path. The job spec, the lesson file
// (through its JSON form) and later the center's request bodies are all read
// with it, so that a rule is written once.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostics.hpp"

namespace aisb {

using json = nlohmann::json;

class JsonReader {
 public:
  // `obj` may be null: every read then returns its default (or reports a
  // missing required key against `path`).
  JsonReader(const json* obj, std::string path, Diagnostics& diags);

  [[nodiscard]] bool has(const std::string& key);
  [[nodiscard]] std::string path_of(const std::string& key) const;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] Diagnostics& diags() { return diags_; }

  int64_t integer(const std::string& key, int64_t def, int64_t min, int64_t max, bool required = false);
  double number(const std::string& key, double def, double min, double max, bool min_exclusive = false,
                bool required = false);
  std::string string(const std::string& key, const std::string& def, bool required = false);
  std::string choice(const std::string& key, const std::string& def, const std::vector<std::string>& allowed,
                     bool required = false);
  std::vector<std::string> strings(const std::string& key, bool required = false);
  // The value of an object or array key, or null when absent or of the wrong type.
  const json* object(const std::string& key, bool required = false);
  const json* array(const std::string& key, bool required = false);
  // Any value; marks the key as known.
  const json* any(const std::string& key);

  // Reports every key that was never asked for, with the nearest known one.
  void finish();

 private:
  const json* get(const std::string& key, bool required);
  // `expected`: a "type." phrase of the message table.
  void wrong_type(const std::string& key, const char* expected, const json& got);

  const json* obj_;
  std::string path_;
  Diagnostics& diags_;
  std::vector<std::string> known_;
};

std::string describe_json_type(const json& v);
// The same as a phrase of the message table, for messages in every language.
MsgArg json_type_arg(const json& v);
// A number as messages show it: the shortest text that reads back the same ("0.95", "20").
std::string fmt_number(double v);

}  // namespace aisb
