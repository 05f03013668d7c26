#include "worker/job_dir.hpp"

#include "core/files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::worker {

std::string checkpoint_json(const Checkpoint& c, uint64_t seq) {
  return json{{"format", 1},
              {"epoch", c.epoch},
              {"step", c.step},
              {"seq", seq},
              {"weights", weights_to_json(c.weights)},
              {"buffers", weights_to_json(c.buffers)},
              {"optimizer", base64_encode(c.optimizer)}}
      .dump();
}

std::optional<std::pair<Checkpoint, uint64_t>> read_checkpoint(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const json j = parse_json(text);
  if (!j.is_object() || j.value("format", 0) != 1) return std::nullopt;
  try {
    Checkpoint c;
    c.epoch = j.at("epoch").get<int>();
    c.step = j.at("step").get<int64_t>();
    Diagnostics d;
    c.weights = weights_from_json(j.at("weights"), "weights", d);
    if (j.contains("buffers")) c.buffers = weights_from_json(j.at("buffers"), "buffers", d);
    const auto opt = base64_decode(j.at("optimizer").get<std::string>());
    if (d.has_errors() || !opt) return std::nullopt;
    c.optimizer = *opt;
    return std::make_pair(std::move(c), j.at("seq").get<uint64_t>());
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

bool write_atomically(const fs::path& file, const std::string& text) {
  const std::string tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, text) == text.size();
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  ok = ok && std::rename(tmp.c_str(), file.c_str()) == 0;
  if (!ok) {
    const int error = errno;   // the caller says why: ENOSPC, EIO, EFBIG
    std::remove(tmp.c_str());  // a full disk keeps no half-written file
    errno = error;
  }
  return ok;
}

EventWriter::EventWriter(int fd, uint64_t last_seq, uint64_t bytes, uint64_t max_bytes, uint64_t reserve)
    : fd_(fd), seq_(last_seq), bytes_(bytes), max_bytes_(max_bytes), reserve_(std::min(reserve, max_bytes / 2)) {}

EventWriter::Result EventWriter::write(Event e, uint64_t limit) {
  const std::lock_guard lock(mutex_);
  if (failed_) return Result::failed;
  return append(std::move(e), limit == 0 ? soft_cap() : limit);
}

EventWriter::Result EventWriter::write_final(Event e) {
  const std::lock_guard lock(mutex_);
  return append(std::move(e), max_bytes_);
}

EventWriter::Result EventWriter::append(Event e, uint64_t limit) {
  e.seq = seq_ + 1;
  const std::string line = to_json(e).dump() + "\n";
  if (max_bytes_ > 0 && bytes_ + line.size() > limit) return Result::over_cap;
  if (write_all(fd_, line) != line.size()) {
    // ENOSPC, EIO, EFBIG, or a write of nothing: take back what part of
    // the line got in, so that a reader never meets half an event.
    error_ = errno;
    failed_ = true;
    if (::ftruncate(fd_, static_cast<off_t>(bytes_)) != 0) {
      // The file keeps a torn end; the next reader (scan_log) cuts it off.
    }
    return Result::failed;
  }
  bytes_ += line.size();
  seq_ = e.seq;
  return Result::written;
}

}  // namespace aisb::worker
