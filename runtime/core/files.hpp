// Writing a file so that no reader ever sees half of it: a new file, synced,
// renamed over the old (a crash leaves the old or the new, never a mix).
// For everything the programs keep for a person: the saved login, progress,
// the cached Class course, a report or cards the teacher saves.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace aisb {

// Paths from UTF-8 text and back. A command line, a lesson file and JSON
// hold UTF-8, but on Windows std::filesystem (MinGW's libstdc++) reads a
// narrow string in the C library's locale, not as UTF-8, and fstream and
// fopen read a narrow name in the ANSI code page: a path made from text goes
// through path_of_utf8, and a file is opened by its path, never by a string.
// tests/windows/narrow_paths_test.sh finds a narrow string made into a path.
std::filesystem::path path_of_utf8(std::string_view text);
std::string utf8_of(const std::filesystem::path& path);

// The program's arguments as UTF-8 (Windows: from its UTF-16 command line,
// and the console set to UTF-8 output; elsewhere argv as it is).
std::vector<std::string> utf8_arguments(int argc, char** argv);

// Writes all of `data` to `fd`, again after a short write or EINTR. The
// bytes written: fewer than asked when write fails (errno says why; a write
// of nothing sets ENOSPC).
size_t write_all(int fd, std::string_view data);

// Opens `file` for writing (created with `mode` where the system has
// permissions, truncated or appended to), not inherited by child processes:
// a descriptor for write_all, or -1 with errno set. Windows: the path's
// UTF-16 name, binary mode.
int open_for_writing(const std::filesystem::path& file, bool append, unsigned mode);

// Flushes `fd` to the disk and closes it; false if either failed.
bool sync_and_close(int fd);

// `mode`: the new file's permissions (0600 for what is a password or
// private). False, with "cannot write FILE" in `why`, when it cannot.
bool write_file_atomically(const std::filesystem::path& file, std::string_view text, unsigned mode,
                           std::string* why = nullptr);

}  // namespace aisb
