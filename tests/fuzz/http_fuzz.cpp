// Fuzz target for what the compute center reads from the network and from
// its operator: whole HTTP requests through the server's own parser and
// rules, every JSON body reader (login, job spec, events), addresses,
// percent-encoding, and the center's settings file. None may crash, hang or
// read out of bounds; what parses must keep its promises. Run it with
// -max_len at the body limit (1 MiB): the stack overflow of issue 11 needed
// a 128 KB body, far past libFuzzer's default of 4 KB.
//
// The same bytes then go to a gateway of its own (a store in a temporary
// folder, a class with its teacher and one student, a published lesson, no
// scheduler and no workers): the first byte picks a route and the rest is
// its body, through the route's own reader (login, submit, roster add,
// reset and remove, publish, progress) or, for PUT /api/v1/data/SHA256, the
// streamed path the server takes (open_upload, then the sink a piece at a
// time, finish, or let go half-way as a client that went away). A whole
// request the parser accepts is handled too, with "Bearer s" and "Bearer t"
// standing for the student's and the teacher's tokens. No answer may be a
// 500 (an exception would be one) or JSON that does not parse.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "center/config.hpp"
#include "center/data_store.hpp"
#include "center/executor.hpp"
#include "center/gateway.hpp"
#include "center/store.hpp"
#include "core/event.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"
#include "data/data_pack.hpp"
#include "net/http.hpp"

namespace {

namespace fs = std::filesystem;
using aisb::center::Gateway;
using aisb::center::Store;
using nlohmann::json;

// Nothing runs: the scheduler is never started.
class NoExecutor final : public aisb::center::Executor {
 public:
  [[nodiscard]] std::string name() const override { return "local"; }
  [[nodiscard]] int capacity() const override { return 0; }
  aisb::center::Launch launch(const aisb::center::JobRecord&, const fs::path&, double) override {
    throw std::runtime_error("no workers here");
  }
  std::optional<aisb::center::Ended> check(const aisb::center::JobRecord&, aisb::center::Progress*) override {
    return aisb::center::Ended{"no workers here"};
  }
  void cancel(const aisb::center::JobRecord&) override {}
  [[nodiscard]] bool survives_restart() const override { return false; }
};

// A lesson published to the class before any input: progress is checked
// against it (a goal at step 0, a quiz at step 1 whose answer is 1).
constexpr const char* kLesson = R"(format = 1
id = "fixed"
title.ko = "XOR"
title.en = "XOR"
[dataset]
source = "xor"
samples = 500
[model]
task = "classification"
inputs = ["x1", "x2"]
layers = [{ type = "dense", units = 8, activation = "tanh" }]
[training]
optimizer = "sgd"
learning_rate = 0.03
batch_size = 10
epochs = 20
seed = 1
[[steps]]
text.en = "Train it."
text.ko = "Train it."
goal = { metric = "test_accuracy", at_least = 0.95 }
[[steps]]
[steps.quiz]
question.ko = "Why?"
question.en = "Why?"
choices.ko = ["a", "b", "c"]
choices.en = ["a", "b", "c"]
answer = 1
)";

// One gateway, made again every so many inputs (its database and folders
// grow) and whenever an input took its student or teacher away.
struct Center {
  fs::path dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<Gateway> gateway;
  std::string class_id, teacher, student;
  int uses = 0;

