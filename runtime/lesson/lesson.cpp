#include "lesson/lesson.hpp"

#include "core/files.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/catalog.hpp"
#include "core/job_reader.hpp"
#include "core/reader.hpp"
#include "lesson/toml_syntax.hpp"

namespace aisb {

namespace names {
const std::vector<std::string> audiences = {"high-school", "university", "teacher"};
const std::vector<std::string> controls = {
    "dataset", "noise",          "test_fraction",       "inputs",    "layers",
    "units",   "activation",     "learning_rate",       "optimizer", "batch_size",
    "epochs",  "regularization", "regularization_rate", "task",      "device",
    "own_data"};
const std::vector<std::string> metrics = {"train_loss", "test_loss", "train_accuracy", "test_accuracy",
                                          "train_mae",  "test_mae",  "test_r2",        "epoch"};
const std::vector<std::string> constraints = {"max_hidden_units", "max_layers", "max_units_per_layer", "max_parameters",
                                              "max_epochs"};
const std::vector<std::string> requirements = {"none", "goals", "quizzes", "both"};
const std::vector<std::string> views = {"model", "filters", "maps", "saliency", "mistakes", "predictions"};
const std::vector<std::string> sample_views = {"maps", "saliency", "predictions"};
}  // namespace names

std::optional<Message> view_problem(const std::string& view, const JobSpec& job) {
  if (view == "filters" || view == "maps" || view == "saliency") {
    const auto& layers = job.model.layers;
    const bool conv = std::any_of(layers.begin(), layers.end(), [](const LayerSpec& l) { return l.type == "conv2d"; });
    if (!conv) return msg("step.view_needs_conv", {view});
    return std::nullopt;
  }
  const bool images = describe_source(job).kind == DataKind::image;
  if (view == "mistakes" && !(images && job.model.task == "classification"))
    return msg("step.view_needs_image_classes");
  if (view == "predictions" && images) return msg("step.view_not_for_images");
  return std::nullopt;
}

std::optional<int64_t> test_split_size(const JobSpec& job) {
  const DatasetSpec& d = job.dataset;
  if (is_file_source(d) && !data_resolved(d)) return std::nullopt;
  return test_samples_of(d.samples, d.test_fraction);
}

const std::string& LocalText::in(std::string_view lang) const {
  if (lang == "ko") return ko.empty() ? en : ko;
  return en.empty() ? ko : en;
}

SourcePosition TomlResult::position_of(const std::string& path) const {
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
    for (size_t i = 0; i < a->size(); ++i)
      arr.push_back(to_json_node((*a)[i], path + "[" + std::to_string(i) + "]", pos));
    return arr;
  }
  if (const auto* v = node.as_integer()) return v->get();
  if (const auto* v = node.as_floating_point()) return v->get();
  if (const auto* v = node.as_boolean()) return v->get();
  if (const auto* v = node.as_string()) return v->get();
  // Dates and times mean nothing in format 1; as text, the reader reports a wrong type.
  return "(a date or time)";
}

// `what`: a "what." phrase of the message table (what needs the text).
LocalText read_text(JsonReader& parent, const std::string& key, bool required, const char* what) {
  LocalText t;
  if (!parent.has(key)) {
    if (required) parent.diags().error(parent.path_of(key), msg("lesson.text_missing", {phrase(what), key}));
    parent.any(key);
    return t;
  }
  const json* v = parent.any(key);
  if (v->is_string()) {
    parent.diags().error(parent.path_of(key), msg("lesson.text_per_language", {key}));
    return t;
  }
  JsonReader r(v, parent.path_of(key), parent.diags());
  t.ko = r.string("ko", "");
  t.en = r.string("en", "");
  r.finish();
  if (v->is_object()) {
    if (t.empty())
      parent.diags().error(parent.path_of(key), msg("lesson.text_empty"));
    else if (t.ko.empty())
      parent.diags().warning(parent.path_of(key), msg("lesson.no_korean", {key}));
    else if (t.en.empty())
      parent.diags().warning(parent.path_of(key), msg("lesson.no_english", {key}));
  }
  return t;
}

