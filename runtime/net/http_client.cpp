// The client side, on libcurl: proxies from the environment (a school's
// network often has one), the system's certificate store, IPv6, TLS checks of
// the host name. What is ours: mapping libcurl's errors onto Unreachable for
// the CLI's exit code 3, cutting a stream into lines, and bounds on what a
// center may send back (an answer's size, one line's length), since a
// client must not trust a server any more than the other way round.
#include <curl/curl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "net/http.hpp"

namespace aisb::net {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Easy {
  CURL* h = nullptr;
  curl_slist* headers = nullptr;
  Easy() {
    global_init();
    h = curl_easy_init();
    if (h == nullptr) throw Unreachable("cannot start an HTTP client (libcurl)");
  }
  ~Easy() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
  }
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
};

struct Transfer {
  ClientResponse* response = nullptr;
  size_t max_body = 0;
  bool too_large = false;
  // Streams: bytes not yet cut into lines, and where lines go.
  const std::function<bool(std::string_view)>* on_line = nullptr;
  std::string pending;
  bool stopped = false;  // on_line said stop
  const std::atomic<bool>* cancel = nullptr;
  bool cancelled = false;
  // Uploads: told how far the body has gone; a 100-continue round trip
  // first, so that a refusal costs no body.
  const std::function<void(uint64_t, uint64_t)>* on_upload = nullptr;
  bool expect_continue = false;
};

// An upload's body, read from its file as libcurl asks for it.
struct FileReader {
  std::FILE* file = nullptr;
  int error = 0;  // errno of a read that failed
};

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* r = static_cast<FileReader*>(user);
  const size_t got = std::fread(buffer, 1, size * n, r->file);
  if (got == 0 && std::ferror(r->file) != 0) {
    r->error = errno != 0 ? errno : EIO;
    return CURL_READFUNC_ABORT;
  }
  return got;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();  // a 100 Continue or a proxy's answer came first
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response->headers[lower_ascii(line.substr(0, colon))] = trim_header_value(line.substr(colon + 1));
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  if (t->on_line == nullptr) {
    if (t->response->body.size() + bytes > t->max_body) {
      t->too_large = true;
      return 0;
    }
    t->response->body.append(data, bytes);
    return bytes;
  }
  // A stream: an answer other than 200 is kept whole (it is an error's JSON).
  if (t->response->status != 200) {
    if (t->response->body.size() + bytes > (size_t{1} << 20)) return 0;
    t->response->body.append(data, bytes);
    return bytes;
  }
  t->pending.append(data, bytes);
  size_t at = 0, nl = 0;
  while ((nl = t->pending.find('\n', at)) != std::string::npos) {
    std::string_view line(t->pending.data() + at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = nl + 1;
    if (!(*t->on_line)(line)) {
      t->stopped = true;
      return 0;
    }
  }
  t->pending.erase(0, at);
  if (t->pending.size() > t->max_body) {
    t->too_large = true;
    return 0;
  }
  return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t up_total, curl_off_t up_now) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel != nullptr && t->cancel->load()) {
    t->cancelled = true;
    return 1;
  }
  if (t->on_upload != nullptr && *t->on_upload && up_total > 0) {
    (*t->on_upload)(static_cast<uint64_t>(up_now), static_cast<uint64_t>(up_total));
  }
  return 0;
}

// The status line is known before the first byte of the body: on_body needs it.
size_t on_header_status(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/") && line.size() >= 12) {
    const size_t sp = line.find(' ');
    if (sp != std::string_view::npos) t->response->status = std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
  }
  return on_header(data, size, n, user);
}

