// Photo folders and their canonical tars (image_folder.hpp): listing, then
// decoding and resizing on every core. Read by the lesson checker (the
// listing's errors and warnings), make_dataset (the pixels) and the center's
// workers (the same code on the uploaded tar). What it does not trust: any
// name, size or byte in the folder or the tar. Names must be UTF-8 that fits
// the tar's header; sizes and pixel counts are checked against image_limits
// before anything is read or decoded; only PNG, JPEG, BMP and GIF reach
// stb_image (by their magic bytes: its other decoders, TGA above all, take
// almost any bytes for an image); a tar is read by libarchive's tar reader
// alone (no decompression filters: no zip bombs), never extracted.
#include "data/image_folder.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <stb_image.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>

namespace aisb {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------- names

std::string utf8_of(const fs::path& p) {
  const std::u8string s = p.u8string();
  return {s.begin(), s.end()};
}

fs::path path_of_utf8(std::string_view s) {
  return fs::path(std::u8string(s.begin(), s.end()));
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

std::string mb(int64_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20);
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

// libarchive's reader, closed on every path out.
struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using Archive = std::unique_ptr<archive, ArchiveCloser>;

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

// ---------------------------------------------------------------- decoding

// Caps the pixels decoded at once: a few photos of the largest size
// allowed would otherwise take gigabytes when every core decodes one.
class PixelBudget {
 public:
  explicit PixelBudget(int64_t cap) : cap_(cap) {}
  void acquire(int64_t n) {
    std::unique_lock lock(m_);
    // One image always fits when nothing else is being decoded.
    cv_.wait(lock, [&] { return used_ == 0 || used_ + n <= cap_; });
    used_ += n;
  }
  void release(int64_t n) {
    {
      const std::lock_guard lock(m_);
      used_ -= n;
    }
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int64_t cap_, used_ = 0;
};

struct StbiFree {
  void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

bool known_format(std::string_view b) {
  const auto starts = [&](std::string_view magic) { return b.starts_with(magic); };
  return starts("\x89PNG\r\n\x1a\n") || starts("\xff\xd8\xff") || starts("BM") || starts("GIF87a") || starts("GIF89a");
}

uint32_t le(std::string_view b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<size_t>(i)]);
  return v;
}

// stb_image takes the missing end of a file for zeros and returns an image
// with its bottom rows black or grey; a student should hear that the file is
// cut short instead. Each format's own end: PNG's IEND chunk, JPEG's EOI
// after its last scan (an EXIF thumbnail's EOI comes before the scans),
// GIF's trailer byte, and for an uncompressed BMP the rows its header counts.
bool cut_short(std::string_view b) {
  if (b.starts_with("\x89PNG")) return b.rfind("IEND") == std::string_view::npos;
  if (b.starts_with("\xff\xd8")) {
    const size_t scan = b.rfind("\xff\xda");
    return scan == std::string_view::npos || b.find("\xff\xd9", scan) == std::string_view::npos;
  }
  if (b.starts_with("GIF")) return b.back() != ';';
  if (b.starts_with("BM") && b.size() >= 34) {
    const int64_t offset = le(b, 10, 4), header = le(b, 14, 4);
    int64_t width = 0, height = 0, bits = 0, compression = 0;
    if (header == 12) {
      width = le(b, 18, 2), height = le(b, 20, 2), bits = le(b, 24, 2);
    } else {
      width = static_cast<int32_t>(le(b, 18, 4)), height = static_cast<int32_t>(le(b, 22, 4));
      bits = le(b, 28, 2), compression = le(b, 30, 4);
    }
    // Uncompressed rows (RGB, BITFIELDS, ALPHABITFIELDS) of a header that
    // stbi_info has already found sane; anything else is stb's to judge.
    if (compression != 0 && compression != 3 && compression != 6) return false;
    if (width <= 0 || bits <= 0 || bits > 32 || offset < 14 + header || offset > (int64_t{1} << 30)) return false;
    const int64_t row = (bits * width + 31) / 32 * 4;
    return static_cast<int64_t>(b.size()) < offset + row * (height < 0 ? -height : height);
  }
  return false;
}

// Two faults of stb_image 2.27 (Debian's libstb) with hostile JPEGs, both
// fixed upstream in 2.28 and both found by tests/fuzz: it builds a Huffman
// table before it checks that the table has at most 256 codes, and writes
// past its arrays when one has more; and a scan may use a table that was
// never defined, whose uninitialised memory then indexes out of bounds (or
// fails an assertion, which ends the process). So the tables are checked
// here first, walking the markers the way stb does: a segment by its
// length, scan data byte by byte up to the next marker. Empty when fine.
std::string jpeg_tables_problem(std::string_view b) {
  const auto byte = [&](size_t at) -> unsigned { return at < b.size() ? static_cast<unsigned char>(b[at]) : 0u; };
  bool progressive = false;
  bool dc[4] = {}, ac[4] = {};
  for (size_t at = 2; at + 1 < b.size();) {
    const unsigned m = byte(at + 1);
    if (byte(at) != 0xff || m == 0xff) {
      ++at;  // scan data, or fill bytes before a marker
      continue;
    }
    if (m == 0x00 || m == 0x01 || (m >= 0xd0 && m <= 0xd8)) {
      at += 2;  // a stuffed byte, a restart marker: no length
      continue;
    }
    if (m == 0xd9) break;
    const size_t length = byte(at + 2) << 8 | byte(at + 3);
    if (m == 0xc2) progressive = true;
    if (m == 0xc4) {
      // Tables until the segment's length is used up, as stb reads them;
      // past the end of the file it reads zeros.
      for (size_t used = 2; used < length;) {
        const size_t table = at + 2 + used;
        size_t codes = 0;
        for (size_t i = 0; i < 16; ++i) codes += byte(table + 1 + i);
        if (codes > 256) return "bad Huffman table";
        const unsigned kind = byte(table) >> 4, id = byte(table) & 15u;
        if (kind <= 1 && id <= 3) (kind == 0 ? dc : ac)[id] = true;
        used += 17 + codes;
      }
    }
    if (m == 0xda) {
      // The tables each component of the scan decodes with: a progressive
      // DC scan's first pass uses its DC table, an AC scan its AC table, a
      // baseline scan both.
      const size_t n = byte(at + 4);
      const unsigned first = byte(at + 5 + 2 * n), high = byte(at + 7 + 2 * n) >> 4;
      for (size_t i = 0; i < n; ++i) {
        const unsigned d = byte(at + 6 + 2 * i) >> 4, a = byte(at + 6 + 2 * i) & 15u;
        if (d > 3 || a > 3) break;  // stb refuses these itself
        const bool uses_dc = !progressive || (first == 0 && high == 0);
        const bool uses_ac = !progressive || first != 0;
        if ((uses_dc && !dc[d]) || (uses_ac && !ac[a])) return "a scan uses a Huffman table that is not defined";
      }
    }
    at += 2 + length;
  }
  return {};
}

// stb_image 2.27 copies a PNG's first IDAT chunk into a buffer it has not
// allocated yet when that chunk is empty: memcpy from or to null, which is
// undefined even for zero bytes and lets the compiler drop its later check
// for a missing IDAT (found by tests/fuzz). No encoder writes an empty
// first IDAT, so such a file is refused here. Empty when fine.
std::string png_chunks_problem(std::string_view b) {
  const auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
    return v;
  };
  for (size_t at = 8; at + 8 <= b.size();) {
    const uint32_t length = be32(at);
    const std::string_view type = b.substr(at + 4, 4);
    if (type == "IDAT") return length == 0 ? "empty IDAT chunk" : "";
    if (type == "IEND" || length > (uint32_t{1} << 30)) break;
    at += 12 + static_cast<size_t>(length);
  }
  return {};
}

// The width and height a file's header claims, read here rather than by
// stbi_info: stb refuses what it thinks too large with "unknown image type",
// and the student should hear the size instead.
bool header_size(std::string_view b, int64_t* w, int64_t* h) {
  const auto be16 = [&](size_t at) {
    return int64_t{static_cast<unsigned char>(b[at])} << 8 | static_cast<unsigned char>(b[at + 1]);
  };
  if (b.starts_with("\x89PNG") && b.size() >= 24) {
    *w = be16(16) << 16 | be16(18);
    *h = be16(20) << 16 | be16(22);
    return true;
  }
  if (b.starts_with("GIF") && b.size() >= 10) {
    *w = le(b, 6, 2), *h = le(b, 8, 2);
    return true;
  }
  if (b.starts_with("BM") && b.size() >= 26) {
    if (le(b, 14, 4) == 12) {
      *w = le(b, 18, 2), *h = le(b, 20, 2);
    } else {
      *w = static_cast<int32_t>(le(b, 18, 4)), *h = static_cast<int32_t>(le(b, 22, 4));
    }
    if (*h < 0) *h = -*h;  // top-down rows
    return true;
  }
  if (b.starts_with("\xff\xd8")) {
    // Segments up to the first frame header (SOF0 to SOF15 but DHT, JPG, DAC).
    for (size_t at = 2; at + 4 <= b.size();) {
      if (static_cast<unsigned char>(b[at]) != 0xff) return false;
      const auto marker = static_cast<unsigned char>(b[at + 1]);
      if (marker == 0xff) {
        ++at;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
        at += 2;
        continue;
      }
      if (marker == 0xda || marker == 0xd9) return false;
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
        if (at + 9 > b.size()) return false;
        *h = be16(at + 5), *w = be16(at + 7);
        return true;
      }
      at += 2 + static_cast<size_t>(be16(at + 2));
    }
  }
  return false;
}

