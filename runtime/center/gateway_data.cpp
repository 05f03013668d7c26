// The routes of a class's own data (SPEC.md section 5, docs/api.md):
// `PUT /api/v1/data/SHA256` streams a file to DataStore by its content hash,
// `HEAD /api/v1/data/SHA256` says whether the class holds it. Everything is
// decided from the request's head before a byte of the body is read: the
// token, the hash's form, the size against `max_upload_mb`, the class's
// quota (its uploads in flight counted), uploads at once, the disk's room.
// Nothing a client sends becomes a path but a hash that is exactly 64
// lower-case hex digits.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "center/data_store.hpp"
#include "center/gateway.hpp"
#include "center/gateway_util.hpp"

using nlohmann::json;

namespace aisb::center {

using namespace detail;

namespace {

// Megabytes as a person reads them: "512", "3.5", "0.05".
std::string mb(int64_t bytes) {
  const double v = static_cast<double>(bytes) / (1 << 20);
  char out[32];
  std::snprintf(out, sizeof out, v >= 10 ? "%.0f" : v >= 1 ? "%.1f" : "%.2f", v);
  return out;
}

// 413 with the limit that was passed, in bytes, beside the words.
net::Response over_limit(const Message& m, int64_t limit) {
  return reply(413, {{"error", said_briefly(render_message(m, "en"))},
                     {"error_ko", said_briefly(render_message(m, "ko"))},
                     {"limit", limit}});
}

net::Response disk_refusal(int error) {
  if (error == ENOSPC || error == EDQUOT) return detail::error(507, msg("api.data_no_room"));
  return detail::error(503, msg("api.data_cannot_write"));
}

// Where an accepted upload's body goes: DataStore's upload, and the answer
// once it is in.
class DataSink final : public net::BodySink {
 public:
  DataSink(std::unique_ptr<DataUpload> upload, std::string sha256, int64_t quota)
      : upload_(std::move(upload)), sha256_(std::move(sha256)), quota_(quota) {}

  bool write(std::string_view piece) override { return upload_->write(piece); }

  net::Response finish() override {
    if (upload_->error() != 0) return disk_refusal(upload_->error());
    const int64_t bytes = upload_->received();
    switch (upload_->commit()) {
      case DataUpload::Result::created:
        return reply(201, {{"sha256", sha256_}, {"bytes", bytes}});
      case DataUpload::Result::held:
        return reply(200, {{"sha256", sha256_}, {"bytes", bytes}, {"held", true}});
      case DataUpload::Result::mismatch:
        return detail::error(422, msg("api.data_mismatch", {upload_->actual_sha256()}), "sha256");
      case DataUpload::Result::short_body:
        return detail::error(400, msg("api.data_short"));
      case DataUpload::Result::over_quota:
        return over_limit(msg("api.data_quota", {mb(upload_->class_bytes()), mb(quota_)}), quota_);
      case DataUpload::Result::failed:
        break;
    }
    return disk_refusal(upload_->error());
  }

 private:
  std::unique_ptr<DataUpload> upload_;
  std::string sha256_;
  int64_t quota_;
};

}  // namespace

bool Gateway::is_upload(const net::Request& head) {
  const auto& s = head.segments;
  return head.method == "PUT" && s.size() == 4 && s[0] == "api" && s[1] == "v1" && s[2] == "data";
}

net::Upload Gateway::open_upload(const net::Request& req) {
  net::Upload up;
  try {
    std::optional<Caller> admitted;
    if (auto refused = admit(req, &admitted)) {
      up.answer = std::move(*refused);
      return up;
    }
    const Caller& who = *admitted;
    const std::string& sha256 = req.segments[3];
    if (!DataStore::is_sha256(sha256)) {
      up.answer = error(400, msg("api.data_bad_hash"));
      return up;
    }
    // The server took one Content-Length of digits only; none is an empty body.
    const std::string length_text = req.header("content-length");
    const unsigned long long declared = length_text.empty() ? 0 : std::strtoull(length_text.c_str(), nullptr, 10);
    const auto length = static_cast<int64_t>(std::min<unsigned long long>(declared, INT64_MAX));
    // A person is a student, or the class's teacher.
    const std::string person = who.teacher() ? "teacher:" + who.who.class_id : who.who.student_id;
    DataStore::Opened o = uploads_->open(who.who.class_id, person, person, sha256, length);
    using Refusal = DataStore::Opened::Refusal;
    switch (o.refused) {
      case Refusal::none:
        up.sink = std::make_shared<DataSink>(std::move(o.upload), sha256, uploads_->limits().class_quota_bytes);
        return up;
      case Refusal::held:
        up.answer = reply(200, {{"sha256", sha256}, {"held", true}});
        return up;
      case Refusal::too_large:
        up.answer = over_limit(msg("api.data_too_large", {mb(length), mb(o.limit)}), o.limit);
        return up;
      case Refusal::over_quota:
        up.answer = over_limit(msg("api.data_quota", {mb(o.used + length), mb(o.limit)}), o.limit);
        return up;
      case Refusal::too_many: {
        up.answer = error(429, msg("api.data_uploads_at_once", {std::to_string(o.limit)}));
        up.answer.headers.push_back({"Retry-After", "10"});
        return up;
      }
      case Refusal::no_room:
        up.answer = disk_refusal(ENOSPC);
        return up;
      case Refusal::cannot_write:
        std::fprintf(stderr, "aisandbox-center: cannot start an upload in %s: %s\n", uploads_->folder().c_str(),
                     std::strerror(o.error));
        up.answer = disk_refusal(o.error);
        return up;
    }
  } catch (const StoreError& e) {
    up.answer = error(503, std::string("the center's database is busy: ") + e.what());
  }
  return up;
}

net::Response Gateway::data_route(const net::Request& req, const std::string& sha256, const Caller& who) {
  if (req.method != "HEAD") {
    net::Response r = error(405, req.method + " is not allowed here; use HEAD, PUT");
    r.headers.push_back({"Allow", "HEAD, PUT"});
    return r;
  }
  if (!DataStore::is_sha256(sha256)) return error(400, msg("api.data_bad_hash"));
  if (!uploads_->held(who.who.class_id, sha256)) return error(404, "the center holds no such file for your class");
  const auto record = store_.data_record(sha256);
  return reply(200, {{"sha256", sha256}, {"bytes", record ? record->bytes : 0}});
}

net::Response Gateway::upload_in_memory(const net::Request& req) {
  // A server without streaming routes (the fuzzer's parser) hands over the
  // whole body: the same path, in one piece.
  net::Upload up = open_upload(req);
  if (!up.sink) return std::move(up.answer);
  if (!req.body.empty()) up.sink->write(req.body);
  return up.sink->finish();
}

}  // namespace aisb::center
