// The client side on Windows, on the system's WinHTTP: the school's proxy
// as Windows knows it (WPAD and PAC included where the system resolves them,
// Windows 8.1 and later; else the Internet Options proxy), the system's
// certificate store, TLS checks of the host name. The same promises as the
// libcurl client (http_client.cpp): WinHTTP's errors mapped onto Unreachable
// for the CLI's exit code 3, a stream cut into lines, and bounds on what a
// center may send back (an answer's size, one line's length), since a
// client must not trust a server any more than the other way round.
//
// What WinHTTP does by itself and curl did not is turned off: following
// redirects, keeping cookies. What WinHTTP cannot do: wait for `100
// Continue` before an upload's body, so the body goes out at once; the
// center decides on an upload from its head (before it reads the body) and
// a refusal that comes while the body goes out is read after the write that
// failed, when the center's answer is still there to read. Nor does it read
// a CA file (ClientOptions::ca_file): a center with a private certificate
// is trusted on Windows by adding that certificate to the system's store.
#ifdef _WIN32

#include <windows.h>
#include <winhttp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/files.hpp"
#include "net/http.hpp"

namespace aisb::net {

namespace {

std::wstring widen(std::string_view s) {
  if (s.empty()) return {};
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring w(static_cast<size_t>(std::max(n, 0)), L'\0');
  if (n > 0) MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
  return w;
}

std::string narrow(std::wstring_view w) {
  if (w.empty()) return {};
  const int n = WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
  std::string s(static_cast<size_t>(std::max(n, 0)), '\0');
  if (n > 0) WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), s.data(), n, nullptr, nullptr);
  return s;
}

// Our own words for the errors a student meets most, where the system has
// none (Wine's winhttp.dll carries no messages).
const char* known_error(DWORD error) {
  switch (error) {
    case ERROR_WINHTTP_CANNOT_CONNECT:
      return "could not connect to the server (refused, or no route to it)";
    case ERROR_WINHTTP_NAME_NOT_RESOLVED:
      return "the server's name could not be resolved";
    case ERROR_WINHTTP_TIMEOUT:
      return "the operation timed out";
    case ERROR_WINHTTP_CONNECTION_ERROR:
      return "the connection was reset or closed";
    case ERROR_WINHTTP_INVALID_SERVER_RESPONSE:
      return "the server's answer is not HTTP";
    case ERROR_WINHTTP_SECURE_FAILURE:
      return "the server's certificate is not trusted";
    case ERROR_WINHTTP_SECURE_INVALID_CA:
      return "the server's certificate is from an authority this computer does not trust";
    case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
      return "the server's certificate is for another name";
    case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
      return "the server's certificate has expired or is not valid yet";
    case ERROR_WINHTTP_SECURE_CHANNEL_ERROR:
      return "no secure connection could be set up: the server's certificate may not be trusted on this computer, "
             "or a proxy or filter in between changed the connection";
    default:
      return nullptr;
  }
}

// WinHTTP's words for an error (its messages live in winhttp.dll), with
// the number, which is what a school's technician searches for.
std::string error_text(DWORD error) {
  wchar_t* text = nullptr;
  const DWORD n =
      FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_FROM_SYSTEM |
                         FORMAT_MESSAGE_IGNORE_INSERTS,
                     GetModuleHandleW(L"winhttp.dll"), error, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string out = n > 0 && text != nullptr ? trim_header_value(narrow(std::wstring_view(text, n))) : std::string();
  if (text != nullptr) LocalFree(text);
  if (out.empty() && known_error(error) != nullptr) out = known_error(error);
  return out.empty() ? "error " + std::to_string(error) : out + " (error " + std::to_string(error) + ")";
}

