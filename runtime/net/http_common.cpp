// What the server and the client share: addresses, percent-encoding, UTF-8;
// and the bytes of a response's head as the server writes them.
#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include <algorithm>
#include <cctype>
#include <utility>

#include "net/http.hpp"

namespace aisb::net {

std::string Request::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim_header_value(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
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

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<size_t>(n) >= s.size()) return false;
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static const uint32_t least[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

bool split_target(std::string_view target, Request& req, std::string& why) {
  if (target.empty() || target.front() != '/') {
    why = "the request line names no path";
    return false;
  }
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  req.target = std::string(target);
  req.path = std::string(path);
  req.segments.clear();
  req.query.clear();
  const auto clean = [&](const std::string& s) {
    if (!valid_utf8(s)) {
      why = "the address is not UTF-8";
      return false;
    }
    for (const char c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        why = "the address holds a control character";
        return false;
      }
    }
    return true;
  };
  // Split first, decode each piece after: "%2F" is part of a segment, never a separator.
  for (size_t at = 1; at <= path.size();) {
    const size_t slash = path.find('/', at);
    const std::string seg =
        url_decode(path.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
    if (!clean(seg)) return false;
    req.segments.push_back(seg);
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    while (!qs.empty()) {
      const size_t amp = qs.find('&');
      const std::string_view kv = qs.substr(0, amp);
      const size_t eq = kv.find('=');
      std::string k = url_decode(kv.substr(0, eq));
      std::string v = eq == std::string_view::npos ? "" : url_decode(kv.substr(eq + 1));
      if (!clean(k) || !clean(v)) return false;
      req.query[std::move(k)] = std::move(v);
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  return true;
}

std::string address_key(const std::string& addr) {
  unsigned char a[16];
  if (addr.find(':') == std::string::npos || ::inet_pton(AF_INET6, addr.c_str(), a) != 1) return addr;
  char text[INET6_ADDRSTRLEN];
  if (std::all_of(a, a + 10, [](unsigned char b) { return b == 0; }) && a[10] == 0xff && a[11] == 0xff) {
    return ::inet_ntop(AF_INET, a + 12, text, sizeof text) != nullptr ? std::string(text) : addr;
  }
  std::fill(a + 8, a + 16, 0);
  return ::inet_ntop(AF_INET6, a, text, sizeof text) != nullptr ? std::string(text) + "/64" : addr;
}

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
  for (const char c : u.host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '?' || c == '#' || c == '@') {
      throw std::invalid_argument("'" + text + "': the host holds a character a host name cannot");
    }
  }
  return u;
}

// ---- the server's words on the wire ----

namespace {

const char* reason_phrase(int status) {
  static constexpr std::pair<int, const char*> phrases[] = {
      {100, "Continue"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {411, "Length Required"},
      {413, "Content Too Large"},
      {422, "Unprocessable Content"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {503, "Service Unavailable"},
      {507, "Insufficient Storage"},
  };
  for (const auto& [code, text] : phrases) {
    if (code == status) return text;
  }
  return "Status";
}

bool header_safe(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace

std::string json_error(const std::string& message) {
  std::string out = "{\"error\": \"";
  for (const char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"}";
}

// The status line and headers. A response with a source and no length is
// close-delimited.
std::string head_of(const Response& r, bool keep_alive) {
  const bool delimited_by_close = r.source && r.length < 0;
  std::string h = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  if (header_safe(r.content_type)) h += "Content-Type: " + r.content_type + "\r\n";
  if (!delimited_by_close) {
    h += "Content-Length: " + std::to_string(r.source ? r.length : static_cast<int64_t>(r.body.size())) + "\r\n";
  }
  h += keep_alive && !delimited_by_close ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [k, v] : r.headers) {
    if (header_safe(k) && header_safe(v) && k.find(':') == std::string::npos) h += k + ": " + v + "\r\n";
  }
  return h + "\r\n";
}

std::string error_response(int status, const std::string& message, const Headers& extra) {
  Response r{status, "application/json", json_error(message), extra, nullptr, -1};
  return head_of(r, false) + r.body;
}

}  // namespace aisb::net
