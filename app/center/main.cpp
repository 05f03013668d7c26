// aisandbox-center: the compute center's program (SPEC.md section 1):
// `serve` runs the gateway (HTTP API, queue, executors); `class` is the
// operator's side: classes, their join codes and teacher tokens. Everything
// lives in --data.
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "center/config.hpp"
#include "center/executor.hpp"
#include "center/gateway.hpp"
#include "center/store.hpp"
#include "core/code_cards.hpp"
#include "core/files.hpp"
#include "net/http.hpp"

namespace {

nlohmann::json class_json(const aisb::center::ClassInfo& c) {
  return {{"class", c.id}, {"name", c.name}, {"class_code", c.code}, {"created", c.created}, {"students", c.students}};
}

std::string gateway_executor_name(const std::string& e) {
  return e == "slurm" ? "slurm" : "local";
}

// The center never links torch: its workers train. So its --version names
// the worker it would start (beside it) and what that worker says of itself.
std::string version_text() {
  std::string out =
      std::string("aisandbox-center ") + AISB_VERSION + "\nlibtorch: n/a: the center does not train; its workers do";
  const std::string worker = aisb::center::find_worker_binary().string();
  std::string said;
  if (FILE* p = ::popen(("'" + worker + "' --version 2>/dev/null").c_str(), "r"); p != nullptr) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p) != nullptr) said += buf;
    if (::pclose(p) != 0) said.clear();
  }
  while (!said.empty() && said.back() == '\n') said.pop_back();
  for (size_t at = said.find('\n'); at != std::string::npos; at = said.find('\n', at)) said.replace(at, 1, ", ");
  out += "\nworker " + worker + ": " + (said.empty() ? std::string("not found or not working") : said);
  return out;
}

struct ServeOptions {
  std::string data, listen = "127.0.0.1:8470", executor = "local", partition, gres, tls_cert, tls_key, config, worker;
  int workers = 0;
};

