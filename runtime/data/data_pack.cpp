// Content hashes and the canonical tar of an image folder (data_pack.hpp).
// Read by the app (it hashes and uploads a lesson's data), the center (it
// checks an upload against its hash) and the workers (they hash what they
// read). What it does not trust: the folder, which is listed by the rules
// and limits of image_folder.hpp and may change while it is packed (a file
// that does then fails the pack rather than give a tar that lies).
//
// The tar is written here byte by byte rather than by libarchive: its bytes
// are a contract between machines (the same files must give the same hash
// on a student's laptop and on the center), and libarchive's headers depend
// on its version and, for names that are not ASCII, on the platform's
// locale. Plain ustar (POSIX.1-1988), which every tar reader reads: per file
// one 512-byte header (name, or prefix "CLASS" and name "FILE" when the path
// is longer than 100 bytes; UTF-8 bytes as they are; mode 0644, owner 0,
// time 0, no user or group names) and the data padded to 512 bytes; files
// in list_images's order (by class, then by file name, in bytes), no folder
// entries, two zero blocks at the end and no padding to a record size.
#include "data/data_pack.hpp"

#ifdef _WIN32
#include <windows.h>
// After windows.h, which it needs.
#include <bcrypt.h>
#else
#include <openssl/evp.h>
#endif

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>

#include "data/image_folder.hpp"

namespace aisb {

namespace fs = std::filesystem;

namespace {

std::string to_hex(const unsigned char* md, size_t len) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 0xfu];
  }
  return out;
}

#ifdef _WIN32
// Windows' own SHA-256 (CNG).
class Sha256 {
 public:
  Sha256() {
    ok_ = BCryptOpenAlgorithmProvider(&alg_, BCRYPT_SHA256_ALGORITHM, nullptr, 0) >= 0 &&
          BCryptCreateHash(alg_, &hash_, nullptr, 0, nullptr, 0, 0) >= 0;
  }
  ~Sha256() {
    if (hash_ != nullptr) BCryptDestroyHash(hash_);
    if (alg_ != nullptr) BCryptCloseAlgorithmProvider(alg_, 0);
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes) {
    while (ok_ && !bytes.empty()) {
      const auto n = static_cast<ULONG>(std::min<size_t>(bytes.size(), 1u << 30));
      ok_ = BCryptHashData(hash_, reinterpret_cast<PUCHAR>(const_cast<char*>(bytes.data())), n, 0) >= 0;
      bytes.remove_prefix(n);
    }
  }
  // Empty when the system failed.
  std::string hex() {
    std::array<unsigned char, 32> md{};
    if (!ok_ || BCryptFinishHash(hash_, md.data(), static_cast<ULONG>(md.size()), 0) < 0) return {};
    return to_hex(md.data(), md.size());
  }

 private:
  BCRYPT_ALG_HANDLE alg_ = nullptr;
  BCRYPT_HASH_HANDLE hash_ = nullptr;
  bool ok_ = false;
};
#else
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1; }
  void update(std::string_view bytes) { ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1; }
  // Empty when OpenSSL failed (out of memory).
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned len = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), md.data(), &len) != 1) return {};
    return to_hex(md.data(), len);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx_;
  bool ok_ = false;
};
#endif

constexpr size_t kBlock = 512;

// A right-aligned, zero-padded octal number and its NUL, filling `width`.
void put_octal(char* field, size_t width, int64_t value) {
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0; value >>= 3) field[i] = static_cast<char>('0' + (value & 7));
}

std::string ustar_header(const std::string& cls, const std::string& file, int64_t size) {
  std::string h(kBlock, '\0');
  const std::string path = cls + "/" + file;
  // The listing holds names to these lengths, so one of the two fits.
  if (path.size() <= 100) {
    h.replace(0, path.size(), path);
  } else {
    h.replace(0, file.size(), file);
    h.replace(345, cls.size(), cls);
  }
  put_octal(&h[100], 8, 0644);  // mode
  put_octal(&h[108], 8, 0);     // uid
  put_octal(&h[116], 8, 0);     // gid
  put_octal(&h[124], 12, size);
  put_octal(&h[136], 12, 0);  // mtime
  h[156] = '0';               // a regular file
  h.replace(257, 6, std::string("ustar\0", 6));
  h.replace(263, 2, "00");
  put_octal(&h[329], 8, 0);  // devmajor
  put_octal(&h[337], 8, 0);  // devminor
  // The checksum counts its own field as eight spaces.
  h.replace(148, 8, 8, ' ');
  int64_t sum = 0;
  for (const char c : h) sum += static_cast<unsigned char>(c);
  put_octal(&h[148], 7, sum);
  return h;
}

std::string folder_name(const fs::path& folder) {
  fs::path p = folder.lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  const std::u8string s = p.filename().u8string();
  return s.empty() ? std::string("data") : std::string(s.begin(), s.end());
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

std::optional<std::string> sha256_of_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  Sha256 h;
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    h.update({buf.data(), static_cast<size_t>(in.gcount())});
  }
  if (in.bad()) return std::nullopt;
  std::string hex = h.hex();
  if (hex.empty()) return std::nullopt;
  return hex;
}

bool pack_image_folder(const fs::path& folder, const std::function<void(std::string_view)>& sink, Diagnostics& diags) {
  const std::string name = folder_name(folder);
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    diags.error(name, msg("images.cannot_open", {ec ? ec.message() : std::string("not a folder")}));
    return false;
  }
  const std::optional<ImageListing> listing = list_images(folder, name, diags);
  if (!listing) return false;
  std::array<char, 1 << 16> buf{};
  for (const ImageEntry& f : listing->files) {
    const size_t slash = f.path.find('/');
    const std::string cls = f.path.substr(0, slash), file = f.path.substr(slash + 1);
    std::ifstream in(folder / fs::path(std::u8string(f.path.begin(), f.path.end())), std::ios::binary);
    if (!in) {
      diags.error(name + "/" + f.path, msg("images.cannot_open", {"cannot open the file"}));
      return false;
    }
    sink(ustar_header(cls, file, f.bytes));
    // Exactly the listed size, or the header would lie: a file that grew or
    // shrank since it was listed stops the pack.
    int64_t left = f.bytes;
    while (left > 0) {
      in.read(buf.data(), static_cast<std::streamsize>(std::min<int64_t>(left, buf.size())));
      const auto got = static_cast<int64_t>(in.gcount());
      if (got == 0) break;
      sink({buf.data(), static_cast<size_t>(got)});
      left -= got;
    }
    if (left != 0 || in.peek() != std::char_traits<char>::eof()) {
      diags.error(name + "/" + f.path, msg("images.changed"));
      return false;
    }
    if (const size_t tail = static_cast<size_t>(f.bytes) % kBlock; tail != 0) {
      sink(std::string(kBlock - tail, '\0'));
    }
  }
  sink(std::string(2 * kBlock, '\0'));
  return true;
}

std::optional<std::string> image_folder_sha256(const fs::path& folder, Diagnostics& diags) {
  Sha256 h;
  if (!pack_image_folder(
          folder, [&](std::string_view piece) { h.update(piece); }, diags))
    return std::nullopt;
  std::string hex = h.hex();
  if (hex.empty()) return std::nullopt;
  return hex;
}

}  // namespace aisb
