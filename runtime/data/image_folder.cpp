// Photo folders and their canonical tars (image_folder.hpp), the listing:
// what a folder or a tar holds, its names, sizes and counts checked against
// image_limits before anything is read; image_decode.cpp decodes what it
// lists. Read by the lesson checker (the listing's errors and warnings),
// make_dataset and the center's workers (the same code on the uploaded tar).
// What it does not trust: any name or size in the folder or the tar. Names
// must be UTF-8 that fits the tar's header; a tar is read by libarchive's tar
// reader alone (no decompression filters: no zip bombs), never extracted.
#include "data/image_folder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "data/image_internal.hpp"

namespace aisb {

namespace fs = std::filesystem;

namespace {

using image_detail::Archive;
using image_detail::mb;
using image_detail::next_entry;
using image_detail::open_tar;
using image_detail::path_of_utf8;

// ---------------------------------------------------------------- names

std::string utf8_of(const fs::path& p) {
  const std::u8string s = p.u8string();
  return {s.begin(), s.end()};
}

// The length of the UTF-8 character at s[i] when it is one a name may hold:
// strict UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), no control characters; 0 otherwise.
size_t name_char(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return c < 0x20 || c == 0x7f ? 0 : 1;
  size_t len = 0;
  uint32_t cp = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2, cp = c & 0x1fu;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3, cp = c & 0x0fu;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4, cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0u) != 0x80u) return 0;
    cp = (cp << 6) | (d & 0x3fu);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  if (cp < 0xa0) return 0;  // C1 controls
  return len;
}

// Names end up in JSON, in messages and in tar headers other machines read.
// No backslash: it separates folders on Windows.
bool usable_name(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    len = name_char(s, i);
    if (len == 0 || s[i] == '/' || s[i] == '\\') return false;
  }
  return true;
}

// A name from a hostile tar, made safe to show: bad bytes as '?', cut short.
std::string shown(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && out.size() < 120;) {
    const size_t len = name_char(s, i);
    out += len ? s.substr(i, len) : "?";
    i += len ? len : 1;
  }
  return out;
}

bool hidden(std::string_view name) {
  return name.starts_with('.') || name == "__MACOSX";
}

// Files every system leaves in folders; not worth a warning.
bool system_litter(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "thumbs.db" || lower == "desktop.ini";
}

// ---------------------------------------------------------------- listing

// Collects what a folder or a tar holds and applies the same rules and
// limits to both, so that a folder and its tar list the same.
class Lister {
 public:
  Lister(std::string name, Diagnostics& diags)
      : name_(std::move(name)), diags_(diags), errors_before_(diags.error_count()) {}

  // A class folder (a tar has none of its own: its classes come from files).
  bool add_class(const std::string& cls) {
    if (!usable_name(cls)) {
      diags_.warning(name_ + "/" + shown(cls), msg("images.bad_name"));
      return false;
    }
    if (static_cast<int64_t>(cls.size()) > image_limits::max_class_name_bytes) {
      diags_.warning(name_ + "/" + cls,
                     msg("images.name_too_long",
                         {std::to_string(cls.size()), std::to_string(image_limits::max_class_name_bytes)}));
      return false;
    }
    classes_.try_emplace(cls);
    return true;
  }

  void root_file(const std::string& file) {
    if (!is_image_file_name(file)) return;
    if (root_images_++ == 0) root_example_ = shown(file);
  }
  void subfolder(const std::string& cls, const std::string& sub) {
    if (subfolders_++ == 0) subfolder_example_ = cls + "/" + shown(sub);
  }
  void symlink(const std::string& path) { diags_.warning(name_ + "/" + shown(path), msg("images.symlink")); }

  // False once there are too many files to go on.
  bool add_file(const std::string& cls, const std::string& file, int64_t bytes, bool from_tar) {
    if (hidden(file)) return true;
    if (!is_image_file_name(file)) {
      if (!system_litter(file) && not_images_++ == 0) not_image_example_ = shown(cls + "/" + file);
      return true;
    }
    const std::string path = cls + "/" + file;
    if (!usable_name(file)) {
      diags_.warning(name_ + "/" + shown(path), msg("images.bad_name"));
      return true;
    }
    if (static_cast<int64_t>(file.size()) > image_limits::max_file_name_bytes) {
      diags_.warning(name_ + "/" + path,
                     msg("images.name_too_long",
                         {std::to_string(file.size()), std::to_string(image_limits::max_file_name_bytes)}));
      return true;
    }
    if (from_tar && !add_class(cls)) return true;
    auto& files = classes_[cls];
    if (files.contains(file)) {
      diags_.warning(name_ + "/" + path, msg("images.pack_duplicate"));
      return true;
    }
    if (bytes > image_limits::max_file_bytes) {
      diags_.warning(name_ + "/" + path, msg("images.file_too_big", {mb(bytes), mb(image_limits::max_file_bytes)}));
      return true;
    }
    files.emplace(file, bytes);
    total_bytes_ += bytes;
    return ++total_files_ <= image_limits::max_files;
  }
  [[nodiscard]] bool full() const { return total_files_ > image_limits::max_files; }