struct Handle {
  HINTERNET h = nullptr;
  Handle() = default;
  explicit Handle(HINTERNET x) : h(x) {}
  ~Handle() {
    if (h != nullptr) WinHttpCloseHandle(h);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

// A session on the system's proxy settings. Windows 8.1 and later resolve
// them all (a fixed proxy, WPAD, a PAC file) per request; before that, or
// where the system does not know AUTOMATIC_PROXY (Wine), the proxy set in
// Internet Options, else the machine's WinHTTP default (netsh winhttp).
// Asynchronous: see Call.
HINTERNET open_session() {
  HINTERNET s = WinHttpOpen(L"aisandbox", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, WINHTTP_NO_PROXY_NAME,
                            WINHTTP_NO_PROXY_BYPASS, WINHTTP_FLAG_ASYNC);
  if (s != nullptr) return s;
  WINHTTP_CURRENT_USER_IE_PROXY_CONFIG ie{};
  if (WinHttpGetIEProxyConfigForCurrentUser(&ie)) {
    if (ie.lpszProxy != nullptr && *ie.lpszProxy != L'\0') {
      s = WinHttpOpen(L"aisandbox", WINHTTP_ACCESS_TYPE_NAMED_PROXY, ie.lpszProxy,
                      ie.lpszProxyBypass != nullptr ? ie.lpszProxyBypass : WINHTTP_NO_PROXY_BYPASS, WINHTTP_FLAG_ASYNC);
    }
    if (ie.lpszProxy != nullptr) GlobalFree(ie.lpszProxy);
    if (ie.lpszProxyBypass != nullptr) GlobalFree(ie.lpszProxyBypass);
    if (ie.lpszAutoConfigUrl != nullptr) GlobalFree(ie.lpszAutoConfigUrl);
  }
  if (s == nullptr) {
    s = WinHttpOpen(L"aisandbox", WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS,
                    WINHTTP_FLAG_ASYNC);
  }
  if (s == nullptr) throw Unreachable("cannot start an HTTP client (WinHTTP): " + error_text(GetLastError()));
  return s;
}

struct Transfer {
  ClientResponse* response = nullptr;
  size_t max_body = 0;
  // Streams: bytes not yet cut into lines, and where lines go.
  const std::function<bool(std::string_view)>* on_line = nullptr;
  std::string pending;
  bool stopped = false;  // on_line said stop
  bool head = false;     // a HEAD: no body to read
};

// What WinHTTP's callback hands over: the last operation's end, and the
// request handle's closing; with the buffers an operation reads into or
// writes from. Held by the call and by WinHTTP (until it says the handle
// is closing): the last to let go frees it, so a read that goes on after
// a cancel (Wine's does, until bytes come) never writes into freed memory.
struct Pending {
  std::atomic<int> holders{2};
  HANDLE done = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  DWORD error = 0;  // of the last operation (0: it went through)
  DWORD bytes = 0;  // read or written by it
  std::string buffer;
  std::string body;
  ~Pending() {
    if (done != nullptr) CloseHandle(done);
  }
};

void let_go(Pending* p) {
  if (p->holders.fetch_sub(1) == 1) delete p;
}

void CALLBACK on_status(HINTERNET, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  auto* p = reinterpret_cast<Pending*>(context);
  if (p == nullptr) return;
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
      p->error = 0;
      SetEvent(p->done);
      break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      p->error = 0;
      p->bytes = length;
      SetEvent(p->done);
      break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
      p->error = 0;
      p->bytes = info != nullptr ? *static_cast<DWORD*>(info) : 0;
      SetEvent(p->done);
      break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
      p->error = info != nullptr ? static_cast<WINHTTP_ASYNC_RESULT*>(info)->dwError : ERROR_WINHTTP_INTERNAL_ERROR;
      if (p->error == 0) p->error = ERROR_WINHTTP_INTERNAL_ERROR;
      SetEvent(p->done);
      break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
      let_go(p);  // WinHTTP's last word on this handle
      break;
    default:
      break;
  }
}

// One call: session, connection and request, in WinHTTP's asynchronous
// mode, so that this thread waits on each step in slices and sees `cancel`
// while a stream is silent (a blocked synchronous read cannot be ended from
// outside everywhere: Wine's cannot). Each step is started, then waited for.
class Call {
 public:
  Call(const Url& u, const std::string& method, const ClientOptions& o, const std::atomic<bool>* cancel)
      : url_(u), cancel_(cancel) {
    if (!o.ca_file.empty()) {
      throw Unreachable("TLS with " + u.host + ":" + std::to_string(u.port) +
                        " failed: a CA file is not read on Windows; add the center's certificate to the system's "
                        "certificate store");
    }
    session_.h = open_session();
    // Silence, not length, ends a call: each wait (connect, a send, an
    // answer's head, each read of its body) has the whole timeout.
    connect_ms_ = std::max(1, o.connect_timeout_ms);
    silence_ms_ = std::max(1000, o.timeout_ms);
    WinHttpSetTimeouts(session_.h, connect_ms_, connect_ms_, silence_ms_, silence_ms_);
    DWORD off = WINHTTP_DISABLE_COOKIES | WINHTTP_DISABLE_REDIRECTS;
    WinHttpSetOption(session_.h, WINHTTP_OPTION_DISABLE_FEATURE, &off, sizeof off);
    connection_.h = WinHttpConnect(session_.h, widen(u.host).c_str(), static_cast<INTERNET_PORT>(u.port), 0);
    if (connection_.h == nullptr) fail(GetLastError());
    p_ = new Pending();
    if (p_->done == nullptr) {
      delete p_;
      p_ = nullptr;
      throw Unreachable("cannot start an HTTP client (WinHTTP): no events");
    }
    request_ = WinHttpOpenRequest(
        connection_.h, widen(method).c_str(), widen(u.path).c_str(), nullptr, WINHTTP_NO_REFERER,
        WINHTTP_DEFAULT_ACCEPT_TYPES,
        WINHTTP_FLAG_ESCAPE_DISABLE | WINHTTP_FLAG_ESCAPE_DISABLE_QUERY | (u.tls ? WINHTTP_FLAG_SECURE : 0));
    if (request_ == nullptr) {
      const DWORD error = GetLastError();
      delete p_;
      p_ = nullptr;
      fail(error);
    }
    auto context = reinterpret_cast<DWORD_PTR>(p_);
    if (!WinHttpSetOption(request_, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof context) ||
        WinHttpSetStatusCallback(request_, on_status,
                                 WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS | WINHTTP_CALLBACK_FLAG_HANDLES,
                                 0) == WINHTTP_INVALID_STATUS_CALLBACK) {
      const DWORD error = GetLastError();
      WinHttpCloseHandle(request_);
      request_ = nullptr;
      delete p_;
      p_ = nullptr;
      fail(error);
    }
    DWORD policy = WINHTTP_OPTION_REDIRECT_POLICY_NEVER;
    WinHttpSetOption(request_, WINHTTP_OPTION_REDIRECT_POLICY, &policy, sizeof policy);
    // The center on this machine is never reached through a proxy.
    if (u.host == "localhost" || u.host == "127.0.0.1" || u.host == "::1") {
      WINHTTP_PROXY_INFO none{WINHTTP_ACCESS_TYPE_NO_PROXY, nullptr, nullptr};
      WinHttpSetOption(request_, WINHTTP_OPTION_PROXY, &none, sizeof none);
    }
  }

