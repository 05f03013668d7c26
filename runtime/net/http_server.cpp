// The center's HTTP server on Boost.Beast: Asio moves the bytes on a few
// threads, so a connection that waits (idle, trickling, slow to read) holds a
// socket and a small buffer, never a thread. Handlers and body sources run on
// a separate pool, because they may wait on the database or the disk.
//
// What a hostile client is up against, in order:
//   accept     a cap per address and in all; when all are taken, the
//              connection idle the longest is closed to make room
//   TLS, head  one deadline for the handshake and the whole head, however
//              slowly it trickles; kept-alive connections get `idle_timeout`
//   framing    Beast's parser, plus our rules: one Content-Length, no
//              Transfer-Encoding, the method a token, the path split and then
//              decoded, UTF-8 without control characters
//   body       a size limit known before a byte of it is read (413), and a
//              deadline that grows with its length; an upload (a route that
//              streams) goes to its sink a piece at a time, after the route
//              said yes to its head, and never waits on a silent client
//   answer     written with a deadline; a body from a source is asked for one
//              piece at a time, after the client took the last one
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/resource.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/http.hpp"

namespace aisb::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Parser = bhttp::request_parser<bhttp::string_body>;
// An upload's body, a piece at a time into a buffer of ours.
using UploadParser = bhttp::request_parser<bhttp::buffer_body>;

namespace {

using Clock = std::chrono::steady_clock;

// A parse error, in the words a client's author can act on.
std::pair<int, std::string> parse_failure(const beast::error_code& ec, size_t max_header, size_t max_body) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return {431, "the request's head is over " + std::to_string(max_header) + " bytes"};
  }
  if (ec == bhttp::error::body_limit) {
    return {413, "the body is over the limit of " + std::to_string(max_body) + " bytes"};
  }
  if (ec == bhttp::error::bad_content_length) return {400, "Content-Length must be one whole number"};
  if (ec == bhttp::error::bad_field) return {400, "a header line is malformed (nothing may stand before its ':')"};
  if (ec == bhttp::error::bad_value) return {400, "a header's value holds a character a header cannot"};
  if (ec == bhttp::error::bad_method) return {400, "the method is not a word"};
  if (ec == bhttp::error::bad_target) return {400, "the address holds a character an address cannot"};
  if (ec == bhttp::error::bad_version) return {400, "only HTTP/1.0 and HTTP/1.1 are spoken here"};
  if (ec == bhttp::error::bad_transfer_encoding) return {411, "send the body with one Content-Length"};
  return {400, "this is not a well-formed HTTP/1.1 request"};
}

// Our rules on a head Beast accepted. 0, or the status to answer with.
int check_head(const Parser& p, Request& req, std::string& why) {
  const auto& m = p.get();
  if (m.count(bhttp::field::transfer_encoding) > 0) {
    why = "send the body with one Content-Length (no Transfer-Encoding)";
    return 411;
  }
  if (m.count(bhttp::field::content_length) > 1 ||
      (m.count(bhttp::field::content_length) == 1 &&
       m[bhttp::field::content_length].find(',') != beast::string_view::npos)) {
    why = "send one Content-Length";
    return 400;
  }
  const beast::string_view method = m.method_string();
  if (method.empty() || !std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    why = "the method is not a word";
    return 400;
  }
  req.method = std::string(method);
  if (!split_target(std::string_view(m.target().data(), m.target().size()), req, why)) return 400;
  req.headers.clear();
  for (const auto& f : m) {
    std::string name = lower_ascii(std::string_view(f.name_string().data(), f.name_string().size()));
    const std::string value(f.value());
    auto [it, fresh] = req.headers.try_emplace(std::move(name), value);
    if (!fresh) it->second += ", " + value;  // repeated headers are one list
  }
  return 0;
}

std::string peer_of(const tcp::endpoint& e) {
  asio::ip::address a = e.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a.to_string();
}

}  // namespace

