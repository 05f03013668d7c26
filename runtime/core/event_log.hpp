// A run's event log as a job folder keeps it (events.jsonl: one event per
// line, seq from 1 with no gap). The worker reads it to resume without
// writing an event twice; the center reads it to learn how a job ended and
// to stream it. Nothing here trusts the file: a torn last line (a crash in
// the middle of a write) is reported, never parsed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aisb {

// What the event log already holds.
struct LogState {
  uint64_t last_seq = 0;
  int last_epoch = -1;  // of the last metrics event
  int64_t last_snapshot_step = -1;
  bool started = false;
  std::optional<std::string> done_reason;  // set when the run has ended
  std::string done_message;                // the done event's message, if any
  uintmax_t good_bytes = 0;                // the log up to its last whole, valid line
  bool torn = false;                       // something after good_bytes must be cut off
};

struct Metrics;
// `metrics`, when given, also gets every metrics event of the log (a run's
// curves so far: the worker's model file of a resumed run needs them; the
// center's calls do not pay for them).
LogState scan_log(const std::filesystem::path& events_jsonl, std::vector<Metrics>* metrics = nullptr);

// The seq of the log's last whole line, read from the end of the file (a
// long log with snapshots is not read through); 0 for none.
uint64_t last_seq(const std::filesystem::path& events_jsonl);
// The log's last whole line as JSON (null when there is none, it is not an
// object, or it lies more than max_bytes from the end).
nlohmann::json last_event(const std::filesystem::path& events_jsonl, size_t max_bytes = size_t{1} << 20);

struct Event;
// Appends `e` with the next seq (cutting off a torn last line first) and
// syncs it to disk; for whoever ends a run that no worker is running (the
// center, for a job cancelled in the queue or a worker that died). False when
// the file cannot be written.
bool append_event(const std::filesystem::path& events_jsonl, Event e);

}  // namespace aisb
