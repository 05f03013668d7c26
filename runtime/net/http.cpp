#include "net/http.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace aisb::net {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::string ssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// One socket, plain or TLS. Reads wait with poll() so that a caller can give
// up (a stopping server, a cancelled stream) without closing the socket first.
class Conn {
 public:
  explicit Conn(int fd) : fd_(fd) {}
  ~Conn() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void set_ssl(SSL* ssl) { ssl_ = ssl; }
  [[nodiscard]] SSL* ssl() const { return ssl_; }
  [[nodiscard]] int fd() const { return fd_; }

  // >0 bytes read; 0 the peer closed or an error; -1 nothing came within
  // `wait_ms` (try again).
  ssize_t read(char* buf, size_t n, int wait_ms) {
    if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, wait_ms);
      if (r == 0) return -1;
      if (r < 0) return errno == EINTR ? -1 : 0;
    }
    if (ssl_ != nullptr) {
      const int got = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(n, 1 << 30)));
      if (got > 0) return got;
      const int err = SSL_get_error(ssl_, got);
      return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? -1 : 0;
    }
    const ssize_t got = ::recv(fd_, buf, n, 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
    return std::max<ssize_t>(got, 0);
  }

  bool write_all(std::string_view data) {
    while (!data.empty()) {
      if (ssl_ != nullptr) {
        const int n = SSL_write(ssl_, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 30)));
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
      } else {
        const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
      }
    }
    return true;
  }

 private:
  int fd_;
  SSL* ssl_ = nullptr;
};

void set_timeouts(int fd, int send_ms) {
  timeval tv{send_ms / 1000, (send_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string json_error(const std::string& message) {
  std::string out = "{\"error\": \"";
  for (const char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"}";
}

std::string head_of(const Response& r, bool keep_alive, bool streaming) {
  std::string h = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  h += "Content-Type: " + r.content_type + "\r\n";
  if (!streaming) h += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  h += keep_alive && !streaming ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [k, v] : r.headers) h += k + ": " + v + "\r\n";
  return h + "\r\n";
}

}  // namespace

std::string Request::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hexd = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hexd[c >> 4];
      out += hexd[c & 15];
    }
  }
  return out;
}

// ---------------------------------------------------------------- server

std::string parse_request_head(std::string_view head, Request& req, bool& http10) {
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1 || !line.substr(sp2 + 1).starts_with("HTTP/1.")) {
    return "not an HTTP/1.1 request";
  }
  req.method = std::string(line.substr(0, sp1));
  req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (req.method.empty() || req.target.empty() || req.target.front() != '/') return "the request line names no path";
  http10 = line.substr(sp2 + 1) == "HTTP/1.0";
  size_t at = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    size_t next = head.find("\r\n", at);
    if (next == std::string_view::npos) next = head.size();
    const std::string_view h = head.substr(at, next - at);
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return "a header line without a name";
    req.headers[lower(std::string(h.substr(0, colon)))] = trim(h.substr(colon + 1));
    at = next + 2;
  }
  const size_t q = req.target.find('?');
  req.path = url_decode(std::string_view(req.target).substr(0, q));
  if (q != std::string::npos) {
    std::string_view qs = std::string_view(req.target).substr(q + 1);
    while (!qs.empty()) {
      const size_t amp = qs.find('&');
      const std::string_view kv = qs.substr(0, amp);
      const size_t eq = kv.find('=');
      req.query[url_decode(kv.substr(0, eq))] = eq == std::string_view::npos ? "" : url_decode(kv.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  return "";
}

struct Server::Impl {
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  SSL_CTX* tls = nullptr;
  std::thread acceptor;
  std::mutex done_mutex;
};

class ServerStream final : public Stream {
 public:
  ServerStream(Conn& c, const std::atomic<bool>& stopping) : c_(c), stopping_(stopping) {}
  bool write(std::string_view data) override {
    if (!open()) return false;
    if (!c_.write_all(data)) broken_ = true;
    return !broken_;
  }
  [[nodiscard]] bool open() const override {
    if (broken_ || stopping_.load()) return false;
    // A client that hung up shows as readable with nothing to read.
    pollfd p{c_.fd(), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)) != 0) return false;
    return true;
  }

 private:
  Conn& c_;
  const std::atomic<bool>& stopping_;
  bool broken_ = false;
};

