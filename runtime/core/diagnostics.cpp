#include "core/diagnostics.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace aisb {

void Diagnostics::error(std::string path, std::string message) {
  items_.push_back({Severity::error, std::move(path), std::move(message), {}, {}});
}

void Diagnostics::warning(std::string path, std::string message) {
  items_.push_back({Severity::warning, std::move(path), std::move(message), {}, {}});
}

void Diagnostics::error(std::string path, Message m) {
  std::string english = render_message(m, "en");
  items_.push_back({Severity::error, std::move(path), std::move(english), std::move(m.key), std::move(m.args)});
}

void Diagnostics::warning(std::string path, Message m) {
  std::string english = render_message(m, "en");
  items_.push_back({Severity::warning, std::move(path), std::move(english), std::move(m.key), std::move(m.args)});
}

void Diagnostics::note(std::string path, Message m) {
  std::string english = render_message(m, "en");
  items_.push_back({Severity::note, std::move(path), std::move(english), std::move(m.key), std::move(m.args)});
}

void Diagnostics::add(Diagnostic d) {
  items_.push_back(std::move(d));
}

size_t Diagnostics::warning_count() const {
  return static_cast<size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::warning; }));
}

bool Diagnostics::has_errors() const {
  return error_count() > 0;
}

size_t Diagnostics::error_count() const {
  return static_cast<size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::string Diagnostics::first_error() const {
  for (const auto& d : items_) {
    if (d.severity != Severity::error) continue;
    if (!d.where.empty()) return d.where + ": " + d.message;
    return d.path.empty() ? d.message : d.path + ": " + d.message;
  }
  return {};
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and swaps
  // of two neighbours ("trian" -> "train") each count as one edit.
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
  std::iota(prev.begin(), prev.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    before.swap(prev);
    prev.swap(row);
  }
  return prev[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Close enough to be a slip of the keyboard, not a different word.
  const size_t allowed = std::max<size_t>(1, std::min(word.size(), best.size()) / 3);
  if (best.empty() || best_distance > allowed || best_distance == 0) return {};
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string n = nearest(word, candidates);
  return n.empty() ? std::string{} : " (did you mean '" + n + "'?)";
}

std::string one_of(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string render_diagnostic(const Diagnostic& d, std::string_view lang) {
  if (d.key.empty() || lang != "ko") return d.message;
  return render_message({d.key, d.args}, lang);
}

std::string path_label(const std::string& path, std::string_view lang) {
  if (lang != "ko" || path.empty()) return path;
  // The last key of the path, without its index: "model.layers[0]" -> "layers".
  std::string last = path.substr(path.find_last_of('.') == std::string::npos ? 0 : path.find_last_of('.') + 1);
  if (const size_t bracket = last.find('['); bracket != std::string::npos) last.resize(bracket);
  const MessageEntry* e = find_message("field." + last);
  return e == nullptr ? path : std::string(e->ko) + "(" + path + ")";
}

std::string describe_diagnostic(const Diagnostic& d, std::string_view lang) {
  const std::string text = render_diagnostic(d, lang);
  if (d.path.empty() || d.path == "<toml>") return text;
  // An unknown key's path is what the author wrote, not a key with a name.
  const std::string label = d.key == "reader.unknown_key" ? d.path : path_label(d.path, lang);
  return label + ": " + text;
}

}  // namespace aisb
