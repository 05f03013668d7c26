// Fuzz target for what the compute center reads from the network and from
// its operator: whole HTTP requests through the server's own parser and
// rules, every JSON body reader (login, job spec, events), addresses,
// percent-encoding, and the center's settings file. None may crash, hang or
// read out of bounds; what parses must keep its promises. Run it with
// -max_len at the body limit (1 MiB): the stack overflow of issue 11 needed
// a 128 KB body, far past libFuzzer's default of 4 KB.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "center/config.hpp"
#include "center/store.hpp"
#include "core/event.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"
#include "net/http.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  aisb::net::Request req;
  std::string why;
  if (aisb::net::parse_request(text, req, why) == 0) {
    if (req.target.empty() || req.target.front() != '/') std::abort();
    for (const auto& seg : req.segments) {
      if (!aisb::net::valid_utf8(seg)) std::abort();
    }
    for (const auto& [k, v] : req.headers) {
      if (k.find(':') != std::string::npos || k.find("\r\n") != std::string::npos) std::abort();
    }
    if (req.body.size() > size) std::abort();
  } else if (why.empty()) {
    std::abort();  // a refusal always says why
  }
  // Every body the center and its clients read goes through parse_json.
  const nlohmann::json j = aisb::parse_json(text, &why);
  if (!j.is_discarded()) {
    (void)j.dump();  // recursive: safe only because the depth is bounded
    aisb::Diagnostics diags;
    (void)aisb::read_job(j, diags);
    aisb::Diagnostics event_diags;
    (void)aisb::event_from_json(j, event_diags);
  }
  try {
    const aisb::net::Url u = aisb::net::parse_url(std::string(text));
    if (u.host.empty() || u.port < 1 || u.port > 65535 || u.path.empty()) std::abort();
  } catch (const std::invalid_argument&) {
  }
  const std::string decoded = aisb::net::url_decode(text);
  if (decoded.size() > size) std::abort();
  if (aisb::net::url_decode(aisb::net::url_encode(text)) != text) std::abort();
  // What a pupil types at sign-in: names (NFC, trimmed, bounded) and codes.
  using aisb::center::Store;
  const std::string input(text);
  const std::string name = Store::normalize_name(input, &why);
  if (name.empty() == why.empty()) std::abort();  // a name, or why not
  if (!name.empty()) {
    if (!aisb::net::valid_utf8(name) || name.size() > 4 * 40) std::abort();
    std::string again_why;
    if (Store::normalize_name(name, &again_why) != name) std::abort();  // once is enough
  }
  const std::string code = Store::normalize_code(input);
  if (code.size() > 32 || code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != std::string::npos) {
    std::abort();
  }
  if (!code.empty() && Store::normalize_code(code) != code) std::abort();
  (void)Store::code_matches("ABCD-EFGH", input);  // a stored hash that is not one
  try {
    aisb::center::parse_config(text, "center.toml");
  } catch (const aisb::center::ConfigError&) {
  }
  return 0;
}
