// The center behind Debian's nginx as a reverse proxy that ends TLS, as
// docs/center.md tells an operator to run it: logins, submissions and live
// event streams go through, a class's data is uploaded through its own
// location, the proxy's own address is trusted for X-Forwarded-For (each
// client behind it is counted by the address nginx forwards, and the proxy's
// connections are not capped per address), and a student's forged
// X-Forwarded-For is not, through the proxy or straight to the center.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
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
  json klass;
  std::string cert, url;
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
  // The center with `settings`, and nginx in front of it ending TLS at `url`.
  void start(const std::string& settings) {
    if (std::system("command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx") != 0) {
      GTEST_SKIP() << "nginx is not installed (installer/deps.sh installs it)";
    }
    const std::string nginx = fs::exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
    cert = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
                           "subjectAltName=IP:127.0.0.1 -keyout " +
                           key + " -out " + cert + " 2>/dev/null")
                              .c_str()),
              0);
    std::ofstream(dir / "data" / "center.toml") << settings;
    klass = CenterProcess::create_class(dir / "data", "proxied");
    center = std::make_unique<CenterProcess>(dir / "data");
    center->start();
    const int port = free_port();
    std::ofstream(dir / "nginx.conf") << nginx_conf(dir, port, center->port(), cert, key);
    nginx_ = ::fork();
    if (nginx_ == 0) {
      ::execl(nginx.c_str(), nginx.c_str(), "-c", (dir / "nginx.conf").c_str(), "-p", dir.c_str(), nullptr);
      ::_exit(127);
    }
    url = "https://127.0.0.1:" + std::to_string(port);
    remote::CenterClient c(url, "", options());
    for (int i = 0; i < 100; ++i) {
      try {
        if (c.health()["ok"] == true) break;
      } catch (const net::Unreachable&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(c.health()["ok"], true);
  }
  [[nodiscard]] net::ClientOptions options() const {
    net::ClientOptions o;
    o.ca_file = cert;
    return o;
  }
  // A login through nginx by a client at `from` (a loopback address of its
  // own, as another computer would have), with headers of its own; the
  // status. (curl, since this process's client cannot choose its address.)
  int login_from(const std::string& from, const std::string& class_code, const std::string& extra_header = "") {
    const std::string body = json{{"class_code", class_code}, {"name", "x"}}.dump();
    const std::string cmd = "curl -s -o /dev/null -w '%{http_code}' --interface " + from + " --cacert " + cert +
                            " -H 'Content-Type: application/json'" +
                            (extra_header.empty() ? "" : " -H '" + extra_header + "'") + " --data '" + body + "' " +
                            url + "/api/v1/login";
    FILE* p = ::popen(cmd.c_str(), "r");
    char out[16] = {};
    const size_t n = std::fread(out, 1, sizeof out - 1, p);
    ::pclose(p);
    return n > 0 ? std::atoi(out) : -1;
  }
};

TEST_F(Nginx, TheCenterWorksBehindAReverseProxyThatEndsTls) {
  start(
      "[limits]\nmax_samples = 5000\n[stream]\npoll_ms = 20\n"
      "heartbeat_seconds = 0.5\n[server]\ntrusted_proxies = [\"127.0.0.1\"]\n");
  if (IsSkipped() || HasFatalFailure()) return;
  remote::CenterClient c(url, "", options());
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

TEST_F(Nginx, ClientsAreCountedByTheAddressTheProxyForwardsAndAForgedOneIsIgnored) {
  // nginx is the only proxy; wrong class codes are limited to 3 a minute
  // per client; 4 connections at most from one address, but the proxy's.
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  start(
      "[server]\ntrusted_proxies = [\"127.0.0.1\"]\nmax_connections_per_address = 4\n"
      "[limits]\nlogin_failures_per_minute = 3\nmax_samples = 5000\n[stream]\npoll_ms = 20\n"
      "heartbeat_seconds = 0.5\n");
  if (IsSkipped() || HasFatalFailure()) return;
  // (Each code is tried once: a code has a limit of its own too.)
  for (const char* code : {"ZZZZZA", "ZZZZZC", "ZZZZZD"}) EXPECT_EQ(login_from("127.0.0.2", code), 401);
  EXPECT_EQ(login_from("127.0.0.2", "ZZZZZE"), 429);
  // Another client behind the same proxy has a count of its own ...
  EXPECT_EQ(login_from("127.0.0.3", "ZZZZZF"), 401);
  // ... and what a client writes into X-Forwarded-For itself (nginx adds
  // the address it saw on its right) does not make it another.
  EXPECT_EQ(login_from("127.0.0.2", "ZZZZZG", "X-Forwarded-For: 198.51.100.7"), 429);
  EXPECT_EQ(login_from("127.0.0.2", "ZZZZZH", "X-Forwarded-For: 198.51.100.8, 127.0.0.1"), 429);
  EXPECT_EQ(login_from("127.0.0.3", "ZZZZZJ", "X-Forwarded-For: 127.0.0.2"), 401);
  // Sent to the center directly, not through the proxy, a forged
  // X-Forwarded-For is ignored: the client is its own address.
  const auto direct = [&](const std::string& forged, const std::string& code) {
    const int fd = test::connect_from("127.0.0.4", center->port());
    const std::string body = json{{"class_code", code}, {"name", "x"}}.dump();
    const std::string request =
        "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: " + forged +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    const std::string answer = test::read_until_closed(fd, 5);
    ::close(fd);
    return answer.size() > 12 ? std::atoi(answer.substr(9, 3).c_str()) : -1;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(direct("203.0.113." + std::to_string(i), "YYYYY" + std::to_string(i)), 401);
  EXPECT_EQ(direct("203.0.113.99", "YYYYYA"), 429);
  EXPECT_EQ(direct("127.0.0.1", "YYYYYC"), 429);  // not even as the proxy itself
  // The cap per address holds for a client's own connections ...
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) held.push_back(test::connect_from("127.0.0.5", center->port()));
  const int fifth = test::connect_from("127.0.0.5", center->port());
  const std::string refused = test::read_until_closed(fifth, 5);
  ::close(fifth);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;
  EXPECT_NE(refused.find("too many connections from your address"), std::string::npos) << refused;
  for (const int fd : held) ::close(fd);
  // ... but not for the proxy's, which are every client's: six streams at
  // once through nginx (six connections from it to the center) all flow.
  remote::CenterClient c(url, "", options());
  const std::string token = c.login(klass["class_code"], "서연");
  JobSpec job = test::xor_job(20);
  job.training.epochs = 100000;
  const std::string id = c.submit(job);
  std::atomic<bool> stop{false};
  std::atomic<int> flowing{0};
  std::vector<int> status(6, 0);
  std::vector<std::thread> streams;
  for (int i = 0; i < 6; ++i) {
    streams.emplace_back([&, i] {
      bool seen = false;
      try {
        status[i] = net::stream_lines(
            url + "/api/v1/jobs/" + id + "/events", {{"Authorization", "Bearer " + token}},
            [&](std::string_view line) {
              if (!seen && line.starts_with("data:")) {
                seen = true;
                ++flowing;
              }
              return !stop.load();
            },
            options(), nullptr, &stop);
      } catch (const net::Unreachable&) {
        status[i] = -1;
      }
    });
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (flowing < 6 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(flowing.load(), 6) << "streams through the proxy were refused";
  stop = true;
  for (auto& t : streams) t.join();
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(status[i] == 200 || status[i] == -1) << i << ": " << status[i];
  c.cancel(id);
}

}  // namespace
}  // namespace aisb