int parse_request(std::string_view bytes, Request& req, std::string& why, size_t max_header, size_t max_body) {
  Parser p;
  p.header_limit(static_cast<std::uint32_t>(std::min<size_t>(max_header, UINT32_MAX)));
  p.body_limit(max_body);
  p.eager(false);
  size_t used = 0;
  // Feeds the parser until `done` says so: 0, or the status of what went wrong.
  const auto feed = [&](const auto& done, const char* part) {
    beast::error_code ec;
    while (!done()) {
      const size_t n = p.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
      used += n;
      // (Beast asks for more of a body by taking nothing, without an error.)
      if (ec == bhttp::error::need_more || (!ec && n == 0 && used == bytes.size())) {
        why = std::string("the request ends before its ") + part + " does";
        return 400;
      }
      if (!ec && n == 0) {
        why = "this is not a well-formed HTTP/1.1 request";
        return 400;
      }
      if (ec) {
        auto [status, message] = parse_failure(ec, max_header, max_body);
        why = message;
        return status;
      }
    }
    return 0;
  };
  if (const int status = feed([&] { return p.is_header_done(); }, "head"); status != 0) return status;
  if (const int status = check_head(p, req, why); status != 0) return status;
  p.eager(true);
  if (const int status = feed([&] { return p.is_done(); }, "body"); status != 0) return status;
  req.body = p.get().body();
  return 0;
}

// ---------------------------------------------------------------- sessions

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close_now() = 0;
  std::atomic<bool> idle{true};  // waiting for a request: may be closed to make room
  std::atomic<int64_t> idle_since{0};
};

struct Server::Impl {
  ServerOptions o;
  Handler handler;
  // Declared before the io_context, so that sessions it still holds when it
  // is destroyed can unregister themselves.
  mutable std::mutex mu;  // the registry below
  uint64_t next_id = 0;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;
  std::map<std::string, size_t> per_peer;
  ServerStats stats;
  std::atomic<bool> stopping{false};
  std::optional<asio::ssl::context> tls;

  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_pause{ioc};
  std::unique_ptr<asio::thread_pool> pool;
  std::vector<std::thread> threads;
  int port = 0;
  size_t cap = 0;
  bool started = false;

  Impl(ServerOptions options, Handler h) : o(std::move(options)), handler(std::move(h)) {}

  void count(uint64_t ServerStats::*field) {
    const std::lock_guard lock(mu);
    ++(stats.*field);
  }
  void forget(uint64_t id, const std::string& peer) {
    const std::lock_guard lock(mu);
    sessions.erase(id);
    if (auto it = per_peer.find(peer); it != per_peer.end() && --it->second == 0) per_peer.erase(it);
  }
  void do_accept();
  bool evict_locked(std::vector<std::shared_ptr<SessionBase>>& looked_at);
  void evict_one();
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  template <class Stream>
  void launch(std::shared_ptr<SessionBase> s, uint64_t id);
};

