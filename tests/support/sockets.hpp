// Raw sockets on loopback, for tests that speak to a server the way a
// hostile or broken client would: from a chosen source address, bytes that
// are not HTTP, requests that are never read; and a listener that stands in
// for a center (or a proxy in front of one) that misbehaves.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>

namespace aisb::test {

// A connection to 127.0.0.1:port from `source` (any 127.x.y.z is this
// machine); -1 when it cannot be made.
inline int connect_from(const char* source, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `bytes` on a new connection and never reads (a small receive buffer,
// so the server meets back-pressure at once); the socket is the caller's.
inline int send_and_never_read(int port, const std::string& bytes) {
  const int fd = connect_from("127.0.0.1", port);
  if (fd < 0) return -1;
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  return fd;
}

// Whatever the server sends on `fd` until it closes or `seconds` pass;
// `closed` tells which.
inline std::string read_until_closed(int fd, double seconds, bool* closed = nullptr) {
  timeval tv{0, 100000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      if (closed != nullptr) *closed = true;
      return out;
    }
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  if (closed != nullptr) *closed = false;
  return out;
}

// Sends raw bytes on a new connection; everything the server answers until
// it closes (at most `seconds`).
inline std::string raw_exchange(int port, const std::string& bytes, double seconds = 5) {
  const int fd = connect_from("127.0.0.1", port);
  if (fd < 0) return "";
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out = read_until_closed(fd, seconds);
  ::close(fd);
  return out;
}

// One whole HTTP message from `fd`: its head, and as many bytes of body as
// its Content-Length says; what came when the peer closed or `seconds`
// passed, if that is less.
inline std::string read_http_message(int fd, double seconds) {
  timeval tv{0, 100000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  size_t want = std::string::npos;  // the whole message's size, once its head is in
  while (out.size() < want && std::chrono::steady_clock::now() < until) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;
    if (n > 0) out.append(buf, static_cast<size_t>(n));
    const size_t end = out.find("\r\n\r\n");
    if (want == std::string::npos && end != std::string::npos) {
      std::string head = out.substr(0, end);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t at = head.find("\r\ncontent-length:");
      want = end + 4 + (at == std::string::npos ? 0 : std::stoul(head.substr(at + 17)));
    }
  }
  return out;
}

// A listener on a free loopback port whose connections go, one after
// another, to `serve(fd)` on a thread of its own (which then closes them):
// a stand-in for a center, or a proxy in front of one.
class Listener {
 public:
  explicit Listener(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 64);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // shut down
        serve_(c);
        ::close(c);
      }
    });
  }
  ~Listener() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::function<void(int)> serve_;
  int fd_ = -1, port_ = 0;
  std::thread thread_;
};

// A port that was free a moment ago, for a program that takes its port on
// the command line and binds it later. It is drawn below the kernel's
// ephemeral range: a port from that range can be taken in the meantime by
// any outgoing connection on the machine (the hostile tests open thousands),
// which made a test's Slurm fail with "Address already in use".
inline int free_port() {
  int low = 32768;
  if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    if (std::fscanf(f, "%d", &low) != 1) low = 32768;
    std::fclose(f);
  }
  const int first = 10000;
  if (low < first + 1000) low = 32768;  // an unusual range: the common default
  std::random_device seed;
  std::mt19937 pick(seed() ^ static_cast<unsigned>(::getpid()));
  std::uniform_int_distribution<int> any(first, low - 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = any(pick);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) return port;
  }
  return 0;
}

}  // namespace aisb::test