// Every Markdown image target in `text`: ![alt](target "title")
void collect_images(const std::string& text, const std::string& path,
                    std::vector<std::pair<std::string, std::string>>& out) {
  size_t at = 0;
  while ((at = text.find("![", at)) != std::string::npos) {
    const size_t close = text.find("](", at + 2);
    if (close == std::string::npos) break;
    const size_t end = text.find(')', close + 2);
    if (end == std::string::npos) break;
    std::string target = text.substr(close + 2, end - close - 2);
    if (const size_t space = target.find(' '); space != std::string::npos) target.resize(space);
    if (!target.empty()) out.emplace_back(target, path);
    at = end;
  }
}

void collect_images(const LocalText& t, const std::string& path,
                    std::vector<std::pair<std::string, std::string>>& out) {
  collect_images(t.ko, path + ".ko", out);
  collect_images(t.en, path + ".en", out);
}

// Goals no run can meet or every run meets: thresholds outside the metric's
// range (95 for an accuracy of 95%), a lower limit on a loss, a lower limit
// above the upper one. Each is an error on the bound's key path.
void check_goal_bounds(const Goal& g, JsonReader& r) {
  if (g.metric.empty()) return;
  const bool fraction = g.metric.find("accuracy") != std::string::npos || g.metric == "test_r2";
  const bool lower_is_better = g.metric.find("loss") != std::string::npos || g.metric.find("mae") != std::string::npos;
  bool reported = false;
  for (const std::string bound : {"at_least", "at_most"}) {
    const std::optional<double>& v = bound == "at_least" ? g.at_least : g.at_most;
    if (!v) continue;
    const std::string value = fmt_number(*v);
    Message problem;
    if (bound == "at_least" && lower_is_better) {
      problem = msg("goal.lower_is_better", {g.metric, value});
    } else if (*v < 0) {
      problem = msg(g.metric == "test_r2" ? "goal.r2_negative" : "goal.negative", {g.metric, bound, value});
    } else if (fraction && *v > 1 && *v <= 100) {
      problem = msg("goal.percent", {g.metric, bound, value, fmt_number(*v / 100)});
    } else if (fraction && *v > 1) {
      problem = msg("goal.above_one", {g.metric, bound, value});
    } else {
      continue;
    }
    r.diags().error(r.path_of(bound), std::move(problem));
    reported = true;
  }
  if (!reported && g.at_least && g.at_most && *g.at_least > *g.at_most) {
    r.diags().error(r.path_of("at_least"), msg("goal.empty_range", {fmt_number(*g.at_least), fmt_number(*g.at_most)}));
  }
}

Goal read_goal(JsonReader& r, const std::string& task) {
  Goal g;
  g.metric = r.choice("metric", "", names::metrics, true);
  if (r.has("at_least")) g.at_least = r.number("at_least", 0, -1e12, 1e12);
  if (r.has("at_most")) g.at_most = r.number("at_most", 0, -1e12, 1e12);
  if (!g.at_least && !g.at_most) r.diags().error(r.path(), msg("goal.needs_bound"));
  const bool accuracy = g.metric.find("accuracy") != std::string::npos;
  const bool regression_metric = g.metric.find("mae") != std::string::npos || g.metric == "test_r2";
  if ((accuracy && task != "classification") || (regression_metric && task != "regression")) {
    r.diags().error(r.path_of("metric"), msg("goal.metric_not_for_task", {g.metric, task}));
  }
  check_goal_bounds(g, r);
  r.finish();
  return g;
}