template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(Server::Impl& srv, uint64_t id, std::string peer, std::string cap_key, Args&&... args)
      : srv_(srv),
        id_(id),
        peer_(std::move(peer)),
        cap_key_(std::move(cap_key)),
        stream_(std::forward<Args>(args)...),
        timer_(beast::get_lowest_layer(stream_).get_executor()),
        buffer_(srv.o.max_header + 8192) {}
  ~Session() override { srv_.forget(id_, cap_key_); }

  void start() {
    mark_idle(true);
    // The handshake and the first head share one deadline, counted from now.
    first_deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(srv_.o.head_timeout_ms);
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      lowest().expires_at(first_deadline_);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](const beast::error_code& ec) {
                                if (ec) return self->fail(ec);
                                self->read_head();
                              });
    } else {
      read_head();
    }
  }

  void close_now() override {
    asio::dispatch(lowest().get_executor(), [self = this->shared_from_this()] { self->close(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void mark_idle(bool v) {
    idle_since = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
    idle = v;
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    gone_ = true;
    body_sink_.reset();  // an upload cut off: its sink keeps nothing
    timer_.cancel();
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }

  void fail(const beast::error_code& ec) {
    if (ec == beast::error::timeout) srv_.count(&ServerStats::timed_out);
    close();
  }

  void read_head() {
    if (srv_.stopping) return close();
    mark_idle(true);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(srv_.o.max_header, UINT32_MAX)));
    // With uploads, the route decides a body's limit after the head: on_head
    // holds the rest to max_body before a byte of theirs is read. (Not
    // boost::none: Boost 1.74's parser compares a length with it as larger.)
    if (srv_.o.streams) {
      parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    } else {
      parser_->body_limit(srv_.o.max_body);
    }
    if (first_) {
      lowest().expires_at(first_deadline_);
    } else {
      lowest().expires_after(std::chrono::milliseconds(srv_.o.idle_timeout_ms));
    }
    first_ = false;
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](const beast::error_code& ec, size_t) { self->on_head(ec); });
  }

  // A connection stays "idle" (may be closed to make room) until its whole
  // request is in: one that holds a body back is no better than one that
  // holds its head back.
  void on_head(const beast::error_code& ec) {
    if (ec) {
      if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
          ec == beast::error::timeout || ec == asio::error::connection_reset) {
        return fail(ec);
      }
      const auto [status, why] = parse_failure(ec, srv_.o.max_header, srv_.o.max_body);
      return send_error(status, why);
    }
    req_ = Request{};
    req_.peer = peer_;
    std::string why;
    if (const int status = check_head(*parser_, req_, why); status != 0) return send_error(status, why);
    keep_alive_ = parser_->get().keep_alive();
    const auto length = parser_->content_length();
    if (srv_.o.streams && srv_.o.open_upload && srv_.o.streams(req_)) return open_upload();
    if (srv_.o.streams) {
      if (length && *length > srv_.o.max_body) {
        const auto [status, why] = parse_failure(bhttp::error::body_limit, srv_.o.max_header, srv_.o.max_body);
        return send_error(status, why);
      }
      parser_->body_limit(srv_.o.max_body);
    }
    if (parser_->is_done() || !length || *length == 0) return dispatch_handler();
    const auto body_deadline =
        std::chrono::milliseconds(srv_.o.body_timeout_ms) + std::chrono::seconds(*length / 65536);
    const auto read_body = [self = this->shared_from_this(), body_deadline] {
      self->lowest().expires_after(body_deadline);
      bhttp::async_read(self->stream_, self->buffer_, *self->parser_, [self](const beast::error_code& e, size_t) {
        if (e) {
          if (e == beast::error::timeout || e == bhttp::error::end_of_stream || e == asio::error::eof ||
              e == bhttp::error::partial_message) {
            return self->fail(e);
          }
          const auto [status, message] = parse_failure(e, self->srv_.o.max_header, self->srv_.o.max_body);
          return self->send_error(status, message);
        }
        self->dispatch_handler();
      });
    };
    if (beast::iequals(req_.header("expect"), "100-continue")) {
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_after(std::chrono::milliseconds(srv_.o.write_timeout_ms));
      return asio::async_write(stream_, asio::buffer(out_),
                               [self = this->shared_from_this(), read_body](const beast::error_code& e, size_t) {
                                 if (e) return self->fail(e);
                                 read_body();
                               });
    }
    read_body();
  }

  // An upload: the route looks at the head on the handler pool (it may ask
  // the database) and opens a sink, or answers without reading the body.
  void open_upload() {
    lowest().expires_never();
    asio::post(*srv_.pool, [self = this->shared_from_this()] {
      Upload up;
      try {
        up = self->srv_.o.open_upload(self->req_);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "aisandbox: %s %s: %s\n", self->req_.method.c_str(), self->req_.path.c_str(), e.what());
        up.answer = Response{
            500, "application/json", json_error("internal error; the center's log says more"), {}, nullptr, -1};
      }
      asio::post(self->lowest().get_executor(),
                 [self, up = std::move(up)]() mutable { self->on_upload_opened(std::move(up)); });
    });
  }

  void on_upload_opened(Upload up) {
    if (closed_) return;
    if (!up.sink) return send_and_close(up.answer);
    body_sink_ = std::move(up.sink);
    const uint64_t length = parser_->content_length().value_or(0);
    if (length == 0 || parser_->is_done()) return finish_upload(false);
    upload_parser_.emplace(std::move(*parser_));
    parser_.reset();
    upload_parser_->body_limit(length);
    // The whole body by one deadline that grows with its length (a floor
    // of 64 KiB/s); read_upload_piece adds a limit on silence.
    upload_deadline_ =
        Clock::now() + std::chrono::milliseconds(srv_.o.body_timeout_ms) + std::chrono::seconds(length / 65536);
    piece_.resize(std::max<size_t>(srv_.o.piece_bytes, 4096));
    if (beast::iequals(req_.header("expect"), "100-continue")) {
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_after(std::chrono::milliseconds(srv_.o.write_timeout_ms));
      return asio::async_write(stream_, asio::buffer(out_),
                               [self = this->shared_from_this()](const beast::error_code& e, size_t) {
                                 if (e) return self->fail(e);
                                 self->out_.clear();
                                 self->read_upload_piece();
                               });
    }
    read_upload_piece();
  }

  void read_upload_piece() {
    if (srv_.stopping) return close();
    auto& body = upload_parser_->get().body();
    body.data = piece_.data();
    body.size = piece_.size();
    body.more = true;
    lowest().expires_at(std::min(upload_deadline_, Clock::now() + std::chrono::milliseconds(srv_.o.write_timeout_ms)));
    bhttp::async_read(stream_, buffer_, *upload_parser_,
                      [self = this->shared_from_this()](beast::error_code e, size_t) { self->on_upload_piece(e); });
  }

  void on_upload_piece(beast::error_code e) {
    if (e == bhttp::error::need_buffer) e = {};
    if (e) {
      // Cut off, too slow, or not HTTP: the sink goes without finish(), so
      // nothing of the body is kept.
      if (e == beast::error::timeout || e == bhttp::error::end_of_stream || e == asio::error::eof ||
          e == bhttp::error::partial_message || e == asio::error::operation_aborted ||
          e == asio::error::connection_reset) {
        return fail(e);
      }
      const auto [status, message] = parse_failure(e, srv_.o.max_header, srv_.o.max_body);
      return send_error(status, message);
    }
    const size_t got = piece_.size() - upload_parser_->get().body().size;
    const bool done = upload_parser_->is_done();
    mark_idle(true);  // bytes moved: the last connection to close to make room
    if (got == 0) return done ? finish_upload(false) : read_upload_piece();
    // The sink may write to a disk: on the pool, with the sink held there,
    // so that a close meanwhile lets it go only when the write is over.
    asio::post(*srv_.pool, [self = this->shared_from_this(), sink = body_sink_, got, done] {
      bool more = false;
      try {
        more = sink->write(std::string_view(self->piece_.data(), got));
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "aisandbox: body of %s: %s\n", self->req_.path.c_str(), ex.what());
      }
      asio::post(self->lowest().get_executor(), [self, more, done] {
        if (self->closed_) return;
        if (!more || done) return self->finish_upload(!more);
        self->read_upload_piece();
      });
    });
  }

  // The sink's answer. `stopped`: it refused the rest of the body, which
  // may still be coming, so the connection closes after the answer.
  void finish_upload(bool stopped) {
    mark_idle(false);
    lowest().expires_never();
    upload_parser_.reset();
    parser_.reset();
    asio::post(*srv_.pool, [self = this->shared_from_this(), sink = std::move(body_sink_), stopped] {
      Response res;
      try {
        res = sink->finish();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "aisandbox: %s %s: %s\n", self->req_.method.c_str(), self->req_.path.c_str(), e.what());
        res = Response{500, "application/json", json_error("internal error; the center's log says more"), {}, nullptr,
                       -1};
      }
      asio::post(self->lowest().get_executor(), [self, res = std::move(res), stopped]() mutable {
        if (stopped) return self->send_and_close(res);
        self->write_response(std::move(res));
      });
    });
  }

  void dispatch_handler() {
    mark_idle(false);
    req_.body = std::move(parser_->get().body());
    parser_.reset();
    lowest().expires_never();
    asio::post(*srv_.pool, [self = this->shared_from_this()] {
      Response res;
      try {
        res = self->srv_.handler(self->req_);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "aisandbox: %s %s: %s\n", self->req_.method.c_str(), self->req_.path.c_str(), e.what());
        res = Response{500, "application/json", json_error("internal error; the center's log says more"), {}, nullptr,
                       -1};
      }
      asio::post(self->lowest().get_executor(),
                 [self, res = std::move(res)]() mutable { self->write_response(std::move(res)); });
    });
  }

  void write_response(Response res) {
    if (closed_) return;
    res_ = std::move(res);
    const bool head_only = req_.method == "HEAD";
    if (srv_.stopping) keep_alive_ = false;
    out_ = head_of(res_, keep_alive_);
    if (!head_only && !res_.source) out_ += res_.body;
    res_.body.clear();
    lowest().expires_after(std::chrono::milliseconds(srv_.o.write_timeout_ms));
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this(), head_only](const beast::error_code& ec, size_t) {
                        if (ec) return self->fail(ec);
                        self->out_.clear();
                        if (self->res_.source && !head_only) {
                          if (self->res_.length < 0) {
                            self->lowest().expires_never();
                            self->watch_for_hangup();
                          }
                          return self->pump();
                        }
                        self->after_response();
                      });
  }

  void after_response() {
    const bool delimited_by_close = res_.source && res_.length < 0;
    res_ = Response{};
    if (keep_alive_ && !srv_.stopping && !delimited_by_close) return read_head();
    close();
  }

  // A client that hangs up during a stream shows as a read that ends.
  void watch_for_hangup() {
    stream_.async_read_some(asio::buffer(sink_),
                            [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                              if (ec) {
                                self->gone_ = true;
                                self->timer_.cancel();
                                return;
                              }
                              self->watch_for_hangup();  // bytes during a stream mean nothing: dropped
                            });
  }

  void pump() {
    if (gone_ || srv_.stopping) return close();
    asio::post(*srv_.pool, [self = this->shared_from_this()] {
      BodySource::Piece piece;
      try {
        piece = self->res_.source->next(self->srv_.o.piece_bytes);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "aisandbox: body of %s: %s\n", self->req_.path.c_str(), e.what());
        piece.done = true;
        self->keep_alive_ = false;
      }
      asio::post(self->lowest().get_executor(),
                 [self, piece = std::move(piece)]() mutable { self->on_piece(std::move(piece)); });
    });
  }

  void on_piece(BodySource::Piece piece) {
    if (gone_ || closed_ || srv_.stopping) return close();
    const bool done = piece.done;
    if (!piece.data.empty()) {
      sent_ += piece.data.size();
      out_ = std::move(piece.data);
      lowest().expires_after(std::chrono::milliseconds(srv_.o.write_timeout_ms));
      asio::async_write(stream_, asio::buffer(out_),
                        [self = this->shared_from_this(), done](const beast::error_code& ec, size_t) {
                          if (ec) return self->fail(ec);
                          self->out_.clear();
                          if (done) return self->end_body();
                          self->pump();
                        });
      return;
    }
    if (done) return end_body();
    lowest().expires_never();
    timer_.expires_after(std::chrono::milliseconds(std::max(1, piece.wait_ms)));
    timer_.async_wait([self = this->shared_from_this()](const beast::error_code&) { self->pump(); });
  }

  void end_body() {
    // A sized body that came up short would leave the client waiting for the rest.
    if (res_.length >= 0 && sent_ != static_cast<uint64_t>(res_.length)) keep_alive_ = false;
    sent_ = 0;
    if (res_.length < 0) return close();
    res_.source.reset();
    after_response();
  }

  // Answers and closes. The client may still be sending (a body we refused):
  // closing with unread data would reset the connection and could destroy the
  // answer before the client reads it, so the rest is read and dropped for a
  // moment first ("lingering close").
  void send_error(int status, const std::string& message) { send_bytes_and_close(error_response(status, message)); }

  // A route's answer to a body it did not read (whole): said, then closed
  // as send_error does.
  void send_and_close(const Response& r) { send_bytes_and_close(head_of(r, false) + (r.source ? "" : r.body)); }

  void send_bytes_and_close(std::string bytes) {
    keep_alive_ = false;
    out_ = std::move(bytes);
    lowest().expires_after(std::chrono::milliseconds(std::min(srv_.o.write_timeout_ms, 5000)));
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                        if (ec) return self->fail(ec);
                        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
                          beast::error_code ignored;
                          self->lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
                          self->lowest().expires_after(std::chrono::seconds(2));
                          self->linger(0);
                        } else {
                          self->close();
                        }
                      });
  }

  void linger(size_t dropped) {
    if (dropped > (size_t{64} << 20)) return close();
    stream_.async_read_some(asio::buffer(sink_),
                            [self = this->shared_from_this(), dropped](const beast::error_code& ec, size_t n) {
                              if (ec) return self->close();
                              self->linger(dropped + n);
                            });
  }

  Server::Impl& srv_;
  uint64_t id_;
  std::string peer_, cap_key_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;  // holds a whole head: its limit is max_header's
  std::optional<Parser> parser_;
  std::optional<UploadParser> upload_parser_;  // an upload's body, once its route said yes
  std::shared_ptr<BodySink> body_sink_;        // where it goes
  std::vector<char> piece_;                    // one piece of it, handed to the sink
  Clock::time_point upload_deadline_;
  Request req_;
  Response res_;
  std::string out_;
  char sink_[4096];
  bool first_ = true, keep_alive_ = false, closed_ = false;
  std::chrono::steady_clock::time_point first_deadline_;
  bool gone_ = false;
  uint64_t sent_ = 0;
};

