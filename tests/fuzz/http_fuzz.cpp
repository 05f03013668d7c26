// Fuzz target for what the compute center reads from the network and from
// its operator: HTTP request heads, addresses, percent-encoding, and the
// center's settings file. None may crash, hang or read out of bounds; what
// parses must keep its promises (a path from a head never holds "\r\n").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "center/config.hpp"
#include "net/http.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  aisb::net::Request req;
  bool http10 = false;
  if (aisb::net::parse_request_head(text, req, http10).empty()) {
    if (req.target.empty() || req.target.front() != '/') std::abort();
    for (const auto& [k, v] : req.headers) {
      if (k.find(':') != std::string::npos || k.find("\r\n") != std::string::npos) std::abort();
    }
  }
  try {
    const aisb::net::Url u = aisb::net::parse_url(std::string(text));
    if (u.host.empty() || u.port < 1 || u.port > 65535 || u.path.empty()) std::abort();
  } catch (const std::invalid_argument&) {
  }
  const std::string decoded = aisb::net::url_decode(text);
  if (decoded.size() > size) std::abort();
  if (aisb::net::url_decode(aisb::net::url_encode(text)) != text) std::abort();
  try {
    aisb::center::parse_config(text, "center.toml");
  } catch (const aisb::center::ConfigError&) {
  }
  return 0;
}
