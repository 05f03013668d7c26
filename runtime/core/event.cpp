#include "core/event.hpp"

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "core/reader.hpp"

namespace aisb {

const char* to_string(EventType t) {
  switch (t) {
    case EventType::started:
      return "started";
    case EventType::metrics:
      return "metrics";
    case EventType::snapshot:
      return "snapshot";
    case EventType::log:
      return "log";
    case EventType::done:
      return "done";
  }
  return "log";
}

namespace {

void put_metrics(nlohmann::json& j, const Metrics& m) {
  j["epoch"] = m.epoch;
  j["step"] = m.step;
  j["train_loss"] = m.train_loss;
  j["test_loss"] = m.test_loss;
  j["elapsed"] = m.elapsed;
  j["steps_per_second"] = m.steps_per_second;
  const auto opt = [&](const char* k, const std::optional<double>& v) {
    if (v) j[k] = *v;
  };
  opt("train_accuracy", m.train_accuracy);
  opt("test_accuracy", m.test_accuracy);
  opt("train_mae", m.train_mae);
  opt("test_mae", m.test_mae);
  opt("test_r2", m.test_r2);
  if (!m.confusion.empty()) {
    const auto k = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(m.confusion.size()))));
    auto& rows = j["confusion"] = nlohmann::json::array();
    for (size_t r = 0; r < k; ++r) {
      rows.push_back(std::vector<int64_t>(m.confusion.begin() + static_cast<ptrdiff_t>(r * k),
                                          m.confusion.begin() + static_cast<ptrdiff_t>((r + 1) * k)));
    }
  }
}

Metrics get_metrics(JsonReader& r) {
  Metrics m;
  m.epoch = static_cast<int>(r.integer("epoch", 0, 0, INT32_MAX));
  m.step = r.integer("step", 0, 0, INT64_MAX);
  // Losses may legitimately be huge just before a divergence.
  m.train_loss = r.number("train_loss", 0, -1e308, 1e308);
  m.test_loss = r.number("test_loss", 0, -1e308, 1e308);
  m.elapsed = r.number("elapsed", 0, 0, 1e12);
  const auto opt = [&](const char* k) -> std::optional<double> {
    if (!r.has(k)) return std::nullopt;
    return r.number(k, 0, -1e308, 1e308);
  };
  m.train_accuracy = opt("train_accuracy");
  m.test_accuracy = opt("test_accuracy");
  m.train_mae = opt("train_mae");
  m.test_mae = opt("test_mae");
  m.test_r2 = opt("test_r2");
  if (const nlohmann::json* c = r.has("confusion") ? r.array("confusion") : nullptr; c != nullptr) {
    // Square, at most 1000 classes, counts that are whole and not negative.
    const size_t k = c->size();
    bool ok = k > 0 && k <= 1000;
    for (const auto& row : *c) {
      ok = ok && row.is_array() && row.size() == k;
      for (size_t i = 0; ok && i < row.size(); ++i) ok = row[i].is_number_integer() && row[i].get<int64_t>() >= 0;
      if (!ok) break;
    }
    if (!ok) {
      r.diags().error(r.path_of("confusion"),
                      "expected a square array of counts (rows of whole numbers, at most 1000)");
    } else {
      for (const auto& row : *c)
        for (const auto& v : row) m.confusion.push_back(v.get<int64_t>());
    }
  }
  return m;
}

}  // namespace

nlohmann::json metrics_to_json(const Metrics& m) {
  nlohmann::json j = nlohmann::json::object();
  put_metrics(j, m);
  return j;
}

Metrics metrics_from_json(const nlohmann::json& j, const std::string& path, Diagnostics& diags) {
  JsonReader r(&j, path, diags);
  Metrics m = get_metrics(r);
  m.steps_per_second = r.number("steps_per_second", 0, 0, 1e15);
  r.finish();
  return m;
}

nlohmann::json weights_to_json(const WeightSet& w) {
  auto ws = nlohmann::json::array();
  for (const auto& t : w) ws.push_back({{"name", t.name}, {"shape", t.shape}, {"data", t.data}});
  return ws;
}

