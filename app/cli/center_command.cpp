// aisandbox-cli login | submit | watch: the compute center from a terminal
// (SPEC.md section 1). Exit 3 when the center cannot be reached, 1 when it
// refuses (the message says what and, for a job, which field).
#include <atomic>
#include <csignal>
#include <iostream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "backend/center_client.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "lesson/lesson.hpp"

namespace aisb::cli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

// URL and token from the flags, else from the saved login.
bool resolve(const CenterArgs& a, std::string& url, std::string& token) {
  const auto saved = remote::load_login();
  url = !a.center.empty() ? a.center : saved ? saved->url : "";
  token = !a.token.empty() ? a.token : saved && (a.center.empty() || a.center == saved->url) ? saved->token : "";
  if (url.empty() || token.empty()) {
    std::cerr << "aisandbox-cli: no center to talk to: log in first with\n"
                 "  aisandbox-cli login --center URL --class CODE --name NAME\n"
                 "or give --center and --token\n";
    return false;
  }
  return true;
}

int report(const std::exception_ptr& p) {
  try {
    std::rethrow_exception(p);
  } catch (const net::Unreachable& e) {
    std::cerr << "aisandbox-cli: cannot reach the center: " << e.what() << "\n";
    return unreachable;
  } catch (const remote::Refused& e) {
    std::cerr << "aisandbox-cli: the center refused (" << e.status << "): "
              << (e.field.empty() ? "" : e.field + ": ") << e.what() << "\n";
    return bad_input;
  } catch (const std::invalid_argument& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return usage;
  }
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
    std::cerr << "\naisandbox-cli: stopped watching; job " << id
              << " goes on at the center (aisandbox-cli watch " << id << " follows it again)\n";
    return ok;
  }
  return reason == "completed" ? ok : bad_input;
}

}  // namespace

int login(const CenterArgs& a) {
  try {
    const remote::CenterLogin l = remote::log_in(a.center, a.class_code, a.name);
    if (a.json) {
      std::cout << nlohmann::json{{"token", l.token}}.dump() << "\n";
    } else {
      std::cout << "Logged in to " << l.url << " as " << a.name << " (class " << a.class_code
                << "). The token is saved in " << remote::center_config_path().string() << "\n";
    }
    return ok;
  } catch (...) {
    return report(std::current_exception());
  }
}

int submit(const CenterArgs& a) {
  const LessonResult lesson = load_lesson(a.lesson);
  std::cerr << format_diagnostics(lesson, a.lesson);
  if (!lesson.ok()) return bad_input;
  JobSpec job = lesson.lesson.job;
  if (a.epochs) job.training.epochs = *a.epochs;
  std::string url, token;
  if (!resolve(a, url, token)) return usage;
  try {
    remote::CenterClient client(url, token);
    const std::string id = client.submit(job);
    if (a.detach) {
      std::cout << nlohmann::json{{"job", id}}.dump() << "\n";
      return ok;
    }
    if (!a.json) std::cerr << "job " << id << " is queued at " << url << "\n";
    return follow(client, id, a.json, job.training.epochs, lesson.lesson.title.in("en"));
  } catch (...) {
    return report(std::current_exception());
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
    return report(std::current_exception());
  }
}

}  // namespace aisb::cli
