// What the two halves of image_folder.hpp share (not for other parts):
// image_folder.cpp lists a folder or a tar and reads a tar's entries;
// image_decode.cpp decodes, resizes and reads every file on many threads,
// a tar's through the same reader. Included by those two files only.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace aisb::image_detail {

namespace fs = std::filesystem;

// A listing's path (UTF-8) as a filesystem path.
inline fs::path path_of_utf8(std::string_view s) {
  return fs::path(std::u8string(s.begin(), s.end()));
}

// Bytes as whole megabytes, rounded up, for messages.
inline std::string mb(int64_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20);
}

// libarchive's reader, closed on every path out.
struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Archive = std::unique_ptr<archive, ArchiveCloser>;

// A tar opened with libarchive's tar reader alone; null with `why` set when
// it cannot be opened.
Archive open_tar(const fs::path& tar, std::string* why);

// The next header; false at the end, and with `why` set when the tar is
// damaged.
bool next_entry(archive* a, archive_entry** e, std::string* why);

}  // namespace aisb::image_detail
