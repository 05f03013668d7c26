#include "core/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace aisb {

bool write_file_atomically(const std::filesystem::path& file, std::string_view text, unsigned mode, std::string* why) {
  const std::string tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  bool ok = fd >= 0;
  if (ok) {
    ::fchmod(fd, static_cast<mode_t>(mode));  // a .tmp left from before keeps its old mode otherwise
    for (size_t at = 0; ok && at < text.size();) {
      const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
      if (n > 0) {
        at += static_cast<size_t>(n);
      } else if (n < 0 && errno != EINTR) {
        ok = false;
      }
    }
    ok = ::fsync(fd) == 0 && ok;
    ok = ::close(fd) == 0 && ok;
  }
  ok = ok && std::rename(tmp.c_str(), file.c_str()) == 0;
  if (!ok) {
    ::unlink(tmp.c_str());
    if (why != nullptr) *why = "cannot write " + file.string();
  }
  return ok;
}

}  // namespace aisb
