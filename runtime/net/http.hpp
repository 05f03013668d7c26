// HTTP/1.1 for the compute center: the server (Boost.Beast over Asio) and the
// client the CLI and the app use (libcurl). No torch, no UI, no SQLite.
//
// The server faces every student of a region, so nothing a client sends is
// trusted: a request's head and body must arrive whole within their
// deadlines (a connection that trickles a byte at a time is closed, not
// waited on), connections are capped per address and in all (idle ones give
// way to new ones), the framing is strict (one Content-Length, no chunked
// bodies, no space before a colon), paths are split before they are decoded
// (an encoded '/' stays inside its segment), and a response body that comes
// from a file or a growing log is read in bounded pieces, each one only after
// the client has taken the last (back-pressure), so a client that does not
// read costs one piece of memory, not the file.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aisb::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;                 // as sent: path and query
  std::string path;                   // as sent, without the query (not decoded)
  std::vector<std::string> segments;  // the path split at '/', then each piece decoded
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string peer;  // the client's address (the TCP peer)

  // The header's value, or "" (name in lower case).
  [[nodiscard]] std::string header(const std::string& name) const;
};

// A response body made in pieces: an event stream that follows a growing log,
// or a large file. The server asks for the next piece on a worker thread only
// after the client has taken the previous one, so one piece is all a slow
// client holds.
class BodySource {
 public:
  virtual ~BodySource() = default;
  struct Piece {
    std::string data;   // may be empty: nothing yet
    bool done = false;  // the body is complete (after `data`)
    int wait_ms = 0;    // nothing now: ask again after this long
  };
  // At most `max_bytes` in data. Must not block for long.
  virtual Piece next(size_t max_bytes) = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
  // When set, the body comes from here instead of `body`. With `length` >= 0
  // it is sent with that Content-Length (the connection may be kept);
  // otherwise the connection closes after it.
  std::shared_ptr<BodySource> source;
  int64_t length = -1;
};

using Handler = std::function<Response(const Request&)>;

// A request body taken as it arrives instead of whole into memory (an
// upload of a data set, far over max_body): the server hands it over in
// pieces on a handler thread, and reads the next piece only after the sink
// took the last, so an upload holds one piece of memory and a slow disk
// slows the client, not the server.
class BodySink {
 public:
  // A sink let go before finish() did not get its whole body (the client
  // went away, was too slow, or the server stops): it keeps nothing of it.
  virtual ~BodySink() = default;
  // The next piece of the body, in order. False stops the upload: the
  // answer is then finish()'s, and the connection closes after it.
  virtual bool write(std::string_view piece) = 0;
  // The answer, once the whole body is in (or write() said stop).
  virtual Response finish() = 0;
};

// What a streamed request's head decided: where its body goes, or the
// answer that ends it before a byte of the body is read.
struct Upload {
  std::shared_ptr<BodySink> sink;  // null: `answer` is the reply, and the connection closes after it
  Response answer;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8470;  // 0: any free port (see Server::port())
  int backlog = 4096;
  size_t max_body = size_t{1} << 20;     // larger bodies get 413
  size_t max_header = size_t{16} << 10;  // larger request heads get 431
  // Deadlines, each for a whole step, however the bytes are spread out.
  int head_timeout_ms = 10000;     // a new connection's first request head (and the TLS handshake)
  int idle_timeout_ms = 15000;     // a kept-alive connection, until its next request head is in
  int body_timeout_ms = 10000;     // a body: this much plus a second per 64 KiB
  int write_timeout_ms = 30000;    // a client that takes nothing of an answer for this long is dropped
  size_t max_connections = 10000;  // in all (capped below the open-file limit at start)
  size_t max_per_address = 1024;   // from one address (a school behind one NAT), but `unlimited` (trusted proxies)
  std::function<bool(const std::string&)> unlimited;  // addresses without a per-address cap (proxies)
  int io_threads = 2;                                 // threads that move bytes
  int handler_threads = 16;               // threads that run handlers and fill bodies (they wait on SQLite and disks)
  size_t piece_bytes = size_t{64} << 10;  // the most a body source hands over at once
  std::string tls_cert, tls_key;          // PEM files; both or neither
  // Requests whose body goes to a sink as it arrives (uploads). `streams`
  // picks them by their head alone, on an IO thread (so: no I/O, no locks);
  // `open_upload` then runs on the handler pool and opens the sink or
  // refuses (before a byte of the body is read; `Expect: 100-continue` is
  // answered only after it). Their bodies are not held to max_body, which
  // open_upload replaces with limits of its own, but to the same deadline
  // (body_timeout_ms and a second per 64 KiB, a floor of 64 KiB/s), and a
  // connection that moves no byte of one for write_timeout_ms is closed.
  std::function<bool(const Request&)> streams;
  std::function<Upload(const Request&)> open_upload;
};