// 41943040 as "41,943,040".
std::string thousands(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// ---------------------------------------------------------------- resizing

// Our own resize rather than stb_image_resize: its triangle filter fails an
// assertion for some sizes (23 to 16 pixels, 39 to 32, ...), which ends the
// process; its box filter took 3.4 ms for a 640 x 480 photo, longer than
// decoding it; and its float arithmetic is whatever the library's build
// made of it. Here the weights are computed once per axis in double (exact
// IEEE operations, no fused multiply-add in this library) and rounded to
// integers that sum to exactly 1 << 14; the pixels are then summed in
// integers, so every machine gets the same bytes.
//
// Shrinking averages the area each output pixel covers (nothing aliases,
// a solid colour stays exact); enlarging is bilinear between pixel centres.
struct Taps {
  std::vector<int> first;  // per output pixel: its first tap
  std::vector<int> index;  // per tap: the input pixel
  std::vector<int32_t> weight;
};

constexpr int kWeightBits = 14;

Taps axis_taps(int in, int out) {
  Taps t;
  const double scale = static_cast<double>(in) / out;
  std::vector<double> w;
  std::vector<int> idx;
  for (int i = 0; i < out; ++i) {
    w.clear();
    idx.clear();
    if (scale >= 1.0) {
      const double lo = i * scale, hi = (i + 1) * scale;
      for (auto j = static_cast<int>(std::floor(lo)); j < in && j < hi; ++j) {
        const double overlap = std::min(hi, j + 1.0) - std::max(lo, static_cast<double>(j));
        if (overlap > 0) {
          idx.push_back(j);
          w.push_back(overlap);
        }
      }
    } else {
      const double centre = (i + 0.5) * scale - 0.5;
      const double j0 = std::floor(centre);
      const double f = centre - j0;
      const auto clamp = [&](double j) { return static_cast<int>(std::clamp(j, 0.0, in - 1.0)); };
      idx = {clamp(j0), clamp(j0 + 1)};
      w = {1.0 - f, f};
    }
    double sum = 0;
    for (const double x : w) sum += x;
    // Rounded as running totals: the weights stay non-negative, each within
    // one unit of its share, and they add up to exactly 1 << 14.
    t.first.push_back(static_cast<int>(t.index.size()));
    double running = 0;
    int32_t before = 0;
    for (size_t k = 0; k < w.size(); ++k) {
      running += w[k];
      const int32_t upto = k + 1 == w.size() ? (1 << kWeightBits)
                                             : static_cast<int32_t>(std::lround(running / sum * (1 << kWeightBits)));
      t.index.push_back(idx[k]);
      t.weight.push_back(upto - before);
      before = upto;
    }
  }
  t.first.push_back(static_cast<int>(t.index.size()));
  return t;
}

// `src`: in_h rows of in_w pixels of `channels` bytes; `dst`: out_h x out_w.
void resize_bytes(const stbi_uc* src, int in_w, int in_h, stbi_uc* dst, int out_w, int out_h, int channels) {
  const Taps tx = axis_taps(in_w, out_w), ty = axis_taps(in_h, out_h);
  // Rows resized across, with 6 bits below the byte kept for the second pass.
  std::vector<uint16_t> across(static_cast<size_t>(in_h) * out_w * channels);
  const auto row_bytes = static_cast<size_t>(in_w) * channels;
  for (int y = 0; y < in_h; ++y) {
    const stbi_uc* row = src + static_cast<size_t>(y) * row_bytes;
    uint16_t* o = across.data() + static_cast<size_t>(y) * out_w * channels;
    for (int x = 0; x < out_w; ++x) {
      for (int c = 0; c < channels; ++c) {
        int32_t acc = 0;
        for (int k = tx.first[x]; k < tx.first[x + 1]; ++k) {
          acc += tx.weight[k] * row[static_cast<size_t>(tx.index[k]) * channels + c];
        }
        o[static_cast<size_t>(x) * channels + c] = static_cast<uint16_t>((acc + (1 << 7)) >> 8);
      }
    }
  }
  const size_t out_row = static_cast<size_t>(out_w) * channels;
  std::vector<int32_t> acc(out_row);
  for (int y = 0; y < out_h; ++y) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int k = ty.first[y]; k < ty.first[y + 1]; ++k) {
      const uint16_t* r = across.data() + static_cast<size_t>(ty.index[k]) * out_row;
      const int32_t w = ty.weight[k];
      for (size_t i = 0; i < out_row; ++i) acc[i] += w * r[i];
    }
    stbi_uc* o = dst + static_cast<size_t>(y) * out_row;
    for (size_t i = 0; i < out_row; ++i) o[i] = static_cast<stbi_uc>(std::min((acc[i] + (1 << 19)) >> 20, 255));
  }
}