  ~Call() { close(); }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  HINTERNET request() {
    check_cancel();
    return request_;
  }
  Pending& pending() { return *p_; }
  [[nodiscard]] bool cancelled() const { return cancelled_; }

  void check_cancel() {
    if (!cancelled_ && cancel_ != nullptr && cancel_->load()) {
      cancelled_ = true;
      close();
    }
    if (cancelled_) throw Unreachable("cancelled");
  }

  // After an operation was started: waits for its end, in slices that
  // look at `cancel`. Its error, or 0. The timeouts are kept here too, not
  // only by WinHTTP (Wine's asynchronous reads wait for ever): the first
  // step (connecting and sending the head) has the connect timeout and a
  // silence, each later one a silence; past it the request is closed and
  // the step timed out.
  DWORD wait(bool first = false) {
    const ULONGLONG deadline = GetTickCount64() + static_cast<ULONGLONG>(silence_ms_) + (first ? connect_ms_ : 0);
    for (;;) {
      if (WaitForSingleObject(p_->done, 100) == WAIT_OBJECT_0) return p_->error;
      check_cancel();
      if (GetTickCount64() > deadline) {
        close();
        return ERROR_WINHTTP_TIMEOUT;
      }
    }
  }
  // False once the request was closed (a step timed out).
  [[nodiscard]] bool open() const { return request_ != nullptr; }

