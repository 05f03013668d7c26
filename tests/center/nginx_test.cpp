// The center behind Debian's nginx as a reverse proxy that ends TLS, as
// docs/center.md tells an operator to run it: logins, submissions and live
// event streams go through, a class's data is uploaded through its own
// location, the proxy's own address is trusted for X-Forwarded-For, and a
// student's forged X-Forwarded-For is not.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "../support/sockets.hpp"
#include "backend/center_client.hpp"
#include "center_process.hpp"
#include "data/data_pack.hpp"
#include "net/http.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

using test::CenterProcess;
using test::free_port;

// The configuration docs/center.md gives, with this test's paths and ports.
std::string nginx_conf(const fs::path& dir, int listen, int center, const std::string& cert, const std::string& key) {
  const std::string d = dir.string();
  return "daemon off;\nmaster_process off;\nerror_log " + d + "/error.log;\npid " + d +
         "/nginx.pid;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  client_body_temp_path " + d +
         "/body;\n  proxy_temp_path " + d + "/proxy;\n  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d +
         "/uwsgi;\n  scgi_temp_path " + d + "/scgi;\n" + R"(
  upstream aisandbox_center { server 127.0.0.1:)" +
         std::to_string(center) + R"(; keepalive 16; }
  server {
    listen 127.0.0.1:)" +
         std::to_string(listen) + R"( ssl;
    ssl_certificate )" +
         cert + R"(;
    ssl_certificate_key )" +
         key + R"(;
    client_max_body_size 1m;
    client_body_timeout 10s;
    client_header_timeout 10s;
    location /api/ {
      proxy_pass http://aisandbox_center;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
    location /api/v1/data/ {
      proxy_pass http://aisandbox_center;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      client_max_body_size 512m;
      proxy_request_buffering off;
      client_body_timeout 60s;
    }
    location ~ ^/api/v1/jobs/[^/]+/events$ {
      proxy_pass http://aisandbox_center;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
)";
}

class Nginx : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("aisb_nginx_" + std::to_string(::getpid()));
  pid_t nginx_ = 0;
  std::unique_ptr<CenterProcess> center;
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
  }
  void TearDown() override {
    if (nginx_ > 0) {
      ::kill(nginx_, SIGTERM);
      ::waitpid(nginx_, nullptr, 0);
    }
    center.reset();
    fs::remove_all(dir);
  }
};

TEST_F(Nginx, TheCenterWorksBehindAReverseProxyThatEndsTls) {
  if (std::system("command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx") != 0) {
    GTEST_SKIP() << "nginx is not installed (installer/deps.sh installs it)";
  }
  const std::string nginx = fs::exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
                         "subjectAltName=IP:127.0.0.1 -keyout " +
                         key + " -out " + cert + " 2>/dev/null")
                            .c_str()),
            0);
  std::ofstream(dir / "data" / "center.toml")
      << "[limits]\nmax_samples = 5000\n[stream]\npoll_ms = 20\n"
         "heartbeat_seconds = 0.5\n[server]\ntrusted_proxies = [\"127.0.0.1\"]\n";
  const json klass = CenterProcess::create_class(dir / "data", "proxied");
  center = std::make_unique<CenterProcess>(dir / "data");
  center->start();
  const int port = free_port();
  std::ofstream(dir / "nginx.conf") << nginx_conf(dir, port, center->port(), cert, key);
  nginx_ = ::fork();
  if (nginx_ == 0) {
    ::execl(nginx.c_str(), nginx.c_str(), "-c", (dir / "nginx.conf").c_str(), "-p", dir.c_str(), nullptr);
    ::_exit(127);
  }
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  net::ClientOptions o;
  o.ca_file = cert;
  remote::CenterClient c(url, "", o);
  for (int i = 0; i < 100; ++i) {
    try {
      if (c.health()["ok"] == true) break;
    } catch (const net::Unreachable&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(c.health()["ok"], true);
  c.login(klass["class_code"], "서연");
  const std::string id = c.submit(test::xor_job(5));
  std::vector<json> ev;
  const auto t0 = std::chrono::steady_clock::now();
  c.follow(id, 0, [&](const json& e) {
    ev.push_back(e);
    return true;
  });
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back()["type"], "done");
  for (size_t i = 0; i < ev.size(); ++i) EXPECT_EQ(ev[i]["seq"].get<uint64_t>(), i + 1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));
  // The model comes through whole.
  EXPECT_TRUE(c.model(id).is_object());
  // A class's own data, larger than the proxy's 1m for other bodies, goes
  // through its own location, streamed on to the center.
  const fs::path table = dir / "big.csv";
  std::string bytes = "a,y\n";
  while (bytes.size() < (size_t{3} << 20)) bytes += std::to_string(bytes.size() % 977) + ",yes\n";
  std::ofstream(table, std::ios::binary) << bytes;
  JobSpec job;
  job.dataset.source = "csv:big.csv";
  job.dataset.location = table.string();
  job.dataset.data_sha256 = sha256_hex(bytes);
  EXPECT_EQ(c.upload_data(job), bytes.size());
  EXPECT_EQ(c.upload_data(job), 0u);
  EXPECT_EQ(sha256_of_file(dir / "data" / "data" / job.dataset.data_sha256), job.dataset.data_sha256);
}

}  // namespace
}  // namespace aisb