// The one decoder behind decode_image and read_images. `out`: height x
// width x channels floats, channel-major.
bool decode_into(std::string_view bytes, int height, int width, int channels, float* out, Message* why,
                 PixelBudget* budget) {
  if (bytes.empty()) {
    *why = msg("images.empty");
    return false;
  }
  if (static_cast<int64_t>(bytes.size()) > image_limits::max_file_bytes) {
    *why = msg("images.file_too_big", {mb(static_cast<int64_t>(bytes.size())), mb(image_limits::max_file_bytes)});
    return false;
  }
  if (!known_format(bytes)) {
    *why = msg("images.not_an_image");
    return false;
  }
  if (bytes.starts_with("\xff\xd8") || bytes.starts_with("\x89PNG")) {
    std::string problem = bytes[0] == '\x89' ? png_chunks_problem(bytes) : jpeg_tables_problem(bytes);
    if (!problem.empty()) {
      *why = msg("images.damaged", {std::move(problem)});
      return false;
    }
  }
  int64_t claimed_w = 0, claimed_h = 0;
  // Each side is below 2^32, so the product is checked by division.
  if (header_size(bytes, &claimed_w, &claimed_h) && claimed_w > 0 && claimed_h > image_limits::max_pixels / claimed_w) {
    *why = msg("images.too_many_pixels",
               {std::to_string(claimed_w), std::to_string(claimed_h), thousands(image_limits::max_pixels)});
    return false;
  }
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int w = 0, h = 0, comp = 0;
  // The header's size first: a small file can claim billions of pixels.
  if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
    const char* reason = stbi_failure_reason();
    *why = msg("images.damaged", {reason ? reason : "unknown"});
    return false;
  }
  const int64_t pixels = int64_t{w} * h;
  if (w <= 0 || h <= 0 || pixels > image_limits::max_pixels) {
    *why = msg("images.too_many_pixels", {std::to_string(w), std::to_string(h), thousands(image_limits::max_pixels)});
    return false;
  }
  if (cut_short(bytes)) {
    *why = msg("images.damaged", {"the file ends too soon"});
    return false;
  }
  if (budget) budget->acquire(pixels);
  struct Hold {
    PixelBudget* b;
    int64_t n;
    ~Hold() {
      if (b) b->release(n);
    }
  } const hold{budget, pixels};
  int x = 0, y = 0, n = 0;
  // Always 3 channels: stb drops alpha (a transparent pixel shows its
  // colour, not a background) and repeats grey, so grey and colour files
  // mix in one folder.
  const std::unique_ptr<stbi_uc, StbiFree> rgb(stbi_load_from_memory(data, len, &x, &y, &n, 3));
  if (!rgb) {
    const char* reason = stbi_failure_reason();
    *why = msg("images.damaged", {reason ? reason : "unknown"});
    return false;
  }
  if (x <= 0 || y <= 0 || int64_t{x} * y > pixels) {
    *why = msg("images.damaged", {"its size changed while it was decoded"});
    return false;
  }
  stbi_uc* src = rgb.get();
  const int64_t in_pixels = int64_t{x} * y;
  if (channels == 1) {
    // Integer weights (ITU-R 601), rounded: the same grey on every machine.
    for (int64_t i = 0; i < in_pixels; ++i) {
      const unsigned r = src[3 * i], g = src[3 * i + 1], b = src[3 * i + 2];
      src[i] = static_cast<stbi_uc>((299 * r + 587 * g + 114 * b + 500) / 1000);
    }
  }
  std::vector<stbi_uc> small(static_cast<size_t>(height) * width * channels);
  resize_bytes(src, x, y, small.data(), width, height, channels);
  const size_t plane = static_cast<size_t>(height) * width;
  for (int c = 0; c < channels; ++c) {
    for (size_t i = 0; i < plane; ++i) out[c * plane + i] = static_cast<float>(small[i * channels + c]) / 255.0f;
  }
  return true;
}