Server::Server(ServerOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)), impl_(std::make_unique<Impl>()) {}

Server::~Server() {
  stop();
  while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (impl_->tls != nullptr) SSL_CTX_free(impl_->tls);
}

void Server::start() {
  if (options_.tls_cert.empty() != options_.tls_key.empty()) {
    throw ServerError("TLS needs both --tls-cert and --tls-key");
  }
  if (!options_.tls_cert.empty()) {
    impl_->tls = SSL_CTX_new(TLS_server_method());
    if (impl_->tls == nullptr) throw ServerError(ssl_error());
    SSL_CTX_set_min_proto_version(impl_->tls, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(impl_->tls, options_.tls_cert.c_str()) != 1) {
      throw ServerError("cannot use the certificate " + options_.tls_cert + ": " + ssl_error());
    }
    if (SSL_CTX_use_PrivateKey_file(impl_->tls, options_.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(impl_->tls) != 1) {
      throw ServerError("cannot use the key " + options_.tls_key + ": " + ssl_error());
    }
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.port);
  if (const int rc = ::getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw ServerError("cannot listen on " + options_.host + ": " + gai_strerror(rc));
  }
  std::string why = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, options_.backlog) == 0) {
      impl_->listen_fd = fd;
      break;
    }
    why = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (impl_->listen_fd < 0) throw ServerError("cannot listen on " + options_.host + ":" + port + ": " + why);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(impl_->listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (::pipe2(impl_->wake, O_CLOEXEC) != 0) throw ServerError("pipe: " + std::string(std::strerror(errno)));
  impl_->acceptor = std::thread([this] { accept_loop(); });
}

