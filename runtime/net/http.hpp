// HTTP/1.1 for the compute center: a small server whose listen backlog and
// threading we control (a class of 40, or 200 clients, connecting in the same
// second must all be served; DESIGN.md), and the client the CLI and the app
// use. Both speak TLS through OpenSSL when given a certificate. No torch, no
// UI, no SQLite: the center, the CLI and the app's remote backend share it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aisb::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // decoded, without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string peer;  // the client's address

  // The header's value, or "" (name in lower case).
  [[nodiscard]] std::string header(const std::string& name) const;
};

// What a streaming response writes into. write() is false once the client
// has gone away or the server is stopping: the handler then returns.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual bool write(std::string_view data) = 0;
  [[nodiscard]] virtual bool open() const = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
  // When set, the server sends the status and headers, then hands the
  // connection to this function, and closes it when the function returns.
  std::function<void(Stream&)> stream;
};

using Handler = std::function<Response(const Request&)>;

// Reads a request's line and headers (the head without its final blank
// line) into req: method, target, decoded path and query, headers with
// lower-case names. Returns "" or what is wrong, for a 400.
std::string parse_request_head(std::string_view head, Request& req, bool& http10);

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8470;  // 0: any free port (see Server::port())
  int backlog = 4096;
  size_t max_body = size_t{1} << 20;    // larger bodies get 413
  size_t max_header = size_t{16} << 10;  // larger request heads get 431
  int idle_timeout_ms = 30000;           // a keep-alive connection with nothing to say is closed
  size_t max_connections = 4096;         // past this, new connections get 503
  std::string tls_cert, tls_key;         // PEM files; both or neither
};

class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One thread accepts; each connection has its own thread (blocking I/O with
// timeouts), so a slow client or a long event stream holds no one else up.
class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; throws ServerError saying why it cannot.
  void start();
  [[nodiscard]] int port() const { return port_; }
  // Stops accepting, ends streams, waits (up to a few seconds) for the
  // connections to close.
  void stop();

 private:
  struct Impl;
  void accept_loop();
  void serve_connection(int fd, std::string peer);

  ServerOptions options_;
  Handler handler_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> active_{0};
};

// ---- the client ----

struct Url {
  bool tls = false;
  std::string host;
  int port = 0;
  std::string path;  // with the query; "/" at least
};
// http://host[:port][/path] or https://...; throws std::invalid_argument.
Url parse_url(const std::string& text);

struct ClientOptions {
  int connect_timeout_ms = 5000;
  int timeout_ms = 30000;  // per read; a stream with heartbeats never reaches it
  std::string ca_file;     // PEM; else the system's certificates
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// The service could not be reached (connection refused, no such host, TLS
// handshake failed, timed out): the CLI's exit code 3.
class Unreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

ClientResponse request(const std::string& method, const std::string& url, const std::string& body = "",
                       const Headers& headers = {}, const ClientOptions& options = {});

// GET `url` and hand each line of the body to `on_line` as it arrives (for
// text/event-stream), until the server closes or on_line returns false.
// Returns the status; for a status other than 200 the body is in `error_body`.
int stream_lines(const std::string& url, const Headers& headers, const std::function<bool(std::string_view)>& on_line,
                 const ClientOptions& options = {}, std::string* error_body = nullptr,
                 const std::atomic<bool>* cancel = nullptr);

// "%41b" -> "Ab"; '+' stays.
std::string url_decode(std::string_view s);
std::string url_encode(std::string_view s);

}  // namespace aisb::net