bool read_whole_file(const fs::path& file, std::string* bytes, Message* why) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *why = msg("images.cannot_open", {std::strerror(errno)});
    return false;
  }
  // At most one byte past the limit: enough to know the file is too big.
  const int64_t cap = image_limits::max_file_bytes + 1;
  bytes->clear();
  char buf[1 << 16];
  while (in && static_cast<int64_t>(bytes->size()) < cap) {
    in.read(buf,
            static_cast<std::streamsize>(std::min<int64_t>(sizeof buf, cap - static_cast<int64_t>(bytes->size()))));
    bytes->append(buf, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) {
    *why = msg("images.cannot_open", {"read error"});
    return false;
  }
  return true;
}

// Files handed from the tar's reader to the decoders, bounded in bytes.
class Queue {
 public:
  explicit Queue(int64_t cap) : cap_(cap) {}
  void push(size_t index, std::string bytes) {
    std::unique_lock lock(m_);
    space_.wait(lock, [&] { return held_ == 0 || held_ + static_cast<int64_t>(bytes.size()) <= cap_; });
    held_ += static_cast<int64_t>(bytes.size());
    items_.emplace_back(index, std::move(bytes));
    ready_.notify_one();
  }
  void close() {
    const std::lock_guard lock(m_);
    closed_ = true;
    ready_.notify_all();
  }
  bool pop(size_t* index, std::string* bytes) {
    std::unique_lock lock(m_);
    ready_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    *index = items_.front().first;
    *bytes = std::move(items_.front().second);
    items_.pop_front();
    held_ -= static_cast<int64_t>(bytes->size());
    space_.notify_all();
    return true;
  }

