// A trained model from the command line: `predict` asks it about new inputs
// (SPEC.md section 1, docs/model-format.md "Inputs"), `model JOB -o FILE`
// fetches one from the center.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/usage.hpp"
#include "core/catalog.hpp"
#include "core/files.hpp"
#include "core/messages.hpp"
#include "core/trained_model.hpp"
#include "data/csv_table.hpp"
#include "data/image_folder.hpp"
#include "engine/predict.hpp"

namespace aisb::cli {

namespace fs = std::filesystem;

namespace {

// At most this many predictions in one call: a folder of a class's photos
// fits, a mistaken `/` does not run for an hour.
constexpr size_t kMaxSamples = 200000;
// Entries a folder walk looks at (files of any kind and folders).
constexpr int64_t kMaxFolderEntries = 200000;

struct Samples {
  std::vector<std::string> labels;
  std::vector<float> raw;
};

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string read_bounded(const fs::path& file, int64_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file.string() + ": " + message_text("predict.cannot_read", language()));
  std::string bytes;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    bytes.append(buf, static_cast<size_t>(in.gcount()));
    if (static_cast<int64_t>(bytes.size()) > max_bytes) {
      throw InputError(file.string() + ": " +
                       message_text("predict.too_big", language(), {std::to_string(max_bytes >> 20)}));
    }
  }
  return bytes;
}

