// A job folder as the worker keeps it (the center reads the same files):
//   job.json         the job spec (SPEC.md section 3), written by whoever starts the job
//   events.jsonl     every event, one per line, with seq from 1 and no gap
//   checkpoint.json  where the run stood at its last checkpoint
//   model.json       the trained weights, once the run completed
// Nothing here trusts the folder's contents: a torn last line (a crash in
// the middle of a write) is cut off, a checkpoint that does not read is
// ignored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "core/event_log.hpp"
#include "engine/engine.hpp"

namespace aisb::worker {

// The log's reader lives in core (the center reads the same logs).
using aisb::LogState;
using aisb::scan_log;

std::string checkpoint_json(const Checkpoint& c, uint64_t seq);
// The checkpoint and the log seq it was written after; none when the file is
// missing or does not read.
std::optional<std::pair<Checkpoint, uint64_t>> read_checkpoint(const std::filesystem::path& file);

// Writes `text` to `file` so that a reader sees the old or the new content,
// never a part: a temporary file, fsync, rename. False when it could not
// (errno says why); the temporary file is removed then.
bool write_atomically(const std::filesystem::path& file, const std::string& text);

// Appends events to events.jsonl with seq, within a byte cap. A write that
// fails (a full disk, an I/O error, a short write) is cut back off the file,
// so the log never keeps half a line, and the writer remembers it failed: the
// caller then ends the job once. The last `reserve` bytes under the cap are
// kept for the events that end a run (a `log` and the `done`).
class EventWriter {
 public:
  enum class Result { written, over_cap, failed };
  // `fd` is open for appending and `bytes` long; `max_bytes` 0 for no cap.
  EventWriter(int fd, uint64_t last_seq, uint64_t bytes, uint64_t max_bytes, uint64_t reserve = 16384);
  // Writes `e` with the next seq unless it would pass `limit` bytes (the cap
  // less the reserve when 0), or the writer has failed before.
  Result write(Event e, uint64_t limit = 0);
  // An event that ends the run: may use the reserve, and is tried even after
  // a failed write (a `done` that says why, if the disk takes it).
  Result write_final(Event e);
  [[nodiscard]] uint64_t seq() const { return seq_; }
  [[nodiscard]] uint64_t bytes() const { return bytes_; }
  [[nodiscard]] uint64_t max_bytes() const { return max_bytes_; }
  [[nodiscard]] uint64_t soft_cap() const { return max_bytes_ > reserve_ ? max_bytes_ - reserve_ : max_bytes_; }
  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] int error() const { return error_; }  // errno of the failed write
  // Whoever ends the run holds this (the training thread, or the memory
  // watchdog): one `done`, never two, never interleaved.
  std::recursive_mutex& mutex() { return mutex_; }

 private:
  Result append(Event e, uint64_t limit);
  int fd_;
  uint64_t seq_, bytes_, max_bytes_, reserve_;
  bool failed_ = false;
  int error_ = 0;
  std::recursive_mutex mutex_;
};

}  // namespace aisb::worker
