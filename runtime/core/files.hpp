// Writing a file so that no reader ever sees half of it: a new file, synced,
// renamed over the old (a crash leaves the old or the new, never a mix).
// For everything the programs keep for a person: the saved login, progress,
// the cached Class course, a report or cards the teacher saves.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace aisb {

// Writes all of `data` to `fd`, again after a short write or EINTR. The
// bytes written: fewer than asked when write fails (errno says why; a write
// of nothing sets ENOSPC).
size_t write_all(int fd, std::string_view data);

// `mode`: the new file's permissions (0600 for what is a password or
// private). False, with "cannot write FILE" in `why`, when it cannot.
bool write_file_atomically(const std::filesystem::path& file, std::string_view text, unsigned mode,
                           std::string* why = nullptr);

}  // namespace aisb
