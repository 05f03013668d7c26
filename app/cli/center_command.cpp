// aisandbox-cli login | submit | watch: the compute center from a terminal
// (SPEC.md section 1). Exit 3 when the center cannot be reached, 1 when it
// refuses (the message says what and, for a job, which field).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "backend/center_client.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/usage.hpp"
#include "core/files.hpp"
#include "core/messages.hpp"
#include "core/trained_model.hpp"
#include "lesson/lesson.hpp"

namespace aisb::cli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop = true;
}

// "3.5", "512": megabytes as the upload message shows them.
std::string megabytes(uint64_t bytes) {
  const double mb = static_cast<double>(bytes) / (1 << 20);
  char out[32];
  std::snprintf(out, sizeof out, mb >= 10 ? "%.0f" : "%.1f", mb);
  return out;
}

// URL and token from the flags, else from the saved login.
bool resolve(const CenterArgs& a, std::string& url, std::string& token) {
  const auto saved = remote::load_login();
  url = !a.center.empty() ? a.center : saved ? saved->url : "";
  token = !a.token.empty() ? a.token : saved && (a.center.empty() || a.center == saved->url) ? saved->token : "";
  if (url.empty() || token.empty()) {
    std::cerr << "aisandbox-cli: " << message_text("cli.center.no_login", language()) << "\n";
    return false;
  }
  return true;
}

// Follows a job to its end: JSON lines, or the same progress view as `train`.
int follow(remote::CenterClient& client, const std::string& id, bool json_out, int epochs, const std::string& title) {
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  Progress progress(stdout, tty, epochs, title);
  std::string reason;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  client.follow(
      id, 0,
      [&](const nlohmann::json& e) {
        if (e.value("type", "") == "done") reason = e.value("reason", "failed");
        if (json_out) {
          std::cout << e.dump() << '\n' << std::flush;
        } else {
          Diagnostics diags;
          const Event ev = event_from_json(e, diags);
          if (!diags.has_errors() && ev.type != EventType::snapshot) progress.on_event(ev);
        }
        return true;
      },
      &g_stop);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (reason.empty()) {
    std::cerr << "\naisandbox-cli: " << message_text("cli.center.stopped_watching", language(), {id}) << "\n";
    return ok;
  }
  return reason == "completed" ? ok : bad_input;
}

}  // namespace

int center_failure(const std::exception_ptr& p) {
  try {
    std::rethrow_exception(p);
  } catch (const net::Unreachable& e) {
    std::cerr << "aisandbox-cli: " << message_text("cli.center.unreachable", language(), {e.what()}) << "\n";
    return unreachable;
  } catch (const remote::Refused& e) {
    const std::string why = (e.field.empty() ? "" : e.field + ": ") + e.in(language());  // the center's own words
    std::cerr << "aisandbox-cli: " << message_text("cli.center.refused", language(), {std::to_string(e.status), why})
              << "\n";
    return bad_input;
  } catch (const std::invalid_argument& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return usage;
  } catch (const remote::UploadError& e) {
    std::cerr << "aisandbox-cli: " << e.in(language()) << "\n";  // the data here, not the center
    return bad_input;
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return bad_input;
  }
}

