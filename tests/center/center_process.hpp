// A real aisandbox-center on a free loopback port, for the integration tests
// and the benchmark: started as its own process (so that it can be killed
// with SIGKILL), with its own data folder and settings.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace aisb::test {

class CenterProcess {
 public:
  CenterProcess(std::filesystem::path data, std::vector<std::string> extra = {})
      : data_(std::move(data)), extra_(std::move(extra)) {}
  ~CenterProcess() { kill(SIGKILL); }
  CenterProcess(const CenterProcess&) = delete;
  CenterProcess& operator=(const CenterProcess&) = delete;

  // Starts it (port 0: a free one) and waits for "listening on".
  void start(int port = 0) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    std::vector<std::string> args = {AISB_CENTER,    "serve",    "--data",
                                     data_.string(), "--listen", "127.0.0.1:" + std::to_string(port)};
    if (std::find(extra_.begin(), extra_.end(), "--worker") == extra_.end()) {
      args.insert(args.end(), {"--worker", AISB_WORKER});
    }
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[512];
    std::string first;
    if (std::fgets(line, sizeof line, f) != nullptr) first = line;
    // The rest of its output is not read; keep the pipe open to a sink.
    std::thread([f] {
      char buf[512];
      while (std::fgets(buf, sizeof buf, f) != nullptr) {
      }
      std::fclose(f);
    }).detach();
    const size_t at = first.find("://127.0.0.1:");
    if (at == std::string::npos) throw std::runtime_error("the center did not start: " + first);
    port_ = std::stoi(first.substr(at + 13));
  }
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_status_ = status;
    pid_ = 0;
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] int exit_status() const { return exit_status_; }

  // `aisandbox-center class create NAME`: {"class", "class_code", "teacher_token"}.
  static nlohmann::json create_class(const std::filesystem::path& data, const std::string& name) {
    const std::string cmd = std::string(AISB_CENTER) + " class create '" + name + "' --data " + data.string();
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    ::pclose(p);
    return nlohmann::json::parse(out);
  }

 private:
  std::filesystem::path data_;
  std::vector<std::string> extra_;
  pid_t pid_ = 0;
  int port_ = 0;
  int exit_status_ = 0;
};

}  // namespace aisb::test