  std::optional<ImageListing> finish() {
    if (root_images_ > 0) {
      diags_.warning(name_, msg("images.root_files", {std::to_string(root_images_), root_example_}));
    }
    if (subfolders_ > 0) {
      diags_.warning(name_, msg("images.subfolders", {std::to_string(subfolders_), subfolder_example_}));
    }
    if (not_images_ > 0) {
      diags_.warning(name_, msg("images.not_images", {std::to_string(not_images_), not_image_example_}));
    }
    if (total_files_ > image_limits::max_files) {
      diags_.error(name_, msg("images.too_many_files", {std::to_string(image_limits::max_files)}));
      return std::nullopt;
    }
    const auto n_classes = static_cast<int64_t>(classes_.size());
    if (n_classes == 0) {
      diags_.error(name_, msg("images.no_classes"));
    } else if (n_classes == 1) {
      diags_.error(name_, msg("images.one_class", {classes_.begin()->first}));
    } else if (n_classes > image_limits::max_classes) {
      diags_.error(name_, msg("images.too_many_classes",
                              {std::to_string(n_classes), std::to_string(image_limits::max_classes)}));
    }
    if (total_bytes_ > image_limits::max_total_bytes) {
      diags_.error(name_, msg("images.too_many_bytes", {mb(total_bytes_), mb(image_limits::max_total_bytes)}));
    }
    ImageListing out;
    for (const auto& [cls, files] : classes_) {
      const auto label = static_cast<int>(out.classes.size());
      out.classes.push_back(cls);
      out.per_class.push_back(static_cast<int64_t>(files.size()));
      if (n_classes >= 2 && n_classes <= image_limits::max_classes &&
          static_cast<int64_t>(files.size()) < image_limits::min_per_class) {
        diags_.error(name_ + "/" + cls, msg("images.class_too_few", {cls, std::to_string(files.size()),
                                                                     std::to_string(image_limits::min_per_class)}));
      }
      for (const auto& [file, bytes] : files) out.files.push_back({label, cls + "/" + file, bytes});
    }
    if (diags_.error_count() > errors_before_) return std::nullopt;
    return out;
  }

 private:
  std::string name_;
  Diagnostics& diags_;
  size_t errors_before_;
  // std::string orders by unsigned bytes: the UTF-8 order the header promises.
  std::map<std::string, std::map<std::string, int64_t>> classes_;
  int64_t total_files_ = 0, total_bytes_ = 0;
  int64_t root_images_ = 0, subfolders_ = 0, not_images_ = 0;
  std::string root_example_, subfolder_example_, not_image_example_;
};

std::optional<ImageListing> list_folder(const fs::path& root, const std::string& name, Diagnostics& diags) {
  Lister lister(name, diags);
  std::error_code ec;
  std::vector<std::string> classes;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = utf8_of(it->path().filename());
    if (hidden(entry)) continue;
    std::error_code st_ec;
    const fs::file_status st = it->symlink_status(st_ec);
    if (st_ec) continue;
    // A link could lead anywhere on the machine: never followed.
    if (fs::is_symlink(st)) {
      lister.symlink(entry);
    } else if (fs::is_directory(st)) {
      classes.push_back(entry);
    } else if (fs::is_regular_file(st)) {
      lister.root_file(entry);
    }
  }
  if (ec) {
    diags.error(name, msg("images.cannot_open", {ec.message()}));
    return std::nullopt;
  }
  std::sort(classes.begin(), classes.end());
  for (const std::string& cls : classes) {
    if (lister.full()) break;
    if (!lister.add_class(cls)) continue;
    for (fs::directory_iterator it(root / path_of_utf8(cls), ec), end; !ec && it != end; it.increment(ec)) {
      const std::string file = utf8_of(it->path().filename());
      if (hidden(file)) continue;
      std::error_code st_ec;
      const fs::file_status st = it->symlink_status(st_ec);
      if (st_ec) continue;
      if (fs::is_symlink(st)) {
        lister.symlink(cls + "/" + file);
      } else if (fs::is_directory(st)) {
        lister.subfolder(cls, file);
      } else if (fs::is_regular_file(st)) {
        std::error_code size_ec;
        const auto bytes = static_cast<int64_t>(it->file_size(size_ec));
        if (size_ec) {
          diags.warning(name + "/" + cls + "/" + shown(file), msg("images.cannot_open", {size_ec.message()}));
        } else if (!lister.add_file(cls, file, bytes, false)) {
          break;
        }
      }
    }
    if (ec) {
      diags.error(name + "/" + cls, msg("images.cannot_open", {ec.message()}));
      return std::nullopt;
    }
  }
  return lister.finish();
}

}  // namespace

