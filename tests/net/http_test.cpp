// Our HTTP/1.1 server and client on loopback: keep-alive, the refusals of
// malformed or oversized requests, a burst of connections in the same
// instant, and streams that notice a client who hung up.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "net/http.hpp"

namespace aisb::net {
namespace {

// Sends raw bytes, returns everything the server answers until it closes.
std::string raw_exchange(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return "";
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class Http : public ::testing::Test {
 protected:
  std::atomic<int> served{0};
  std::atomic<bool> stream_ended{false};
  std::unique_ptr<Server> server;
  void SetUp() override {
    ServerOptions o;
    o.port = 0;
    o.max_body = 1000;
    o.max_header = 2000;
    server = std::make_unique<Server>(o, [this](const Request& r) {
      ++served;
      Response res;
      if (r.path == "/stream") {
        res.content_type = "text/event-stream";
        res.stream = [this](Stream& s) {
          while (s.write("data: x\n\n")) std::this_thread::sleep_for(std::chrono::milliseconds(20));
          stream_ended = true;
        };
        return res;
      }
      if (r.path == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(200));
      res.body = r.method + " " + r.path + " " + r.body + " q=" + (r.query.count("q") ? r.query.at("q") : "") +
                 " h=" + r.header("x-test");
      return res;
    });
    server->start();
  }
  std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(server->port()) + path; }
};

TEST_F(Http, AnswersWithPathQueryHeadersAndBody) {
  const auto r = request("POST", url("/a%20b?q=%ED%95%9C&z"), "payload", {{"X-Test", "yes"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /a b payload q=한 h=yes");
  EXPECT_EQ(r.headers.at("content-length"), std::to_string(r.body.size()));
}

TEST_F(Http, KeepsAConnectionAliveForSeveralRequests) {
  const std::string two = "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string out = raw_exchange(server->port(), two);
  EXPECT_NE(out.find("GET /one"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /two"), std::string::npos) << out;
  EXPECT_EQ(served, 2);
}

TEST_F(Http, RefusesWhatItCannotReadWithTheRightCode) {
  EXPECT_TRUE(raw_exchange(server->port(), "HELLO\r\n\r\n").starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(raw_exchange(server->port(), "GET /x HTTP/1.1\r\nno colon here\r\n\r\n").starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(raw_exchange(server->port(), "GET x HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(raw_exchange(server->port(), "GET /x HTTP/1.1\r\nX: " + std::string(3000, 'a') + "\r\n\r\n")
                  .starts_with("HTTP/1.1 431"));
  EXPECT_TRUE(raw_exchange(server->port(), "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                  .starts_with("HTTP/1.1 411"));
  EXPECT_TRUE(raw_exchange(server->port(), "POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n").starts_with("HTTP/1.1 400"));
  const std::string big = raw_exchange(server->port(), "POST /x HTTP/1.1\r\nContent-Length: 5000\r\n\r\n");
  EXPECT_TRUE(big.starts_with("HTTP/1.1 413")) << big;
  EXPECT_NE(big.find("\"error\""), std::string::npos);
  EXPECT_EQ(served, 0) << "no handler saw a bad request";
}

TEST_F(Http, ServesAWholeBurstOfConnectionsAtOnce) {
  constexpr int kClients = 400;
  std::atomic<int> ok{0}, failed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      try {
        (request("GET", url("/slow")).status == 200 ? ok : failed)++;
      } catch (const Unreachable&) {
        ++failed;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kClients);
  EXPECT_EQ(failed, 0);
}

TEST_F(Http, AStreamEndsWhenItsClientHangsUp) {
  int lines = 0;
  std::atomic<bool> cancel{false};
  stream_lines(url("/stream"), {}, [&](std::string_view l) { return !(l.starts_with("data:") && ++lines == 5); }, {},
               nullptr, &cancel);
  EXPECT_EQ(lines, 5);
  const auto t0 = std::chrono::steady_clock::now();
  while (!stream_ended && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(stream_ended);
}

TEST_F(Http, StoppingEndsOpenStreams) {
  std::thread client([&] {
    try {
      stream_lines(url("/stream"), {}, [](std::string_view) { return true; });
    } catch (const Unreachable&) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  server->stop();
  client.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_TRUE(stream_ended);
}

TEST(Url, ReadsAddressesAndRefusesOthers) {
  const Url u = parse_url("https://ai.example.kr:8443/api?x=1");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "ai.example.kr");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path, "/api?x=1");
  EXPECT_EQ(parse_url("http://[::1]").port, 80);
  EXPECT_EQ(parse_url("http://[::1]").host, "::1");
  for (const char* bad : {"ftp://x", "http://", "http://x:0", "http://x:99999", "http://x:abc", "x.kr"}) {
    EXPECT_THROW(parse_url(bad), std::invalid_argument) << bad;
  }
  EXPECT_THROW(request("GET", "http://127.0.0.1:1/"), Unreachable);
}

}  // namespace
}  // namespace aisb::net