// Closes the connection that has waited longest for a request of its own;
// false when every connection is busy. Call with `mu` held; the sessions
// looked at go into `looked_at`, to be let go after the lock.
bool Server::Impl::evict_locked(std::vector<std::shared_ptr<SessionBase>>& looked_at) {
  std::shared_ptr<SessionBase> victim;
  int64_t oldest = INT64_MAX;
  for (const auto& [sid, weak] : sessions) {
    auto s = weak.lock();
    if (s && s->idle && s->idle_since < oldest) {
      oldest = s->idle_since;
      if (victim) looked_at.push_back(std::move(victim));
      victim = std::move(s);
    } else if (s) {
      looked_at.push_back(std::move(s));
    }
  }
  if (!victim) return false;
  victim->idle = false;  // not chosen twice
  victim->close_now();
  looked_at.push_back(std::move(victim));
  ++stats.evicted;
  return true;
}

void Server::Impl::evict_one() {
  std::vector<std::shared_ptr<SessionBase>> looked_at;
  const std::lock_guard lock(mu);
  evict_locked(looked_at);
}

void Server::Impl::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [this](const beast::error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Server::Impl::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (stopping) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of file descriptors (the limit may be lower than we were told, or
    // lowered since): close the longest-idle connection, so that the next
    // client is not left in the backlog, and try again in a moment.
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE) evict_one();
    accept_pause.expires_after(std::chrono::milliseconds(10));
    accept_pause.async_wait([this](const beast::error_code&) {
      if (!stopping) do_accept();
    });
    return;
  }
  beast::error_code pe;
  const auto remote = socket.remote_endpoint(pe);
  const std::string peer = pe ? std::string("?") : peer_of(remote);
  const std::string key = address_key(peer);
  const auto refuse = [&](const std::string& message) {
    // Said in one non-blocking write, and closed: a refusal costs no wait.
    const std::string answer = error_response(503, message, {{"Retry-After", "5"}});
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(answer), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  };
  uint64_t id = 0;
  // Sessions looked at below are let go only after the lock: the last
  // reference to one unregisters it, which takes the lock.
  std::vector<std::shared_ptr<SessionBase>> looked_at;
  {
    const std::lock_guard lock(mu);
    ++stats.accepted;
    if (per_peer[key] >= o.max_per_address && !(o.unlimited && o.unlimited(peer))) {
      ++stats.refused_address;
      if (per_peer[key] == 0) per_peer.erase(key);
      refuse("too many connections from your address; close some and try again");
      return do_accept();
    }
    if (sessions.size() >= cap && !evict_locked(looked_at)) {
      ++stats.refused_full;
      if (per_peer[key] == 0) per_peer.erase(key);
      refuse("the center is busy; try again in a moment");
      return do_accept();
    }
    id = ++next_id;
    ++per_peer[key];
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    auto s =
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, id, peer, key, std::move(socket), *tls);
    {
      const std::lock_guard lock(mu);
      sessions[id] = s;
    }
    s->start();
  } else {
    auto s = std::make_shared<Session<beast::tcp_stream>>(*this, id, peer, key, std::move(socket));
    {
      const std::lock_guard lock(mu);
      sessions[id] = s;
    }
    s->start();
  }
  do_accept();
}

