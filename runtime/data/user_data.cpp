// A lesson's own data: from the lesson's folder (or a center's uploaded copy)
// to samples, through the CSV and image readers, held to the job's facts.
#include "data/user_data.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include "core/files.hpp"
#include "core/job_reader.hpp"
#include "data/csv_table.hpp"
#include "data/data_pack.hpp"
#include "data/image_folder.hpp"

namespace aisb {

namespace fs = std::filesystem;

namespace {

std::string mib(int64_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB";
}

}  // namespace

bool stays_inside(const fs::path& base, const fs::path& file) {
  std::error_code ec;
  const fs::path b = fs::weakly_canonical(base.empty() ? fs::path(".") : base, ec);
  if (ec) return false;
  const fs::path f = fs::weakly_canonical(file, ec);
  if (ec) return false;
  auto bi = b.begin();
  auto fi = f.begin();
  for (; bi != b.end(); ++bi, ++fi) {
    if (bi->empty()) continue;  // a trailing separator
    if (fi == f.end() || *fi != *bi) return false;
  }
  return true;
}

namespace {

std::optional<TableData> read_table(const DatasetSpec& d, const std::string& task, const std::string& bytes,
                                    const std::string& name, Diagnostics& diags, DataSummary* summary) {
  Diagnostics local;
  std::optional<TableData> data;
  if (const std::optional<CsvTable> table = read_csv(bytes, name, local); table) {
    data = build_table(*table, d, task, name, local);
    if (summary != nullptr) {
      summary->encoding = table->encoding;
      summary->rows = table->rows();
      summary->columns = static_cast<int64_t>(table->columns.size());
    }
  }
  take_data_diagnostics(local, diags);
  if (data && summary != nullptr) {
    summary->dropped_rows = data->dropped_rows;
    summary->filled_cells = data->filled_cells;
    summary->samples = data->samples();
  }
  return data;
}

}  // namespace

bool read_data_file(const fs::path& file, int64_t max, std::string& out, std::string& why) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) {
    why = ec.message();
    return false;
  }
  if (static_cast<int64_t>(size) > max) {
    why = mib(static_cast<int64_t>(size)) + " > " + mib(max);
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    why = "cannot open";
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

void take_data_diagnostics(const Diagnostics& from, Diagnostics& into) {
  for (Diagnostic d : from.all()) {
    if (!d.path.starts_with("dataset")) {
      d.where = d.path;
      d.path.clear();
    }
    into.add(std::move(d));
  }
}

bool resolve_data(JobSpec& job, const fs::path& base, Diagnostics& diags, DataSummary* summary, bool decode_images) {
  DatasetSpec& d = job.dataset;
  if (!is_file_source(d)) return true;
  const std::string rel = source_path(d);
  if (!is_safe_relative_path(rel)) return false;  // the validator said so
  const fs::path full = base / path_of_utf8(rel);
  const std::string name = full.string();
  if (summary != nullptr) summary->name = rel;
  std::error_code ec;
  const bool csv = is_csv_source(d);
  if (!fs::exists(full, ec)) {
    diags.error("dataset.source", msg(csv ? "dataset.file_missing" : "dataset.folder_missing", {rel, name}));
    return false;
  }
  if (!stays_inside(base, full)) {
    diags.error("dataset.source", msg("dataset.path_outside", {rel}));
    return false;
  }
  if (csv) {
    if (fs::is_directory(full, ec)) {
      diags.error("dataset.source", msg("dataset.not_a_file", {rel}));
      return false;
    }
    std::string bytes, why;
    if (!read_data_file(full, csv_limits::max_bytes, bytes, why)) {
      diags.error("dataset.source", msg("dataset.cannot_read", {rel, why}));
      return false;
    }
    const std::optional<TableData> data = read_table(d, job.model.task, bytes, name, diags, summary);
    if (!data) return false;
    if (data->samples() > limits::max_samples) {
      diags.error("dataset.source", msg("dataset.too_many_samples",
                                        {rel, std::to_string(data->samples()), std::to_string(limits::max_samples)}));
      return false;
    }
    d.data_sha256 = sha256_hex(bytes);
    d.input_names = data->inputs;
    d.class_names = data->classes;
    d.samples = static_cast<int>(data->samples());
  } else {
    if (!fs::is_directory(full, ec)) {
      diags.error("dataset.source", msg("dataset.not_a_folder", {rel}));
      return false;
    }
    Diagnostics local;
    const std::optional<ImageListing> listing = list_images(full, name, local);
    bool ok = listing.has_value() && !local.has_errors();
    int64_t samples = ok ? static_cast<int64_t>(listing->files.size()) : 0;
    if (ok && decode_images && d.size.size() == 2) {
      const std::optional<Images> images = read_images(full, *listing, d.size[0], d.size[1], d.channels, name, local);
      ok = images.has_value() && !local.has_errors();
      if (images) samples = static_cast<int64_t>(images->size());
    }
    std::optional<std::string> hash;
    if (ok) hash = image_folder_sha256(full, local);
    take_data_diagnostics(local, diags);
    if (!ok || !hash) return false;
    d.data_sha256 = *hash;
    d.class_names = listing->classes;
    d.input_names.clear();
    d.samples = static_cast<int>(std::min<int64_t>(samples, limits::max_samples));
    if (summary != nullptr) {
      summary->per_class = listing->per_class;
      summary->samples = samples;
    }
    if (samples > limits::max_samples) {
      diags.error("dataset.source",
                  msg("dataset.too_many_samples", {rel, std::to_string(samples), std::to_string(limits::max_samples)}));
      return false;
    }
  }
  d.location = full.string();
  return true;
}

FileSamples load_file_source(const JobSpec& job) {
  const DatasetSpec& d = job.dataset;
  if (d.location.empty()) throw DataError("the data of '" + d.source + "' was not found on this computer");
  const fs::path where = path_of_utf8(d.location);
  const std::string name = source_path(d);
  FileSamples out;
  Diagnostics diags;
  const auto fail = [&]() -> DataError {
    const std::string first = diags.first_error();
    return DataError(first.empty() ? render_message(msg("dataset.data_changed"), "en") : first);
  };
  if (is_csv_source(d)) {
    std::string bytes, why;
    if (!read_data_file(where, csv_limits::max_bytes, bytes, why)) throw DataError("cannot read " + name + ": " + why);
    if (!d.data_sha256.empty() && sha256_hex(bytes) != d.data_sha256) throw fail();
    std::optional<TableData> data = read_table(d, job.model.task, bytes, name, diags, nullptr);
    if (!data) throw fail();
    out.report = diags;  // (read_table placed them)
    if (data->inputs != d.input_names || data->classes != d.class_names || data->samples() != d.samples) throw fail();
    out.scaled.reserve(data->one_hot.size());
    for (const bool one_hot : data->one_hot) out.scaled.push_back(!one_hot);
    out.x = std::move(data->x);
    out.y = std::move(data->y);
    return out;
  }
  std::error_code ec;
  const bool tar = fs::is_regular_file(where, ec);
  if (!d.data_sha256.empty()) {
    const std::optional<std::string> hash = tar ? sha256_of_file(where) : image_folder_sha256(where, diags);
    if (!hash || *hash != d.data_sha256) throw fail();
  }
  const std::optional<ImageListing> listing = list_images(where, name, diags);
  if (!listing || diags.has_errors() || d.size.size() != 2) throw fail();
  std::optional<Images> images = read_images(where, *listing, d.size[0], d.size[1], d.channels, name, diags);
  if (!images || diags.has_errors()) throw fail();
  take_data_diagnostics(diags, out.report);
  // Files that cannot be decoded are left out, so a worker may find fewer
  // samples than the listing the job was sized by, never more.
  if (listing->classes != d.class_names || static_cast<int64_t>(images->size()) > d.samples) throw fail();
  out.x = std::move(images->pixels);
  out.y = std::move(images->label);
  return out;
}

}  // namespace aisb