Quiz read_quiz(JsonReader& r) {
  Quiz q;
  q.question = read_text(r, "question", true, "what.quiz");
  if (const json* c = r.object("choices", true); c != nullptr) {
    JsonReader cr(c, r.path_of("choices"), r.diags());
    q.choices_ko = cr.strings("ko");
    q.choices_en = cr.strings("en");
    cr.finish();
    if (q.choices_ko.empty() && q.choices_en.empty()) {
      r.diags().error(r.path_of("choices"), msg("quiz.no_choices"));
    } else if (!q.choices_ko.empty() && !q.choices_en.empty() && q.choices_ko.size() != q.choices_en.size()) {
      r.diags().error(r.path_of("choices"), msg("quiz.choices_differ", {std::to_string(q.choices_ko.size()),
                                                                        std::to_string(q.choices_en.size())}));
    } else if (std::max(q.choices_ko.size(), q.choices_en.size()) < 2) {
      r.diags().error(r.path_of("choices"), msg("quiz.too_few_choices"));
    }
  }
  const auto n = static_cast<int64_t>(std::max(q.choices_ko.size(), q.choices_en.size()));
  q.answer = static_cast<int>(r.integer("answer", 0, 0, std::max<int64_t>(0, n - 1), true));
  q.explanation = read_text(r, "explanation", false, "what.quiz");
  r.finish();
  return q;
}

// `sample = 12` (the 12th test sample) or `sample = "scratches"` (the first
// test sample of that class): its form and how it goes with the step's view.
// Whether the number or the class exists in the lesson's data is
// check_step_samples' to say.
std::optional<SampleRef> read_sample(JsonReader& r, const std::string& view) {
  const json* v = r.any("sample");
  if (v == nullptr) return std::nullopt;
  SampleRef ref;
  if (v->is_number_integer()) {
    ref.number = v->get<int64_t>();
    if (ref.number < 1) {
      r.diags().error(r.path_of("sample"), msg("step.sample_below_one", {std::to_string(ref.number)}));
      return std::nullopt;
    }
  } else if (v->is_string() && !v->get<std::string>().empty()) {
    ref.class_name = v->get<std::string>();
  } else {
    r.diags().error(r.path_of("sample"), msg("reader.wrong_type", {phrase("type.sample"), json_type_arg(*v)}));
    return std::nullopt;
  }
  if (view.empty()) {
    r.diags().error(r.path_of("sample"), msg("step.sample_needs_view", {list_arg(names::sample_views)}));
  } else if (std::find(names::sample_views.begin(), names::sample_views.end(), view) == names::sample_views.end()) {
    r.diags().error(r.path_of("sample"), msg("step.sample_not_for_view", {view, list_arg(names::sample_views)}));
  }
  return ref;
}

Step read_step(JsonReader& r, const std::string& task) {
  Step s;
  s.text = read_text(r, "text", false, "what.step");
  const bool view_given = r.has("view");
  s.view = r.choice("view", "", names::views);
  // A misspelt view is reported once, not again by what the sample needs.
  if (!view_given || !s.view.empty())
    s.sample = read_sample(r, s.view);
  else
    r.any("sample");
  s.unlock = r.strings("unlock");
  for (size_t i = 0; i < s.unlock.size(); ++i) {
    bool known = false;
    for (const auto& c : names::controls) known = known || c == s.unlock[i];
    if (!known) {
      r.diags().error(r.path_of("unlock") + "[" + std::to_string(i) + "]",
                      msg("step.unknown_control",
                          {s.unlock[i], suggestion(s.unlock[i], names::controls), list_arg(names::controls)}));
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
  s.hint = read_text(r, "hint", false, "what.hint");
  if (const json* q = r.object("quiz"); q != nullptr) {
    JsonReader qr(q, r.path_of("quiz"), r.diags());
    s.quiz = read_quiz(qr);
  }
  if (s.text.empty() && !s.quiz) r.diags().error(r.path(), msg("step.empty"));
  r.finish();
  return s;
}

// Parses TOML into JSON with positions and checks `format`; nullopt when the
// rest of the file should not be read.
std::optional<json> parse_toml(std::string_view text, const std::string& source_name, TomlResult& result) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    // Where the broken construct starts, in plain words (toml_syntax.hpp).
    const auto& b = e.source().begin;
    SyntaxProblem p = explain_toml_error(text, static_cast<int>(std::max<uint32_t>(1, b.line)),
                                         static_cast<int>(std::max<uint32_t>(1, b.column)), e.description());
    result.positions["<toml>"] = {p.line, p.column};
    result.diags.error("<toml>", std::move(p.message));
    return std::nullopt;
  }
  json doc = to_json_node(root, "", result.positions);
  const auto format = doc.find("format");
  if (format == doc.end()) {
    result.diags.error("", msg("lesson.format_missing"));
    return std::nullopt;
  }
  if (!format->is_number_integer() || format->get<int64_t>() != kFormat) {
    result.diags.error("format", msg("job.format_unsupported", {format->dump()}));
    return std::nullopt;
  }
  return doc;
}

