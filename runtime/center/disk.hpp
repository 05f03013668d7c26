// The center's disk: whether the data folder can take more (for /health and
// for the scheduler, which should not start jobs onto a full disk), and the
// retention sweep that removes the folders of jobs that ended long ago.
// Nothing here trusts the database's job ids as paths: an id that is not the
// center's own form ("j" and 16 hex digits) is never turned into a folder to
// remove.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "center/store.hpp"

namespace aisb::center {

struct DiskReport {
  bool ok = true;
  uint64_t free_bytes = 0;   // what the center may still write (statvfs f_bavail)
  uint64_t total_bytes = 0;  // the file system's size
  std::string problem;       // in words, when not ok: for the operator, in /health and the log
};

// Looks at DATA: not ok when less than `min_free_bytes` is free, no inode is
// left, the file system is read-only, or a file cannot be written there.
// Cheap enough for every /health (one statvfs, one small file).
DiskReport check_disk(const std::filesystem::path& data_dir, uint64_t min_free_bytes);

struct RetentionResult {
  int removed = 0;                  // job folders removed
  uint64_t bytes_freed = 0;         // the sizes of their files
  std::vector<std::string> errors;  // folders that could not be removed, and why
};

// Removes DATA/jobs/ID of every job that ended (done, failed, cancelled)
// more than `days` before `now_ms` (unix milliseconds); `days` <= 0 keeps
// every job. Never a queued or running job. The database rows stay: the
// lists, the quotas and the class view still know the job (and how it
// ended); only its files (events, model, checkpoint) are gone.
RetentionResult remove_old_jobs(Store& store, const std::filesystem::path& data_dir, double days, int64_t now_ms);

}  // namespace aisb::center