 private:
  std::mutex m_;
  std::condition_variable ready_, space_;
  std::deque<std::pair<size_t, std::string>> items_;
  int64_t cap_, held_ = 0;
  bool closed_ = false;
};

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

std::optional<std::vector<float>> decode_image(const std::string& bytes, int height, int width, int channels,
                                               std::string* why) {
  if (height < 1 || width < 1 || height > 4096 || width > 4096 || (channels != 1 && channels != 3)) {
    if (why) *why = "the size must be 1 to 4096 pixels a side and channels 1 or 3";
    return std::nullopt;
  }
  std::vector<float> out(static_cast<size_t>(channels) * height * width);
  Message m;
  try {
    if (decode_into(bytes, height, width, channels, out.data(), &m, nullptr)) return out;
  } catch (const std::bad_alloc&) {
    m = msg("images.no_memory");
  }
  if (why) *why = render_message(m, "en");
  return std::nullopt;
}

std::optional<Images> read_images(const fs::path& folder_or_tar, const ImageListing& listing, int height, int width,
                                  int channels, const std::string& name, Diagnostics& diags, int threads) {
  if (height < 1 || width < 1 || height > 4096 || width > 4096 || (channels != 1 && channels != 3)) {
    diags.error(name, "the size must be 1 to 4096 pixels a side and channels 1 or 3");
    return std::nullopt;
  }
  const size_t n = listing.files.size();
  const size_t chw = static_cast<size_t>(channels) * height * width;
  // Policy is the validator's (limits::max_data_bytes in job_reader.cpp,
  // which knows the job); this only stops a call that could never fit in
  // memory before it allocates.
  constexpr int64_t kMaxPixelBytes = int64_t{4} << 30;
  const int64_t per_sample = 4 * static_cast<int64_t>(chw);
  if (per_sample * static_cast<int64_t>(n) > kMaxPixelBytes) {
    diags.error(
        name, msg("dataset.too_much_data", {mb(per_sample * static_cast<int64_t>(n)) + " MB",
                                            mb(kMaxPixelBytes) + " MB", std::to_string(kMaxPixelBytes / per_sample)}));
    return std::nullopt;
  }
  const size_t errors_before = diags.error_count();
  Images out;
  out.channels = channels;
  out.height = height;
  out.width = width;
  try {
    out.pixels.resize(n * chw);
  } catch (const std::bad_alloc&) {
    diags.error(name, msg("images.no_memory_all", {mb(static_cast<int64_t>(n * chw * sizeof(float)))}));
    return std::nullopt;
  }
  std::vector<char> ok(n, 0);
  std::vector<Message> why(n);

  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::clamp<size_t>(static_cast<size_t>(threads), 1, std::max<size_t>(n, 1)));
  PixelBudget budget(2 * image_limits::max_pixels);
  const auto decode_one = [&](size_t i, const std::string& bytes) {
    try {
      ok[i] = decode_into(bytes, height, width, channels, out.pixels.data() + i * chw, &why[i], &budget);
    } catch (const std::bad_alloc&) {
      why[i] = msg("images.no_memory");
    }
  };

  std::error_code ec;
  std::string damaged;
  if (fs::is_directory(folder_or_tar, ec)) {
    std::atomic<size_t> next{0};
    const auto work = [&] {
      std::string bytes;
      for (size_t i; (i = next.fetch_add(1)) < n;) {
        try {
          if (read_whole_file(folder_or_tar / path_of_utf8(listing.files[i].path), &bytes, &why[i])) {
            decode_one(i, bytes);
          }
        } catch (const std::bad_alloc&) {
          why[i] = msg("images.no_memory");
        }
      }
    };
    std::vector<std::jthread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  } else {
    std::vector<char> seen(n, 0);
    for (size_t i = 0; i < n; ++i) why[i] = msg("images.pack_missing");
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < n; ++i) index.emplace(listing.files[i].path, i);
    Queue queue(int64_t{256} << 20);
    {
      std::vector<std::jthread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
          size_t i = 0;
          std::string bytes;
          while (queue.pop(&i, &bytes)) decode_one(i, bytes);
        });
      }
      // The workers wait for the queue's end, whatever happens here.
      struct Closer {
        Queue& q;
        ~Closer() { q.close(); }
      } const closer{queue};
      try {
        Archive a = open_tar(folder_or_tar, &damaged);
        archive_entry* e = nullptr;
        while (a && next_entry(a.get(), &e, &damaged)) {
          const char* p = archive_entry_pathname(e);
          const auto it = p ? index.find(p) : index.end();
          if (it == index.end() || seen[it->second] || archive_entry_filetype(e) != AE_IFREG ||
              archive_entry_hardlink(e) != nullptr) {
            continue;
          }
          const size_t i = it->second;
          seen[i] = 1;
          const int64_t size = archive_entry_size(e);
          if (size < 0 || size > image_limits::max_file_bytes) {
            why[i] = msg("images.file_too_big", {mb(size), mb(image_limits::max_file_bytes)});
            continue;
          }
          std::string bytes(static_cast<size_t>(size), '\0');
          size_t got = 0;
          while (got < bytes.size()) {
            const la_ssize_t r = archive_read_data(a.get(), bytes.data() + got, bytes.size() - got);
            if (r < 0) damaged = archive_error_string(a.get()) ? archive_error_string(a.get()) : "damaged";
            if (r <= 0) break;
            got += static_cast<size_t>(r);
          }
          if (!damaged.empty()) break;
          bytes.resize(got);
          queue.push(i, std::move(bytes));
        }
      } catch (const std::bad_alloc&) {
        damaged = "out of memory";
      }
    }
  }
  if (!damaged.empty()) {
    diags.error(name, msg("images.pack_damaged", {damaged}));
    return std::nullopt;
  }

  std::vector<int64_t> readable(listing.classes.size(), 0);
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    const ImageEntry& f = listing.files[i];
    if (!ok[i]) {
      diags.warning(name + "/" + f.path, why[i]);
      continue;
    }
    if (f.label >= 0 && static_cast<size_t>(f.label) < readable.size()) ++readable[static_cast<size_t>(f.label)];
    if (kept != i)
      std::copy_n(out.pixels.begin() + static_cast<ptrdiff_t>(i * chw), chw,
                  out.pixels.begin() + static_cast<ptrdiff_t>(kept * chw));
    out.label.push_back(static_cast<float>(f.label));
    ++kept;
  }
  out.pixels.resize(kept * chw);
  // Given back only when much was left out: it copies every pixel kept.
  if (kept * 2 < n) out.pixels.shrink_to_fit();
  if (listing.classes.size() < 2) {
    diags.error(name,
                listing.classes.empty() ? msg("images.no_classes") : msg("images.one_class", {listing.classes[0]}));
  }
  for (size_t c = 0; c < listing.classes.size(); ++c) {
    if (readable[c] < image_limits::min_per_class) {
      diags.error(name + "/" + listing.classes[c],
                  msg("images.class_too_few_readable",
                      {listing.classes[c], std::to_string(readable[c]), std::to_string(image_limits::min_per_class)}));
    }
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return out;
}

}  // namespace aisb