void Server::stop() {
  if (impl_->listen_fd < 0) return;
  stopping_ = true;
  const char c = 'x';
  [[maybe_unused]] const ssize_t n = ::write(impl_->wake[1], &c, 1);
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  ::close(impl_->listen_fd);
  ::close(impl_->wake[0]);
  ::close(impl_->wake[1]);
  impl_->listen_fd = -1;
  const auto until = Clock::now() + std::chrono::seconds(10);
  while (active_.load() > 0 && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void Server::accept_loop() {
  while (!stopping_) {
    pollfd p[2] = {{impl_->listen_fd, POLLIN, 0}, {impl_->wake[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if ((p[1].revents & POLLIN) != 0) return;
    if ((p[0].revents & POLLIN) == 0) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(impl_->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (addr.ss_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, host, sizeof host);
    } else if (addr.ss_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, host, sizeof host);
    }
    if (active_.load() >= options_.max_connections) {
      Conn c(fd);
      Response r{503, "application/json", json_error("the center is busy; try again in a moment"), {{"Retry-After", "2"}}, {}};
      c.write_all(head_of(r, false, false) + r.body);
      continue;
    }
    ++active_;
    try {
      std::thread([this, fd, peer = std::string(host)] {
        serve_connection(fd, peer);
        --active_;
      }).detach();
    } catch (const std::system_error&) {
      --active_;
      ::close(fd);
    }
  }
}

void Server::serve_connection(int fd, std::string peer) {
  Conn c(fd);
  set_timeouts(fd, 10000);
  if (impl_->tls != nullptr) {
    SSL* ssl = SSL_new(impl_->tls);
    if (ssl == nullptr) return;
    c.set_ssl(ssl);
    SSL_set_fd(ssl, fd);
    timeval tv{10, 0};  // a handshake that never comes is given up
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (SSL_accept(ssl) != 1) return;
  }
  // An error ends the connection. The client may still be sending (a body
  // we refused to read): closing with unread data would reset the
  // connection and could destroy the answer before the client reads it, so
  // the rest is read and dropped for a moment first ("lingering close").
  const auto send_error = [&](int status, const std::string& message) {
    Response r{status, "application/json", json_error(message), {}, {}};
    if (!c.write_all(head_of(r, false, false) + r.body)) return;
    if (c.ssl() == nullptr) ::shutdown(fd, SHUT_WR);
    char sink[16384];
    size_t dropped = 0;
    for (int waited = 0; waited < 2000 && dropped < (size_t{64} << 20) && !stopping_;) {
      const ssize_t n = c.read(sink, sizeof sink, 100);
      if (n == 0) break;
      if (n < 0) {
        waited += 100;
      } else {
        dropped += static_cast<size_t>(n);
      }
    }
  };
  std::string buf;
  char chunk[16384];
  // Reads more into buf; false when the client closed, idled out, or we stop.
  const auto fill = [&](int idle_ms) {
    int waited = 0;
    while (!stopping_) {
      const ssize_t n = c.read(chunk, sizeof chunk, 200);
      if (n > 0) {
        buf.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) return false;
      waited += 200;
      if (waited >= idle_ms) return false;
    }
    return false;
  };
  while (!stopping_) {
    size_t head_end = 0;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > options_.max_header) return send_error(431, "the request's head is too large");
      if (!fill(buf.empty() ? options_.idle_timeout_ms : 10000)) return;
    }
    if (head_end > options_.max_header) return send_error(431, "the request's head is too large");
    Request req;
    req.peer = peer;
    bool http10 = false;
    if (const std::string bad = parse_request_head(std::string_view(buf.data(), head_end), req, http10); !bad.empty()) {
      return send_error(400, bad);
    }
    if (!req.header("transfer-encoding").empty()) return send_error(411, "send the body with a Content-Length");
    size_t length = 0;
    if (const std::string cl = req.header("content-length"); !cl.empty()) {
      if (cl.size() > 15 || cl.find_first_not_of("0123456789") != std::string::npos) {
        return send_error(400, "Content-Length is not a number");
      }
      length = std::stoull(cl);
      if (length > options_.max_body) {
        return send_error(413, "the body is " + std::to_string(length) + " bytes; the limit is " +
                                   std::to_string(options_.max_body));
      }
    }
    while (buf.size() < head_end + 4 + length) {
      if (!fill(10000)) return;
    }
    req.body = buf.substr(head_end + 4, length);
    buf.erase(0, head_end + 4 + length);
    const std::string conn_header = lower(req.header("connection"));
    const bool keep_alive = http10 ? conn_header == "keep-alive" : conn_header != "close";

    Response res;
    try {
      res = handler_(req);
    } catch (const std::exception& e) {
      res = Response{500, "application/json", json_error(std::string("internal error: ") + e.what()), {}, {}};
    }
    if (res.stream) {
      if (!c.write_all(head_of(res, false, true))) return;
      ServerStream s(c, stopping_);
      try {
        res.stream(s);
      } catch (const std::exception&) {
      }
      return;
    }
    if (!c.write_all(head_of(res, keep_alive, false) + (req.method == "HEAD" ? "" : res.body))) return;
    if (!keep_alive) return;
  }
}

// ---------------------------------------------------------------- client

Url parse_url(const std::string& text) {
  Url u;
  std::string_view s = text;
  if (s.starts_with("https://")) {
    u.tls = true;
    s.remove_prefix(8);
  } else if (s.starts_with("http://")) {
    s.remove_prefix(7);
  } else {
    throw std::invalid_argument("'" + text + "' is not an http:// or https:// address");
  }
  const size_t slash = s.find('/');
  std::string_view hostport = s.substr(0, slash);
  u.path = slash == std::string_view::npos ? "/" : std::string(s.substr(slash));
  u.port = u.tls ? 443 : 80;
  if (hostport.starts_with('[')) {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("'" + text + "': unclosed [ in the host");
    u.host = std::string(hostport.substr(1, close - 1));
    hostport.remove_prefix(close + 1);
    if (!hostport.empty() && hostport.front() != ':') throw std::invalid_argument("'" + text + "': bad port");
  } else {
    const size_t colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    hostport = colon == std::string_view::npos ? std::string_view() : hostport.substr(colon);
  }
  if (!hostport.empty()) {
    const std::string p(hostport.substr(1));
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) == 0 ||
        std::stoi(p) > 65535) {
      throw std::invalid_argument("'" + text + "': the port must be 1 to 65535");
    }
    u.port = std::stoi(p);
  }
  if (u.host.empty()) throw std::invalid_argument("'" + text + "' names no host");
  return u;
}

