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
// never a part: a temporary file, fsync, rename.
bool write_atomically(const std::filesystem::path& file, const std::string& text);

std::string base64_encode(const std::string& bytes);
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace aisb::worker
