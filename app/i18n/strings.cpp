#include "i18n/strings.hpp"

#include "core/files.hpp"
#include "core/messages.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace aisb::i18n {

std::unordered_map<std::string, std::string> parse_table(std::string_view json_text, const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::runtime_error(source + ": not valid JSON");
  if (!j.is_object()) throw std::runtime_error(source + ": expected an object of \"key\": \"text\" pairs");
  std::unordered_map<std::string, std::string> table;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) throw std::runtime_error(source + ": " + key + ": expected a string");
    table.emplace(key, value.get<std::string>());
  }
  return table;
}

namespace {
std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

void Strings::load(const std::filesystem::path& dir, const std::string& lang) {
  const std::string fallback = read_file(dir / "en.json");
  const std::filesystem::path file = dir / path_of_utf8(lang + ".json");
  const std::string primary = lang == "en" ? fallback : read_file(file);
  primary_ = parse_table(primary, utf8_of(file));
  fallback_ = lang == "en" ? primary_ : parse_table(fallback, (dir / "en.json").string());
  lang_ = lang;
  missing_.clear();
}

void Strings::load_text(std::string_view primary, std::string_view fallback, const std::string& lang) {
  primary_ = parse_table(primary, lang + ".json");
  fallback_ = parse_table(fallback, "en.json");
  lang_ = lang;
  missing_.clear();
}

const char* Strings::get(std::string_view key) const {
  const std::string k(key);
  if (auto it = primary_.find(k); it != primary_.end()) return it->second.c_str();
  if (auto it = fallback_.find(k); it != fallback_.end()) return it->second.c_str();
  return missing_.try_emplace(k, k).first->second.c_str();
}

std::string Strings::format(std::string_view key, const std::vector<std::string>& args) const {
  return substitute(get(key), args);
}

bool Strings::has(std::string_view key) const {
  return primary_.count(std::string(key)) != 0;
}

std::string Strings::all_text() const {
  std::string all;
  for (const auto* table : {&primary_, &fallback_})
    for (const auto& [k, v] : *table) all += v;
  return all;
}

std::string pick_language(const std::string& requested) {
  if (requested == "ko" || requested == "en") return requested;
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v == nullptr || *v == '\0') continue;
    return std::string_view(v).substr(0, 2) == "ko" ? "ko" : "en";
  }
  return "en";
}

std::string substitute(std::string_view pattern, const std::vector<std::string>& args) {
  return fill_placeholders(pattern, args);  // the runtime's messages fill theirs the same way
}

}  // namespace aisb::i18n