void add_image(const Predictor& p, const fs::path& file, const std::string& label, Samples& out) {
  const Shape& shape = p.input_shape();
  if (shape.size() != 3) throw InputError(label + ": " + message_text("predict.not_for_images", language()));
  const std::string bytes = read_bounded(file, image_limits::max_file_bytes);
  std::string why;
  const auto pixels =
      decode_image(bytes, static_cast<int>(shape[1]), static_cast<int>(shape[2]), static_cast<int>(shape[0]), &why);
  if (!pixels) throw InputError(label + ": " + message_text("predict.bad_image", language(), {why}));
  out.labels.push_back(label);
  out.raw.insert(out.raw.end(), pixels->begin(), pixels->end());
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// What a data row's cell gives an input: a number, or nothing (an empty
// cell, a number a float cannot hold). Names the data row when it cannot.
std::optional<float> cell(const CsvTable& t, const CsvColumn& c, int64_t r, const std::string& name,
                          const std::string& input) {
  const auto at = static_cast<size_t>(r);
  if (input.size() > c.name.size()) {  // one-hot: "column=value"; an empty cell is no category
    const std::string value = input.substr(c.name.size() + 1);
    if (c.numeric) {
      if (std::isnan(c.numbers[at])) return 0.0F;
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      return end != value.c_str() && *end == '\0' && v == c.numbers[at] ? 1.0F : 0.0F;
    }
    const int32_t code = c.codes[at];
    return code >= 0 && static_cast<size_t>(code) < c.levels.size() && c.levels[static_cast<size_t>(code)] == value
               ? 1.0F
               : 0.0F;
  }
  if (!c.numeric) {  // the first cell that is not a number, at its own row
    int64_t row = 1;
    for (size_t i = 0; i < t.line.size(); ++i) {
      if (t.line[i] >= c.first_text_line) {
        row = static_cast<int64_t>(i) + 1;
        break;
      }
    }
    throw InputError(name + ":" + std::to_string(row) + ": " +
                     message_text("predict.not_number", language(), {c.name, c.first_text}));
  }
  if (std::isnan(c.numbers[at])) return std::nullopt;
  return static_cast<float>(c.numbers[at]);
}

// A CSV's rows as the model's inputs (docs/model-format.md, "Inputs"). A row
// with an empty cell is left out (`missing = "drop"`), given the training
// mean (`"mean"`), or an error; a sequence model's rows are split by the
// lesson's `group` column and sorted by its `order` column, as in training,
// and each window of T rows of one group is a sample named by its last row.
void add_csv(const Predictor& p, const fs::path& file, const std::string& name, Samples& out) {
  const std::string bytes = read_bounded(file, csv_limits::max_bytes);
  Diagnostics diags;
  const auto table = read_csv(bytes, name, diags);
  if (!table || diags.has_errors()) {
    const std::string first = diags.has_errors() ? diags.first_error() : std::string();
    throw InputError(name + ": " + message_text("predict.bad_csv", language(), {first}));
  }
  const TrainedModel& m = p.model();
  const DatasetSpec& d = m.job.dataset;
  const Shape& shape = p.input_shape();
  if (shape.size() == 3) throw InputError(name + ": " + message_text("predict.needs_images", language()));
  const bool points = describe_source(m.job).kind == DataKind::points;
  const std::vector<std::string> names = points ? std::vector<std::string>{"x1", "x2"} : m.inputs;
  const bool sequence = shape.size() == 2;
  const int64_t per_row = sequence ? shape[1] : points ? 2 : p.sample_size();
  if (per_row != static_cast<int64_t>(names.size())) {
    throw InputError(name + ": " + message_text("predict.model_inputs", language()));
  }
  std::vector<const CsvColumn*> cols;
  for (const auto& input : names) {
    // A one-hot input "column=value" belongs to the longest column its name
    // starts with (a column's own name may hold '=').
    std::string column = input;
    if (table->column(input) == nullptr) {
      size_t best = 0;
      for (const auto& name_of : table->names()) {
        if (name_of.size() > best && input.size() > name_of.size() && input.compare(0, name_of.size(), name_of) == 0 &&
            input[name_of.size()] == '=') {
          best = name_of.size();
          column = name_of;
        }
      }
      if (best == 0) column = input.substr(0, input.find('='));
    }
    const CsvColumn* c = table->column(column);
    if (c == nullptr) {
      throw InputError(name + ": " + message_text("predict.no_column", language(), {column, joined(names)}));
    }
    cols.push_back(c);
  }
  // Empty cells: as the lesson said for its own file; else an error.
  const std::string missing = is_file_source(d) ? d.missing : "";
  const std::vector<float>& means = m.standardization.mean;
  struct Row {
    int64_t index;
    std::vector<float> values;
  };
  std::vector<Row> rows;
  int64_t dropped = 0;
  for (int64_t r = 0; r < table->rows(); ++r) {
    Row row{r, std::vector<float>(names.size())};
    bool keep = true;
    for (size_t k = 0; k < names.size(); ++k) {
      const std::optional<float> v = cell(*table, *cols[k], r, name, names[k]);
      if (v) {
        row.values[k] = *v;
      } else if (missing == "mean" && k < means.size()) {
        row.values[k] = means[k];
      } else if (missing == "drop") {
        keep = false;
      } else {
        throw InputError(name + ":" + std::to_string(r + 1) + ": " +
                         message_text("predict.empty_cell", language(), {cols[k]->name}));
      }
    }
    if (keep) {
      rows.push_back(std::move(row));
    } else {
      ++dropped;
    }
  }
  if (dropped > 0) {
    std::cerr << "note: " << name << ": " << message_text("predict.dropped_rows", language(), {std::to_string(dropped)})
              << "\n";
  }
  if (sequence) {
    const int64_t steps = shape[0];
    // Groups in the order they first appear; rows sorted within a group.
    const CsvColumn* group = d.group.empty() ? nullptr : table->column(d.group);
    const CsvColumn* order = d.order.empty() ? nullptr : table->column(d.order);
    const auto group_of = [&](const Row& row) -> double {
      if (group == nullptr) return 0;
      const auto at = static_cast<size_t>(row.index);
      return group->numeric ? group->numbers[at] : static_cast<double>(group->codes[at]);
    };
    std::vector<double> firsts;
    std::vector<std::vector<Row>> series;
    for (auto& row : rows) {
      const double g = group_of(row);
      auto it = std::find_if(firsts.begin(), firsts.end(), [&](double v) { return v == g || (v != v && g != g); });
      if (it == firsts.end()) {
        firsts.push_back(g);
        series.emplace_back();
        it = firsts.end() - 1;
      }
      series[static_cast<size_t>(it - firsts.begin())].push_back(std::move(row));
    }
    if (order != nullptr) {
      const auto key = [&](const Row& row) -> double {
        const auto at = static_cast<size_t>(row.index);
        if (order->numeric) return order->numbers[at];
        const int32_t code = order->codes[at];
        return code >= 0 && static_cast<size_t>(code) < order->rank.size() ? order->rank[static_cast<size_t>(code)]
                                                                           : -1;
      };
      for (auto& one : series) {
        std::stable_sort(one.begin(), one.end(), [&](const Row& a, const Row& b) { return key(a) < key(b); });
      }
    }
    bool any = false;
    for (const auto& one : series) {
      for (size_t end = static_cast<size_t>(steps); end <= one.size(); ++end) {
        any = true;
        out.labels.push_back(name + ":" + std::to_string(one[end - 1].index + 1));
        for (size_t k = end - static_cast<size_t>(steps); k < end; ++k) {
          out.raw.insert(out.raw.end(), one[k].values.begin(), one[k].values.end());
        }
        if (out.labels.size() > kMaxSamples) return;
      }
    }
    if (!any) {  // no window ends in this file: nothing to say about it but why
      std::cerr << "warning: " << name << ": "
                << message_text("predict.short_series", language(), {std::to_string(steps)}) << "\n";
    }
    return;
  }
  for (const auto& row : rows) {
    if (out.labels.size() > kMaxSamples) return;
    out.labels.push_back(name + ":" + std::to_string(row.index + 1));
    if (points) {
      const std::vector<float> x = p.point_inputs(row.values[0], row.values[1]);
      out.raw.insert(out.raw.end(), x.begin(), x.end());
    } else {
      out.raw.insert(out.raw.end(), row.values.begin(), row.values.end());
    }
  }
}

bool is_csv_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".csv" || ext == ".tsv" || ext == ".txt";
}