// ---------------------------------------------------------------- Server

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
}

int Server::port() const {
  return impl_->port;
}

size_t Server::max_connections() const {
  return impl_->cap;
}

ServerStats Server::stats() const {
  const std::lock_guard lock(impl_->mu);
  ServerStats s = impl_->stats;
  s.connections = impl_->sessions.size();
  return s;
}

void Server::start() {
  Impl& m = *impl_;
  const ServerOptions& o = m.o;
  if (o.tls_cert.empty() != o.tls_key.empty()) throw ServerError("TLS needs both --tls-cert and --tls-key");
  if (!o.tls_cert.empty()) {
    m.tls.emplace(asio::ssl::context::tls_server);
    m.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                       asio::ssl::context::single_dh_use);
    beast::error_code ec;
    m.tls->use_certificate_chain_file(o.tls_cert, ec);
    if (ec) throw ServerError("cannot use the certificate " + o.tls_cert + ": " + ec.message());
    m.tls->use_private_key_file(o.tls_key, asio::ssl::context::pem, ec);
    if (ec) throw ServerError("cannot use the key " + o.tls_key + ": " + ec.message());
  }
  // Every connection is a file: take what the system allows, and keep a
  // quarter of it for the database, logs and workers.
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    if (nofile.rlim_cur < nofile.rlim_max) {
      rlimit raised = nofile;
      raised.rlim_cur = std::min<rlim_t>(nofile.rlim_max, 1 << 20);
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) nofile = raised;
    }
    const size_t usable = nofile.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<size_t>(nofile.rlim_cur);
    m.cap = std::min(o.max_connections, std::max<size_t>(16, usable / 4 * 3 - std::min<size_t>(usable / 4 * 3, 64)));
  } else {
    m.cap = o.max_connections;
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host, ec);
  if (ec) throw ServerError("cannot listen on " + o.host + ": not an IP address (" + ec.message() + ")");
  const tcp::endpoint ep(address, static_cast<unsigned short>(o.port));
  m.acceptor.open(ep.protocol(), ec);
  if (!ec) m.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(ep, ec);
  if (!ec) m.acceptor.listen(o.backlog, ec);
  if (ec) {
    throw ServerError("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + ec.message());
  }
  m.port = m.acceptor.local_endpoint().port();
  m.pool = std::make_unique<asio::thread_pool>(static_cast<size_t>(std::max(1, o.handler_threads)));
  m.do_accept();
  for (int i = 0; i < std::max(1, o.io_threads); ++i) m.threads.emplace_back([&m] { m.ioc.run(); });
  m.started = true;
}

void Server::stop() {
  Impl& m = *impl_;
  if (!m.started) return;
  m.started = false;
  m.stopping = true;
  asio::post(m.ioc, [&m] {
    beast::error_code ignored;
    m.acceptor.close(ignored);
    m.accept_pause.cancel();
  });
  std::vector<std::shared_ptr<SessionBase>> open;
  {
    const std::lock_guard lock(m.mu);
    for (const auto& [id, weak] : m.sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (auto& s : open) s->close_now();
  open.clear();
  // Handlers still running finish; their answers find closed sockets.
  m.pool->join();
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < until) {
    {
      const std::lock_guard lock(m.mu);
      if (m.sessions.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  m.ioc.stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
}

}  // namespace aisb::net