class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the server did, for tests and /health.
struct ServerStats {
  size_t connections = 0;  // open now
  uint64_t accepted = 0;
  uint64_t evicted = 0;          // idle connections closed to make room
  uint64_t refused_address = 0;  // over the per-address cap
  uint64_t refused_full = 0;     // every connection busy
  uint64_t timed_out = 0;        // a head, body or write past its deadline
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; throws ServerError saying why it cannot.
  void start();
  [[nodiscard]] int port() const;
  // Stops accepting, closes every connection, ends body sources.
  void stop();
  [[nodiscard]] ServerStats stats() const;
  [[nodiscard]] size_t max_connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses one whole request (head and body) from `bytes` with the server's own
// parser and rules, for the fuzzer and tests. Returns 0 and fills `req`, or
// the status the server would answer (400, 411, 413, 431) with `why`.
int parse_request(std::string_view bytes, Request& req, std::string& why, size_t max_header = size_t{16} << 10,
                  size_t max_body = size_t{1} << 20);

// Splits a request target into its decoded path segments and query; false
// (with why) for a target that is not a path, or decodes to bytes that are
// not UTF-8 or hold a control character.
bool split_target(std::string_view target, Request& req, std::string& why);

// The server's bytes for a response's status line and headers (a response
// with a source and no length is close-delimited; header lines with CR, LF
// or NUL are left out), and for a JSON error that closes the connection.
std::string json_error(const std::string& message);
std::string head_of(const Response& r, bool keep_alive);
std::string error_response(int status, const std::string& message, const Headers& extra = {});

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
  int timeout_ms = 30000;             // silence this long ends a call; a stream with heartbeats never reaches it
  std::string ca_file;                // PEM; else the system's certificates
  size_t max_body = size_t{1} << 30;  // a longer answer is an error
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

// Sends the file at `path` as the body of `method` (PUT), read in pieces as
// it goes, never whole in memory, with `Expect: 100-continue`, so that a
// refusal (401, 413) comes before the body is sent. `on_progress(sent,
// total)` is told as bytes go out; `cancel` stops the transfer
// (Unreachable("cancelled")). A file that cannot be read is Unreachable too,
// with the reason. The answer is read as request() reads it.
ClientResponse upload_file(const std::string& method, const std::string& url, const std::filesystem::path& path,
                           const Headers& headers = {}, const ClientOptions& options = {},
                           const std::function<void(uint64_t sent, uint64_t total)>& on_progress = {},
                           const std::atomic<bool>* cancel = nullptr);

// GET `url` and hand each line of the body to `on_line` as it arrives (for
// text/event-stream), until the server closes or on_line returns false.
// Returns the status; for a status other than 200 the body is in `error_body`.
int stream_lines(const std::string& url, const Headers& headers, const std::function<bool(std::string_view)>& on_line,
                 const ClientOptions& options = {}, std::string* error_body = nullptr,
                 const std::atomic<bool>* cancel = nullptr);

// "%41b" -> "Ab"; '+' stays.
// A header's name as the maps hold it (ASCII lower case), and a header's
// value without the blanks and line ends around it.
std::string lower_ascii(std::string_view s);
std::string trim_header_value(std::string_view s);

std::string url_decode(std::string_view s);
std::string url_encode(std::string_view s);
// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates).
bool valid_utf8(std::string_view s);
// What a limit per address counts `addr` as: an IPv4 address as itself, also
// when written IPv4-mapped (::ffff:a.b.c.d, as a dual-stack listener or nginx
// writes IPv4 clients); other IPv6 by its /64 ("2001:db8:1:2::/64"), since
// one home or school holds a whole /64 and could step through it. The
// server's connection caps and the center's rate limits both count by it.
std::string address_key(const std::string& addr);

}  // namespace aisb::net
