// What every test of a real center process starts from: a data folder of
// its own (named for the test), a class in it, the center on a free
// loopback port, and raw HTTP calls to it.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "center_process.hpp"
#include "net/http.hpp"

namespace aisb::test {

class CenterFixture : public ::testing::Test {
 protected:
  explicit CenterFixture(const std::string& prefix)
      : data(std::filesystem::temp_directory_path() /
             ("aisb_" + prefix + "_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {}

  std::filesystem::path data;
  std::unique_ptr<CenterProcess> center;
  nlohmann::json klass;  // {"class", "class_code", "teacher_token"}

  void SetUp() override {
    std::filesystem::remove_all(data);
    std::filesystem::create_directories(data);
    ::signal(SIGPIPE, SIG_IGN);
  }
  void TearDown() override {
    center.reset();
    std::error_code ec;  // a test may have taken the jobs folder's rights away
    std::filesystem::permissions(data / "jobs", std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(data, ec);
  }
  // Writes center.toml, makes the class the first time, starts the center.
  void start(const std::string& settings, std::vector<std::string> extra = {}, int port = 0) {
    std::ofstream(data / "center.toml") << settings;
    if (klass.is_null()) klass = CenterProcess::create_class(data, "포항고 2-3");
    center = std::make_unique<CenterProcess>(data, std::move(extra));
    center->start(port);
  }
  net::ClientResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                           const std::string& token = "", net::Headers h = {}) {
    if (!token.empty()) h.push_back({"Authorization", "Bearer " + token});
    return net::request(method, center->url() + path, body, h);
  }
};

}  // namespace aisb::test
