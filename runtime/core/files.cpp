#include "core/files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>
// After windows.h, which it needs.
#include <shellapi.h>
#else
#include <unistd.h>
#endif

namespace aisb {

std::filesystem::path path_of_utf8(std::string_view text) {
  return std::filesystem::path(std::u8string(text.begin(), text.end()));
}

std::string utf8_of(const std::filesystem::path& path) {
  const std::u8string s = path.u8string();
  return std::string(s.begin(), s.end());
}

std::vector<std::string> utf8_arguments(int argc, char** argv) {
  std::vector<std::string> out;
#ifdef _WIN32
  SetConsoleOutputCP(CP_UTF8);
  int n = 0;
  if (LPWSTR* wide = CommandLineToArgvW(GetCommandLineW(), &n); wide != nullptr) {
    for (int i = 0; i < n; ++i) out.push_back(utf8_of(std::filesystem::path(wide[i])));
    LocalFree(wide);
    return out;
  }
#endif
  out.assign(argv, argv + argc);
  return out;
}

size_t write_all(int fd, std::string_view data) {
  size_t at = 0;
  while (at < data.size()) {
#ifdef _WIN32
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(data.size() - at, 1u << 30));
    const int n = ::_write(fd, data.data() + at, chunk);
#else
    const ssize_t n = ::write(fd, data.data() + at, data.size() - at);
#endif
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

int open_for_writing(const std::filesystem::path& file, bool append, unsigned mode) {
  const int how = append ? O_APPEND : O_TRUNC;
#ifdef _WIN32
  (void)mode;  // NTFS permissions come from the folder (a user's own profile)
  return ::_wopen(file.c_str(), _O_WRONLY | _O_CREAT | _O_BINARY | _O_NOINHERIT | how, _S_IREAD | _S_IWRITE);
#else
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | how, static_cast<mode_t>(mode));
  if (fd >= 0 && !append)
    ::fchmod(fd, static_cast<mode_t>(mode));  // a file left from before keeps its old mode otherwise
  return fd;
#endif
}

bool sync_and_close(int fd) {
#ifdef _WIN32
  const bool synced = ::_commit(fd) == 0;
  return ::_close(fd) == 0 && synced;
#else
  const bool synced = ::fsync(fd) == 0;
  return ::close(fd) == 0 && synced;
#endif
}

namespace {

// Puts `from` in the place of `to`, replacing it in one step.
bool replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
#ifdef _WIN32
  if (::MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) return true;
  errno = ::GetLastError() == ERROR_ACCESS_DENIED ? EACCES : EIO;
  return false;
#else
  return std::rename(from.c_str(), to.c_str()) == 0;
#endif
}

}  // namespace

bool write_file_atomically(const std::filesystem::path& file, std::string_view text, unsigned mode, std::string* why) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  const int fd = open_for_writing(tmp, false, mode);
  bool ok = fd >= 0;
  if (ok) {
    ok = write_all(fd, text) == text.size();
    ok = sync_and_close(fd) && ok;
  }
  ok = ok && replace_file(tmp, file);
  if (!ok) {
    const int error = errno != 0 ? errno : EIO;  // what went wrong first, before the removal
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    if (why != nullptr) *why = "cannot write " + file.string() + ": " + std::strerror(error);
  }
  return ok;
}

}  // namespace aisb
