// CSV samples (csv_table.hpp): from a table read_csv made, the samples a
// lesson trains on. The dataset spec names the target and feature columns; a
// text feature becomes one-hot inputs, a row with a missing feature cell is
// left out or filled with the column's mean, and with a window the rows become
// sequences, each group's rows in order. The table came from a file nobody
// checked, so every count is bounded before anything is allocated and each
// problem names the file or a column. Also the task a target column suggests
// (suggested_task). Nothing here throws on bad input.
#include "data/csv_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <unordered_map>

#include "core/job_reader.hpp"
#include "data/csv_internal.hpp"

namespace aisb {

std::string suggested_task(const CsvColumn& target) {
  if (!target.numeric) return "classification";
  if (target.integer && target.distinct >= 1 && target.distinct <= 10) return "classification";
  return "regression";
}

// ---------------------------------------------------------------------------
// The samples.

namespace {

using csv_detail::at;
using csv_detail::count_text;
using csv_detail::number_text;

constexpr size_t kMaxNamesListed = 20;

std::string megabytes(double bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MB", bytes / (1024.0 * 1024.0));
  return b;
}

// A cell quoted in a message: a cell may be 4 KB, a message line should not.
std::string shortened(const std::string& text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return text;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  return text.substr(0, cut) + "...";
}

std::vector<std::string> listed(const std::vector<std::string>& names) {
  if (names.size() <= kMaxNamesListed) return names;
  std::vector<std::string> out(names.begin(), names.begin() + kMaxNamesListed);
  out.emplace_back("...");
  return out;
}

struct Feature {
  int column = -1;
  bool one_hot = false;
  double mean = 0;
};

}  // namespace

std::optional<TableData> build_table(const CsvTable& table, const DatasetSpec& d, const std::string& task,
                                     const std::string& name, Diagnostics& diags) {
  const size_t errors_before = diags.error_count();
  const bool sequence = d.window > 0;
  const std::vector<std::string> names = table.names();
  const auto find = [&](const std::string& col, const std::string& path) -> int {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (table.columns[c].name == col) return static_cast<int>(c);
    }
    diags.error(path, msg("csv.unknown_column", {col, name, suggestion(col, names), list_arg(listed(names))}));
    return -1;
  };
  const auto has_values = [&](int c) {
    const CsvColumn& col = table.columns[static_cast<size_t>(c)];
    return col.missing < table.rows();
  };

  if (d.window < 0 || d.window > limits::max_window) {
    diags.error("dataset.window", msg("reader.between", {"0", count_text(limits::max_window), count_text(d.window)}));
  }
  if (sequence && (d.horizon < 1 || d.horizon > limits::max_window)) {
    diags.error("dataset.horizon", msg("reader.between", {"1", count_text(limits::max_window), count_text(d.horizon)}));
  }
  const bool classification = task == "classification";
  if (!classification && task != "regression") {
    diags.error("model.task",
                msg("reader.unknown_value", {task, suggestion(task, names::tasks), list_arg(names::tasks)}));
  }
  const bool fill = d.missing == "mean";
  if (!fill && d.missing != "drop") {
    diags.error("dataset.missing", msg("reader.unknown_value",
                                       {d.missing, suggestion(d.missing, names::missing), list_arg(names::missing)}));
  }

  int target = -1;
  if (d.target.empty()) {
    diags.error("dataset.target", msg("reader.missing", {"target"}));
  } else {
    target = find(d.target, "dataset.target");
  }
  int group = -1, order = -1;
  if (sequence && !d.group.empty()) group = find(d.group, "dataset.group");
  if (sequence && !d.order.empty()) order = find(d.order, "dataset.order");

  if (target >= 0) {
    const CsvColumn& t = table.columns[static_cast<size_t>(target)];
    if (!has_values(target)) {
      diags.error("dataset.target", msg("csv.column_empty", {t.name}));
    } else if (!classification && !t.numeric) {
      diags.error("dataset.target",
                  msg("csv.target_not_numeric", {t.name, at(name, t.first_text_line), shortened(t.first_text)}));
    } else if (classification && !t.numeric && t.distinct > csv_limits::max_categories) {
      diags.error("dataset.target", msg("csv.too_many_classes",
                                        {t.name, count_text(t.distinct), count_text(csv_limits::max_categories)}));
    }
  }