namespace {

struct SslCtx {
  SSL_CTX* ctx = nullptr;
  ~SslCtx() {
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
};

std::unique_ptr<Conn> connect_to(const Url& u, const ClientOptions& o, SslCtx& ctx) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string where = u.host + ":" + std::to_string(u.port);
  if (const int rc = ::getaddrinfo(u.host.c_str(), std::to_string(u.port).c_str(), &hints, &found); rc != 0) {
    throw Unreachable("cannot find " + u.host + ": " + gai_strerror(rc));
  }
  std::string why = "no address";
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, o.connect_timeout_ms) == 1 ? 0 : -1;
      int err = rc == 0 ? 0 : ETIMEDOUT;
      socklen_t len = sizeof err;
      if (rc == 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        errno = err;
        rc = -1;
      }
    }
    if (rc != 0) {
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) throw Unreachable("cannot reach " + where + ": " + why);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  set_timeouts(fd, o.timeout_ms);
  auto c = std::make_unique<Conn>(fd);
  if (u.tls) {
    ctx.ctx = SSL_CTX_new(TLS_client_method());
    if (ctx.ctx == nullptr) throw Unreachable(ssl_error());
    SSL_CTX_set_min_proto_version(ctx.ctx, TLS1_2_VERSION);
    const bool ok = o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.ctx) == 1
                                      : SSL_CTX_load_verify_locations(ctx.ctx, o.ca_file.c_str(), nullptr) == 1;
    if (!ok) throw Unreachable("cannot read the certificates " + (o.ca_file.empty() ? "of this system" : o.ca_file));
    SSL_CTX_set_verify(ctx.ctx, SSL_VERIFY_PEER, nullptr);
    SSL* ssl = SSL_new(ctx.ctx);
    c->set_ssl(ssl);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, u.host.c_str());
    SSL_set1_host(ssl, u.host.c_str());
    timeval tv{o.connect_timeout_ms / 1000, (o.connect_timeout_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (SSL_connect(ssl) != 1) {
      const long verify = SSL_get_verify_result(ssl);
      throw Unreachable("TLS with " + where + " failed: " +
                        (verify != X509_V_OK ? X509_verify_cert_error_string(verify) : ssl_error()));
    }
  }
  return c;
}

enum class Got { data, closed, cancelled };

// Appends the next bytes from the server to buf, waiting in short steps so a
// cancel is noticed; throws Unreachable(silent) after timeout_ms without one.
Got read_more(Conn& c, std::string& buf, int timeout_ms, const std::atomic<bool>* cancel, const std::string& silent) {
  char chunk[16384];
  for (int waited = 0;; waited += 200) {
    if (cancel != nullptr && cancel->load()) return Got::cancelled;
    const ssize_t n = c.read(chunk, sizeof chunk, 200);
    if (n == 0) return Got::closed;
    if (n > 0) {
      buf.append(chunk, static_cast<size_t>(n));
      return Got::data;
    }
    if (waited + 200 >= timeout_ms) throw Unreachable(silent);
  }
}

