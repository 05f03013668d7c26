#include "core/json_text.hpp"

namespace aisb {

size_t json_too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

nlohmann::json parse_json(std::string_view text, std::string* why, int max_depth) {
  if (const size_t at = json_too_deep_at(text, max_depth); at != std::string_view::npos) {
    if (why != nullptr) {
      *why = "nested deeper than " + std::to_string(max_depth) + " levels (at byte " + std::to_string(at) + ")";
    }
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() && why != nullptr) *why = "not valid JSON";
  return j;
}

}  // namespace aisb