  // Throws the Unreachable that says what went wrong with `error`.
  [[noreturn]] void fail(DWORD error, int status = 0) {
    if (cancelled_ || error == ERROR_WINHTTP_OPERATION_CANCELLED) throw Unreachable("cancelled");
    const std::string where = url_.host + ":" + std::to_string(url_.port);
    const std::string why = error_text(error);
    switch (error) {
      case ERROR_WINHTTP_TIMEOUT:
        throw Unreachable(status > 0 ? url_.host + " went silent (no event and no heartbeat)"
                                     : url_.host + " gave no answer in time");
      case ERROR_WINHTTP_NAME_NOT_RESOLVED:
        throw Unreachable("cannot find " + url_.host + ": " + why);
      case ERROR_WINHTTP_CANNOT_CONNECT:
        throw Unreachable("cannot reach " + where + ": " + why);
      case ERROR_WINHTTP_SECURE_FAILURE:
      case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
      case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
      case ERROR_WINHTTP_SECURE_INVALID_CA:
      case ERROR_WINHTTP_SECURE_CERT_REV_FAILED:
      case ERROR_WINHTTP_SECURE_CERT_REVOKED:
      case ERROR_WINHTTP_SECURE_INVALID_CERT:
      case ERROR_WINHTTP_SECURE_CHANNEL_ERROR:
        throw Unreachable("TLS with " + where + " failed: " + why);
      default:
        throw Unreachable("talking to " + where + " failed: " + why);
    }
  }

 private:
  // Closes the request, which ends an operation under way (on Windows;
  // Wine's ends when its socket has something to say), without waiting.
  void close() {
    if (request_ == nullptr) return;
    WinHttpCloseHandle(request_);
    request_ = nullptr;
    let_go(p_);
    p_ = nullptr;
  }

  Url url_;
  const std::atomic<bool>* cancel_ = nullptr;
  Handle session_, connection_;
  HINTERNET request_ = nullptr;
  Pending* p_ = nullptr;
  bool cancelled_ = false;
  int connect_ms_ = 0, silence_ms_ = 0;
};

void add_headers(Call& c, const Headers& headers, const std::vector<std::string>& own) {
  std::string text;
  for (const std::string& h : own) text += h + "\r\n";
  for (const auto& [k, v] : headers) text += k + ": " + v + "\r\n";
  if (text.empty()) return;
  const std::wstring w = widen(text);
  if (!WinHttpAddRequestHeaders(c.request(), w.c_str(), static_cast<DWORD>(w.size()),
                                WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE)) {
    c.fail(GetLastError());
  }
}

// The answer's status line and headers, once WinHttpReceiveResponse is through.
void read_head(Call& c, Transfer& t) {
  DWORD status = 0, size = sizeof status;
  if (WinHttpQueryHeaders(c.request(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                          WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX)) {
    t.response->status = static_cast<int>(status);
  }
  size = 0;
  WinHttpQueryHeaders(c.request(), WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, nullptr, &size,
                      WINHTTP_NO_HEADER_INDEX);
  if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || size == 0) return;
  std::wstring raw(size / sizeof(wchar_t) + 1, L'\0');
  if (!WinHttpQueryHeaders(c.request(), WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, raw.data(), &size,
                           WINHTTP_NO_HEADER_INDEX)) {
    return;
  }
  raw.resize(size / sizeof(wchar_t));
  const std::string text = narrow(raw);
  t.response->headers.clear();
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + at, nl - at);
    at = nl + 1;
    if (line.starts_with("HTTP/")) {
      t.response->headers.clear();  // a 100 Continue or a proxy's answer came first
    } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
      t.response->headers[lower_ascii(line.substr(0, colon))] = trim_header_value(line.substr(colon + 1));
    }
  }
}

