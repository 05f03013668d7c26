// The fixture of the gateway's end-to-end tests (gateway_test.cpp,
// gateway_cli_test.cpp): a real aisandbox-center on a free loopback port with
// the local executor, a class, and students who sign in with the personal
// codes their first sign-in gave them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend/center_client.hpp"
#include "center_fixture.hpp"
#include "center_process.hpp"

namespace aisb {

using nlohmann::json;

constexpr const char* kSettings = R"([limits]
max_samples = 5000
max_queued_per_student = 3
requests_per_minute = 100000
[stream]
heartbeat_seconds = 0.2
poll_ms = 20
[local]
workers = 2
[worker]
checkpoint_seconds = 0.1
)";

class Center : public test::CenterFixture {
 protected:
  Center() : CenterFixture("gateway") {}
  void start(const std::string& settings = kSettings, std::vector<std::string> extra = {}, int port = 0) {
    CenterFixture::start(settings, std::move(extra), port);
  }
  // Signs in with the personal code the name got at its first sign-in.
  std::string login(const std::string& name) {
    remote::CenterClient c(center->url(), "");
    json answer;
    const std::string token = c.login(klass["class_code"], name, codes_[name], &answer);
    if (answer.contains("code")) codes_[name] = answer["code"];
    return token;
  }
  std::map<std::string, std::string> codes_;
  remote::CenterClient client(const std::string& token) { return remote::CenterClient(center->url(), token); }
  static std::vector<json> follow(remote::CenterClient& c, const std::string& id, uint64_t after = 0) {
    std::vector<json> ev;
    c.follow(id, after, [&](const json& e) {
      ev.push_back(e);
      return true;
    });
    return ev;
  }
  static void expect_complete(const std::vector<json>& ev, uint64_t first = 1) {
    ASSERT_FALSE(ev.empty());
    for (size_t i = 0; i < ev.size(); ++i) {
      ASSERT_EQ(ev[i].at("seq").get<uint64_t>(), first + i) << "gap or duplicate at " << i;
      if (i + 1 < ev.size()) {
        ASSERT_NE(ev[i]["type"], "done");
      }
    }
    EXPECT_EQ(ev.back()["type"], "done");
  }
  static json wait_state(remote::CenterClient& c, const std::string& id, const std::set<std::string>& states,
                         double seconds = 30) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    json j;
    while (std::chrono::steady_clock::now() < until) {
      j = c.job(id);
      if (states.count(j["state"].get<std::string>()) != 0) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "job " << id << " stayed " << j.dump();
    return j;
  }
  // The pids of aisandbox-worker processes running on `dir`.
  static std::vector<pid_t> workers_on(const std::filesystem::path& dir) {
    std::vector<pid_t> out;
    for (const auto& p : std::filesystem::directory_iterator("/proc")) {
      const std::string name = p.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(p.path() / "cmdline", std::ios::binary);
      std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (cmd.find("aisandbox-worker") != std::string::npos && cmd.find(dir.string()) != std::string::npos) {
        out.push_back(std::stoi(name));
      }
    }
    return out;
  }
  static JobSpec long_job(int epochs = 30000) {
    JobSpec j = test::xor_job(epochs);
    j.training.optimizer = "adam";
    j.training.learning_rate = 0.003;
    return j;
  }
};

}  // namespace aisb
