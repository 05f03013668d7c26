#include "core/reader.hpp"

#include <cmath>
#include <cstdint>

namespace aisb {

std::string describe_json_type(const json& v) {
  return message_text(json_type_arg(v).text, "en");
}

MsgArg json_type_arg(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return phrase("type.nothing");
    case json::value_t::boolean:
      return phrase("type.boolean");
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return phrase("type.integer");
    case json::value_t::number_float:
      return phrase("type.number");
    case json::value_t::string:
      return phrase("type.string");
    case json::value_t::array:
      return phrase("type.list");
    case json::value_t::object:
      return phrase("type.table");
    default:
      return phrase("type.other");
  }
}

std::string fmt_number(double v) {
  std::string s = json(v).dump();
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

JsonReader::JsonReader(const json* obj, std::string path, Diagnostics& diags)
    : obj_(obj), path_(std::move(path)), diags_(diags) {
  if (obj_ != nullptr && !obj_->is_object()) {
    diags_.error(path_, msg("reader.wrong_type", {phrase("type.table"), json_type_arg(*obj_)}));
    obj_ = nullptr;
  }
}

std::string JsonReader::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool JsonReader::has(const std::string& key) {
  known_.push_back(key);
  return obj_ != nullptr && obj_->contains(key);
}

const json* JsonReader::get(const std::string& key, bool required) {
  known_.push_back(key);
  if (obj_ != nullptr) {
    auto it = obj_->find(key);
    if (it != obj_->end()) return &*it;
  }
  if (required) diags_.error(path_of(key), msg("reader.missing", {key}));
  return nullptr;
}

void JsonReader::wrong_type(const std::string& key, const char* expected, const json& got) {
  diags_.error(path_of(key), msg("reader.wrong_type", {phrase(expected), json_type_arg(got)}));
}

int64_t JsonReader::integer(const std::string& key, int64_t def, int64_t min, int64_t max, bool required) {
  const json* v = get(key, required);
  if (v == nullptr) return def;
  int64_t x = 0;
  if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    x = u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  } else if (v->is_number_integer()) {
    x = v->get<int64_t>();
  } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
             v->get<double>() == std::floor(v->get<double>()) && std::fabs(v->get<double>()) < 9e15) {
    x = static_cast<int64_t>(v->get<double>());  // 10.0 from a JSON client is still ten
  } else {
    wrong_type(key, "type.whole_number", *v);
    return def;
  }
  if (x < min || x > max) {
    diags_.error(path_of(key), msg("reader.between", {std::to_string(min), std::to_string(max), std::to_string(x)}));
    return def;
  }
  return x;
}

double JsonReader::number(const std::string& key, double def, double min, double max, bool min_exclusive,
                          bool required) {
  const json* v = get(key, required);
  if (v == nullptr) return def;
  if (!v->is_number()) {
    wrong_type(key, "type.number", *v);
    return def;
  }
  const double x = v->get<double>();
  const bool low = min_exclusive ? !(x > min) : !(x >= min);
  if (!std::isfinite(x) || low || x > max) {
    diags_.error(path_of(key), msg(min_exclusive ? "reader.above_and_at_most" : "reader.at_least_and_at_most",
                                   {fmt_number(min), fmt_number(max), fmt_number(x)}));
    return def;
  }
  return x;
}

std::string JsonReader::string(const std::string& key, const std::string& def, bool required) {
  const json* v = get(key, required);
  if (v == nullptr) return def;
  if (!v->is_string()) {
    wrong_type(key, "type.string", *v);
    return def;
  }
  return v->get<std::string>();
}

std::string JsonReader::choice(const std::string& key, const std::string& def, const std::vector<std::string>& allowed,
                               bool required) {
  const json* v = get(key, required);
  if (v == nullptr) return def;
  if (!v->is_string()) {
    wrong_type(key, "type.string", *v);
    return def;
  }
  const auto s = v->get<std::string>();
  for (const auto& a : allowed) {
    if (a == s) return s;
  }
  diags_.error(path_of(key), msg("reader.unknown_value", {s, suggestion(s, allowed), list_arg(allowed)}));
  return def;
}

std::vector<std::string> JsonReader::strings(const std::string& key, bool required) {
  const json* v = get(key, required);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (!v->is_array()) {
    wrong_type(key, "type.list_of_strings", *v);
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      diags_.error(path_of(key) + "[" + std::to_string(i) + "]",
                   msg("reader.wrong_type", {phrase("type.string"), json_type_arg((*v)[i])}));
      continue;
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

const json* JsonReader::object(const std::string& key, bool required) {
  const json* v = get(key, required);
  if (v != nullptr && !v->is_object()) {
    wrong_type(key, "type.table", *v);
    return nullptr;
  }
  return v;
}

const json* JsonReader::array(const std::string& key, bool required) {
  const json* v = get(key, required);
  if (v != nullptr && !v->is_array()) {
    wrong_type(key, "type.list", *v);
    return nullptr;
  }
  return v;
}

const json* JsonReader::any(const std::string& key) {
  return get(key, false);
}

void JsonReader::finish() {
  if (obj_ == nullptr) return;
  for (const auto& [key, value] : obj_->items()) {
    bool known = false;
    for (const auto& k : known_) known = known || k == key;
    if (!known) {
      std::vector<std::string> uniq(known_.begin(), known_.end());
      diags_.error(path_of(key), msg("reader.unknown_key", {key, suggestion(key, uniq)}));
    }
  }
}

}  // namespace aisb
