#include "session/keep_model.hpp"
#include "core/files.hpp"
#include "core/user_dirs.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>

#include "export/export.hpp"

namespace fs = std::filesystem;

namespace aisb::app {

fs::path user_models_dir() {
  return user_dir(UserDir::data) / "models";
}

std::string model_name_for(const JobSpec& job) {
  std::string name;
  for (const char c : job.lesson) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    name += ok ? c : '-';
  }
  return name.empty() ? std::string("playground") : name;
}

fs::path keep_path(const fs::path& folder, const std::string& name, const std::string& kind) {
  const std::string ending = kind == "pytorch"    ? "-pytorch"
                             : kind == "onnx"     ? ".onnx"
                             : kind == "notebook" ? ".ipynb"
                                                  : kModelFileExtension;
  return folder / path_of_utf8(name + ending);
}

KeepResult save_model_file(const TrainedModel& model, const fs::path& file) {
  KeepResult r;
  r.path = file;
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  r.ok = write_file_atomically(file, model_file_text(model), 0644, &r.problem);
  return r;
}

KeepResult keep_model(const TrainedModel& model, const std::string& kind, const fs::path& folder,
                      const std::string& name, const std::string& lang, const fs::path& data_dir) {
  const fs::path out = keep_path(folder, name, kind);
  if (kind == "model") return save_model_file(model, out);
  KeepResult r;
  r.path = out;
  try {
    std::error_code ec;
    fs::create_directories(folder, ec);
    export_model(model, export_kind(kind), out, lang, data_dir);
    r.ok = true;
  } catch (const std::exception& e) {
    r.problem = e.what();
  }
  return r;
}

bool is_model_file(const fs::path& path) {
  std::string e = path.extension().string();
  for (char& c : e) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return e == kModelFileExtension;
}

std::vector<fs::path> model_files_in(const fs::path& folder) {
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  std::error_code ec;
  for (auto it = fs::directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::directory_iterator() && found.size() < 200; it.increment(ec)) {
    std::error_code e2;
    if (!it->is_regular_file(e2) || !is_model_file(it->path())) continue;
    found.emplace_back(it->last_write_time(e2), it->path());
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace aisb::app