int serve(const ServeOptions& o) {
  using namespace aisb::center;
  namespace fs = std::filesystem;
  // Signals go to the main thread only, which waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Config config;
  const fs::path config_file = !o.config.empty() ? fs::path(o.config) : fs::path(o.data) / "center.toml";
  if (!o.config.empty() || fs::exists(config_file)) {
    try {
      config = load_config(config_file);
    } catch (const ConfigError& e) {
      std::cerr << "aisandbox-center: " << e.what() << "\n";
      return 1;
    }
  }
  if (o.workers > 0) config.workers = o.workers;
  const size_t colon = o.listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == o.listen.size() || o.listen.size() - colon > 6 ||
      o.listen.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
      std::stoi(o.listen.substr(colon + 1)) > 65535) {
    std::cerr << "aisandbox-center: --listen must be HOST:PORT with a port up to 65535, e.g. 127.0.0.1:8470\n";
    return 2;
  }
  const fs::path worker = o.worker.empty() ? find_worker_binary() : fs::path(o.worker);
  std::unique_ptr<Executor> executor;
  if (o.executor == "slurm") {
    SlurmOptions so;
    so.worker = fs::absolute(worker);
    so.limits = worker_limits(config.limits);
    so.partition = o.partition;
    so.gres = o.gres;
    so.settings = config.slurm;
    so.checkpoint_seconds = config.checkpoint_seconds;
    executor = std::make_unique<SlurmExecutor>(so);
  } else {
    executor = std::make_unique<LocalExecutor>(worker, config.workers, config.checkpoint_seconds,
                                               worker_limits(config.limits));
  }
  // One center per data folder: two would start workers for the same jobs.
  // The folder is the owner's alone (an older version left it readable).
  secure_data_folder(o.data);
  const DataLock data_lock(o.data);
  Store store(o.data);
  Gateway gateway(store, config, std::move(executor), fs::absolute(o.data));
  aisb::net::ServerOptions so;
  so.host = o.listen.substr(0, colon);
  if (so.host.starts_with('[') && so.host.ends_with(']')) so.host = so.host.substr(1, so.host.size() - 2);
  so.port = std::stoi(o.listen.substr(colon + 1));
  so.max_body = static_cast<size_t>(config.limits.max_body_bytes);
  const auto ms = [](double seconds) { return static_cast<int>(seconds * 1000); };
  so.max_connections = static_cast<size_t>(config.server.max_connections);
  so.max_per_address = static_cast<size_t>(config.server.max_connections_per_address);
  so.head_timeout_ms = ms(config.server.head_timeout_seconds);
  so.idle_timeout_ms = ms(config.server.idle_timeout_seconds);
  so.body_timeout_ms = ms(config.server.body_timeout_seconds);
  so.write_timeout_ms = ms(config.server.write_timeout_seconds);
  // A reverse proxy speaks for many clients: no per-address cap for it.
  so.unlimited = [proxies = config.trusted_proxies](const std::string& peer) { return address_in(peer, proxies); };
  so.tls_cert = o.tls_cert;
  so.tls_key = o.tls_key;
  // Uploads of a class's data stream to disk as they arrive: far larger than
  // max_body_bytes, and never whole in memory.
  so.streams = &Gateway::is_upload;
  so.open_upload = [&](const aisb::net::Request& r) { return gateway.open_upload(r); };
  aisb::net::Server server(so, [&](const aisb::net::Request& r) { return gateway.handle(r); });
  try {
    server.start();
  } catch (const aisb::net::ServerError& e) {
    std::cerr << "aisandbox-center: " << e.what() << "\n";
    return 1;
  }
  gateway.start();
  const std::string scheme = o.tls_cert.empty() ? "http" : "https";
  const std::string shown_host = so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host;
  std::cout << "aisandbox-center: listening on " << scheme << "://" << shown_host << ":" << server.port()
            << " (executor " << gateway_executor_name(o.executor) << ", data " << o.data << ")" << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cout << "aisandbox-center: stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM")
            << "); running jobs resume at the next start" << std::endl;
  server.stop();
  gateway.stop();
  return 0;
}

using aisb::center::ClassInfo;
using aisb::center::Limits;
using aisb::center::NewCode;

// The limits of DATA/center.toml (the defaults when there is none).
Limits center_limits(const std::filesystem::path& data) {
  const auto file = data / "center.toml";
  return std::filesystem::exists(file) ? aisb::center::load_config(file).limits : Limits{};
}

