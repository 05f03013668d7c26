#include "core/job_reader.hpp"

#include <cstdint>
#include <set>

#include "core/catalog.hpp"

namespace aisb {

bool is_safe_relative_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string::npos ||
      path.find(':') != std::string::npos || path.find('\0') != std::string::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part == ".." || (part.empty() && end != path.size())) return false;
    start = end + 1;
  }
  return true;
}

bool is_valid_id(const std::string& id) {
  if (id.empty() || id.size() > 100) return false;
  for (const char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

namespace {

bool is_sha256_hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Names a file source's facts list, bounded: a job from a client says how
// many inputs and classes its data has, and the worker holds it to that.
std::vector<std::string> read_names(JsonReader& r, const std::string& key, int64_t max) {
  std::vector<std::string> v = r.strings(key);
  if (static_cast<int64_t>(v.size()) > max) {
    r.diags().error(r.path_of(key), msg("dataset.too_many_names", {std::to_string(v.size()), std::to_string(max)}));
    v.clear();
  }
  return v;
}

}  // namespace

DatasetSpec read_dataset(JsonReader& r) {
  DatasetSpec d;
  d.source = r.string("source", d.source, true);
  const bool csv = is_csv_source(d);
  const bool images = is_images_source(d);
  d.samples = static_cast<int>(r.integer("samples", d.samples, 1, limits::max_samples));
  d.noise = r.number("noise", d.noise, 0.0, 1.0);
  d.test_fraction = r.number("test_fraction", d.test_fraction, 0.05, 0.95);
  d.seed = static_cast<uint64_t>(r.integer("seed", 1, 0, INT64_MAX));
  if (csv || images) {
    const std::string rel = source_path(d);
    if (!is_safe_relative_path(rel)) {
      r.diags().error(r.path_of("source"), msg("dataset.path_outside", {rel}));
    }
    if (r.has("noise")) r.diags().warning(r.path_of("noise"), msg("dataset.noise_for_generators"));
    d.data_sha256 = r.string("data_sha256", "");
    if (r.has("data_sha256") && !is_sha256_hex(d.data_sha256)) {
      r.diags().error(r.path_of("data_sha256"), msg("dataset.bad_sha256"));
    }
    d.input_names = read_names(r, "input_names", limits::max_input_names);
    d.class_names = read_names(r, "class_names", limits::max_classes);
  } else if (const SourceInfo* s = find_source(d.source); s == nullptr) {
    std::vector<std::string> available;
    for (const auto& b : builtin_sources()) {
      if (b.available) available.push_back(b.name);
    }
    r.diags().error(r.path_of("source"),
                    msg("dataset.unknown", {d.source, suggestion(d.source, available), list_arg(available)}));
  } else if (!s->available) {
    r.diags().error(r.path_of("source"), msg("dataset.not_available", {d.source}));
  }
  if (!csv && !images) {
    for (const char* k : {"data_sha256", "input_names", "class_names"}) {
      if (r.has(k)) r.diags().error(r.path_of(k), msg("dataset.only_files", {k}));
    }
  }
  if (csv) {
    d.features = r.strings("features");
    d.target = r.string("target", "", true);
    d.missing = r.choice("missing", d.missing, names::missing);
    d.window = static_cast<int>(r.integer("window", 0, 0, limits::max_window));
    if (d.window == 1) r.diags().error(r.path_of("window"), msg("dataset.window_one"));
    for (const char* k : {"horizon", "group", "order"}) {
      if (d.window == 0 && r.has(k)) r.diags().error(r.path_of(k), msg("dataset.only_window", {k}));
    }
    d.horizon = static_cast<int>(r.integer("horizon", 1, 1, limits::max_window));
    d.group = r.string("group", "");
    d.order = r.string("order", "");
  } else {
    for (const char* k : {"features", "target", "missing", "window", "horizon", "group", "order"}) {
      if (r.has(k)) r.diags().error(r.path_of(k), msg("dataset.only_csv", {k}));
    }
  }
  if (images) {
    if (const json* size = r.array("size", true); size != nullptr) {
      if (size->size() != 2 || !(*size)[0].is_number_integer() || !(*size)[1].is_number_integer() ||
          (*size)[0].get<int64_t>() < 4 || (*size)[0].get<int64_t>() > 512 || (*size)[1].get<int64_t>() < 4 ||
          (*size)[1].get<int64_t>() > 512) {
        r.diags().error(r.path_of("size"), msg("dataset.image_size"));
      } else {
        d.size = {(*size)[0].get<int>(), (*size)[1].get<int>()};
      }
    }
    d.channels = static_cast<int>(r.integer("channels", 1, 1, 3));
    if (d.channels == 2) r.diags().error(r.path_of("channels"), msg("dataset.channels"));
  } else {
    for (const char* k : {"size", "channels"}) {
      if (r.has(k)) r.diags().error(r.path_of(k), msg("dataset.only_images", {k}));
    }
  }
  r.finish();
  return d;
}

namespace {

LayerSpec read_layer(JsonReader& r) {
  LayerSpec l;
  l.type = r.string("type", "", true);
  if (l.type == "dense") {
    l.units = static_cast<int>(r.integer("units", 0, 1, limits::max_units, true));
    l.activation = r.choice("activation", "relu", names::activations);
  } else if (l.type == "conv2d") {
    l.filters = static_cast<int>(r.integer("filters", 0, 1, limits::max_filters, true));
    l.kernel = static_cast<int>(r.integer("kernel", 3, 1, limits::max_kernel, true));
    l.stride = static_cast<int>(r.integer("stride", 1, 1, 8));
    l.padding = r.choice("padding", "valid", names::paddings);
    l.activation = r.choice("activation", "relu", names::activations);
    if (l.padding == "same" && l.kernel % 2 == 0) {
      r.diags().error(r.path_of("padding"), msg("layer.same_needs_odd_kernel", {std::to_string(l.kernel)}));
    }
  } else if (l.type == "maxpool2d") {
    l.size = static_cast<int>(r.integer("size", 2, 1, 8));
  } else if (l.type == "dropout") {
    l.rate = r.number("rate", 0.5, 0.0, 0.95);
  } else if (l.type == "lstm" || l.type == "gru") {
    l.units = static_cast<int>(r.integer("units", 0, 1, 1024, true));
  } else if (l.type == "flatten" || l.type == "batchnorm") {
    // no settings
  } else if (!l.type.empty()) {
    r.diags().error(r.path_of("type"), msg("layer.unknown_type", {l.type, suggestion(l.type, names::layer_types),
                                                                  list_arg(names::layer_types)}));
    return l;  // its other keys mean nothing; do not report them as unknown
  }
  r.finish();
  return l;
}

}  // namespace

ModelSpec read_model(JsonReader& r) {
  ModelSpec m;
  m.task = r.choice("task", m.task, names::tasks, true);
  if (r.has("inputs")) {
    m.inputs = r.strings("inputs");
  }
  if (const json* layers = r.array("layers"); layers != nullptr) {
    m.layers.clear();
    if (static_cast<int64_t>(layers->size()) > limits::max_layers) {
      r.diags().error(r.path_of("layers"), msg("model.too_many_layers",
                                               {std::to_string(limits::max_layers), std::to_string(layers->size())}));
    } else {
      for (size_t i = 0; i < layers->size(); ++i) {
        JsonReader lr(&(*layers)[i], r.path_of("layers") + "[" + std::to_string(i) + "]", r.diags());
        m.layers.push_back(read_layer(lr));
      }
    }
  }
  r.finish();
  return m;
}

TrainingSpec read_training(JsonReader& r) {
  TrainingSpec t;
  t.optimizer = r.choice("optimizer", t.optimizer, names::optimizers);
  t.learning_rate = r.number("learning_rate", t.learning_rate, 0.0, limits::max_learning_rate, true, true);
  t.batch_size = static_cast<int>(r.integer("batch_size", t.batch_size, 1, limits::max_batch));
  t.epochs = static_cast<int>(r.integer("epochs", t.epochs, 1, limits::max_epochs));
  t.regularization = r.choice("regularization", t.regularization, names::regularizations);
  t.regularization_rate = r.number("regularization_rate", t.regularization_rate, 0.0, 10.0);
  t.seed = static_cast<uint64_t>(r.integer("seed", 1, 0, INT64_MAX));
  if (t.regularization == "none" && t.regularization_rate > 0) {
    r.diags().warning(r.path_of("regularization_rate"), msg("training.rate_without_regularization"));
  }
  r.finish();
  return t;
}

Shape input_shape(const JobSpec& job) {
  const DatasetSpec& d = job.dataset;
  if (is_images_source(d)) {
    if (d.size.size() != 2) return {};
    return {d.channels, d.size[0], d.size[1]};
  }
  if (is_csv_source(d)) {
    const auto n = static_cast<int64_t>(d.input_names.size());
    if (d.window > 0) return {d.window, n};
    return {n};
  }
  const SourceInfo* s = find_source(d.source);
  if (s != nullptr && s->kind != DataKind::points && !s->shape.empty()) return s->shape;
  return {static_cast<int64_t>(job.model.inputs.size())};
}

int64_t output_units(const JobSpec& job) {
  if (job.model.task == "regression") return 1;
  if (is_file_source(job.dataset)) {
    return job.dataset.class_names.empty() ? 2 : static_cast<int64_t>(job.dataset.class_names.size());
  }
  const SourceInfo* s = find_source(job.dataset.source);
  return s != nullptr && s->classes > 0 ? s->classes : 2;
}

ModelInfo describe_model(const JobSpec& job, Diagnostics& diags) {
  return infer_model(job.model, input_shape(job), output_units(job), diags);
}

void check_shapes(const JobSpec& job, Diagnostics& diags, const std::string& dataset_path,
                  const std::string& model_path, const std::string& training_path) {
  Diagnostics shape_diags;
  const ModelInfo info = describe_model(job, shape_diags);
  for (Diagnostic d : shape_diags.all()) {
    if (d.path.starts_with("model") && model_path != "model") d.path = model_path + d.path.substr(5);
    d.severity = Severity::error;
    diags.add(std::move(d));
  }
  const auto mib = [](int64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB"; };
  // Every sample is stored twice while it is generated and split.
  const int64_t per_sample = 2 * 4 * shape_elements(info.input);
  if (per_sample * job.dataset.samples > limits::max_data_bytes) {
    diags.error(dataset_path + ".samples",
                msg("dataset.too_much_data", {mib(per_sample * job.dataset.samples), mib(limits::max_data_bytes),
                                              std::to_string(limits::max_data_bytes / per_sample)}));
  }
  if (info.ok && info.params > limits::max_parameters) {
    diags.error(model_path + ".layers", msg("model.too_many_parameters",
                                            {std::to_string(info.params), std::to_string(limits::max_parameters)}));
  } else if (const int64_t bytes = info.ok ? training_memory_bytes(job, info) : 0; bytes > limits::max_training_bytes) {
    // The estimate counts the data set and a chunk of evaluation too.
    diags.error(training_path + ".batch_size",
                msg("training.too_much_memory",
                    {std::to_string(job.training.batch_size), mib(bytes), mib(limits::max_training_bytes)}));
  }
}

void read_job_tables(JsonReader& r, JobSpec& job) {
  const size_t errors_before = r.diags().error_count();
  {
    JsonReader dr(r.object("dataset", true), r.path_of("dataset"), r.diags());
    job.dataset = read_dataset(dr);
  }
  const json* model_json = r.object("model", true);
  {
    JsonReader mr(model_json, r.path_of("model"), r.diags());
    job.model = read_model(mr);
  }
  {
    JsonReader tr(r.object("training", true), r.path_of("training"), r.diags());
    job.training = read_training(tr);
  }
  const std::string model_path = r.path_of("model");
  const SourceInfo* source = find_source(job.dataset.source);
  const bool file = is_file_source(job.dataset);
  if (file) {
    // The data's own columns are the inputs; features are for 2-D sets.
    if (model_json != nullptr && model_json->contains("inputs") && !job.model.inputs.empty()) {
      r.diags().error(model_path + ".inputs", msg("model.inputs_not_for_dataset", {job.dataset.source}));
    }
    job.model.inputs.clear();
    if (is_images_source(job.dataset) && job.model.task != "classification") {
      r.diags().error(model_path + ".task",
                      msg("model.task_vs_dataset", {job.dataset.source, list_arg({"classification"}), job.model.task}));
    }
    if (data_resolved(job.dataset) && job.model.task == "classification" && job.dataset.class_names.size() < 2) {
      r.diags().error(r.path_of("dataset") + ".class_names", msg("dataset.one_class"));
    }
  } else if (source != nullptr) {
    bool task_ok = false;
    for (const auto& t : source->tasks) task_ok = task_ok || t == job.model.task;
    if (!task_ok) {
      r.diags().error(model_path + ".task",
                      msg("model.task_vs_dataset", {source->name, list_arg(source->tasks), job.model.task}));
    }
    if (source->kind != DataKind::points) {
      // Images and sequences come as they are; input features are for 2-D sets.
      if (model_json != nullptr && model_json->contains("inputs") && !job.model.inputs.empty()) {
        r.diags().error(model_path + ".inputs", msg("model.inputs_not_for_dataset", {source->name}));
      }
      job.model.inputs.clear();
    } else {
      if (job.model.inputs.empty()) r.diags().error(model_path + ".inputs", msg("model.no_inputs"));
      std::set<std::string> seen;
      for (size_t i = 0; i < job.model.inputs.size(); ++i) {
        const auto& in = job.model.inputs[i];
        const std::string p = model_path + ".inputs[" + std::to_string(i) + "]";
        bool known = false;
        for (const auto& f : names::point_features) known = known || f == in;
        if (!known) {
          r.diags().error(p, msg("model.unknown_input",
                                 {in, suggestion(in, names::point_features), list_arg(names::point_features)}));
        } else if (!seen.insert(in).second) {
          r.diags().error(p, msg("model.input_twice", {in}));
        }
      }
    }
  }
  // Shapes and sizes only mean something once every table was read cleanly,
  // and for a file source once its data told what it holds.
  if (r.diags().error_count() == errors_before && (!file || data_resolved(job.dataset))) {
    check_shapes(job, r.diags(), r.path_of("dataset"), model_path, r.path_of("training"));
  }
  const int64_t test = test_samples_of(job.dataset.samples, job.dataset.test_fraction);
  if (job.dataset.samples - test < 1 || test < 1) {
    r.diags().error(r.path_of("dataset") + ".samples", msg("dataset.too_few_samples"));
  }
}

JobSpec read_job(const json& j, Diagnostics& diags) {
  JobSpec job;
  JsonReader r(&j, "", diags);
  const json* format = r.any("format");
  if (format == nullptr) {
    diags.error("format", msg("job.format_missing"));
  } else if (!format->is_number_integer() || format->get<int64_t>() != kFormat) {
    diags.error("format", msg("job.format_unsupported", {format->dump()}));
    return job;
  }
  job.lesson = r.string("lesson", "");
  if (!job.lesson.empty() && !is_valid_id(job.lesson)) {
    diags.error("lesson", msg("job.bad_lesson_id", {job.lesson}));
  }
  read_job_tables(r, job);
  if (const json* files = r.object("files"); files != nullptr) {
    for (const auto& [name, hash] : files->items()) {
      if (!hash.is_string()) {
        diags.error("files." + name, msg("job.file_hash"));
      } else {
        job.files[name] = hash.get<std::string>();
      }
    }
  }
  r.finish();
  return job;
}

Diagnostics validate(const JobSpec& job) {
  Diagnostics diags;
  read_job(to_json(job), diags);
  return diags;
}

}  // namespace aisb
