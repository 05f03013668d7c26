// The app's words in Korean and English: flat JSON string tables in
// assets/i18n/<lang>.json, looked up by key. A key missing from the chosen
// language falls back to English, then to the key itself (so a gap shows as
// a readable name, never as a crash); a test keeps both tables complete and
// free of unused keys. No UI.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aisb::i18n {

class Strings {
 public:
  // Reads <dir>/<lang>.json and <dir>/en.json. Throws std::runtime_error with
  // the file and the reason when a table cannot be read.
  void load(const std::filesystem::path& dir, const std::string& lang);
  // From JSON text (for tests): `primary` over `fallback`.
  void load_text(std::string_view primary, std::string_view fallback, const std::string& lang);

  [[nodiscard]] const std::string& lang() const { return lang_; }
  // The text for `key`; the pointer stays valid until the next load.
  [[nodiscard]] const char* get(std::string_view key) const;
  // The same with {0}, {1}, ... replaced by `args`.
  [[nodiscard]] std::string format(std::string_view key, const std::vector<std::string>& args) const;
  [[nodiscard]] bool has(std::string_view key) const;
  // Every character the tables use, for building font atlases.
  [[nodiscard]] std::string all_text() const;

 private:
  std::string lang_ = "en";
  std::unordered_map<std::string, std::string> primary_, fallback_;
  mutable std::unordered_map<std::string, std::string> missing_;
};

// Reads a flat {"key": "text"} table; throws std::runtime_error naming
// `source` and the problem.
std::unordered_map<std::string, std::string> parse_table(std::string_view json_text, const std::string& source);

// The language to start in: `requested` when it is ko or en, else from the
// locale in $LANG / $LC_ALL / $LC_MESSAGES (ko... means Korean), else en.
std::string pick_language(const std::string& requested);

// Replaces {0}, {1}, ... in `pattern`.
std::string substitute(std::string_view pattern, const std::vector<std::string>& args);

}  // namespace aisb::i18n