  std::vector<Feature> features;
  if (d.features.empty()) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const int ci = static_cast<int>(c);
      if (!table.columns[c].numeric || !has_values(ci) || ci == group || ci == order) continue;
      if (ci == target && !sequence) continue;
      features.push_back({ci});
    }
    if (features.empty() && diags.error_count() == errors_before) {
      diags.error("dataset.features", msg("csv.no_features", {d.target}));
    }
  } else {
    for (size_t i = 0; i < d.features.size(); ++i) {
      const std::string path = "dataset.features[" + std::to_string(i) + "]";
      const int f = find(d.features[i], path);
      if (f < 0) continue;
      const CsvColumn& col = table.columns[static_cast<size_t>(f)];
      if (std::any_of(features.begin(), features.end(), [&](const Feature& e) { return e.column == f; })) {
        diags.error(path, msg("csv.feature_twice", {col.name}));
      } else if (f == target && !sequence) {
        diags.error(path, msg("csv.target_is_feature", {col.name}));
      } else if (!has_values(f)) {
        diags.error(path, msg("csv.column_empty", {col.name}));
      } else if (!col.numeric && col.distinct > csv_limits::max_categories) {
        diags.error(path, msg("csv.too_many_categories",
                              {col.name, count_text(col.distinct), count_text(csv_limits::max_categories)}));
      } else {
        features.push_back({f, !col.numeric});
      }
    }
  }
  if (diags.error_count() > errors_before) return std::nullopt;

  TableData out;
  for (const Feature& f : features) {
    const CsvColumn& col = table.columns[static_cast<size_t>(f.column)];
    if (f.one_hot) {
      for (const std::string& level : col.levels) {
        out.inputs.push_back(col.name + "=" + level);
        out.one_hot.push_back(true);
      }
    } else {
      out.inputs.push_back(col.name);
      out.one_hot.push_back(false);
    }
  }
  if (static_cast<int64_t>(out.inputs.size()) > limits::max_input_names) {
    diags.error("dataset.features", msg("csv.too_many_inputs", {count_text(static_cast<int64_t>(out.inputs.size())),
                                                                count_text(limits::max_input_names)}));
    return std::nullopt;
  }
  const size_t width = out.inputs.size();

  // The rows used: a row without its target (or, for sequences, its group or
  // order) cannot be placed at all; a row with an empty feature cell is left
  // out or filled, as the lesson says. Both are counted and reported.
  std::vector<int> keys = {target};
  if (group >= 0) keys.push_back(group);
  if (order >= 0) keys.push_back(order);
  const auto missing_at = [&](int c, size_t r) {
    const CsvColumn& col = table.columns[static_cast<size_t>(c)];
    return col.numeric ? std::isnan(col.numbers[r]) : col.codes[r] < 0;
  };
  for (Feature& f : features) {
    const CsvColumn& col = table.columns[static_cast<size_t>(f.column)];
    if (f.one_hot) continue;
    double sum = 0;
    int64_t n = 0;
    for (double v : col.numbers) {
      if (!std::isnan(v)) {
        sum += v;
        ++n;
      }
    }
    f.mean = n > 0 ? sum / static_cast<double>(n) : 0;
  }
  std::vector<int32_t> kept;
  kept.reserve(static_cast<size_t>(table.rows()));
  int64_t first_dropped = 0;
  int64_t filled = 0;
  for (size_t r = 0; r < static_cast<size_t>(table.rows()); ++r) {
    bool drop = std::any_of(keys.begin(), keys.end(), [&](int c) { return missing_at(c, r); });
    int64_t empty_features = 0;
    for (const Feature& f : features) empty_features += missing_at(f.column, r) ? 1 : 0;
    if (!drop && empty_features > 0 && !fill) drop = true;
    if (drop) {
      if (out.dropped_rows++ == 0) first_dropped = table.line[r];
      continue;
    }
    filled += empty_features;
    kept.push_back(static_cast<int32_t>(r));
  }
  out.filled_cells = filled;
  if (out.dropped_rows > 0) {
    if (fill) {
      std::vector<std::string> key_names;
      for (int c : keys) key_names.push_back("'" + table.columns[static_cast<size_t>(c)].name + "'");
      diags.warning(
          name, msg("csv.dropped_key", {count_text(out.dropped_rows), list_arg(key_names), count_text(first_dropped)}));
    } else {
      diags.note(name, msg("csv.dropped_rows",
                           {count_text(out.dropped_rows), count_text(table.rows()), count_text(first_dropped)}));
    }
  }
  if (filled > 0) diags.note(name, msg("csv.filled_cells", {count_text(filled)}));
  if (kept.empty()) {
    diags.error(name, msg("csv.nothing_left"));
    return std::nullopt;
  }

  // Sequences: each group's rows in order, then every window that fits with
  // its target `horizon` rows past its end, within the group.
  struct Sample {
    size_t first;  // into `kept`
    size_t target;
  };
  std::vector<Sample> samples;
  if (sequence) {
    std::vector<int64_t> group_of(kept.size(), 0);
    if (group >= 0) {
      const CsvColumn& g = table.columns[static_cast<size_t>(group)];
      std::unordered_map<double, int64_t> first_seen;
      for (size_t i = 0; i < kept.size(); ++i) {
        const auto r = static_cast<size_t>(kept[i]);
        // Text codes already number the values in order of first appearance.
        group_of[i] = g.numeric ? first_seen.emplace(g.numbers[r], first_seen.size()).first->second : g.codes[r];
      }
    }
    std::vector<double> key(kept.size(), 0);
    if (order >= 0) {
      const CsvColumn& o = table.columns[static_cast<size_t>(order)];
      for (size_t i = 0; i < kept.size(); ++i) {
        const auto r = static_cast<size_t>(kept[i]);
        key[i] = o.numeric ? o.numbers[r] : o.rank[static_cast<size_t>(o.codes[r])];
      }
    }
    std::vector<size_t> idx(kept.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      return group_of[a] != group_of[b] ? group_of[a] < group_of[b] : key[a] < key[b];
    });
    std::vector<int32_t> sorted(kept.size());
    std::vector<int64_t> sorted_group(kept.size());
    for (size_t i = 0; i < idx.size(); ++i) {
      sorted[i] = kept[idx[i]];
      sorted_group[i] = group_of[idx[i]];
    }
    kept = std::move(sorted);
    const size_t span = static_cast<size_t>(d.window) + static_cast<size_t>(d.horizon);
    size_t longest = 0;
    int64_t total = 0;
    for (size_t b = 0; b < kept.size();) {
      size_t e = b;
      while (e < kept.size() && sorted_group[e] == sorted_group[b]) ++e;
      longest = std::max(longest, e - b);
      if (e - b >= span) total += static_cast<int64_t>(e - b - span + 1);
      b = e;
    }
    if (total == 0) {
      diags.error("dataset.window", msg("csv.no_windows", {count_text(static_cast<int64_t>(span)),
                                                           count_text(static_cast<int64_t>(longest))}));
      return std::nullopt;
    }
    if (total > limits::max_samples) {
      diags.error("dataset.window", msg("csv.too_many_samples", {count_text(total), count_text(limits::max_samples)}));
      return std::nullopt;
    }
    samples.reserve(static_cast<size_t>(total));
    for (size_t b = 0; b < kept.size();) {
      size_t e = b;
      while (e < kept.size() && sorted_group[e] == sorted_group[b]) ++e;
      for (size_t s = b; s + span <= e; ++s) samples.push_back({s, s + span - 1});
      b = e;
    }
  } else {
    samples.reserve(kept.size());
    for (size_t i = 0; i < kept.size(); ++i) samples.push_back({i, i});
  }
  // Each used row's inputs, and for a sequence the windows copied from them,
  // are held at once: both are bounded before either is allocated.
  const double need =
      (static_cast<double>(kept.size()) + (sequence ? static_cast<double>(samples.size()) * d.window : 0.0)) *
      static_cast<double>(width) * sizeof(float);
  if (need > static_cast<double>(limits::max_data_bytes)) {
    const double per_sample = static_cast<double>(width) * std::max(1, d.window) * sizeof(float);
    diags.error(sequence ? "dataset.window" : "dataset.features",
                msg("dataset.too_much_data",
                    {megabytes(need), megabytes(static_cast<double>(limits::max_data_bytes)),
                     count_text(static_cast<int64_t>(static_cast<double>(limits::max_data_bytes) / per_sample))}));
    return std::nullopt;
  }

  // The targets, and for classification the classes they name: sorted, so
  // that the same file gives the same class numbers wherever it is read.
  const CsvColumn& t = table.columns[static_cast<size_t>(target)];
  out.y.resize(samples.size());
  if (!classification) {
    for (size_t s = 0; s < samples.size(); ++s) {
      out.y[s] = static_cast<float>(t.numbers[static_cast<size_t>(kept[samples[s].target])]);
    }
  } else if (!t.numeric) {
    std::vector<char> used(t.levels.size(), 0);
    for (const Sample& s : samples) used[static_cast<size_t>(t.codes[static_cast<size_t>(kept[s.target])])] = 1;
    std::vector<int32_t> codes;
    for (size_t k = 0; k < used.size(); ++k) {
      if (used[k] != 0) codes.push_back(static_cast<int32_t>(k));
    }
    std::sort(codes.begin(), codes.end(), [&](int32_t a, int32_t b) {
      return t.levels[static_cast<size_t>(a)] < t.levels[static_cast<size_t>(b)];
    });
    std::vector<int32_t> class_of(t.levels.size(), -1);
    for (size_t i = 0; i < codes.size(); ++i) {
      class_of[static_cast<size_t>(codes[i])] = static_cast<int32_t>(i);
      out.classes.push_back(t.levels[static_cast<size_t>(codes[i])]);
    }
    for (size_t s = 0; s < samples.size(); ++s) {
      out.y[s] =
          static_cast<float>(class_of[static_cast<size_t>(t.codes[static_cast<size_t>(kept[samples[s].target])])]);
    }
  } else {
    std::vector<double> values;
    values.reserve(samples.size());
    for (const Sample& s : samples) values.push_back(t.numbers[static_cast<size_t>(kept[s.target])]);
    std::vector<double> distinct = values;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    if (static_cast<int64_t>(distinct.size()) > csv_limits::max_categories) {
      diags.error("dataset.target",
                  msg("csv.too_many_classes_numeric", {t.name, count_text(static_cast<int64_t>(distinct.size())),
                                                       count_text(csv_limits::max_categories)}));
      return std::nullopt;
    }
    for (double v : distinct) out.classes.push_back(number_text(v));
    for (size_t s = 0; s < samples.size(); ++s) {
      out.y[s] = static_cast<float>(std::lower_bound(distinct.begin(), distinct.end(), values[s]) - distinct.begin());
    }
  }
  if (classification && out.classes.size() < 2) {
    diags.error("dataset.target", msg("csv.one_class", {t.name, out.classes.empty() ? "" : shortened(out.classes[0])}));
    return std::nullopt;
  }

  // The inputs of each used row once, then copied into the windows.
  std::vector<float> rows(kept.size() * width, 0.0f);
  for (size_t i = 0; i < kept.size(); ++i) {
    const auto r = static_cast<size_t>(kept[i]);
    float* o = rows.data() + i * width;
    for (const Feature& f : features) {
      const CsvColumn& col = table.columns[static_cast<size_t>(f.column)];
      if (f.one_hot) {
        // An empty text cell (missing = "mean") is no category: all zeros.
        if (col.codes[r] >= 0) o[col.codes[r]] = 1.0f;
        o += col.levels.size();
      } else {
        const double v = col.numbers[r];
        *o++ = static_cast<float>(std::isnan(v) ? f.mean : v);
      }
    }
  }
  if (!sequence) {
    out.x = std::move(rows);
    return out;
  }
  out.steps = d.window;
  const size_t window = static_cast<size_t>(d.window);
  out.x.resize(samples.size() * window * width);
  for (size_t s = 0; s < samples.size(); ++s) {
    std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>(samples[s].first * width), window * width,
                out.x.begin() + static_cast<std::ptrdiff_t>(s * window * width));
  }
  return out;
}

}  // namespace aisb
