// Our HTTP/1.1 server and client on loopback: keep-alive, the refusals of
// malformed or oversized requests, a burst of connections in the same
// instant, and streams that notice a client who hung up.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../support/sockets.hpp"
#include "net/http.hpp"

namespace aisb::net {
namespace {

using test::connect_from;
using test::raw_exchange;
using test::read_until_closed;

class Ticker final : public BodySource {
 public:
  Ticker(std::atomic<bool>& ended, std::atomic<uint64_t>& produced, int wait_ms)
      : ended_(ended), produced_(produced), wait_ms_(wait_ms) {}
  ~Ticker() override { ended_ = true; }
  Piece next(size_t max_bytes) override {
    Piece p;
    if (wait_ms_ > 0) {
      flip_ = !flip_;
      if (!flip_) {
        p.wait_ms = wait_ms_;
        return p;
      }
    }
    p.data = wait_ms_ > 0 ? "data: x\n\n" : std::string(max_bytes, 'x');
    produced_ += p.data.size();
    return p;
  }

 private:
  std::atomic<bool>& ended_;
  std::atomic<uint64_t>& produced_;
  int wait_ms_;
  bool flip_ = false;
};

class Http : public ::testing::Test {
 protected:
  std::atomic<int> served{0};
  std::atomic<bool> stream_ended{false};
  std::atomic<uint64_t> produced{0};
  std::unique_ptr<Server> server;
  ServerOptions options() {
    ServerOptions o;
    o.port = 0;
    o.max_body = 1000;
    o.max_header = 2000;
    return o;
  }
  void start(ServerOptions o) {
    server = std::make_unique<Server>(o, [this](const Request& r) {
      ++served;
      Response res;
      if (r.path == "/stream" || r.path == "/flood") {
        res.content_type = "text/event-stream";
        res.source = std::make_shared<Ticker>(stream_ended, produced, r.path == "/stream" ? 20 : 0);
        return res;
      }
      if (r.path == "/throw") throw std::runtime_error("secret detail of the library");
      if (r.path == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(200));
      std::string segs;
      for (const auto& seg : r.segments) segs += "[" + seg + "]";
      res.body = r.method + " " + r.path + " " + r.body + " q=" + (r.query.count("q") ? r.query.at("q") : "") +
                 " h=" + r.header("x-test") + " s=" + segs;
      return res;
    });
    server->start();
  }
  void SetUp() override { start(options()); }
  std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(server->port()) + path; }
};

TEST_F(Http, AnswersWithPathQueryHeadersAndBody) {
  const auto r = request("POST", url("/a%20b?q=%ED%95%9C&z"), "payload", {{"X-Test", "yes"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /a%20b payload q=한 h=yes s=[a b]");
  EXPECT_EQ(r.headers.at("content-length"), std::to_string(r.body.size()));
}

TEST_F(Http, KeepsAConnectionAliveForSeveralRequests) {
  const std::string two =
      "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
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
  EXPECT_TRUE(
      raw_exchange(server->port(), "POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n").starts_with("HTTP/1.1 400"));
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
        const auto r = request("GET", url("/slow"));
        if (r.status == 200) {
          ++ok;
        } else if (failed++ == 0) {
          ADD_FAILURE() << r.status << " " << r.body;
        }
      } catch (const Unreachable& e) {
        if (failed++ == 0) ADD_FAILURE() << e.what();
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
  stream_lines(
      url("/stream"), {}, [&](std::string_view l) { return !(l.starts_with("data:") && ++lines == 5); }, {}, nullptr,
      &cancel);
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

// ---- what a hostile client tries (issue 11, items 2, 3 and 5) ----

TEST_F(Http, FramingIsStrict) {
  // Two lengths, an empty one, a space before the colon: refused, and the
  // bytes after them are never answered as a second request.
  for (const std::string bad : {
           "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhelloGET /smuggled HTTP/1.1\r\n\r\n",
           "POST /x HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 28\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
           "POST /x HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
           "POST /x HTTP/1.1\r\nContent-Length:\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
           "POST /x HTTP/1.1\r\nContent-Length : 28\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
       }) {
    const std::string out = raw_exchange(server->port(), bad);
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << bad << "\n" << out;
    EXPECT_EQ(out.find("smuggled"), std::string::npos) << out;
    EXPECT_EQ(out.find("HTTP/1.1", 5), std::string::npos) << "one answer only: " << out;
  }
  EXPECT_EQ(served, 0);
}

TEST_F(Http, BadBytesInTheAddressAre400NotAnException) {
  for (const std::string bad :
       {"GET /a\xff\xfe HTTP/1.1\r\n\r\n", "GET /a%FF%FE HTTP/1.1\r\n\r\n", "GET /a%00b HTTP/1.1\r\n\r\n",
        "G\xc3\xa9T /x HTTP/1.1\r\n\r\n", "GET /x?q=%C0%AF HTTP/1.1\r\n\r\n"}) {
    const std::string out = raw_exchange(server->port(), bad);
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << bad << "\n" << out;
    EXPECT_NE(out.find("{\"error\""), std::string::npos) << out;
  }
  EXPECT_EQ(served, 0);
  // A handler's exception is a 500 that keeps the exception's text to the log.
  const auto r = request("GET", url("/throw"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
}

TEST_F(Http, AnEncodedSlashStaysInsideItsSegment) {
  const auto r = request("GET", url("/api/v1/jobs%2F..%2Fx/events"));
  EXPECT_NE(r.body.find("s=[api][v1][jobs/../x][events]"), std::string::npos) << r.body;
}

TEST_F(Http, HeadOfAStreamSendsNoBody) {
  const std::string out = raw_exchange(server->port(), "HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200")) << out;
  EXPECT_EQ(out.find("data:"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\n")) << out;
  const std::string plain = raw_exchange(server->port(), "HEAD /x HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_NE(plain.find("Content-Length: "), std::string::npos) << plain;
  EXPECT_TRUE(plain.ends_with("\r\n\r\n")) << plain;
}

TEST_F(Http, ATrickledHeadGetsOneDeadlineNotOnePerByte) {
  server->stop();
  ServerOptions o = options();
  o.head_timeout_ms = 1000;
  start(o);
  const int fd = connect_from("127.0.0.1", server->port());
  ASSERT_GE(fd, 0);
  const std::string head = "GET /x HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  for (const char c : head) {
    if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) {
      closed = true;
      break;
    }
    read_until_closed(fd, 0.2, &closed);  // one byte every 200 ms: each well inside any per-read timeout
    if (closed) break;
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  EXPECT_TRUE(closed) << "the trickling client was still connected after " << took << " s";
  EXPECT_LT(took, 4.0);
  EXPECT_EQ(served, 0);
  // (The count comes when the server's side of the close has run: a moment after the client saw it.)
  for (int i = 0; i < 100 && server->stats().timed_out == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(server->stats().timed_out, 1u);
}

TEST_F(Http, IdleConnectionsGiveWayAndOneAddressCannotTakeThemAll) {
  server->stop();
  ServerOptions o = options();
  o.max_connections = 60;
  o.max_per_address = 25;
  start(o);
  // Three "attackers" fill every slot with connections that never speak.
  std::vector<int> idle;
  for (const char* from : {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
    for (int i = 0; i < 30; ++i) {
      const int fd = connect_from(from, server->port());
      if (fd >= 0) idle.push_back(fd);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const ServerStats s = server->stats();
  EXPECT_EQ(s.refused_address, 15u) << "each address gets 25 of its 30";
  EXPECT_LE(s.connections, 60u);
  // A real client still gets in, every time: the longest-idle connection makes room.
  for (int i = 0; i < 20; ++i) {
    const auto r = request("GET", url("/x"));
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_GE(server->stats().evicted, 1u);
  for (const int fd : idle) ::close(fd);
}

TEST_F(Http, AClientThatDoesNotReadHoldsOnePieceNotTheWholeBody) {
  server->stop();
  ServerOptions o = options();
  o.write_timeout_ms = 1500;
  start(o);
  const int fd = connect_from("127.0.0.1", server->port());
  ASSERT_GE(fd, 0);
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const std::string get = "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, get.data(), get.size(), MSG_NOSIGNAL);
  // The source could fill memory at gigabytes a second; with back-pressure it
  // stops once the socket's buffers are full.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const uint64_t held = produced.load();
  EXPECT_LT(held, uint64_t{16} << 20) << "the server took " << held << " bytes from the source";
  // And a client that takes nothing past the write deadline is let go.
  const auto t0 = std::chrono::steady_clock::now();
  while (!stream_ended && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(stream_ended);
  ::close(fd);
}

TEST_F(Http, ConnectionsHoldingTheirBodyBackGiveWayToo) {
  server->stop();
  ServerOptions o = options();
  o.max_connections = 40;
  start(o);
  std::vector<int> held;
  for (int i = 0; i < 60; ++i) {
    const int fd = connect_from("127.0.0.2", server->port());
    if (fd < 0) continue;
    const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 900\r\n\r\nab";  // and then nothing
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    held.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(request("GET", url("/x")).status, 200);
  EXPECT_GE(server->stats().evicted, 1u);
  for (const int fd : held) ::close(fd);
}

// Sends `bytes` on `fd` a byte at a time, one every 200 ms (each well
// inside any wait for a single read), until they are all sent or the
// server closes; returns how long that took, and whether it closed.
double trickle(int fd, const std::string& bytes, bool* closed) {
  const auto t0 = std::chrono::steady_clock::now();
  *closed = false;
  for (size_t i = 0; i < bytes.size() && !*closed; ++i) {
    if (::send(fd, &bytes[i], 1, MSG_NOSIGNAL) != 1) break;
    read_until_closed(fd, 0.2, closed);
  }
  if (!*closed) read_until_closed(fd, 0.5, closed);  // (a reset can come as the last byte goes)
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Waits a moment for the server's side of a close to be counted.
void wait_for_timeouts(Server& server, uint64_t n) {
  for (int i = 0; i < 100 && server.stats().timed_out < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST_F(Http, ABodySentSlowlyIsClosedAtItsWholeBodyDeadline) {
  server->stop();
  ServerOptions o = options();
  o.body_timeout_ms = 1000;  // and a second per 64 KiB: 1 s for this one
  start(o);
  const int fd = connect_from("127.0.0.1", server->port());
  ASSERT_GE(fd, 0);
  const std::string head = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  bool closed = false;
  const double took = trickle(fd, std::string(900, 'b'), &closed);  // 3 minutes at this pace
  ::close(fd);
  EXPECT_TRUE(closed) << "the slow body was still being read after " << took << " s";
  EXPECT_GE(took, 0.8) << "closed before its deadline";
  EXPECT_LT(took, 3.0) << "closed " << took << " s after the body began; its deadline is 1 s";
  EXPECT_EQ(served, 0);
  wait_for_timeouts(*server, 1);
  EXPECT_GE(server->stats().timed_out, 1u);
  // The same body sent at once is answered.
  EXPECT_EQ(request("POST", url("/x"), std::string(900, 'b')).status, 200);
}

TEST_F(Http, AKeptAliveConnectionIsClosedAtItsIdleTimeout) {
  server->stop();
  ServerOptions o = options();
  o.idle_timeout_ms = 1000;
  o.head_timeout_ms = 30000;  // so that only the idle timeout can close it soon
  start(o);
  const std::string get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const int fd = connect_from("127.0.0.1", server->port());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 2; ++i) {  // kept alive: a second request on it is answered
    ::send(fd, get.data(), get.size(), MSG_NOSIGNAL);
    const std::string answer = test::read_http_message(fd, 5);
    ASSERT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  }
  // Then nothing: closed after the idle timeout, without a word.
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  const std::string after = read_until_closed(fd, 5, &closed);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  EXPECT_TRUE(closed) << "an idle kept-alive connection was still open after " << took << " s";
  EXPECT_GE(took, 0.8);
  EXPECT_LT(took, 3.0);
  EXPECT_TRUE(after.empty()) << after;
  // The timeout is for the next head to be in, not for its first byte: one
  // that trickles its next head is closed at the same time.
  const int slow = connect_from("127.0.0.1", server->port());
  ASSERT_GE(slow, 0);
  ::send(slow, get.data(), get.size(), MSG_NOSIGNAL);
  ASSERT_TRUE(test::read_http_message(slow, 5).starts_with("HTTP/1.1 200"));
  const double trickled = trickle(slow, get, &closed);  // 6 s at this pace
  ::close(slow);
  EXPECT_TRUE(closed) << "a trickled second head was still being read after " << trickled << " s";
  EXPECT_LT(trickled, 3.0);
  EXPECT_EQ(served, 3);
}

TEST_F(Http, KeptAliveConnectionsGiveWayToNewClientsWhenAllAreTaken) {
  server->stop();
  ServerOptions o = options();
  o.max_connections = 40;
  start(o);
  const std::string get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  // An attacker's connections: each makes a request and is kept alive,
  // and each one the server closes is opened again at once, so that every
  // place is always taken.
  std::vector<int> held;
  const auto refill = [&] {
    std::vector<int> open;
    for (const int fd : held) {
      char c;
      if (::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
        ::close(fd);  // closed by the server
      } else {
        open.push_back(fd);
      }
    }
    held = open;
    while (held.size() < 40) {
      const int fd = connect_from("127.0.0.2", server->port());
      if (fd < 0) return;
      ::send(fd, get.data(), get.size(), MSG_NOSIGNAL);
      if (!test::read_http_message(fd, 5).starts_with("HTTP/1.1 200")) {
        ::close(fd);
        return;
      }
      held.push_back(fd);
    }
  };
  // Every place taken: the server may still be closing the one it evicted
  // last (its FIN not here yet), so look again until it is all ours.
  const auto fill = [&] {
    for (int tries = 0; tries < 500; ++tries) {
      refill();
      if (held.size() == 40u && server->stats().connections >= 40u) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(fill()) << held.size() << " held, " << server->stats().connections << " at the server";
    // A real client still gets in, every time: a kept-alive connection makes room.
    const std::string answer = raw_exchange(server->port(), "GET /x HTTP/1.1\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << i << ": " << answer;
  }
  const ServerStats s = server->stats();
  EXPECT_GE(s.evicted, 10u);
  EXPECT_EQ(s.refused_full, 0u);
  for (const int fd : held) ::close(fd);
}

TEST_F(Http, AHeadUpToItsLimitIsReadAndOneOverItIs431) {
  server->stop();
  ServerOptions o = options();
  o.max_header = 20000;
  start(o);
  const std::string ok =
      raw_exchange(server->port(), "GET /x?q=" + std::string(12000, 'a') + " HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200")) << ok.substr(0, 200);
  const std::string big = raw_exchange(server->port(), "GET /x HTTP/1.1\r\nX: " + std::string(25000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(big.starts_with("HTTP/1.1 431")) << big.substr(0, 200);
}

// What an upload's sink saw.
struct SinkLog {
  std::atomic<uint64_t> bytes{0};
  std::atomic<int> pieces{0}, finished{0}, dropped{0};
  std::atomic<size_t> largest{0};
};

class CountingSink final : public BodySink {
 public:
  explicit CountingSink(SinkLog& log) : log_(log) {}
  ~CountingSink() override {
    if (!finished_) ++log_.dropped;
  }
  bool write(std::string_view piece) override {
    log_.bytes += piece.size();
    ++log_.pieces;
    if (piece.size() > log_.largest) log_.largest = piece.size();
    return true;
  }
  Response finish() override {
    finished_ = true;
    ++log_.finished;
    Response r;
    r.body = "got " + std::to_string(log_.bytes.load());
    return r;
  }

 private:
  SinkLog& log_;
  bool finished_ = false;
};

TEST_F(Http, AnUploadGoesToItsSinkAPieceAtATime) {
  server->stop();
  SinkLog log;
  std::atomic<int> opened{0};
  ServerOptions o = options();  // max_body 1000: an upload is far over it
  o.streams = [](const Request& head) { return head.path.starts_with("/up"); };
  o.open_upload = [&](const Request& head) {
    ++opened;
    Upload u;
    if (head.path == "/up/no") {
      u.answer.status = 403;
      u.answer.body = "{\"error\": \"no\"}";
    } else {
      u.sink = std::make_shared<CountingSink>(log);
    }
    return u;
  };
  start(o);
  const std::string body(200000, 'u');
  const auto r = request("PUT", url("/up/a"), body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "got 200000");
  EXPECT_GT(log.pieces.load(), 1) << "the body came whole, not in pieces";
  EXPECT_LE(log.largest.load(), o.piece_bytes);
  // Refused from the head: the answer comes before any body, and no 100 Continue.
  const std::string refused = raw_exchange(
      server->port(), "PUT /up/no HTTP/1.1\r\nContent-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n", 3);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 403")) << refused;
  // Cut off mid-way: the sink goes without finish().
  const int fd = connect_from("127.0.0.1", server->port());
  ASSERT_GE(fd, 0);
  const std::string head = "PUT /up/b HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + std::string(30000, 'c');
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::close(fd);
  for (int i = 0; i < 250 && log.dropped == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(log.dropped.load(), 1);
  EXPECT_EQ(log.finished.load(), 1);
  // Other requests are held to max_body as before, and keep working.
  const std::string big = raw_exchange(server->port(), "POST /x HTTP/1.1\r\nContent-Length: 5000\r\n\r\n");
  EXPECT_TRUE(big.starts_with("HTTP/1.1 413")) << big;
  EXPECT_EQ(request("POST", url("/x"), "small").status, 200);
  EXPECT_EQ(opened.load(), 3);
}

TEST_F(Http, AnUploadSentSlowlyIsClosedAtItsWholeBodyDeadline) {
  server->stop();
  SinkLog log;
  ServerOptions o = options();
  o.streams = [](const Request& head) { return head.path.starts_with("/up"); };
  o.open_upload = [&](const Request&) { return Upload{std::make_shared<CountingSink>(log), {}}; };
  o.body_timeout_ms = 1000;    // and a second per 64 KiB: 2 s for 100,000 bytes
  o.write_timeout_ms = 30000;  // the limit on silence, which a trickle never reaches
  start(o);
  const int fd = connect_from("127.0.0.1", server->port());
  ASSERT_GE(fd, 0);
  const std::string head = "PUT /up/slow HTTP/1.1\r\nContent-Length: 100000\r\n\r\n";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  bool closed = false;
  const double took = trickle(fd, std::string(100, 'u'), &closed);  // 20 s at this pace
  ::close(fd);
  EXPECT_TRUE(closed) << "the slow upload was still being read after " << took << " s";
  EXPECT_GE(took, 1.6) << "closed before its deadline";
  EXPECT_LT(took, 4.0) << "closed " << took << " s after the body began; its deadline is 2 s";
  for (int i = 0; i < 100 && log.dropped == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(log.dropped.load(), 1) << "the sink kept a body that never came whole";
  EXPECT_EQ(log.finished.load(), 0);
}

TEST(Request, TheFuzzersParserIsTheServers) {
  Request req;
  std::string why;
  EXPECT_EQ(parse_request("POST /a/b%2Fc?x=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", req, why), 0) << why;
  EXPECT_EQ(req.body, "hi");
  ASSERT_EQ(req.segments.size(), 2u);
  EXPECT_EQ(req.segments[1], "b/c");
  EXPECT_EQ(parse_request("POST /a HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", req, why), 413);
  // A body shorter than its Content-Length (the fuzzer found this one looping).
  EXPECT_EQ(parse_request("POST /a HTTP/1.1\r\nContent-Length: 28\r\n\r\n{\"name\": \"bo\"}", req, why), 400);
  EXPECT_EQ(why, "the request ends before its body does");
  EXPECT_EQ(parse_request("POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", req, why), 400);
  EXPECT_EQ(parse_request("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", req, why), 411);
  EXPECT_EQ(parse_request("GET /a HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n", req, why), 431);
  EXPECT_TRUE(valid_utf8("한국어 abc"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe2\x82"));          // cut short
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
