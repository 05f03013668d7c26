#include "backend/center_client.hpp"

#include "core/trained_model.hpp"

#include "core/files.hpp"
#include "core/user_dirs.hpp"

#include "core/json_text.hpp"
#include "core/messages.hpp"
#include "data/data_pack.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <toml++/toml.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::remote {

fs::path center_config_path() {
  return user_dir(UserDir::config) / "center.toml";
}

std::optional<CenterLogin> load_login() {
  const fs::path file = center_config_path();
  if (!fs::exists(file)) return std::nullopt;
  try {
    const toml::table t = toml::parse_file(utf8_of(file));
    CenterLogin l;
    l.url = t["url"].value_or(std::string());
    l.token = t["token"].value_or(std::string());
    l.class_code = t["class_code"].value_or(std::string());
    l.name = t["name"].value_or(std::string());
    l.role = t["role"].value_or(std::string("student"));
    l.class_id = t["class"].value_or(std::string());
    if (l.url.empty()) return std::nullopt;
    return l;
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
}

void save_login(const CenterLogin& l) {
  const fs::path file = center_config_path();
  fs::create_directories(file.parent_path());
  toml::table t{{"url", l.url},   {"token", l.token}, {"class_code", l.class_code},
                {"name", l.name}, {"role", l.role},   {"class", l.class_id}};
  std::ostringstream text;
  text << "# The compute center this computer logged in to (aisandbox-cli login, or the app).\n"
       << "# The token is a password: keep this file to yourself.\n"
       << t << "\n";
  std::string why;
  if (!write_file_atomically(file, text.str(), 0600, &why)) throw std::runtime_error(why);
}

CenterLogin log_in(const std::string& url, const std::string& class_code, const std::string& name,
                   const std::string& personal_code, const net::ClientOptions& options) {
  CenterClient client(url, "", options);
  json answer;
  CenterLogin l{client.url(), client.login(class_code, name, personal_code, &answer), class_code, name, "student"};
  l.name = answer.value("name", name);
  l.class_id = answer.value("class", "");
  l.class_code = answer.value("class_code", class_code);  // as the center writes it, not as typed
  l.new_code = answer.value("code", "");
  save_login(l);
  return l;
}

CenterLogin log_in_teacher(const std::string& url, const std::string& teacher_token,
                           const net::ClientOptions& options) {
  CenterClient client(url, teacher_token, options);
  const json me = client.me();
  if (me.value("role", "") != "teacher") throw Refused(403, "this token is a student's, not a teacher's", "");
  CenterLogin l{client.url(), teacher_token, "", me.value("class_name", ""), "teacher"};
  l.class_id = me.value("class", "");
  save_login(l);
  return l;
}

CenterClient::CenterClient(std::string url, std::string token, net::ClientOptions options)
    : url_(std::move(url)), token_(std::move(token)), options_(std::move(options)) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  net::parse_url(url_);  // throws std::invalid_argument for a bad address
}

json CenterClient::call(const std::string& method, const std::string& path, const std::string& body,
                        const net::Headers& extra) {
  net::Headers headers = extra;
  if (!token_.empty()) headers.push_back({"Authorization", "Bearer " + token_});
  const net::ClientResponse r = net::request(method, url_ + path, body, headers, options_);
  if (r.status < 200 || r.status >= 300) refuse(r);
  json j = parse_json(r.body);
  if (j.is_discarded()) throw net::Unreachable(url_ + " answered with something that is not JSON");
  return j;
}

std::string CenterClient::call_text(const std::string& method, const std::string& path) {
  net::Headers headers;
  if (!token_.empty()) headers.push_back({"Authorization", "Bearer " + token_});
  const net::ClientResponse r = net::request(method, url_ + path, "", headers, options_);
  if (r.status < 200 || r.status >= 300) refuse(r);
  return r.body;
}

void CenterClient::refuse(const net::ClientResponse& r) {
  const json j = parse_json(r.body);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    const std::string ko = j.contains("error_ko") && j["error_ko"].is_string() ? j["error_ko"].get<std::string>() : "";
    throw Refused(r.status, j["error"].get<std::string>(), j.value("field", ""), ko);
  }
  if (r.status == 404 && j.is_discarded()) throw net::Unreachable(url_ + " is not an AI Sandbox center (404)");
  throw Refused(r.status, "the center answered " + std::to_string(r.status), "");
}

json CenterClient::health() {
  return call("GET", "/api/v1/health");
}

json CenterClient::me() {
  return call("GET", "/api/v1/me");
}

std::string CenterClient::login(const std::string& class_code, const std::string& name,
                                const std::string& personal_code, json* answer) {
  json body{{"class_code", class_code}, {"name", name}};
  if (!personal_code.empty()) body["code"] = personal_code;
  const json j = call("POST", "/api/v1/login", body.dump());
  token_ = j.at("token").get<std::string>();
  if (answer != nullptr) *answer = j;
  return token_;
}

