#include "lesson/lesson.hpp"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "core/job_reader.hpp"
#include "core/reader.hpp"

namespace aisb {

namespace names {
const std::vector<std::string> audiences = {"high-school", "university", "teacher"};
const std::vector<std::string> controls = {"dataset",      "noise",          "test_fraction", "inputs",
                                           "layers",       "units",          "activation",    "learning_rate",
                                           "optimizer",    "batch_size",     "epochs",        "regularization",
                                           "regularization_rate", "task",    "device"};
const std::vector<std::string> metrics = {"train_loss", "test_loss", "train_accuracy", "test_accuracy",
                                          "train_mae",  "test_mae",  "test_r2",        "epoch"};
const std::vector<std::string> constraints = {"max_hidden_units", "max_layers", "max_units_per_layer",
                                              "max_parameters",   "max_epochs"};
}  // namespace names

const std::string& LocalText::in(std::string_view lang) const {
  if (lang == "ko") return ko.empty() ? en : ko;
  return en.empty() ? ko : en;
}

SourcePosition LessonResult::position_of(const std::string& path) const {
  std::string p = path;
  while (true) {
    if (const auto it = positions.find(p); it != positions.end()) return it->second;
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    p.resize(cut);
  }
  if (const auto it = positions.find(p); it != positions.end()) return it->second;
  return {};
}

namespace {

// TOML -> JSON, remembering where every value started.
json to_json_node(const toml::node& node, const std::string& path, std::map<std::string, SourcePosition>& pos) {
  const auto& src = node.source();
  if (src.begin.line > 0) pos[path] = {static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
  if (const auto* t = node.as_table()) {
    json obj = json::object();
    for (const auto& [key, value] : *t) {
      const std::string k(key.str());
      // A key's own position is better than its value's for "unknown key".
      const std::string child = path.empty() ? k : path + "." + k;
      obj[k] = to_json_node(value, child, pos);
      if (key.source().begin.line > 0) {
        pos[child] = {static_cast<int>(key.source().begin.line), static_cast<int>(key.source().begin.column)};
      }
    }
    return obj;
  }
  if (const auto* a = node.as_array()) {
    json arr = json::array();
    for (size_t i = 0; i < a->size(); ++i) arr.push_back(to_json_node((*a)[i], path + "[" + std::to_string(i) + "]", pos));
    return arr;
  }
  if (const auto* v = node.as_integer()) return v->get();
  if (const auto* v = node.as_floating_point()) return v->get();
  if (const auto* v = node.as_boolean()) return v->get();
  if (const auto* v = node.as_string()) return v->get();
  // Dates and times mean nothing in format 1; as text, the reader reports a wrong type.
  return "(a date or time)";
}

LocalText read_text(JsonReader& parent, const std::string& key, bool required, const std::string& what) {
  LocalText t;
  if (!parent.has(key)) {
    if (required) parent.diags().error(parent.path_of(key), "missing: " + what + " needs " + key + ".ko and/or " + key + ".en");
    parent.any(key);
    return t;
  }
  const json* v = parent.any(key);
  if (v->is_string()) {
    parent.diags().error(parent.path_of(key), "give the text per language: " + key + ".ko = \"...\" and " + key +
                                                  ".en = \"...\"");
    return t;
  }
  JsonReader r(v, parent.path_of(key), parent.diags());
  t.ko = r.string("ko", "");
  t.en = r.string("en", "");
  r.finish();
  if (v->is_object()) {
    if (t.empty()) parent.diags().error(parent.path_of(key), "needs a text in at least one language (ko or en)");
    else if (t.ko.empty()) parent.diags().warning(parent.path_of(key), "has no Korean text (" + key + ".ko)");
    else if (t.en.empty()) parent.diags().warning(parent.path_of(key), "has no English text (" + key + ".en)");
  }
  return t;
}

Goal read_goal(JsonReader& r, const std::string& task) {
  Goal g;
  g.metric = r.choice("metric", "", names::metrics, true);
  if (r.has("at_least")) g.at_least = r.number("at_least", 0, -1e12, 1e12);
  if (r.has("at_most")) g.at_most = r.number("at_most", 0, -1e12, 1e12);
  if (!g.at_least && !g.at_most) r.diags().error(r.path(), "a goal needs at_least or at_most");
  const bool accuracy = g.metric.find("accuracy") != std::string::npos;
  const bool regression_metric = g.metric.find("mae") != std::string::npos || g.metric == "test_r2";
  if ((accuracy && task != "classification") || (regression_metric && task != "regression")) {
    r.diags().error(r.path_of("metric"), "the metric '" + g.metric + "' does not exist for a " + task + " task");
  }
  r.finish();
  return g;
}

Quiz read_quiz(JsonReader& r) {
  Quiz q;
  q.question = read_text(r, "question", true, "a quiz");
  if (const json* c = r.object("choices", true); c != nullptr) {
    JsonReader cr(c, r.path_of("choices"), r.diags());
    q.choices_ko = cr.strings("ko");
    q.choices_en = cr.strings("en");
    cr.finish();
    if (q.choices_ko.empty() && q.choices_en.empty()) {
      r.diags().error(r.path_of("choices"), "a quiz needs choices.ko and/or choices.en");
    } else if (!q.choices_ko.empty() && !q.choices_en.empty() && q.choices_ko.size() != q.choices_en.size()) {
      r.diags().error(r.path_of("choices"), "choices.ko has " + std::to_string(q.choices_ko.size()) +
                                                " choices but choices.en has " + std::to_string(q.choices_en.size()));
    } else if (std::max(q.choices_ko.size(), q.choices_en.size()) < 2) {
      r.diags().error(r.path_of("choices"), "a quiz needs at least two choices");
    }
  }
  const auto n = static_cast<int64_t>(std::max(q.choices_ko.size(), q.choices_en.size()));
  q.answer = static_cast<int>(r.integer("answer", 0, 0, std::max<int64_t>(0, n - 1), true));
  q.explanation = read_text(r, "explanation", false, "a quiz");
  r.finish();
  return q;
}

Step read_step(JsonReader& r, const std::string& task) {
  Step s;
  s.text = read_text(r, "text", false, "a step");
  s.unlock = r.strings("unlock");
  for (size_t i = 0; i < s.unlock.size(); ++i) {
    bool known = false;
    for (const auto& c : names::controls) known = known || c == s.unlock[i];
    if (!known) {
      r.diags().error(r.path_of("unlock") + "[" + std::to_string(i) + "]",
                      "unknown control '" + s.unlock[i] + "'" + did_you_mean(s.unlock[i], names::controls) +
                          "; use " + one_of(names::controls));
    }
  }
  if (const json* g = r.object("goal"); g != nullptr) {
    JsonReader gr(g, r.path_of("goal"), r.diags());
    s.goal = read_goal(gr, task);
  }
  if (const json* c = r.object("constraints"); c != nullptr) {
    JsonReader cr(c, r.path_of("constraints"), r.diags());
    for (const auto& name : names::constraints) {
      if (cr.has(name)) s.constraints[name] = cr.integer(name, 0, 0, 100000000);
    }
    cr.finish();
  }
  s.hint = read_text(r, "hint", false, "a hint");
  if (const json* q = r.object("quiz"); q != nullptr) {
    JsonReader qr(q, r.path_of("quiz"), r.diags());
    s.quiz = read_quiz(qr);
  }
  if (s.text.empty() && !s.quiz) r.diags().error(r.path(), "a step needs a text or a quiz");
  r.finish();
  return s;
}

}  // namespace

LessonResult parse_lesson(std::string_view text, const std::string& source_name) {
  LessonResult result;
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    result.positions["<toml>"] = {static_cast<int>(std::max<uint32_t>(1, b.line)), static_cast<int>(std::max<uint32_t>(1, b.column))};
    result.diags.error("<toml>", "not valid TOML: " + std::string(e.description()));
    return result;
  }
  const json doc = to_json_node(root, "", result.positions);
  Diagnostics& diags = result.diags;
  JsonReader r(&doc, "", diags);
  const json* format = r.any("format");
  if (format == nullptr) {
    diags.error("", "missing: 'format' is required; start the file with format = 1");
    return result;
  }
  if (!format->is_number_integer() || format->get<int64_t>() != kFormat) {
    diags.error("format", "unsupported format " + format->dump() + "; this version reads format 1");
    return result;
  }
  Lesson& l = result.lesson;
  l.id = r.string("id", "", true);
  if (r.has("id") && !l.id.empty() && !is_valid_id(l.id)) {
    diags.error("id", "'" + l.id + "' is not a lesson id: use lower-case letters, digits and '-'");
  }
  l.title = read_text(r, "title", true, "a lesson");
  l.audience = r.choice("audience", l.audience, names::audiences);
  l.minutes = static_cast<int>(r.integer("minutes", 0, 1, 600));
  l.tags = r.strings("tags");
  l.job.lesson = l.id;
  read_job_tables(r, l.job);
  if (const json* steps = r.array("steps"); steps != nullptr) {
    for (size_t i = 0; i < steps->size(); ++i) {
      JsonReader sr(&(*steps)[i], "steps[" + std::to_string(i) + "]", diags);
      l.steps.push_back(read_step(sr, l.job.model.task));
    }
  }
  r.finish();
  return result;
}

LessonResult load_lesson(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    LessonResult r;
    r.diags.error("", "cannot read the file");
    return r;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_lesson(buf.str(), file.string());
}

std::string format_diagnostics(const LessonResult& r, const std::string& file) {
  std::string out;
  for (const auto& d : r.diags.all()) {
    const SourcePosition p = r.position_of(d.path);
    out += file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
           (d.severity == Severity::error ? "error: " : "warning: ");
    if (!d.path.empty() && d.path != "<toml>") out += d.path + ": ";
    out += d.message + "\n";
  }
  return out;
}

}  // namespace aisb