// A folder's images, recursively, sorted by path; files that cannot be read
// are said on stderr and left out.
void add_folder(const Predictor& p, const fs::path& folder, Samples& out) {
  if (p.input_shape().size() != 3) {
    throw InputError(folder.string() + ": " + message_text("predict.not_for_images", language()));
  }
  std::vector<fs::path> files;
  std::error_code ec;
  int64_t visited = 0;
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++visited > kMaxFolderEntries) {  // a mistaken `/`: say so rather than walk the disk
      throw InputError(folder.string() + ": " +
                       message_text("predict.folder_too_big", language(), {std::to_string(kMaxFolderEntries)}));
    }
    if (it->is_regular_file(ec) && !it->is_symlink(ec) && is_image_file_name(it->path().filename().string()) &&
        it->path().filename().string()[0] != '.') {
      files.push_back(it->path());
      if (files.size() > static_cast<size_t>(image_limits::max_files)) {
        throw InputError(folder.string() + ": " +
                         message_text("predict.too_many_files", language(), {std::to_string(image_limits::max_files)}));
      }
    }
  }
  // By the whole path as bytes, as model.py sorts ("C.BMP" before "b.png", "a/x" after "a-b").
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.string() < b.string(); });
  if (files.empty()) throw InputError(folder.string() + ": " + message_text("predict.no_images", language()));
  for (const auto& f : files) {
    try {
      add_image(p, f, f.string(), out);
    } catch (const InputError& e) {
      std::cerr << "warning: " << e.what() << "\n";
    }
  }
}

// Six decimals, as the nearest double to that decimal (Python's round(v, 6)),
// so that JSON prints it as short as model.py does ("0.026669").
double rounded(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return std::strtod(buf, nullptr);
}

}  // namespace

int predict(const PredictArgs& args) {
  const std::string& lang = language();
  Diagnostics diags;
  const TrainedModel model = read_model_file(args.model, diags);
  if (diags.has_errors()) {
    for (const auto& d : diags.all()) {
      if (d.severity == Severity::error) std::cerr << d.where << ": error: " << describe_diagnostic(d, lang) << "\n";
    }
    return bad_input;
  }
  std::unique_ptr<Predictor> predictor;
  try {
    predictor = std::make_unique<Predictor>(model);
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return bad_input;
  }
  Samples samples;
  try {
    for (const auto& input : args.inputs) {
      const fs::path path = path_of_utf8(input);
      std::error_code ec;
      if (fs::is_directory(path, ec)) {
        add_folder(*predictor, path, samples);
      } else if (!fs::is_regular_file(path, ec)) {
        throw InputError(input + ": " + message_text("predict.no_such_file", lang));
      } else if (is_image_file_name(path.filename().string())) {
        add_image(*predictor, path, input, samples);
      } else if (is_csv_name(path)) {
        add_csv(*predictor, path, input, samples);
      } else {
        throw InputError(input + ": " + message_text("predict.unknown_kind", lang));
      }
      if (samples.labels.size() > kMaxSamples) {
        throw InputError(message_text("predict.too_many", lang, {std::to_string(kMaxSamples), input}));
      }
    }
  } catch (const InputError& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return bad_input;
  }
  std::vector<Prediction> out;
  try {
    out = predictor->predict(samples.raw);
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return bad_input;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const bool finite = predictor->classification()
                            ? std::all_of(out[i].probabilities.begin(), out[i].probabilities.end(),
                                          [](float q) { return std::isfinite(q); })
                            : std::isfinite(out[i].value);
    if (!finite) {
      std::cerr << "aisandbox-cli: " << message_text("predict.not_finite", lang, {samples.labels[i]}) << "\n";
      return bad_input;
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const Prediction& p = out[i];
    if (args.json) {
      nlohmann::ordered_json j;
      j["input"] = samples.labels[i];
      if (predictor->classification()) {
        j["class"] = model.classes[static_cast<size_t>(p.klass)];
        nlohmann::ordered_json probs = nlohmann::ordered_json::object();
        for (size_t c = 0; c < p.probabilities.size(); ++c) probs[model.classes[c]] = rounded(p.probabilities[c]);
        j["probabilities"] = std::move(probs);
      } else {
        j["value"] = rounded(p.value);
      }
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (predictor->classification()) {
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * p.probabilities[static_cast<size_t>(p.klass)]);
      std::cout << samples.labels[i] << "  →  " << model.classes[static_cast<size_t>(p.klass)] << " (" << pct << ")\n";
    } else {
      std::ostringstream v;
      v.precision(6);
      v << p.value;
      std::cout << samples.labels[i] << "  →  " << v.str() << "\n";
    }
  }
  return ok;
}

}  // namespace aisb::cli