void CenterClient::logout() {
  call("POST", "/api/v1/logout");
}

namespace {

// Where a packed image folder waits for its upload:
// user_dir(cache): $XDG_CACHE_HOME/aisandbox (~/.cache/aisandbox);
// on Windows %LOCALAPPDATA%\AISandbox\cache.
fs::path cache_folder() {
  return user_dir(UserDir::cache);
}

// A file that is removed when this goes, however the upload ended.
struct TempFile {
  fs::path path;
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

UploadError upload_error(const std::string& key, const std::string& arg) {
  return UploadError(message_text(key, "en", {arg}), message_text(key, "ko", {arg}));
}

}  // namespace

uint64_t CenterClient::upload_data(const JobSpec& job, const std::function<void(uint64_t)>& on_upload,
                                   const std::function<void(uint64_t, uint64_t)>& on_progress,
                                   const std::atomic<bool>* cancel) {
  const DatasetSpec& d = job.dataset;
  if (!is_file_source(d)) return 0;
  if (d.data_sha256.empty() || d.location.empty()) {
    throw upload_error("cli.center.data_unreadable", source_path(d) + ": the lesson's data was not read here");
  }
  net::Headers auth;
  if (!token_.empty()) auth.push_back({"Authorization", "Bearer " + token_});
  const std::string address = url_ + "/api/v1/data/" + net::url_encode(d.data_sha256);
  const net::ClientResponse head = net::request("HEAD", address, "", auth, options_);
  if (head.status == 200) return 0;
  if (head.status != 404) {
    // A HEAD's answer has no body to say why: the status does.
    if (head.status == 401) {
      throw Refused(401, message_text("api.token_unknown", "en"), "", message_text("api.token_unknown", "ko"));
    }
    if (head.status == 429) {
      throw Refused(429, message_text("api.too_many_requests", "en"), "", message_text("api.too_many_requests", "ko"));
    }
    refuse(head);
  }
  // What goes: a CSV as it is, an image folder as its canonical tar. Its
  // hash is checked here first: a file changed since the lesson was read
  // would only be refused after the whole upload.
  fs::path file = path_of_utf8(d.location);
  TempFile tar;
  if (is_images_source(d)) {
    std::error_code ec;
    const fs::path cache = cache_folder();
    fs::create_directories(cache, ec);
    std::string name(16, '0');
    std::random_device rd;
    for (char& c : name) c = "0123456789abcdef"[rd() & 15];
    tar.path = cache / path_of_utf8("upload-" + name + ".tar");
    std::ofstream out(tar.path, std::ios::binary | std::ios::trunc);
    Diagnostics diags;
    const bool packed =
        out && pack_image_folder(
                   path_of_utf8(d.location),
                   [&](std::string_view bytes) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); },
                   diags);
    out.close();
    if (!packed || !out) {
      throw upload_error("cli.center.data_unreadable",
                         diags.has_errors() ? diags.first_error() : "cannot write " + utf8_of(tar.path));
    }
    file = tar.path;
  }
  const auto sha256 = sha256_of_file(file);
  if (!sha256) throw upload_error("cli.center.data_unreadable", "cannot read " + d.location);
  if (*sha256 != d.data_sha256) throw upload_error("cli.center.data_changed", source_path(d));
  std::error_code ec;
  const uint64_t bytes = fs::file_size(file, ec);
  if (on_upload) on_upload(bytes);
  const net::ClientResponse r = net::upload_file("PUT", address, file, auth, options_, on_progress, cancel);
  if (r.status == 200 || r.status == 201) return bytes;
  refuse(r);
}

std::string CenterClient::submit(const JobSpec& job) {
  // A key of its own for this job: when the answer is lost on the way (a
  // school's network drops it), the retry gets the same job back, not a
  // second one.
  std::string key(32, '0');
  std::random_device rd;
  static const char* hexd = "0123456789abcdef";
  for (char& c : key) c = hexd[rd() & 15];
  const std::string body = to_json(job).dump();
  try {
    return call("POST", "/api/v1/jobs", body, {{"Idempotency-Key", key}}).at("id").get<std::string>();
  } catch (const net::Unreachable& e) {
    if (std::string(e.what()) == "cancelled") throw;
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return call("POST", "/api/v1/jobs", body, {{"Idempotency-Key", key}}).at("id").get<std::string>();
  }
}

json CenterClient::job(const std::string& id) {
  return call("GET", "/api/v1/jobs/" + net::url_encode(id));
}

json CenterClient::jobs(int limit) {
  return call("GET", "/api/v1/jobs?limit=" + std::to_string(limit));
}

json CenterClient::class_jobs(const std::string& class_id, int limit) {
  return call("GET", "/api/v1/classes/" + net::url_encode(class_id) + "/jobs?limit=" + std::to_string(limit));
}

void CenterClient::cancel(const std::string& id) {
  call("POST", "/api/v1/jobs/" + net::url_encode(id) + "/cancel");
}