// Sends the request and reads the status line and headers; what came after
// them stays in `rest`.
ClientResponse send_and_read_head(Conn& c, const Url& u, const std::string& method, const std::string& body,
                                  const Headers& headers, const ClientOptions& o, std::string& rest,
                                  const std::atomic<bool>* cancel) {
  std::string req = method + " " + u.path + " HTTP/1.1\r\nHost: " + u.host + ":" + std::to_string(u.port) +
                    "\r\nConnection: close\r\nUser-Agent: aisandbox\r\n";
  if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!body.empty()) req += "Content-Type: application/json\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n" + body;
  // A server may answer before it has read everything (413 for a body too
  // large) and stop reading: then the answer is still there to read.
  const bool sent = c.write_all(req);
  std::string buf;
  size_t head_end = 0;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    switch (read_more(c, buf, o.timeout_ms, cancel, u.host + " gave no answer in time")) {
      case Got::cancelled: throw Unreachable("cancelled");
      case Got::closed:
        throw Unreachable("the connection to " + u.host +
                          (sent ? " closed before an answer came" : " broke while sending"));
      case Got::data: break;
    }
    if (buf.size() > (size_t{64} << 10)) throw Unreachable("the answer's head is too large");
  }
  ClientResponse r;
  const std::string_view head(buf.data(), head_end);
  const size_t le = head.find("\r\n");
  const std::string_view status_line = head.substr(0, le);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) throw Unreachable("not an HTTP answer");
  r.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  size_t at = le == std::string_view::npos ? head.size() : le + 2;
  while (at < head.size()) {
    size_t next = head.find("\r\n", at);
    if (next == std::string_view::npos) next = head.size();
    const std::string_view h = head.substr(at, next - at);
    const size_t colon = h.find(':');
    if (colon != std::string_view::npos) r.headers[lower(std::string(h.substr(0, colon)))] = trim(h.substr(colon + 1));
    at = next + 2;
  }
  rest = buf.substr(head_end + 4);
  return r;
}

}  // namespace

ClientResponse request(const std::string& method, const std::string& url, const std::string& body,
                       const Headers& headers, const ClientOptions& options) {
  const Url u = parse_url(url);
  SslCtx ctx;
  auto c = connect_to(u, options, ctx);
  std::string rest;
  ClientResponse r = send_and_read_head(*c, u, method, body, headers, options, rest, nullptr);
  const auto cl = r.headers.find("content-length");
  const size_t want = cl != r.headers.end() ? std::strtoull(cl->second.c_str(), nullptr, 10) : SIZE_MAX;
  r.body = std::move(rest);
  while (r.body.size() < want &&
         read_more(*c, r.body, options.timeout_ms, nullptr, u.host + " stopped in the middle of an answer") == Got::data) {
  }
  if (want != SIZE_MAX && r.body.size() < want) throw Unreachable("the answer from " + u.host + " was cut short");
  return r;
}

int stream_lines(const std::string& url, const Headers& headers, const std::function<bool(std::string_view)>& on_line,
                 const ClientOptions& options, std::string* error_body, const std::atomic<bool>* cancel) {
  const Url u = parse_url(url);
  SslCtx ctx;
  auto c = connect_to(u, options, ctx);
  std::string buf;
  const ClientResponse r = send_and_read_head(*c, u, "GET", "", headers, options, buf, cancel);
  const bool ok = r.status == 200;
  const std::string silent = u.host + " went silent (no event and no heartbeat)";
  while (true) {
    if (ok) {
      size_t nl = 0;
      while ((nl = buf.find('\n')) != std::string::npos) {
        std::string_view line(buf.data(), nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!on_line(line)) return r.status;
        buf.erase(0, nl + 1);
      }
    }
    const Got got = read_more(*c, buf, options.timeout_ms, cancel, silent);
    if (got == Got::cancelled) return r.status;
    if (got == Got::closed) break;
  }
  if (!ok && error_body != nullptr) *error_body = buf;
  return r.status;
}

}  // namespace aisb::net