// The views the steps open, against the lesson's network and data: each
// problem at the step's `view`.
void check_step_views(const Lesson& l, Diagnostics& diags) {
  for (size_t i = 0; i < l.steps.size(); ++i) {
    if (l.steps[i].view.empty()) continue;
    if (std::optional<Message> problem = view_problem(l.steps[i].view, l.job)) {
      diags.error("steps[" + std::to_string(i) + "].view", std::move(*problem));
    }
  }
}

// The samples the steps show, against the lesson's data: a number within the
// test split, a class the lesson has. Needs the data's facts: for a file
// source, once resolve_data has read them.
void check_step_samples(const Lesson& l, Diagnostics& diags) {
  const std::optional<int64_t> tests = test_split_size(l.job);
  const std::vector<std::string> classes = class_names_of(l.job);
  for (size_t i = 0; i < l.steps.size(); ++i) {
    if (!l.steps[i].sample) continue;
    const SampleRef& ref = *l.steps[i].sample;
    const std::string path = "steps[" + std::to_string(i) + "].sample";
    if (ref.class_name.empty()) {
      if (tests && ref.number > *tests) {
        diags.error(path, msg("step.sample_beyond_test", {std::to_string(ref.number), std::to_string(*tests)}));
      }
    } else if (classes.empty()) {
      diags.error(path, msg("step.sample_no_classes", {ref.class_name}));
    } else if (std::find(classes.begin(), classes.end(), ref.class_name) == classes.end()) {
      diags.error(path, msg("step.sample_unknown_class",
                            {ref.class_name, suggestion(ref.class_name, classes), list_arg(classes)}));
    }
  }
}

}  // namespace

LessonResult parse_lesson(std::string_view text, const std::string& source_name) {
  LessonResult result;
  const std::optional<json> parsed = parse_toml(text, source_name, result);
  if (!parsed) return result;
  const json& doc = *parsed;
  Diagnostics& diags = result.diags;
  JsonReader r(&doc, "", diags);
  r.any("format");
  Lesson& l = result.lesson;
  l.id = r.string("id", "", true);
  if (r.has("id") && !l.id.empty() && !is_valid_id(l.id)) {
    diags.error("id", msg("job.bad_lesson_id", {l.id}));
  }
  l.title = read_text(r, "title", true, "what.lesson");
  l.audience = r.choice("audience", l.audience, names::audiences);
  l.minutes = static_cast<int>(r.integer("minutes", 0, 1, 600));
  l.tags = r.strings("tags");
  l.trained = r.string("trained", "");
  if (!l.trained.empty() && !is_safe_relative_path(l.trained)) {
    diags.error("trained", msg("lesson.trained_outside", {l.trained}));
  }
  l.job.lesson = l.id;
  read_job_tables(r, l.job);
  const bool tables_ok = !diags.has_errors();
  if (const json* steps = r.array("steps"); steps != nullptr) {
    for (size_t i = 0; i < steps->size(); ++i) {
      const std::string path = "steps[" + std::to_string(i) + "]";
      JsonReader sr(&(*steps)[i], path, diags);
      l.steps.push_back(read_step(sr, l.job.model.task));
      collect_images(l.steps.back().text, path + ".text", l.images);
      collect_images(l.steps.back().hint, path + ".hint", l.images);
    }
  }
  // What the steps' views and samples need of the network and the data, once
  // those were read cleanly; a file's classes and count come with its data
  // (load_lesson).
  if (tables_ok) {
    check_step_views(l, diags);
    if (!is_file_source(l.job.dataset)) check_step_samples(l, diags);
  }
  if (const json* nav = r.object("navigation"); nav != nullptr) {
    JsonReader nr(nav, "navigation", diags);
    l.require = nr.choice("require", l.require, names::requirements);
    nr.finish();
  }
  if (const json* solution = r.object("solution"); solution != nullptr) {
    // The solution's model and training override the lesson's, key by key,
    // and the whole is read by the same rules under "solution.".
    JsonReader sr(solution, "solution", diags);
    const json* model = sr.object("model");
    const json* training = sr.object("training");
    sr.finish();
    if (tables_ok) {
      json merged = {{"dataset", doc["dataset"]}, {"model", doc["model"]}, {"training", doc["training"]}};
      if (model != nullptr) merged["model"].update(*model);
      if (training != nullptr) merged["training"].update(*training);
      JsonReader mr(&merged, "solution", diags);
      JobSpec job;
      job.lesson = l.id;
      read_job_tables(mr, job);
      l.solution = job;
    }
  }
  r.finish();
  return result;
}