// A page of cards to print and cut: one per student, with the class code,
// their name and their personal code, in Korean and English.
void write_code_sheet(const std::string& file, const ClassInfo& c, const std::string& url,
                      const std::vector<NewCode>& codes) {
  std::vector<aisb::StudentCode> cards;
  for (const NewCode& n : codes) cards.push_back({n.name, n.code});
  std::string why;
  if (!aisb::write_file_atomically(file, aisb::code_cards_html(c.name, c.code, url, cards), 0600, &why)) {
    throw std::runtime_error(why);
  }
  std::cerr << "aisandbox-center: wrote " << codes.size() << " card(s) to " << file << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace aisb::center;
  CLI::App cli{"AI Sandbox compute center: the HTTP gateway for classes' training jobs, and its classes",
               "aisandbox-center"};
  cli.set_version_flag("--version", [] { return version_text(); });
  cli.require_subcommand(1);
  ServeOptions so;
  auto* srv = cli.add_subcommand("serve", "Run the gateway: the HTTP API, the queue and the executor");
  srv->add_option("--data", so.data, "The center's data folder (database, job folders, center.toml)")->required();
  srv->add_option("--listen", so.listen, "HOST:PORT to listen on (default 127.0.0.1:8470; port 0 picks a free one)");
  srv->add_option("--executor", so.executor, "local (worker processes here) or slurm (sbatch)")
      ->check(CLI::IsMember({"local", "slurm"}));
  srv->add_option("--workers", so.workers, "Local executor: jobs that run at once (default 2, or [local] workers)")
      ->check(CLI::Range(1, 1024));
  srv->add_option("--slurm-partition", so.partition, "Slurm partition for the jobs");
  srv->add_option("--slurm-gres", so.gres, "Slurm generic resources for a job, e.g. gpu:1");
  srv->add_option("--tls-cert", so.tls_cert, "PEM certificate (chain): serve HTTPS")->check(CLI::ExistingFile);
  srv->add_option("--tls-key", so.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  srv->add_option("--config", so.config, "Settings file (default DATA/center.toml when it exists)")
      ->check(CLI::ExistingFile);
  srv->add_option("--worker", so.worker, "The aisandbox-worker program (default: beside this one)");
  auto* cls = cli.add_subcommand("class", "Create, list, show and delete classes");
  cls->require_subcommand(1);
  std::string data, name, id;
  const auto data_option = [&](CLI::App* c) {
    c->add_option("--data", data, "The center's data folder (database, job folders)")->required();
  };
  auto* create =
      cls->add_subcommand("create", "Create a class; prints its id, join code and teacher token (shown once)");
  create->add_option("NAME", name, "The class's name, e.g. \"Pohang High 2-3\"")->required();
  data_option(create);
  auto* list = cls->add_subcommand("list", "List the classes");
  data_option(list);
  auto* show = cls->add_subcommand("show", "Show one class (by id or join code)");
  show->add_option("ID", id, "Class id or join code")->required();
  data_option(show);
  auto* del = cls->add_subcommand("delete", "Delete a class with its students and their tokens");
  del->add_option("ID", id, "Class id")->required();
  data_option(del);
  auto* students = cls->add_subcommand("students", "List a class's students (by id or join code)");
  students->add_option("CLASS", id, "Class id or join code")->required();
  data_option(students);
  auto* remove = cls->add_subcommand("remove-student",
                                     "Remove a student of a class and end their tokens (their jobs stay), e.g. names a "
                                     "pupil invented to fill the class");
  remove->add_option("CLASS", id, "Class id or join code")->required();
  remove->add_option("NAME", name, "The student's name")->required();
  data_option(remove);
  // The roster: names and the personal codes students sign in with.
  auto* roster = cls->add_subcommand("roster", "The class's roster: names and personal sign-in codes");
  roster->require_subcommand(1);
  std::vector<std::string> names;
  std::string sheet;
  auto* roster_add = roster->add_subcommand(
      "add", "Add students; prints each one's personal code (shown once). From then on only roster names sign in");
  roster_add->add_option("CLASS", id, "Class id or join code")->required();
  roster_add->add_option("NAME", names, "Students' names, as they will type them")->required();
  roster_add->add_option("--sheet", sheet, "Also write the names and codes as a page to print and cut (HTML)");
  std::string sheet_url;
  roster_add->add_option("--center", sheet_url, "The center's address students type, printed on the cards");
  data_option(roster_add);
  auto* roster_list = roster->add_subcommand("list", "List the class's students: signed in, last seen");
  roster_list->add_option("CLASS", id, "Class id or join code")->required();
  data_option(roster_list);
  auto* roster_reset = roster->add_subcommand(
      "reset", "Give a student a new personal code (a lost or shared one); signs them out everywhere");
  roster_reset->add_option("CLASS", id, "Class id or join code")->required();
  roster_reset->add_option("NAME", names, "The students' names")->required();
  roster_reset->add_option("--sheet", sheet, "Also write the new codes as a page to print (HTML)");
  roster_reset->add_option("--center", sheet_url, "The center's address students type, printed on the cards");
  data_option(roster_reset);
  auto* roster_remove = roster->add_subcommand("remove", "Remove a student and end their tokens (their jobs stay)");
  roster_remove->add_option("CLASS", id, "Class id or join code")->required();
  roster_remove->add_option("NAME", name, "The student's name")->required();
  data_option(roster_remove);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  if (*srv) {
    if (so.tls_cert.empty() != so.tls_key.empty()) {
      std::cerr << "aisandbox-center: --tls-cert and --tls-key go together\n";
      return 2;
    }
    try {
      return serve(so);
    } catch (const std::exception& e) {
      std::cerr << "aisandbox-center: " << e.what() << "\n";
      return 1;
    }
  }
  try {
    Store store(data);
    if (*create) {
      if (name.empty() || name.size() > 200) {
        std::cerr << "aisandbox-center: NAME: 1 to 200 bytes, please\n";
        return 2;
      }
      const NewClass c = store.create_class(name);
      nlohmann::json j = class_json(c.info);
      j["teacher_token"] = c.teacher_token;
      std::cout << j.dump() << "\n";
    } else if (*list) {
      auto out = nlohmann::json::array();
      for (const auto& c : store.classes()) out.push_back(class_json(c));
      std::cout << nlohmann::json{{"classes", out}}.dump() << "\n";
    } else if (*show) {
      const auto c = store.find_class(id);
      if (!c) {
        std::cerr << "aisandbox-center: no class '" << id << "' in " << data << "\n";
        return 1;
      }
      std::cout << class_json(*c).dump() << "\n";
    } else if (*roster_add || *roster_list || *roster_reset || *roster_remove) {
      const auto c = store.find_class(id);
      if (!c) {
        std::cerr << "aisandbox-center: no class '" << id << "' in " << data << "\n";
        return 1;
      }
      if (*roster_list) {
        auto out = nlohmann::json::array();
        for (const StudentRow& st : store.students(c->id)) {
          out.push_back({{"name", st.name}, {"signed_in", st.tokens > 0}, {"has_code", st.has_code}});
        }
        std::cout
            << nlohmann::json{{"class", c->id}, {"roster_only", store.roster_only(c->id)}, {"students", out}}.dump()
            << "\n";
        return 0;
      }
      if (*roster_remove) {
        if (!store.remove_student(c->id, name)) {
          std::cerr << "aisandbox-center: class '" << id << "' has no student '" << name << "'\n";
          return 1;
        }
        std::cout << nlohmann::json{{"removed", name}, {"class", c->id}}.dump() << "\n";
        return 0;
      }
      std::vector<NewCode> codes;
      if (*roster_add) {
        codes = store.roster_add(c->id, names, center_limits(data).max_students_per_class);
      } else {
        for (const std::string& n : names) {
          const auto code = store.reset_code(c->id, n);
          if (!code) {
            std::cerr << "aisandbox-center: class '" << id << "' has no student '" << n << "'\n";
            return 1;
          }
          codes.push_back(*code);
        }
      }
      auto out = nlohmann::json::array();
      for (const NewCode& nc : codes) out.push_back({{"name", nc.name}, {"code", nc.code}});
      std::cout << nlohmann::json{{"students", out}}.dump() << "\n";
      if (!sheet.empty()) write_code_sheet(sheet, *c, sheet_url, codes);
    } else if (*students || *remove) {
      const auto c = store.find_class(id);
      if (!c) {
        std::cerr << "aisandbox-center: no class '" << id << "' in " << data << "\n";
        return 1;
      }
      if (*students) {
        std::cout << nlohmann::json{{"class", c->id}, {"students", store.student_names(c->id)}}.dump() << "\n";
      } else if (!store.remove_student(c->id, name)) {
        std::cerr << "aisandbox-center: class '" << id << "' has no student '" << name << "'\n";
        return 1;
      } else {
        std::cout << nlohmann::json{{"removed", name}, {"class", c->id}}.dump() << "\n";
      }
    } else if (*del) {
      if (!store.delete_class(id)) {
        std::cerr << "aisandbox-center: no class '" << id << "' in " << data << "\n";
        return 1;
      }
      std::cout << nlohmann::json{{"deleted", id}}.dump() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-center: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
