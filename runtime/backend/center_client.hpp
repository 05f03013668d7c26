// Talking to a compute center (SPEC.md section 5) from the CLI and the app:
// the saved login, the API calls, and an event stream that reconnects by
// itself with Last-Event-ID after any drop until the run's `done`.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/spec.hpp"
#include "net/http.hpp"

namespace aisb::remote {

// $XDG_CONFIG_HOME/aisandbox/center.toml (default ~/.config/aisandbox/...).
struct CenterLogin {
  std::string url, token, class_code, name;
  std::string role = "student";  // or "teacher" (a class's teacher token)
  std::string class_id;          // the class's id ("c..."), for its lessons and progress
  // Not saved: the personal code the center gave this name at its first
  // sign-in (shown to the student once).
  std::string new_code;
};
std::filesystem::path center_config_path();
std::optional<CenterLogin> load_login();
// Written atomically with mode 0600: the token is a password.
void save_login(const CenterLogin& login);

class CenterClient;

// Logging in, as the CLI and the app's panel do it: the student's way (class
// code, name and personal code; the first sign-in of a new name in a class
// without a roster needs none and gets one in `new_code`) or the teacher's
// (the class's teacher token, checked with /api/v1/me). Saves the login
// (save_login) and returns it; throws net::Unreachable, Refused (a wrong
// code: 401; a teacher token that is a student's: 403) or
// std::invalid_argument (a bad address).
CenterLogin log_in(const std::string& url, const std::string& class_code, const std::string& name,
                   const std::string& personal_code = "", const net::ClientOptions& options = {});
CenterLogin log_in_teacher(const std::string& url, const std::string& teacher_token,
                           const net::ClientOptions& options = {});

// The center answered, but with a refusal: the status, its message and, for
// a 422, the field of the job spec it names.
class Refused : public std::runtime_error {
 public:
  Refused(int status, const std::string& message, std::string field, std::string message_ko = "")
      : std::runtime_error(message), status(status), field(std::move(field)), message_ko(std::move(message_ko)) {}
  int status;
  std::string field;
  std::string message_ko;  // the center's Korean words ("error_ko"), where it has them
  // The message in `lang` ("ko" or "en"), English where there is no Korean.
  [[nodiscard]] std::string in(const std::string& lang) const {
    return lang == "ko" && !message_ko.empty() ? message_ko : what();
  }
};
// net::Unreachable for a center that cannot be reached.

// A job's own data that cannot be sent as it is: it cannot be read on this
// computer, or it changed since the lesson was read (its hash is no longer
// the job's). In both languages, as Refused.
class UploadError : public std::runtime_error {
 public:
  UploadError(const std::string& message, std::string message_ko)
      : std::runtime_error(message), message_ko(std::move(message_ko)) {}
  std::string message_ko;
  [[nodiscard]] std::string in(const std::string& lang) const {
    return lang == "ko" && !message_ko.empty() ? message_ko : what();
  }
};

class CenterClient {
 public:
  CenterClient(std::string url, std::string token, net::ClientOptions options = {});

  nlohmann::json health();
  // Who the token belongs to: {"role": "student"|"teacher", "class", "class_name", "name"}.
  nlohmann::json me();
  // Returns the new token; `answer` gets the whole answer (name, class,
  // and the new personal code of a name's first sign-in).
  std::string login(const std::string& class_code, const std::string& name, const std::string& personal_code = "",
                    nlohmann::json* answer = nullptr);
  // Ends this token at the center (a student's).
  void logout();
  // Makes sure the center holds the data a job reads, when it is a file
  // (SPEC.md section 5: by content hash, never by path): asks with HEAD,
  // and when the center's answer is 404, PUTs the file streamed from disk
  // (a CSV's bytes; an image folder packed as its canonical tar into a
  // temporary file under $XDG_CACHE_HOME/aisandbox, removed after). The job
  // must have been resolved on this computer (data_sha256 and location, as
  // loading a lesson does). `on_upload(bytes)` is told before an upload
  // starts ("uploading data (N MB)"), `on_progress(sent, total)` as it goes.
  // Returns the bytes sent: 0 when the center had the data (or the job has
  // none of its own). Throws Refused (413 over a limit or the class's quota,
  // 422 bytes that do not match their hash: the data changed since the
  // lesson was read), net::Unreachable, or std::runtime_error for data that
  // cannot be read here.
  uint64_t upload_data(const JobSpec& job, const std::function<void(uint64_t bytes)>& on_upload = {},
                       const std::function<void(uint64_t sent, uint64_t total)>& on_progress = {},
                       const std::atomic<bool>* cancel = nullptr);
  // Returns the job's id. A job with data of its own needs upload_data first.
  std::string submit(const JobSpec& job);
  nlohmann::json job(const std::string& id);
  nlohmann::json jobs(int limit = 50);
  nlohmann::json class_jobs(const std::string& class_id, int limit = 200);
  void cancel(const std::string& id);
  // The inside views' chosen test sample for a running job (the worker probes it next).
  void probe(const std::string& id, int64_t sample);
  nlohmann::json model(const std::string& id);
  // The job's trained-model file as the center keeps it (docs/model-format.md),
  // at most kMaxModelFileBytes; check it with read_trained_model before use.
  std::string model_file(const std::string& id);

  // The classroom (docs/api.md): the teacher's roster, published lessons,
  // progress and the report.
  nlohmann::json roster(const std::string& class_id);
  nlohmann::json roster_add(const std::string& class_id, const std::vector<std::string>& names);
  nlohmann::json roster_reset(const std::string& class_id, const std::string& name);
  nlohmann::json lessons(const std::string& class_id);
  std::string lesson_text(const std::string& class_id, const std::string& lesson_id);
  nlohmann::json publish(const std::string& class_id, const std::string& lesson_id, const std::string& toml_text);
  void unpublish(const std::string& class_id, const std::string& lesson_id);
  nlohmann::json put_progress(const std::string& lesson_id, const nlohmann::json& progress);
  nlohmann::json class_progress(const std::string& class_id);
  std::string class_report(const std::string& class_id, const std::string& lang = "ko");  // CSV

  // Follows the job's events after `after_seq` (0: from the first), handing
  // each to `on_event` (false stops). Reconnects after a drop, resuming at
  // the last seq it handed over, until the `done` event; gives up with
  // net::Unreachable after `give_up_seconds` without reaching the center.
  // Returns the last seq handed over.
  uint64_t follow(const std::string& id, uint64_t after_seq, const std::function<bool(const nlohmann::json&)>& on_event,
                  const std::atomic<bool>* cancel = nullptr, double give_up_seconds = 60, bool snapshots = true);

  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  nlohmann::json call(const std::string& method, const std::string& path, const std::string& body = "",
                      const net::Headers& extra = {});
  // The same for an answer that is not JSON (a lesson file, a CSV).
  std::string call_text(const std::string& method, const std::string& path);
  // Refused or Unreachable for a status that is not 2xx.
  [[noreturn]] void refuse(const net::ClientResponse& r);
  std::string url_, token_;
  net::ClientOptions options_;
};

}  // namespace aisb::remote
