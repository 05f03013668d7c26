#include "core/files.hpp"

#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace aisb {

size_t write_all(int fd, std::string_view data) {
  size_t at = 0;
  while (at < data.size()) {
    const ssize_t n = ::write(fd, data.data() + at, data.size() - at);
    if (n > 0) {
      at += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n == 0) errno = ENOSPC;
      break;
    }
  }
  return at;
}

bool write_file_atomically(const std::filesystem::path& file, std::string_view text, unsigned mode, std::string* why) {
  const std::string tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  bool ok = fd >= 0;
  if (ok) {
    ::fchmod(fd, static_cast<mode_t>(mode));  // a .tmp left from before keeps its old mode otherwise
    ok = write_all(fd, text) == text.size();
    ok = ::fsync(fd) == 0 && ok;
    ok = ::close(fd) == 0 && ok;
  }
  ok = ok && std::rename(tmp.c_str(), file.c_str()) == 0;
  if (!ok) {
    const int error = errno != 0 ? errno : EIO;  // what went wrong first, before unlink
    ::unlink(tmp.c_str());
    if (why != nullptr) *why = "cannot write " + file.string() + ": " + std::strerror(error);
  }
  return ok;
}

}  // namespace aisb
