#include "lesson/lesson_writer.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace aisb {

namespace {

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// Longer text (Markdown) as a multi-line basic string, so it stays readable.
std::string block(const std::string& s) {
  if (s.find('\n') == std::string::npos) return quote(s);
  std::string out = "\"\"\"\n";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"')
      out += "\\\"";
    else if (ch == '\\')
      out += "\\\\";
    else if (ch == '\n' || ch == '\t')
      out += ch;
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      out += buf;
    } else
      out += ch;
  }
  return out + "\"\"\"";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  // The shortest text that reads back as the same double.
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) {
      s = buf;
      break;
    }
  }
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string strings(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quote(v[i]);
  return out + "]";
}

void text(std::ostringstream& o, const std::string& key, const LocalText& t, bool long_text) {
  if (!t.ko.empty()) o << key << ".ko = " << (long_text ? block(t.ko) : quote(t.ko)) << "\n";
  if (!t.en.empty()) o << key << ".en = " << (long_text ? block(t.en) : quote(t.en)) << "\n";
}

std::string layer(const LayerSpec& l) {
  std::ostringstream o;
  o << "{ type = " << quote(l.type);
  if (l.type == "dense" || l.type == "lstm" || l.type == "gru") o << ", units = " << l.units;
  if (l.type == "conv2d") {
    o << ", filters = " << l.filters << ", kernel = " << l.kernel;
    if (l.stride != 1) o << ", stride = " << l.stride;
    if (l.padding != "valid") o << ", padding = " << quote(l.padding);
  }
  if ((l.type == "dense" || l.type == "conv2d") && !l.activation.empty()) o << ", activation = " << quote(l.activation);
  if (l.type == "maxpool2d") o << ", size = " << l.size;
  if (l.type == "dropout") o << ", rate = " << number(l.rate);
  o << " }";
  return o.str();
}

}  // namespace

std::string lesson_id_from(const std::string& name) {
  std::string id;
  for (const char ch : name) {
    const char c = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      id += c;
    else if (!id.empty() && id.back() != '-')
      id += '-';
    if (id.size() >= 60) break;
  }
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id.empty() ? "my-network" : id;
}

std::string write_lesson(const Lesson& l) {
  std::ostringstream o;
  const JobSpec& j = l.job;
  o << "format = " << kFormat << "\n";
  o << "id = " << quote(l.id) << "\n";
  text(o, "title", l.title, false);
  o << "audience = " << quote(l.audience) << "\n";
  if (l.minutes > 0) o << "minutes = " << l.minutes << "\n";
  if (!l.trained.empty()) o << "trained = " << quote(l.trained) << "\n";
  if (!l.tags.empty()) o << "tags = " << strings(l.tags) << "\n";

  o << "\n[dataset]\n";
  o << "source = " << quote(j.dataset.source) << "\n";
  // A file's data is used as it is: how many samples it holds is the file's
  // to say (and its facts, read again from it when the lesson opens).
  const bool file = is_file_source(j.dataset);
  if (!file) {
    o << "samples = " << j.dataset.samples << "\n";
    o << "noise = " << number(j.dataset.noise) << "\n";
  }
  o << "test_fraction = " << number(j.dataset.test_fraction) << "\n";
  o << "seed = " << j.dataset.seed << "\n";
  if (!j.dataset.features.empty()) o << "features = " << strings(j.dataset.features) << "\n";
  if (!j.dataset.target.empty()) o << "target = " << quote(j.dataset.target) << "\n";
  if (is_csv_source(j.dataset)) {
    if (j.dataset.missing != "drop") o << "missing = " << quote(j.dataset.missing) << "\n";
    if (j.dataset.window > 0) {
      o << "window = " << j.dataset.window << "\n";
      if (j.dataset.horizon != 1) o << "horizon = " << j.dataset.horizon << "\n";
      if (!j.dataset.group.empty()) o << "group = " << quote(j.dataset.group) << "\n";
      if (!j.dataset.order.empty()) o << "order = " << quote(j.dataset.order) << "\n";
    }
  }
  if (!j.dataset.size.empty()) {
    o << "size = [";
    for (size_t i = 0; i < j.dataset.size.size(); ++i) o << (i ? ", " : "") << j.dataset.size[i];
    o << "]\nchannels = " << j.dataset.channels << "\n";
  }

  o << "\n[model]\n";
  o << "task = " << quote(j.model.task) << "\n";
  if (!j.model.inputs.empty() && !file) o << "inputs = " << strings(j.model.inputs) << "\n";
  o << "layers = [\n";
  for (const auto& ly : j.model.layers) o << "  " << layer(ly) << ",\n";
  o << "]\n";

  o << "\n[training]\n";
  o << "optimizer = " << quote(j.training.optimizer) << "\n";
  o << "learning_rate = " << number(j.training.learning_rate) << "\n";
  o << "batch_size = " << j.training.batch_size << "\n";
  o << "epochs = " << j.training.epochs << "\n";
  o << "regularization = " << quote(j.training.regularization) << "\n";
  o << "regularization_rate = " << number(j.training.regularization_rate) << "\n";
  o << "seed = " << j.training.seed << "\n";

  if (l.require != "none") o << "\n[navigation]\nrequire = " << quote(l.require) << "\n";

  for (const Step& s : l.steps) {
    o << "\n[[steps]]\n";
    text(o, "text", s.text, true);
    if (!s.view.empty()) o << "view = " << quote(s.view) << "\n";
    if (s.sample) {
      o << "sample = "
        << (s.sample->class_name.empty() ? std::to_string(s.sample->number) : quote(s.sample->class_name)) << "\n";
    }
    if (!s.unlock.empty()) o << "unlock = " << strings(s.unlock) << "\n";
    if (s.goal) {
      o << "goal = { metric = " << quote(s.goal->metric);
      if (s.goal->at_least) o << ", at_least = " << number(*s.goal->at_least);
      if (s.goal->at_most) o << ", at_most = " << number(*s.goal->at_most);
      o << " }\n";
    }
    if (!s.constraints.empty()) {
      o << "constraints = { ";
      bool first = true;
      for (const auto& [k, v] : s.constraints) {
        o << (first ? "" : ", ") << k << " = " << v;
        first = false;
      }
      o << " }\n";
    }
    text(o, "hint", s.hint, true);
    if (s.quiz) {
      const Quiz& q = *s.quiz;
      o << "[steps.quiz]\n";
      text(o, "question", q.question, false);
      if (!q.choices_ko.empty()) o << "choices.ko = " << strings(q.choices_ko) << "\n";
      if (!q.choices_en.empty()) o << "choices.en = " << strings(q.choices_en) << "\n";
      o << "answer = " << q.answer << "\n";
      text(o, "explanation", q.explanation, false);
    }
  }
  return o.str();
}

}  // namespace aisb
