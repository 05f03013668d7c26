#include "center/disk.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aisb::center {

namespace {

std::string megabytes(uint64_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB";
}

uint64_t size_of(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto n = it->file_size(size_ec);
      if (!size_ec) total += n;
    }
  }
  return total;
}

}  // namespace

DiskReport check_disk(const fs::path& data_dir, uint64_t min_free_bytes) {
  DiskReport r;
  struct statvfs st {};
  if (::statvfs(data_dir.c_str(), &st) != 0) {
    r.ok = false;
    r.problem = "cannot look at " + data_dir.string() + ": " + std::strerror(errno);
    return r;
  }
  r.free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  r.total_bytes = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
  if ((st.f_flag & ST_RDONLY) != 0) {
    r.ok = false;
    r.problem = data_dir.string() + " is on a read-only file system";
    return r;
  }
  if (r.free_bytes < min_free_bytes) {
    r.ok = false;
    r.problem = "the disk of " + data_dir.string() + " has " + megabytes(r.free_bytes) + " free, less than the " +
                megabytes(min_free_bytes) + " the center keeps free ([disk] min_free_mb)";
    return r;
  }
  if (st.f_files > 0 && st.f_favail == 0) {
    r.ok = false;
    r.problem = "the disk of " + data_dir.string() + " has no free inodes: no new file can be made";
    return r;
  }
  // Space on paper is not space in fact (quotas, reserved blocks, an
  // unwritable folder): write one byte.
  const fs::path probe = data_dir / (".disk-check-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    // Out of open files says nothing about the disk (the server makes room
    // for the next connection itself): no alarm that would hold every job.
    if (errno == EMFILE || errno == ENFILE) return r;
    r.ok = false;
    r.problem = "cannot write in " + data_dir.string() + ": " + std::strerror(errno);
    return r;
  }
  const bool wrote = ::write(fd, "x", 1) == 1;
  const int error = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!wrote) {
    r.ok = false;
    r.problem = "cannot write in " + data_dir.string() + ": " + std::strerror(error);
  }
  return r;
}

RetentionResult remove_old_jobs(Store& store, const fs::path& data_dir, double days, int64_t now_ms) {
  RetentionResult r;
  if (!(days > 0)) return r;
  const auto cutoff = now_ms - static_cast<int64_t>(days * 86400.0 * 1000.0);
  for (const char* state : {"done", "failed", "cancelled"}) {
    for (const JobRecord& j : store.jobs_in_state(state)) {
      // A row that ended without a time (an old database) counts from its creation.
      const int64_t ended = j.finished > 0 ? j.finished : j.created;
      if (ended <= 0 || ended >= cutoff || !is_job_id(j.id)) continue;
      const fs::path dir = data_dir / "jobs" / j.id;
      std::error_code ec;
      if (!fs::is_directory(fs::symlink_status(dir, ec))) continue;  // removed before, or never made
      const uint64_t bytes = size_of(dir);
      fs::remove_all(dir, ec);
      if (ec) {
        r.errors.push_back(dir.string() + ": " + ec.message());
      } else {
        ++r.removed;
        r.bytes_freed += bytes;
      }
    }
  }
  return r;
}

}  // namespace aisb::center