int login(const CenterArgs& a) {
  try {
    if (!a.teacher.empty()) {
      const remote::CenterLogin l = remote::log_in_teacher(a.center, a.teacher);
      if (a.json) {
        std::cout << nlohmann::json{{"token", l.token}, {"role", "teacher"}, {"class", l.class_id}}.dump() << "\n";
      } else {
        std::cout << message_text("cli.center.teacher_logged_in", language(),
                                  {l.url, l.name, l.class_id, utf8_of(remote::center_config_path())})
                  << "\n";
      }
      return ok;
    }
    if (a.class_code.empty() || a.name.empty()) {
      std::cerr << "aisandbox-cli: " << message_text("cli.center.login_usage", language()) << "\n";
      return usage;
    }
    // A teacher's token in --class: say so before it goes anywhere.
    if (a.class_code.size() == 64 && a.class_code.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
      std::cerr << "aisandbox-cli: " << message_text("cli.center.teacher_token_as_class", language()) << "\n";
      return usage;
    }
    const remote::CenterLogin l = remote::log_in(a.center, a.class_code, a.name, a.code);
    if (a.json) {
      nlohmann::json j{{"token", l.token}, {"name", l.name}, {"class", l.class_id}};
      if (!l.new_code.empty()) j["code"] = l.new_code;
      std::cout << j.dump() << "\n";
    } else {
      std::cout << message_text("cli.center.logged_in", language(),
                                {l.url, l.name, l.class_code, utf8_of(remote::center_config_path())})
                << "\n";
      if (!l.new_code.empty()) {
        std::cout << "\n"
                  << message_text("cli.center.new_code", language(), {l.new_code, l.name})
                  << "\n  aisandbox-cli login --center " << l.url << " --class " << l.class_code << " --name \""
                  << l.name << "\" --code " << l.new_code << "\n";
      }
    }
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int logout(const CenterArgs& a) {
  std::string url, token;
  if (!resolve(a, url, token)) return usage;
  const auto saved = remote::load_login();
  try {
    if (saved && saved->role != "teacher") {
      try {
        remote::CenterClient(url, token).logout();  // ends the token at the center too
      } catch (const remote::Refused&) {
        // already ended there: forgetting it here is what is left
      }
    }
    remote::save_login({saved ? saved->url : url, "", "", "", "student"});
    if (saved && saved->role == "teacher") {
      // A teacher's token is the class's: it goes on working elsewhere.
      std::cout << message_text("cli.center.teacher_logged_out", language()) << "\n";
    } else {
      std::cout << message_text("cli.center.logged_out", language(), {url}) << "\n";
    }
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int jobs(const CenterArgs& a) {
  std::string url, token;
  if (!resolve(a, url, token)) return usage;
  try {
    remote::CenterClient client(url, token);
    const nlohmann::json list = client.jobs(50);
    if (a.json) {
      std::cout << list.dump() << "\n";
      return ok;
    }
    if (list.value("jobs", nlohmann::json::array()).empty()) {
      std::cout << message_text("cli.center.no_jobs", language()) << "\n";
    }
    for (const auto& j : list.value("jobs", nlohmann::json::array())) {
      std::cout << j.value("id", "") << "  " << j.value("state", "") << "  " << j.value("lesson", "") << "  "
                << j.value("created", "") << "\n";
    }
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int cancel(const CenterArgs& a) {
  std::string url, token;
  if (!resolve(a, url, token)) return usage;
  try {
    remote::CenterClient(url, token).cancel(a.job);
    std::cout << message_text("cli.center.cancelled", language(), {a.job}) << "\n";
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int fetch_model(const CenterArgs& a) {
  std::string url, token;
  if (!resolve(a, url, token)) return usage;
  std::string text;
  try {
    text = remote::CenterClient(url, token).model_file(a.job);
  } catch (...) {
    return center_failure(std::current_exception());
  }
  // What the center sent is checked like any model file before it is kept.
  Diagnostics diags;
  read_trained_model(text, diags);
  if (diags.has_errors()) {
    std::cerr << "aisandbox-cli: " << message_text("cli.center.bad_model", language(), {diags.first_error()}) << "\n";
    return bad_input;
  }
  std::string why;
  if (!write_file_atomically(path_of_utf8(a.output), text, 0644, &why)) {
    std::cerr << "aisandbox-cli: " << why << "\n";
    return bad_input;
  }
  std::cerr << message_text("cli.model_saved", language(), {a.output}) << "\n";
  return ok;
}

int submit(const CenterArgs& a) {
  const LessonResult lesson = load_lesson(path_of_utf8(a.lesson));
  std::cerr << format_diagnostics(lesson, a.lesson, language());
  if (!lesson.ok()) return bad_input;
  JobSpec job = lesson.lesson.job;
  if (a.epochs) job.training.epochs = *a.epochs;
  std::string url, token;
  if (!resolve(a, url, token)) return usage;
  try {
    remote::CenterClient client(url, token);
    // The lesson's own data goes first, by its hash, when the center lacks it.
    client.upload_data(job, [&](uint64_t bytes) {
      if (!a.json) std::cerr << message_text("cli.center.uploading", language(), {megabytes(bytes)}) << "\n";
    });
    const std::string id = client.submit(job);
    if (a.detach) {
      std::cout << nlohmann::json{{"job", id}}.dump() << "\n";
      return ok;
    }
    if (!a.json) std::cerr << message_text("cli.center.queued", language(), {id, url}) << "\n";
    return follow(client, id, a.json, job.training.epochs, lesson.lesson.title.in("en"));
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int watch(const CenterArgs& a) {
  std::string url, token;
  if (!resolve(a, url, token)) return usage;
  try {
    remote::CenterClient client(url, token);
    const nlohmann::json status = client.job(a.job);
    int epochs = 0;
    if (status.contains("spec")) epochs = status["spec"]["training"].value("epochs", 0);
    return follow(client, a.job, a.json, epochs, status.value("lesson", a.job));
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

}  // namespace aisb::cli
