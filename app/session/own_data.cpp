#include "session/own_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>

#include "core/catalog.hpp"
#include "core/files.hpp"
#include "core/job_reader.hpp"
#include "data/csv_table.hpp"
#include "data/data_pack.hpp"
#include "data/image_folder.hpp"
#include "data/user_data.hpp"

namespace fs = std::filesystem;

namespace aisb::app {

namespace {

// A number as a person writes it: 3, 2.5, 0.001, 12345.6.
std::string cell_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void preview_table(DataPreview& p) {
  const std::string name = source_path({.source = p.path.source});
  std::string bytes, why;
  if (!read_data_file(p.path.full(), csv_limits::max_bytes, bytes, why)) {
    Diagnostic d;
    d.severity = Severity::error;
    const Message m = msg("dataset.cannot_read", {name, why});
    d.key = m.key;
    d.args = m.args;
    d.message = render_message(m, "en");
    d.where = name;
    p.problems.add(std::move(d));
    return;
  }
  Diagnostics local;
  const std::optional<CsvTable> table = read_csv(bytes, name, local);
  take_data_diagnostics(local, p.problems);
  if (!table) return;
  p.encoding = table->encoding;
  p.rows = table->rows();
  const int64_t shown = std::min<int64_t>(p.rows, kPreviewRows);
  p.first_rows.assign(static_cast<size_t>(shown), {});
  for (const CsvColumn& c : table->columns) {
    ColumnFacts f;
    f.name = c.name;
    f.numeric = c.numeric;
    f.integer = c.integer;
    f.missing = c.missing;
    f.min = c.min;
    f.max = c.max;
    f.distinct = c.distinct;
    f.too_many_kinds = !c.numeric && c.distinct > csv_limits::max_categories;
    f.task = suggested_task(c);
    p.columns.push_back(std::move(f));
    for (int64_t r = 0; r < shown; ++r) {
      std::string cell;
      const auto i = static_cast<size_t>(r);
      if (c.numeric && i < c.numbers.size()) {
        if (!std::isnan(c.numbers[i])) cell = cell_number(c.numbers[i]);
      } else if (!c.numeric && i < c.codes.size()) {
        const int32_t code = c.codes[i];
        if (code >= 0 && static_cast<size_t>(code) < c.levels.size()) cell = c.levels[static_cast<size_t>(code)];
      }
      p.first_rows[i].push_back(std::move(cell));
    }
  }
}

void preview_photos(DataPreview& p) {
  const std::string name = source_path({.source = p.path.source});
  const fs::path folder = p.path.full();
  Diagnostics local;
  const std::optional<ImageListing> listing = list_images(folder, name, local);
  take_data_diagnostics(local, p.problems);
  if (!listing) return;
  p.images = static_cast<int64_t>(listing->files.size());
  for (size_t k = 0; k < listing->classes.size(); ++k) {
    ClassFacts c;
    c.name = listing->classes[k];
    c.count = k < listing->per_class.size() ? listing->per_class[k] : 0;
    p.classes.push_back(std::move(c));
  }
  // A few photos of each class, as the network will see them (squeezed to a
  // square), in colour.
  for (const ImageEntry& e : listing->files) {
    if (e.label < 0 || static_cast<size_t>(e.label) >= p.classes.size()) continue;
    ClassFacts& c = p.classes[static_cast<size_t>(e.label)];
    if (c.thumbs.size() >= kThumbsPerClass) continue;
    std::string bytes, why;
    if (!read_data_file(folder / path_of_utf8(e.path), image_limits::max_file_bytes, bytes, why)) continue;
    const std::optional<std::vector<float>> px = decode_image(bytes, kThumb, kThumb, 3, &why);
    if (!px) continue;
    std::vector<uint8_t> rgba(static_cast<size_t>(kThumb * kThumb * 4), 255);
    const size_t plane = static_cast<size_t>(kThumb * kThumb);
    for (size_t i = 0; i < plane; ++i)
      for (size_t ch = 0; ch < 3; ++ch) {
        const float v = std::clamp((*px)[ch * plane + i], 0.0f, 1.0f);
        rgba[4 * i + ch] = static_cast<uint8_t>(std::lround(v * 255.0f));
      }
    c.thumbs.push_back(std::move(rgba));
  }
}

bool all_dense(const std::vector<LayerSpec>& layers) {
  return std::all_of(layers.begin(), layers.end(), [](const LayerSpec& l) { return l.type == "dense"; });
}

bool has_flatten(const std::vector<LayerSpec>& layers) {
  return std::any_of(layers.begin(), layers.end(), [](const LayerSpec& l) { return l.type == "flatten"; });
}

}  // namespace

fs::path DataPath::full() const {
  return base / path_of_utf8(source_path({.source = source}));
}

bool DataPath::table() const {
  return source.starts_with("csv:");
}

std::optional<DataPath> data_path_of(const fs::path& dropped, Refusal* why) {
  const auto refuse = [&](std::string key, std::vector<std::string> args) -> std::optional<DataPath> {
    if (why != nullptr) *why = {std::move(key), std::move(args)};
    return std::nullopt;
  };
  if (dropped.empty()) return refuse("own.not_found", {""});
  std::error_code ec;
  fs::path p = fs::absolute(dropped, ec).lexically_normal();
  if (ec) return refuse("own.not_found", {dropped.string()});
  if (!p.has_filename()) p = p.parent_path();  // "photos/"
  if (!fs::exists(p, ec)) return refuse("own.not_found", {p.string()});
  const std::string name = p.filename().string();
  const bool folder = fs::is_directory(p, ec);
  if (!folder && is_image_file_name(p.filename().string())) return refuse("own.one_photo", {name});
  if (name.empty() || !is_safe_relative_path(name)) return refuse("own.bad_name", {name});
  return DataPath{p.parent_path(), (folder ? "images:" : "csv:") + name};
}

const ColumnFacts* DataPreview::column(const std::string& name) const {
  for (const ColumnFacts& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

DataPreview preview_data(const DataPath& path) {
  DataPreview p;
  p.path = path;
  if (path.table())
    preview_table(p);
  else
    preview_photos(p);
  return p;
}

bool usable_feature(const ColumnFacts& c) {
  return !c.too_many_kinds && c.distinct > 0;
}

bool usable_target(const ColumnFacts& c) {
  return usable_feature(c);
}

std::string task_of(const DataChoice& choice, const DataPreview& preview) {
  if (!preview.path.table()) return "classification";
  const ColumnFacts* t = preview.column(choice.target);
  return t != nullptr ? t->task : "regression";
}

DataChoice default_choice(const DataPreview& preview, const JobSpec& current) {
  DataChoice c;
  if (!preview.path.table()) {
    if (is_images_source(current.dataset) && current.dataset.size.size() == 2) {
      c.size = current.dataset.size;
      c.channels = current.dataset.channels;
    }
    return c;
  }
  for (auto it = preview.columns.rbegin(); it != preview.columns.rend(); ++it) {
    if (usable_target(*it)) {
      c.target = it->name;
      break;
    }
  }
  for (const ColumnFacts& col : preview.columns) {
    if (col.name != c.target && col.numeric && usable_feature(col)) c.features.push_back(col.name);
  }
  return c;
}

void choose_target(DataChoice& choice, const DataPreview& preview, const std::string& column) {
  if (column == choice.target) return;
  const std::string old = choice.target;
  choice.target = column;
  std::erase(choice.features, column);
  const ColumnFacts* was = preview.column(old);
  if (was != nullptr && was->numeric && usable_feature(*was) &&
      std::find(choice.features.begin(), choice.features.end(), old) == choice.features.end()) {
    // Back among the features, in the file's order.
    std::vector<std::string> ordered;
    for (const ColumnFacts& c : preview.columns) {
      if (c.name == old || std::find(choice.features.begin(), choice.features.end(), c.name) != choice.features.end())
        ordered.push_back(c.name);
    }
    choice.features = std::move(ordered);
  }
}

JobSpec job_with_data(const JobSpec& current, const DataPreview& preview, const DataChoice& choice) {
  JobSpec job = current;
  const bool table = preview.path.table();
  // Was the job training on this kind of data already (a lesson about tables
  // that lets students bring their own)? Then its settings stay.
  const DataKind kind = describe_source(current).kind;
  const bool same_kind = table ? kind == DataKind::table : kind == DataKind::image;
  DatasetSpec d;
  d.source = preview.path.source;
  d.seed = current.dataset.seed;
  d.test_fraction = same_kind ? current.dataset.test_fraction : 0.25;
  if (table) {
    d.target = choice.target;
    d.features = choice.features;
    d.missing = "drop";
  } else {
    d.size = choice.size;
    d.channels = choice.channels;
  }
  job.dataset = d;
  job.model.task = task_of(choice, preview);
  job.model.inputs.clear();  // the data's own columns are the inputs
  if (table) {
    if (job.model.layers.empty() || !all_dense(job.model.layers)) {
      job.model.layers = {{.type = "dense", .units = 8, .activation = "relu"},
                          {.type = "dense", .units = 8, .activation = "relu"}};
    }
  } else if (!has_flatten(job.model.layers)) {
    // A small convolutional net: what photos need, small enough for a laptop.
    job.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 8, .kernel = 3},
                        {.type = "maxpool2d", .size = 2},
                        {.type = "flatten"},
                        {.type = "dense", .units = 16, .activation = "relu"}};
  }
  if (!same_kind) {
    job.training.optimizer = "adam";
    job.training.learning_rate = 0.01;
    job.training.batch_size = table ? 16 : 8;
    job.training.epochs = table ? 200 : 30;
    job.training.regularization = "none";
    job.training.regularization_rate = 0.0;
  }
  return job;
}

std::optional<std::string> copy_data_beside(const DatasetSpec& data, const fs::path& dir, std::string* problem) {
  const auto fail = [&](std::string why) -> std::optional<std::string> {
    if (problem != nullptr) *problem = std::move(why);
    return std::nullopt;
  };
  if (!is_file_source(data)) return data.source;
  if (data.location.empty()) return fail("the data of '" + data.source + "' was not found on this computer");
  const fs::path from = path_of_utf8(data.location);
  const bool csv = is_csv_source(data);
  const std::string prefix = csv ? "csv:" : "images:";
  std::error_code ec;
  fs::create_directories(dir / "data", ec);
  if (ec) return fail("cannot make " + (dir / "data").string() + ": " + ec.message());
  // The content's hash says whether a copy there is this data.
  const auto hash_of = [&](const fs::path& p) -> std::optional<std::string> {
    if (csv) return sha256_of_file(p);
    Diagnostics ignored;
    return image_folder_sha256(p, ignored);
  };
  const std::optional<std::string> want = data.data_sha256.empty() ? hash_of(from) : data.data_sha256;
  if (!want) return fail("cannot read " + from.string());
  const fs::path name = from.filename();
  const std::string stem = csv ? name.stem().string() : name.string();
  const std::string ext = csv ? name.extension().string() : std::string();
  for (int n = 1; n < 1000; ++n) {
    const std::string candidate = n == 1 ? name.string() : stem + "-" + std::to_string(n) + ext;
    const fs::path to = dir / "data" / path_of_utf8(candidate);
    const std::string source = prefix + "data/" + candidate;
    if (fs::exists(to, ec)) {
      if (fs::weakly_canonical(to, ec) == fs::weakly_canonical(from, ec)) return source;  // it is there already
      if (hash_of(to) == want) return source;
      continue;
    }
    if (csv) {
      fs::path tmp = to;
      tmp += ".tmp";
      fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
      if (!ec) fs::rename(tmp, to, ec);
      if (ec) {
        fs::remove(tmp, ec);
        return fail("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
      }
      return source;
    }
    // Photos: what list_images finds, class by class, and nothing else.
    Diagnostics diags;
    const std::optional<ImageListing> listing = list_images(from, from.filename().string(), diags);
    if (!listing) return fail("cannot read the photos in " + from.string() + ": " + diags.first_error());
    const fs::path tmp = dir / "data" / path_of_utf8(candidate + ".tmp");
    fs::remove_all(tmp, ec);
    for (const ImageEntry& e : listing->files) {
      const fs::path target = tmp / path_of_utf8(e.path);
      fs::create_directories(target.parent_path(), ec);
      if (!ec) fs::copy_file(from / path_of_utf8(e.path), target, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        const std::string why = ec.message();
        fs::remove_all(tmp, ec);
        return fail("cannot copy " + utf8_of(from / path_of_utf8(e.path)) + ": " + why);
      }
    }
    fs::rename(tmp, to, ec);
    if (ec) {
      const std::string why = ec.message();
      fs::remove_all(tmp, ec);
      return fail("cannot write " + to.string() + ": " + why);
    }
    return source;
  }
  return fail("too many copies of " + name.string() + " in " + (dir / "data").string());
}

std::string short_place(const std::string& where) {
  // "FILE:LINE" keeps its line; a photo keeps its class folder.
  std::string line;
  std::string path = where;
  if (const size_t colon = where.rfind(':'); colon != std::string::npos && colon + 1 < where.size() &&
                                             where.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    line = where.substr(colon);
    path = where.substr(0, colon);
  }
  const fs::path p = path_of_utf8(path);
  const std::string parent = p.parent_path().filename().string();
  const bool photo = is_image_file_name(p.filename().string());
  return (photo && !parent.empty() ? parent + "/" : std::string()) + p.filename().string() + line;
}

std::string data_problem_text(const Diagnostic& d, std::string_view lang) {
  if (!d.where.empty()) return short_place(d.where) + ": " + render_diagnostic(d, lang);
  return describe_diagnostic(d, lang);
}

}  // namespace aisb::app
