#include "core/event_log.hpp"

#include "core/event.hpp"
#include "core/files.hpp"
#include "core/json_text.hpp"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {

LogState scan_log(const fs::path& events_jsonl, std::vector<Metrics>* metrics) {
  LogState s;
  std::ifstream in(events_jsonl, std::ios::binary);
  if (!in) return s;
  std::string line;
  uintmax_t at = 0;
  while (std::getline(in, line)) {
    const bool whole = !in.eof();  // getline hit a newline
    const json j = parse_json(line);
    if (!whole || j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() ||
        j["seq"].get<uint64_t>() != s.last_seq + 1) {
      s.torn = true;
      break;
    }
    at += line.size() + 1;
    s.good_bytes = at;
    s.last_seq = j["seq"].get<uint64_t>();
    const std::string type = j.value("type", "");
    if (type == "started") s.started = true;
    if (type == "metrics") {
      s.last_epoch = j.value("epoch", s.last_epoch);
      if (metrics != nullptr) {
        Diagnostics ignored;
        const Event e = event_from_json(j, ignored);
        if (!ignored.has_errors()) metrics->push_back(e.metrics);
      }
    }
    if (type == "snapshot") s.last_snapshot_step = j.value("step", s.last_snapshot_step);
    if (type == "done") {
      s.done_reason = j.value("reason", "failed");
      s.done_message = j.value("message", "");
    }
  }
  return s;
}

json last_event(const fs::path& events_jsonl, size_t max_bytes) {
  std::ifstream in(events_jsonl, std::ios::binary | std::ios::ate);
  if (!in) return json();
  const std::streamoff size = in.tellg();
  // Walk back in chunks until the last newline and the one before it (or the
  // start of the file) are both in `tail`.
  std::string tail;
  std::streamoff at = size;
  while (at > 0 && tail.size() <= max_bytes) {
    const std::streamoff n = std::min<std::streamoff>(at, 65536);
    at -= n;
    std::string chunk(static_cast<size_t>(n), '\0');
    in.seekg(at);
    in.read(chunk.data(), n);
    tail.insert(0, chunk);
    const size_t last_nl = tail.rfind('\n');
    if (last_nl == std::string::npos) continue;  // only a torn line so far
    const size_t before = last_nl == 0 ? std::string::npos : tail.rfind('\n', last_nl - 1);
    if (before == std::string::npos && at > 0) continue;
    const size_t from = before == std::string::npos ? 0 : before + 1;
    const json j = parse_json(std::string_view(tail).substr(from, last_nl - from));
    return j.is_object() ? j : json();
  }
  return json();
}

uint64_t last_seq(const fs::path& events_jsonl) {
  const json j = last_event(events_jsonl, SIZE_MAX / 2);
  return j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned() ? j["seq"].get<uint64_t>() : 0;
}

bool append_event(const fs::path& events_jsonl, Event e) {
  const LogState log = scan_log(events_jsonl);
  std::error_code ec;
  if (log.torn) fs::resize_file(events_jsonl, log.good_bytes, ec);
  e.seq = log.last_seq + 1;
  const std::string line = to_json(e).dump() + "\n";
  const int fd = open_for_writing(events_jsonl, true, 0644);
  if (fd < 0) return false;
  const bool whole = write_all(fd, line) == line.size();
  sync_and_close(fd);
  return whole;
}

}  // namespace aisb