WeightSet weights_from_json(const json& ws, const std::string& path, Diagnostics& diags) {
  WeightSet out;
  if (!ws.is_array()) {
    diags.error(path, "expected a list of weights");
    return out;
  }
  for (size_t i = 0; i < ws.size(); ++i) {
    JsonReader tr(&ws[i], path + "[" + std::to_string(i) + "]", diags);
    NamedTensor t;
    t.name = tr.string("name", "", true);
    const json* shape = tr.array("shape", true);
    const json* data = tr.array("data", true);
    try {
      if (shape != nullptr) t.shape = shape->get<std::vector<int64_t>>();
      if (data != nullptr) t.data = data->get<std::vector<float>>();
    } catch (const nlohmann::json::exception&) {
      diags.error(tr.path(), "shape and data must be lists of numbers");
    }
    tr.finish();
    out.push_back(std::move(t));
  }
  return out;
}

nlohmann::json to_json(const Standardization& s) {
  nlohmann::json j = {{"mean", s.mean}, {"scale", s.scale}};
  if (s.target_mean != 0.0F || s.target_scale != 1.0F) {
    j["target_mean"] = s.target_mean;
    j["target_scale"] = s.target_scale;
  }
  return j;
}

Standardization standardization_from_json(const nlohmann::json& j, const std::string& path, Diagnostics& diags) {
  Standardization s;
  const auto bad = [&] {
    diags.error(path, "expected {\"mean\": [...], \"scale\": [...]}: finite numbers, as many of each, scales above 0");
    return Standardization{};
  };
  if (!j.is_object() || !j.contains("mean") || !j.contains("scale") || !j["mean"].is_array() ||
      !j["scale"].is_array() || j["mean"].size() != j["scale"].size() || j["mean"].size() > 4096) {
    return bad();
  }
  for (size_t i = 0; i < j["mean"].size(); ++i) {
    const json& m = j["mean"][i];
    const json& sc = j["scale"][i];
    if (!m.is_number() || !sc.is_number()) return bad();
    const double mv = m.get<double>(), sv = sc.get<double>();
    if (!std::isfinite(mv) || !std::isfinite(sv) || !(sv > 0)) return bad();
    s.mean.push_back(static_cast<float>(mv));
    s.scale.push_back(static_cast<float>(sv));
  }
  const double tm = j.value("target_mean", 0.0), ts = j.value("target_scale", 1.0);
  if (!std::isfinite(tm) || !std::isfinite(ts) || !(ts > 0)) return bad();
  s.target_mean = static_cast<float>(tm);
  s.target_scale = static_cast<float>(ts);
  return s;
}

nlohmann::json to_json(const Inside& in) {
  nlohmann::json j = nlohmann::json::object();
  if (in.has_probe()) {
    j["sample"] = in.sample;
    j["outputs"] = in.outputs;
    if (in.klass >= 0) j["class"] = in.klass;
    auto& maps = j["maps"] = nlohmann::json::array();
    for (const LayerMap& m : in.maps) {
      maps.push_back({{"layer", m.layer},
                      {"shape", m.shape},
                      {"channels_shown", m.channels_shown},
                      {"lo", m.lo},
                      {"hi", m.hi},
                      {"data", base64_encode(m.bytes)}});
    }
    if (!in.saliency.empty()) j["saliency"] = {{"shape", in.saliency_shape}, {"data", base64_encode(in.saliency)}};
  }
  if (in.has_predictions()) j["predictions"] = {{"epoch", in.epoch}, {"values", in.predictions}};
  return j;
}

namespace {

// A list of at most `most` finite numbers at `key`, or an error at its path.
std::vector<float> finite_list(JsonReader& r, const std::string& key, size_t most, bool required = false) {
  std::vector<float> out;
  const nlohmann::json* a = r.array(key, required);
  if (a == nullptr) return out;
  if (a->size() > most) {
    r.diags().error(r.path_of(key), "at most " + std::to_string(most) + " numbers");
    return out;
  }
  for (const auto& v : *a) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      r.diags().error(r.path_of(key), "expected a list of finite numbers");
      return {};
    }
    out.push_back(v.get<float>());
  }
  return out;
}