void perform(Easy& e, const Url& u, Transfer& t, const ClientOptions& o) {
  curl_easy_setopt(e.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e.h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
  // Silence, not length, ends a call: a byte a second keeps it (a stream's heartbeat does).
  curl_easy_setopt(e.h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e.h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(std::max(1, o.timeout_ms / 1000)));
  curl_easy_setopt(e.h, CURLOPT_HEADERFUNCTION, on_header_status);
  curl_easy_setopt(e.h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e.h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e.h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e.h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e.h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(e.h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(e.h, CURLOPT_USERAGENT, "aisandbox");
  curl_easy_setopt(e.h, CURLOPT_PROTOCOLS_STR, "http,https");
  // The center on this machine is never reached through a proxy.
  curl_easy_setopt(e.h, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
  if (!o.ca_file.empty()) curl_easy_setopt(e.h, CURLOPT_CAINFO, o.ca_file.c_str());
  // No 100-continue round trip for small bodies; an upload waits for it.
  e.headers = curl_slist_append(e.headers, t.expect_continue ? "Expect: 100-continue" : "Expect:");
  curl_easy_setopt(e.h, CURLOPT_HTTPHEADER, e.headers);
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(e.h, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(e.h);
  long status = 0;
  curl_easy_getinfo(e.h, CURLINFO_RESPONSE_CODE, &status);
  if (status > 0) t.response->status = static_cast<int>(status);
  if (rc == CURLE_OK) return;
  if (t.stopped) return;  // the caller had what it wanted
  if (t.cancelled) throw Unreachable("cancelled");
  if (t.too_large) throw Unreachable("the answer from " + u.host + " is larger than this program accepts");
  const std::string where = u.host + ":" + std::to_string(u.port);
  const std::string why = error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      throw Unreachable(t.response->status > 0 ? u.host + " went silent (no event and no heartbeat)"
                                               : u.host + " gave no answer in time");
    case CURLE_COULDNT_RESOLVE_HOST:
      throw Unreachable("cannot find " + u.host + ": " + why);
    case CURLE_COULDNT_CONNECT:
      throw Unreachable("cannot reach " + where + ": " + why);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      throw Unreachable("TLS with " + where + " failed: " + why);
    case CURLE_PARTIAL_FILE:
      throw Unreachable("the answer from " + u.host + " was cut short");
    default:
      throw Unreachable("talking to " + where + " failed: " + why);
  }
}

void set_method_and_body(Easy& e, const std::string& method, const std::string& body, const Headers& headers) {
  if (method == "HEAD") {
    curl_easy_setopt(e.h, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(e.h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(e.h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(e.h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (!body.empty()) e.headers = curl_slist_append(e.headers, "Content-Type: application/json");
  }
  for (const auto& [k, v] : headers) e.headers = curl_slist_append(e.headers, (k + ": " + v).c_str());
}

}  // namespace

ClientResponse request(const std::string& method, const std::string& url, const std::string& body,
                       const Headers& headers, const ClientOptions& options) {
  const Url u = parse_url(url);
  Easy e;
  ClientResponse r;
  Transfer t;
  t.response = &r;
  t.max_body = options.max_body;
  curl_easy_setopt(e.h, CURLOPT_URL, url.c_str());
  set_method_and_body(e, method, body, headers);
  perform(e, u, t, options);
  return r;
}

ClientResponse upload_file(const std::string& method, const std::string& url, const std::filesystem::path& path,
                           const Headers& headers, const ClientOptions& options,
                           const std::function<void(uint64_t, uint64_t)>& on_progress,
                           const std::atomic<bool>* cancel) {
  const Url u = parse_url(url);
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  FileReader reader;
  if (!ec) reader.file = std::fopen(path.c_str(), "rb");
  if (reader.file == nullptr) {
    throw Unreachable("cannot read " + path.string() + ": " + (ec ? ec.message() : std::strerror(errno)));
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(reader.file, &std::fclose);
  Easy e;
  ClientResponse r;
  Transfer t;
  t.response = &r;
  t.max_body = options.max_body;
  t.cancel = cancel;
  t.on_upload = &on_progress;
  t.expect_continue = true;
  curl_easy_setopt(e.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e.h, CURLOPT_UPLOAD, 1L);
  if (method != "PUT") curl_easy_setopt(e.h, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(e.h, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(e.h, CURLOPT_READDATA, &reader);
  curl_easy_setopt(e.h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
  e.headers = curl_slist_append(e.headers, "Content-Type: application/octet-stream");
  for (const auto& [k, v] : headers) e.headers = curl_slist_append(e.headers, (k + ": " + v).c_str());
  try {
    perform(e, u, t, options);
  } catch (const Unreachable&) {
    if (reader.error != 0) throw Unreachable("cannot read " + path.string() + ": " + std::strerror(reader.error));
    throw;
  }
  return r;
}

int stream_lines(const std::string& url, const Headers& headers, const std::function<bool(std::string_view)>& on_line,
                 const ClientOptions& options, std::string* error_body, const std::atomic<bool>* cancel) {
  const Url u = parse_url(url);
  Easy e;
  ClientResponse r;
  Transfer t;
  t.response = &r;
  t.max_body = size_t{64} << 20;  // one line (one event) at most
  t.on_line = &on_line;
  t.cancel = cancel;
  curl_easy_setopt(e.h, CURLOPT_URL, url.c_str());
  set_method_and_body(e, "GET", "", headers);
  try {
    perform(e, u, t, options);
  } catch (const Unreachable&) {
    if (t.cancelled) return r.status;
    throw;
  }
  if (r.status != 200 && error_body != nullptr) *error_body = r.body;
  return r.status;
}

}  // namespace aisb::net