namespace {

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

LessonResult load_lesson(const std::filesystem::path& file, bool decode_images) {
  const std::optional<std::string> text = read_file(file);
  if (!text) {
    LessonResult r;
    r.diags.error("", msg("file.cannot_read"));
    return r;
  }
  LessonResult r = parse_lesson(*text, utf8_of(file));
  const std::filesystem::path dir = file.parent_path();
  if (r.ok() && is_file_source(r.lesson.job.dataset)) {
    // The data beside the lesson says what the model's inputs and outputs
    // are; the rules that need them run once it is read.
    DataSummary summary;
    if (resolve_data(r.lesson.job, dir, r.diags, &summary, decode_images)) {
      check_shapes(r.lesson.job, r.diags);
      check_step_samples(r.lesson, r.diags);
      r.data = summary;
      if (r.lesson.solution) {
        JobSpec& s = *r.lesson.solution;
        s.dataset = r.lesson.job.dataset;  // the same data, read once
        check_shapes(s, r.diags, "solution.dataset", "solution.model", "solution.training");
      }
    }
  }
  if (r.ok() && !r.lesson.trained.empty()) {
    // The trained weights must be of this lesson's network: the same layers
    // on inputs and outputs of the same shapes; a link must not lead out of
    // the lesson's folder.
    const std::filesystem::path file = dir / path_of_utf8(r.lesson.trained);
    std::error_code ec;
    Diagnostics model_diags;
    if (std::filesystem::exists(file, ec) && !stays_inside(dir, file)) {
      r.diags.error("trained", msg("lesson.trained_outside", {r.lesson.trained}));
    } else if (TrainedModel m = read_model_file(utf8_of(file), model_diags); model_diags.has_errors()) {
      const Diagnostic& d = *std::find_if(model_diags.all().begin(), model_diags.all().end(),
                                          [](const Diagnostic& x) { return x.severity == Severity::error; });
      r.diags.error("trained", msg("lesson.trained_bad", {r.lesson.trained, d.message}));
    } else if (m.job.model != r.lesson.job.model || input_shape(m.job) != input_shape(r.lesson.job) ||
               output_units(m.job) != output_units(r.lesson.job)) {
      r.diags.error("trained", msg("lesson.trained_other_network", {r.lesson.trained}));
    } else {
      r.lesson.trained_model = std::make_shared<const TrainedModel>(std::move(m));
    }
  }
  for (const auto& [target, path] : r.lesson.images) {
    if (target.find("://") != std::string::npos) {
      r.diags.error(path, msg("image.online", {target}));
    } else if (!is_safe_relative_path(target)) {
      r.diags.error(path, msg("image.outside", {target}));
    } else if (std::error_code ec; !std::filesystem::is_regular_file(dir / path_of_utf8(target), ec)) {
      r.diags.warning(path, msg("image.missing", {target, utf8_of(dir / path_of_utf8(target))}));
    }
  }
  return r;
}

std::optional<double> metric_value(const Metrics& m, const std::string& name) {
  if (name == "train_loss") return m.train_loss;
  if (name == "test_loss") return m.test_loss;
  if (name == "train_accuracy") return m.train_accuracy;
  if (name == "test_accuracy") return m.test_accuracy;
  if (name == "train_mae") return m.train_mae;
  if (name == "test_mae") return m.test_mae;
  if (name == "test_r2") return m.test_r2;
  if (name == "epoch") return static_cast<double>(m.epoch);
  return std::nullopt;
}

bool goal_reached(const Goal& goal, const Metrics& m) {
  const std::optional<double> v = metric_value(m, goal.metric);
  if (!v) return false;
  if (goal.at_least && !(*v >= *goal.at_least)) return false;
  if (goal.at_most && !(*v <= *goal.at_most)) return false;
  return true;
}

CourseResult parse_course(std::string_view text, const std::string& source_name) {
  CourseResult result;
  const std::optional<json> parsed = parse_toml(text, source_name, result);
  if (!parsed) return result;
  JsonReader r(&*parsed, "", result.diags);
  r.any("format");
  Course& c = result.course;
  c.id = r.string("id", "", true);
  if (r.has("id") && !c.id.empty() && !is_valid_id(c.id)) {
    result.diags.error("id", msg("course.bad_id", {c.id}));
  }
  c.title = read_text(r, "title", true, "what.course");
  c.lessons = r.strings("lessons", true);
  std::set<std::string> seen;
  for (size_t i = 0; i < c.lessons.size(); ++i) {
    const std::string& f = c.lessons[i];
    const std::string path = "lessons[" + std::to_string(i) + "]";
    if (!is_safe_relative_path(f) || !f.ends_with(".toml")) {
      result.diags.error(path, msg("course.bad_file", {f}));
    } else if (!seen.insert(f).second) {
      result.diags.error(path, msg("course.listed_twice", {f}));
    }
  }
  if (c.lessons.empty() && r.has("lessons")) result.diags.error("lessons", msg("course.no_lessons"));
  r.finish();
  return result;
}

CourseResult load_course(const std::filesystem::path& course_toml) {
  const std::optional<std::string> text = read_file(course_toml);
  if (!text) {
    CourseResult r;
    r.diags.error("", msg("file.cannot_read"));
    return r;
  }
  CourseResult r = parse_course(*text, utf8_of(course_toml));
  for (size_t i = 0; i < r.course.lessons.size(); ++i) {
    const auto& f = r.course.lessons[i];
    if (!is_safe_relative_path(f)) continue;
    if (std::error_code ec; !std::filesystem::is_regular_file(course_toml.parent_path() / path_of_utf8(f), ec)) {
      r.diags.error("lessons[" + std::to_string(i) + "]", msg("course.lesson_missing", {f}));
    }
  }
  return r;
}

namespace {

// GCC's words, in every language: editors look for them.
const char* severity_label(Severity s) {
  return s == Severity::error ? "error: " : s == Severity::warning ? "warning: " : "note: ";
}

}  // namespace

std::string format_diagnostics(const TomlResult& r, const std::string& file, std::string_view lang) {
  std::string out;
  for (const auto& d : r.diags.all()) {
    if (!d.where.empty()) {  // in a data file beside the lesson
      out += d.where + ": " + severity_label(d.severity) + describe_diagnostic(d, lang) + "\n";
      continue;
    }
    const SourcePosition p = r.position_of(d.path);
    // "error:" and "warning:" stay English in every language: editors look for them.
    out += file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + severity_label(d.severity) +
           describe_diagnostic(d, lang) + "\n";
  }
  return out;
}

}  // namespace aisb