// A shape of 1 to `dims` sizes, each 1..65536, or empty with an error.
std::vector<int64_t> small_shape(JsonReader& r, const std::string& key, size_t dims) {
  const std::vector<float> s = finite_list(r, key, dims, true);
  std::vector<int64_t> out;
  for (float v : s) {
    if (v < 1 || v > 65536 || v != std::floor(v)) {
      r.diags().error(r.path_of(key), "sizes must be whole numbers from 1 to 65536");
      return {};
    }
    out.push_back(static_cast<int64_t>(v));
  }
  if (out.empty() && !s.empty()) return {};
  return out;
}

// Bytes from base64 at `key`, exactly `size` of them.
std::string bytes_of(JsonReader& r, const std::string& key, int64_t size) {
  const std::string text = r.string(key, "", true);
  if (text.size() > static_cast<size_t>(size) / 3 * 4 + 8) {
    r.diags().error(r.path_of(key), "holds more bytes than its shape");
    return {};
  }
  auto bytes = base64_decode(text);
  if (!bytes || static_cast<int64_t>(bytes->size()) != size) {
    r.diags().error(r.path_of(key), "expected base64 of " + std::to_string(size) + " bytes");
    return {};
  }
  return std::move(*bytes);
}

}  // namespace

Inside inside_from_json(const nlohmann::json& j, const std::string& path, Diagnostics& diags) {
  Inside in;
  JsonReader r(&j, path, diags);
  in.sample = r.integer("sample", -1, -1, INT32_MAX);
  if (in.has_probe()) {
    in.outputs = finite_list(r, "outputs", 4096, true);
    in.klass = static_cast<int>(r.integer("class", -1, -1, 4095));
    int64_t total = 0;
    if (const nlohmann::json* maps = r.array("maps", true); maps != nullptr) {
      if (maps->size() > 64) diags.error(r.path_of("maps"), "at most 64 layers");
      for (size_t i = 0; i < maps->size() && i < 64; ++i) {
        JsonReader mr(&(*maps)[i], r.path_of("maps") + "[" + std::to_string(i) + "]", diags);
        LayerMap m;
        m.layer = static_cast<int>(mr.integer("layer", 0, 0, 63, true));
        m.shape = small_shape(mr, "shape", 3);
        m.channels_shown = mr.integer("channels_shown", 0, 0, 65536, true);
        m.lo = finite_list(mr, "lo", 65536, true);
        m.hi = finite_list(mr, "hi", 65536, true);
        if (!m.shape.empty()) {
          int64_t per = 1;
          for (size_t d = 1; d < m.shape.size(); ++d) per *= m.shape[d];
          if (m.shape.size() == 1) per = m.shape[0];
          const int64_t channels = m.shape.size() == 1 ? 1 : m.shape[0];
          const int64_t size = per * m.channels_shown;
          if (m.channels_shown > channels || static_cast<int64_t>(m.lo.size()) != m.channels_shown ||
              m.hi.size() != m.lo.size()) {
            diags.error(mr.path(), "channels_shown, lo and hi must agree with the shape");
          } else if (total + size > kInsideMapBytes) {
            diags.error(mr.path(), "the maps hold more than " + std::to_string(kInsideMapBytes) + " bytes");
          } else {
            total += size;
            m.bytes = bytes_of(mr, "data", size);
          }
        }
        mr.finish();
        in.maps.push_back(std::move(m));
      }
    }
    if (const nlohmann::json* sal = r.object("saliency"); sal != nullptr) {
      JsonReader sr(sal, r.path_of("saliency"), diags);
      in.saliency_shape = small_shape(sr, "shape", 2);
      if (in.saliency_shape.size() == 2 && in.saliency_shape[0] * in.saliency_shape[1] <= kInsideMapBytes) {
        in.saliency = bytes_of(sr, "data", in.saliency_shape[0] * in.saliency_shape[1]);
      } else if (!in.saliency_shape.empty()) {
        diags.error(sr.path_of("shape"),
                    "expected [height, width] of at most " + std::to_string(kInsideMapBytes) + " pixels");
      }
      sr.finish();
    }
  }
  if (const nlohmann::json* p = r.object("predictions"); p != nullptr) {
    JsonReader pr(p, r.path_of("predictions"), diags);
    in.epoch = static_cast<int>(pr.integer("epoch", 0, 0, INT32_MAX, true));
    in.predictions = finite_list(pr, "values", static_cast<size_t>(kInsidePredictions), true);
    pr.finish();
  }
  r.finish();
  return in;
}

