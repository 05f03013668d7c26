// What the gateway's files share: answers in JSON, times, the caller. Only
// the gateway's own .cpp files include this.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "center/gateway.hpp"
#include "core/messages.hpp"

namespace aisb::center::detail {

using nlohmann::json;

// The window of a class's daily minutes and of idempotency keys.
inline constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline net::Response reply(int status, const json& body) {
  net::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

// A message may quote what the client sent: never echo more than a line of it.
inline std::string said_briefly(std::string said) {
  if (said.size() > 400) {
    size_t cut = 400;
    while (cut > 0 && (static_cast<unsigned char>(said[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
    said = said.substr(0, cut) + "…";
  }
  return said;
}

inline net::Response error(int status, const std::string& message, const std::string& field = "") {
  json body{{"error", said_briefly(message)}};
  if (!field.empty()) body["field"] = field;
  return reply(status, body);
}

// What a student or teacher reads: the message table's entry in English
// ("error") and in Korean ("error_ko"), so every client says it in its
// reader's language.
inline net::Response error(int status, const Message& m, const std::string& field = "") {
  json body{{"error", said_briefly(render_message(m, "en"))}, {"error_ko", said_briefly(render_message(m, "ko"))}};
  if (!field.empty()) body["field"] = field;
  return reply(status, body);
}

}  // namespace aisb::center::detail

namespace aisb::center {

struct Gateway::Caller {
  Principal who;
  [[nodiscard]] bool teacher() const { return who.kind == Principal::Kind::teacher; }
  [[nodiscard]] bool may_see(const JobRecord& j) const {
    return teacher() ? j.class_id == who.class_id : j.owner == who.student_id;
  }
};

}  // namespace aisb::center