// Takes `bytes` of the body: whole into the response, or cut into lines.
// False ends the transfer (a bound passed, or on_line said stop).
bool take(Call& c, const Url& u, Transfer& t, const char* data, size_t bytes) {
  ClientResponse& r = *t.response;
  if (t.on_line == nullptr) {
    if (r.body.size() + bytes > t.max_body) {
      throw Unreachable("the answer from " + u.host + " is larger than this program accepts");
    }
    r.body.append(data, bytes);
    return true;
  }
  // A stream: an answer other than 200 is kept whole (it is an error's JSON).
  if (r.status != 200) {
    if (r.body.size() + bytes > (size_t{1} << 20)) {
      throw Unreachable("talking to " + u.host + ":" + std::to_string(u.port) +
                        " failed: the error's answer is larger than this program accepts");
    }
    r.body.append(data, bytes);
    return true;
  }
  t.pending.append(data, bytes);
  size_t at = 0, nl = 0;
  while ((nl = t.pending.find('\n', at)) != std::string::npos) {
    std::string_view line(t.pending.data() + at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = nl + 1;
    if (!(*t.on_line)(line)) {
      t.stopped = true;
      return false;
    }
    c.check_cancel();
  }
  t.pending.erase(0, at);
  if (t.pending.size() > t.max_body) {
    throw Unreachable("the answer from " + u.host + " is larger than this program accepts");
  }
  return true;
}

// After the request and its body went out: the answer's head, then its
// body in pieces as they come.
void receive(Call& c, const Url& u, Transfer& t) {
  if (!WinHttpReceiveResponse(c.request(), nullptr)) c.fail(GetLastError());
  if (const DWORD error = c.wait(); error != 0) c.fail(error);
  read_head(c, t);
  if (t.head) return;
  // A Content-Length over the bound is refused before a byte of the body.
  uint64_t expected = 0;
  bool has_length = false;
  if (const auto it = t.response->headers.find("content-length"); it != t.response->headers.end()) {
    try {
      expected = std::stoull(it->second);
      has_length = true;
    } catch (const std::exception&) {
      has_length = false;
    }
  }
  if (has_length && t.on_line == nullptr && expected > t.max_body) {
    throw Unreachable("the answer from " + u.host + " is larger than this program accepts");
  }
  uint64_t got = 0;
  std::string& buffer = c.pending().buffer;
  buffer.assign(size_t{64} << 10, '\0');
  for (;;) {
    if (!WinHttpReadData(c.request(), buffer.data(), static_cast<DWORD>(buffer.size()), nullptr)) {
      c.fail(GetLastError(), t.response->status);
    }
    if (const DWORD error = c.wait(); error != 0) c.fail(error, t.response->status);
    const DWORD n = c.pending().bytes;
    if (n == 0) break;  // the whole body is in
    got += n;
    if (!take(c, u, t, buffer.data(), n)) return;
  }
  if (has_length && got < expected) throw Unreachable("the answer from " + u.host + " was cut short");
}

// Sends the request's head, and `total` bytes of body of which `body` is
// the first (all, but for an upload).
void send_head(Call& c, const std::string& body, DWORD total) {
  std::string& kept = c.pending().body;  // WinHTTP reads it until the send is through
  kept = body;
  LPVOID data = kept.empty() ? WINHTTP_NO_REQUEST_DATA : kept.data();
  const auto n = static_cast<DWORD>(kept.size());
  const auto context = reinterpret_cast<DWORD_PTR>(&c.pending());
  if (!WinHttpSendRequest(c.request(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, data, n, total, context)) {
    c.fail(GetLastError());
  }
  if (const DWORD error = c.wait(true); error != 0) c.fail(error);
}

void send(Call& c, const Url& u, Transfer& t, const std::string& body) {
  send_head(c, body, static_cast<DWORD>(body.size()));
  receive(c, u, t);
}

}  // namespace

ClientResponse request(const std::string& method, const std::string& url, const std::string& body,
                       const Headers& headers, const ClientOptions& options) {
  const Url u = parse_url(url);
  if (body.size() > 0xffffffffu) throw std::invalid_argument("a request body over 4 GiB: send it as a file");
  Call c(u, method, options, nullptr);
  ClientResponse r;
  Transfer t;
  t.response = &r;
  t.max_body = options.max_body;
  t.head = method == "HEAD";
  std::vector<std::string> own;
  if (!body.empty()) own.emplace_back("Content-Type: application/json");
  add_headers(c, headers, own);
  send(c, u, t, body);
  return r;
}

ClientResponse upload_file(const std::string& method, const std::string& url, const std::filesystem::path& path,
                           const Headers& headers, const ClientOptions& options,
                           const std::function<void(uint64_t, uint64_t)>& on_progress,
                           const std::atomic<bool>* cancel) {
  const Url u = parse_url(url);
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  std::FILE* file = nullptr;
  if (!ec) file = ::_wfopen(path.c_str(), L"rb");
  if (file == nullptr) {
    throw Unreachable("cannot read " + utf8_of(path) + ": " + (ec ? ec.message() : std::strerror(errno)));
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
  Call c(u, method, options, cancel);
  ClientResponse r;
  Transfer t;
  t.response = &r;
  t.max_body = options.max_body;
  // WinHTTP takes a total length of up to 4 GiB; a larger one is said in
  // the header, and the body's length is then the caller's to keep.
  const bool large = size > 0xffffffffu;
  // No `Expect: 100-continue`: WinHTTP would not wait for it, and the
  // center decides on an upload from its head alone either way, before it
  // reads a byte of the body (Wine's WinHTTP also fails on the interim 100).
  std::vector<std::string> own{"Content-Type: application/octet-stream"};
  if (large) own.push_back("Content-Length: " + std::to_string(size));
  add_headers(c, headers, own);
  send_head(c, "", large ? WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH : static_cast<DWORD>(size));
  // The body in pieces from the file, never whole in memory.
  std::string& piece = c.pending().buffer;
  piece.assign(size_t{64} << 10, '\0');
  uint64_t sent = 0;
  while (sent < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(piece.size(), size - sent));
    const size_t got = std::fread(piece.data(), 1, want, file);
    if (got == 0) {
      const int error = std::ferror(file) != 0 && errno != 0 ? errno : EIO;
      throw Unreachable("cannot read " + utf8_of(path) + ": " +
                        (std::feof(file) != 0 ? std::string("the file got shorter") : std::strerror(error)));
    }
    DWORD error = 0;
    if (!WinHttpWriteData(c.request(), piece.data(), static_cast<DWORD>(got), nullptr)) error = GetLastError();
    if (error == 0) error = c.wait();
    if (error != 0) {
      if (c.cancelled()) throw Unreachable("cancelled");
      if (!c.open()) c.fail(error, r.status);
      // The center may have answered (a refusal) and closed before the
      // whole body was in: its answer says more than the broken write.
      try {
        receive(c, u, t);
        if (r.status >= 400) return r;
      } catch (const Unreachable&) {
        if (c.cancelled()) throw;
      }
      c.fail(error, r.status);
    }
    sent += got;
    if (on_progress) on_progress(sent, size);
  }
  receive(c, u, t);
  return r;
}

int stream_lines(const std::string& url, const Headers& headers, const std::function<bool(std::string_view)>& on_line,
                 const ClientOptions& options, std::string* error_body, const std::atomic<bool>* cancel) {
  const Url u = parse_url(url);
  Call c(u, "GET", options, cancel);
  ClientResponse r;
  Transfer t;
  t.response = &r;
  t.max_body = size_t{64} << 20;  // one line (one event) at most
  t.on_line = &on_line;
  try {
    add_headers(c, headers, {});
    send(c, u, t, "");
  } catch (const Unreachable&) {
    if (c.cancelled() || (cancel != nullptr && cancel->load())) return r.status;
    throw;
  }
  if (r.status != 200 && error_body != nullptr) *error_body = r.body;
  return r.status;
}

}  // namespace aisb::net

#endif  // _WIN32