void CenterClient::probe(const std::string& id, int64_t sample) {
  call("POST", "/api/v1/jobs/" + net::url_encode(id) + "/probe", json{{"sample", sample}}.dump());
}

json CenterClient::model(const std::string& id) {
  return call("GET", "/api/v1/jobs/" + net::url_encode(id) + "/model");
}

std::string CenterClient::model_file(const std::string& id) {
  net::Headers headers;
  if (!token_.empty()) headers.push_back({"Authorization", "Bearer " + token_});
  net::ClientOptions options = options_;
  options.max_body = kMaxModelFileBytes;
  const net::ClientResponse r =
      net::request("GET", url_ + "/api/v1/jobs/" + net::url_encode(id) + "/model", "", headers, options);
  if (r.status < 200 || r.status >= 300) refuse(r);
  return r.body;
}

namespace {
std::string class_path(const std::string& class_id) {
  return "/api/v1/classes/" + net::url_encode(class_id);
}
}  // namespace

json CenterClient::roster(const std::string& class_id) {
  return call("GET", class_path(class_id) + "/roster");
}

json CenterClient::roster_add(const std::string& class_id, const std::vector<std::string>& names) {
  return call("POST", class_path(class_id) + "/roster", json{{"names", names}}.dump());
}

json CenterClient::roster_reset(const std::string& class_id, const std::string& name) {
  return call("POST", class_path(class_id) + "/roster/reset", json{{"name", name}}.dump());
}

json CenterClient::lessons(const std::string& class_id) {
  return call("GET", class_path(class_id) + "/lessons");
}

std::string CenterClient::lesson_text(const std::string& class_id, const std::string& lesson_id) {
  return call_text("GET", class_path(class_id) + "/lessons/" + net::url_encode(lesson_id));
}

json CenterClient::publish(const std::string& class_id, const std::string& lesson_id, const std::string& toml_text) {
  return call("PUT", class_path(class_id) + "/lessons/" + net::url_encode(lesson_id), toml_text);
}

void CenterClient::unpublish(const std::string& class_id, const std::string& lesson_id) {
  call("DELETE", class_path(class_id) + "/lessons/" + net::url_encode(lesson_id));
}

json CenterClient::put_progress(const std::string& lesson_id, const json& progress) {
  return call("PUT", "/api/v1/progress/" + net::url_encode(lesson_id), progress.dump());
}

json CenterClient::class_progress(const std::string& class_id) {
  return call("GET", class_path(class_id) + "/progress");
}

std::string CenterClient::class_report(const std::string& class_id, const std::string& lang) {
  return call_text("GET", class_path(class_id) + "/report?lang=" + (lang == "en" ? "en" : "ko"));
}

uint64_t CenterClient::follow(const std::string& id, uint64_t after_seq,
                              const std::function<bool(const json&)>& on_event, const std::atomic<bool>* cancel,
                              double give_up_seconds, bool snapshots) {
  using Clock = std::chrono::steady_clock;
  uint64_t last = after_seq;
  bool done = false, stop = false;
  auto last_contact = Clock::now();
  double backoff = 0.25;
  while (!done && !stop && (cancel == nullptr || !cancel->load())) {
    net::Headers headers{{"Accept", "text/event-stream"}};
    if (!token_.empty()) headers.push_back({"Authorization", "Bearer " + token_});
    if (last > 0) headers.push_back({"Last-Event-ID", std::to_string(last)});
    std::string data, error_body;
    try {
      const int status = net::stream_lines(
          url_ + "/api/v1/jobs/" + net::url_encode(id) + "/events" + (snapshots ? "" : "?without=snapshot"), headers,
          [&](std::string_view line) {
            last_contact = Clock::now();
            if (line.starts_with("data:")) {
              line.remove_prefix(5);
              if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
              data.append(line);
            } else if (line.empty() && !data.empty()) {
              const json e = parse_json(data);
              data.clear();
              if (e.is_object()) {
                const uint64_t seq = e.value("seq", uint64_t{0});
                if (seq <= last) return true;  // already handed over
                last = seq;
                if (e.value("type", "") == "done") done = true;
                if (!on_event(e)) stop = true;
                if (done || stop) return false;
              }
            }
            return true;
          },
          options_, &error_body, cancel);
      last_contact = Clock::now();
      if (status != 200) {
        const json j = parse_json(error_body);
        throw Refused(status,
                      j.is_object() && j.contains("error") ? j["error"].get<std::string>()
                                                           : "the center answered " + std::to_string(status),
                      "");
      }
      backoff = 0.25;  // the stream ended without `done`: a restart of the center; go again
    } catch (const net::Unreachable& e) {
      if (std::chrono::duration<double>(Clock::now() - last_contact).count() > give_up_seconds) throw;
    }
    if (!done && !stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(backoff * 1000)));
      backoff = std::min(5.0, backoff * 2);
    }
  }
  return last;
}

}  // namespace aisb::remote