namespace image_detail {

Archive open_tar(const fs::path& tar, std::string* why) {
  Archive a(archive_read_new());
  if (!a) {
    *why = "out of memory";
    return nullptr;
  }
  // The tar reader alone: no compression filters, no other formats.
  archive_read_support_format_tar(a.get());
#ifdef _WIN32
  const int r = archive_read_open_filename_w(a.get(), tar.c_str(), 1 << 16);
#else
  const int r = archive_read_open_filename(a.get(), tar.c_str(), 1 << 16);
#endif
  if (r != ARCHIVE_OK) {
    *why = archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open";
    return nullptr;
  }
  return a;
}

// The next header; false at the end, and with `why` set when the tar is
// damaged.
bool next_entry(archive* a, archive_entry** e, std::string* why) {
  const int r = archive_read_next_header(a, e);
  if (r == ARCHIVE_EOF) return false;
  if (r == ARCHIVE_OK || r == ARCHIVE_WARN) return true;
  *why = archive_error_string(a) ? archive_error_string(a) : "damaged";
  return false;
}

}  // namespace image_detail

namespace {

// An entry's "CLASS" and "FILE", when its path is exactly that. `quiet`: a
// hidden class or file, skipped without a word as in a folder.
bool split_entry(std::string_view path, std::string* cls, std::string* file, bool* quiet) {
  *quiet = false;
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= path.size()) return false;
  if (path.find('/', slash + 1) != std::string_view::npos) return false;
  *cls = path.substr(0, slash);
  *file = path.substr(slash + 1);
  if (*cls == ".." || *file == "..") return false;
  *quiet = hidden(*cls) || hidden(*file);
  return !*quiet;
}

std::optional<ImageListing> list_tar(const fs::path& tar, const std::string& name, Diagnostics& diags) {
  std::string why;
  Archive a = open_tar(tar, &why);
  if (!a) {
    diags.error(name, msg("images.pack_damaged", {why}));
    return std::nullopt;
  }
  Lister lister(name, diags);
  archive_entry* e = nullptr;
  // A hostile tar of millions of empty entries: bounded like a folder.
  int64_t entries = 0;
  const int64_t max_entries = 2 * image_limits::max_files + 1000;
  while (next_entry(a.get(), &e, &why)) {
    if (++entries > max_entries) {
      diags.error(name, msg("images.too_many_files", {std::to_string(image_limits::max_files)}));
      return std::nullopt;
    }
    const char* p = archive_entry_pathname(e);
    const std::string path = p ? p : "";
    const auto type = archive_entry_filetype(e);
    if (type == AE_IFDIR) continue;
    std::string cls, file;
    bool quiet = false;
    const bool ok = split_entry(path, &cls, &file, &quiet);
    if (quiet) continue;
    if (!ok || type != AE_IFREG || archive_entry_hardlink(e) != nullptr || !archive_entry_size_is_set(e) ||
        archive_entry_size(e) < 0) {
      diags.warning(name, msg("images.pack_entry", {shown(path)}));
      continue;
    }
    if (!lister.add_file(cls, file, archive_entry_size(e), true)) break;
    // The data is not read, only passed by (a seek for an uncompressed tar).
    if (archive_read_data_skip(a.get()) != ARCHIVE_OK) {
      why = archive_error_string(a.get()) ? archive_error_string(a.get()) : "damaged";
      break;
    }
  }
  if (!why.empty()) {
    diags.error(name, msg("images.pack_damaged", {why}));
    return std::nullopt;
  }
  return lister.finish();
}

}  // namespace

bool is_image_file_name(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp" || ext == "gif";
}

std::optional<ImageListing> list_images(const fs::path& folder_or_tar, const std::string& name, Diagnostics& diags) {
  std::error_code ec;
  const fs::file_status st = fs::status(folder_or_tar, ec);
  if (fs::is_directory(st)) return list_folder(folder_or_tar, name, diags);
  if (fs::is_regular_file(st)) return list_tar(folder_or_tar, name, diags);
  diags.error(name, msg("images.cannot_open", {ec ? ec.message() : std::string("not a folder")}));
  return std::nullopt;
}

}  // namespace aisb