  Center() {
    static int made = 0;
    dir = fs::temp_directory_path() / ("aisb_http_fuzz_" + std::to_string(::getpid()) + "_" + std::to_string(made++));
    fs::remove_all(dir);
    fs::create_directories(dir / "jobs");
    fs::create_directories(dir / "data");
    store = std::make_unique<Store>(dir);
    const auto made_class = store->create_class("fuzz");
    class_id = made_class.info.id;
    teacher = made_class.teacher_token;
    aisb::center::Config c;
    // No rate limit stops an input before its body is read.
    for (int* rate : {&c.limits.requests_per_minute, &c.limits.login_failures_per_minute,
                      &c.limits.logins_per_name_per_minute, &c.limits.sign_in_failures_per_name_per_minute,
                      &c.limits.sign_in_failures_per_class_per_minute, &c.limits.unknown_tokens_per_minute}) {
      *rate = 1 << 30;
    }
    // Uploads that are kept stay small in all.
    c.limits.max_upload_mb = 2;
    c.limits.data_quota_mb_per_class = 8;
    c.min_free_disk_mb = 0;
    gateway = std::make_unique<Gateway>(*store, c, std::make_unique<NoExecutor>(), dir);
    const auto in =
        handle("POST", "/api/v1/login", json{{"class_code", made_class.info.code}, {"name", "fuzz"}}.dump());
    student = json::parse(in.body).at("token").get<std::string>();
    const auto published = handle("PUT", "/api/v1/classes/" + class_id + "/lessons/fixed", kLesson, teacher);
    if (published.status != 201) {
      std::fprintf(stderr, "http_fuzz: the fixed lesson was not published: %s\n", published.body.c_str());
      std::abort();
    }
  }
  ~Center() {
    gateway.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  Center(const Center&) = delete;
  Center& operator=(const Center&) = delete;

  [[nodiscard]] bool intact() const {
    return store->authenticate(student, 86400).has_value() && store->authenticate(teacher, 86400).has_value();
  }

  static aisb::net::Request request(const std::string& method, const std::string& target, std::string body,
                                    const std::string& token) {
    aisb::net::Request r;
    r.method = method;
    r.target = target;
    std::string why;
    if (!aisb::net::split_target(target, r, why)) std::abort();
    r.peer = "192.0.2.7";
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.headers["content-length"] = std::to_string(body.size());
    r.body = std::move(body);
    return r;
  }

  aisb::net::Response handle(const std::string& method, const std::string& target, std::string body,
                             const std::string& token = "") {
    return answer(request(method, target, std::move(body), token));
  }

  // What the server would send: a route's answer, or an upload's through
  // its sink, as the server streams it (pieces of sizes `pick` chooses; a
  // client that goes away half-way when `drop`).
  aisb::net::Response answer(const aisb::net::Request& r, uint32_t pick = 0, bool drop = false) {
    aisb::net::Response res;
    if (Gateway::is_upload(r)) {
      aisb::net::Request head = r;
      head.body.clear();
      aisb::net::Upload up = gateway->open_upload(head);
      if (!up.sink) {
        res = std::move(up.answer);
      } else {
        std::string_view rest = r.body;
        bool more = true;
        while (more && !rest.empty()) {
          pick = pick * 1103515245u + 12345u;
          const size_t n = std::min<size_t>(rest.size(), 1 + (pick >> 8) % 70000);
          more = up.sink->write(rest.substr(0, n));
          rest.remove_prefix(n);
          if (drop && rest.size() < r.body.size() / 2) return res;  // let go: keeps nothing
        }
        res = up.sink->finish();
      }
    } else {
      res = gateway->handle(r);
    }
    check(res);
    return res;
  }

  static void check(aisb::net::Response& res) {
    if (res.status < 200 || res.status == 500 || res.status > 599) std::abort();
    if (res.source) {
      // A body in pieces (an event stream, a model): a few of them.
      for (int i = 0; i < 4; ++i) {
        const auto piece = res.source->next(size_t{64} << 10);
        if (piece.data.size() > (size_t{64} << 10) || piece.done || piece.data.empty()) break;
      }
    } else if (res.content_type == "application/json" && aisb::parse_json(res.body).is_discarded()) {
      std::abort();
    }
  }
};

std::unique_ptr<Center> g_center;

Center& center() {
  if (!g_center || ++g_center->uses > 2000 || !g_center->intact()) {
    g_center.reset();
    g_center = std::make_unique<Center>();
  }
  return *g_center;
}

// The input's bytes through one route of the gateway.
void through_the_gateway(std::string_view text) {
  Center& c = center();
  const uint8_t pick = text.empty() ? 0 : static_cast<uint8_t>(text[0]);
  const std::string body(text.empty() ? text : text.substr(1));
  const std::string roster = "/api/v1/classes/" + c.class_id + "/roster";
  switch (pick % 10) {
    case 0:
      c.handle("POST", "/api/v1/login", body);
      break;
    case 1:
      c.handle("POST", "/api/v1/jobs", body, c.student);
      break;
    case 2:
      c.handle("POST", roster, body, c.teacher);
      break;
    case 3:
      c.handle("POST", roster + (pick & 0x80 ? "/reset" : "/remove"), body, c.teacher);
      break;
    case 4:
      c.handle("PUT", "/api/v1/classes/" + c.class_id + "/lessons/fuzzed", body, c.teacher);
      break;
    case 5:
      c.handle("PUT", "/api/v1/progress/fixed", body, c.student);
      break;
    case 6:
    case 7: {
      // An upload named by its own hash (kept, or held already), or by one
      // its bytes do not have; its declared length the body's, or not.
      const std::string sha = pick % 10 == 6 ? aisb::sha256_hex(body) : aisb::sha256_hex(body + "x");
      auto r = Center::request("PUT", "/api/v1/data/" + sha, body, pick & 0x40 ? c.teacher : c.student);
      if (pick & 0x80) r.headers["content-length"] = std::to_string(body.size() + (pick & 0x10 ? 1 : -1));
      c.answer(r, static_cast<uint32_t>(text.size()) * 2654435761u, (pick & 0x20) != 0);
      break;
    }
    case 8: {
      // A hash (and the rest of the address) as the client wrote it.
      const size_t cut = std::min(body.find(' '), body.size());
      const std::string target = "/api/v1/data/" + body.substr(0, cut);
      aisb::net::Request r;
      std::string why;
      if (!aisb::net::split_target(target, r, why)) break;
      r.method = "PUT";
      r.target = target;
      r.peer = "192.0.2.7";
      r.headers["authorization"] = "Bearer " + c.student;
      r.body = cut < body.size() ? body.substr(cut + 1) : "";
      r.headers["content-length"] = std::to_string(r.body.size());
      c.answer(r, pick);
      break;
    }
    default:
      c.handle("POST", roster + "/" + (pick & 0x80 ? "reset" : "other"), body, c.teacher);
      break;
  }
}

// A whole request the parser took, handled as the server would.
void whole_request(aisb::net::Request req) {
  Center& c = center();
  for (const auto& seg : req.segments) {
    if (seg == "logout") return;  // would end the student's token: nothing of the parser's
  }
  // "/api/v1/classes/c/...": the class's own address.
  if (req.segments.size() > 3 && req.segments[2] == "classes" && req.segments[3] == "c") req.segments[3] = c.class_id;
  if (auto it = req.headers.find("authorization"); it != req.headers.end()) {
    if (it->second == "Bearer s") it->second = "Bearer " + c.student;
    if (it->second == "Bearer t") it->second = "Bearer " + c.teacher;
  }
  req.peer = "192.0.2.8";
  c.answer(req, static_cast<uint32_t>(req.body.size()));
}

}  // namespace

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
    whole_request(req);
  } else if (why.empty()) {
    std::abort();  // a refusal always says why
  }
  through_the_gateway(text);
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