nlohmann::json to_json(const Event& e) {
  nlohmann::json j = {{"type", to_string(e.type)}};
  if (e.seq > 0) j["seq"] = e.seq;
  switch (e.type) {
    case EventType::started:
      j["device"] = e.device;
      j["parameters"] = e.parameters;
      j["steps_per_epoch"] = e.steps_per_epoch;
      if (!e.engine.empty()) j["engine"] = e.engine;
      if (!e.standardization.empty()) j["standardization"] = to_json(e.standardization);
      break;
    case EventType::metrics:
      put_metrics(j, e.metrics);
      break;
    case EventType::snapshot: {
      j["step"] = e.step;
      j["weights"] = weights_to_json(e.weights);
      if (!e.gradients.empty()) j["gradients"] = e.gradients;
      if (e.inside) j["inside"] = to_json(*e.inside);
      break;
    }
    case EventType::log:
      j["level"] = e.level;
      j["message"] = e.message;
      if (!e.message_ko.empty()) j["message_ko"] = e.message_ko;
      break;
    case EventType::done:
      if (e.has_metrics) put_metrics(j, e.metrics);
      j["reason"] = e.reason;
      j["steps"] = e.steps;
      j["seconds"] = e.seconds;
      j["steps_per_second"] = e.steps_per_second;
      if (!e.message.empty()) j["message"] = e.message;
      if (!e.message_ko.empty()) j["message_ko"] = e.message_ko;
      break;
  }
  return j;
}

Event event_from_json(const nlohmann::json& j, Diagnostics& diags) {
  Event e;
  JsonReader r(&j, "", diags);
  const std::string type = r.choice("type", "log", {"started", "metrics", "snapshot", "log", "done"}, true);
  e.seq = static_cast<uint64_t>(r.integer("seq", 0, 0, INT64_MAX));
  if (type == "started") {
    e.type = EventType::started;
    e.device = r.string("device", "", true);
    e.parameters = r.integer("parameters", 0, 0, INT64_MAX);
    e.steps_per_epoch = r.integer("steps_per_epoch", 0, 0, INT64_MAX);
    e.engine = r.string("engine", "");
    if (const json* st = r.any("standardization"); st != nullptr) {
      e.standardization = standardization_from_json(*st, "standardization", diags);
    }
  } else if (type == "metrics") {
    e.type = EventType::metrics;
    e.metrics = get_metrics(r);
    e.metrics.steps_per_second = r.number("steps_per_second", 0, 0, 1e15);
  } else if (type == "snapshot") {
    e.type = EventType::snapshot;
    e.step = r.integer("step", 0, 0, INT64_MAX);
    if (const json* ws = r.array("weights"); ws != nullptr) e.weights = weights_from_json(*ws, "weights", diags);
    if (const json* g = r.array("gradients"); g != nullptr) {
      try {
        e.gradients = g->get<std::vector<float>>();
      } catch (const nlohmann::json::exception&) {
        diags.error("gradients", "expected a list of numbers");
      }
    }
    if (const json* in = r.object("inside"); in != nullptr) e.inside = inside_from_json(*in, "inside", diags);
  } else if (type == "log") {
    e.type = EventType::log;
    e.level = r.choice("level", "info", {"info", "warning", "error"});
    e.message = r.string("message", "");
    e.message_ko = r.string("message_ko", "");
  } else {
    e.type = EventType::done;
    e.reason = r.choice("reason", "completed", {"completed", "cancelled", "diverged", "failed"}, true);
    e.steps = r.integer("steps", 0, 0, INT64_MAX);
    e.seconds = r.number("seconds", 0, 0, 1e12);
    e.steps_per_second = r.number("steps_per_second", 0, 0, 1e15);
    e.message = r.string("message", "");
    e.message_ko = r.string("message_ko", "");
    e.has_metrics = r.has("epoch");
    if (e.has_metrics) {
      e.metrics = get_metrics(r);
      e.metrics.steps_per_second = e.steps_per_second;
    }
  }
  r.finish();
  return e;
}

}  // namespace aisb
