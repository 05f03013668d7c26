// Photo folders and their canonical tars (image_folder.hpp), the decoding:
// decode_image, and read_images, which reads the files of a listing
// (image_folder.cpp) and decodes and resizes them on every core. Read by
// make_dataset (the pixels) and the center's workers (the same code on the
// uploaded tar). What it does not trust: any byte of a file. Sizes and pixel
// counts are checked against image_limits before anything is read or
// decoded; only PNG, JPEG, BMP and GIF reach stb_image (by their magic bytes:
// its other decoders, TGA above all, take almost any bytes for an image), and
// only once the guards for stb_image 2.27's faults have passed them.
#include "data/image_folder.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <stb_image.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>

#include "data/image_internal.hpp"

namespace aisb {

namespace fs = std::filesystem;

namespace {

using image_detail::Archive;
using image_detail::mb;
using image_detail::next_entry;
using image_detail::open_tar;
using image_detail::path_of_utf8;

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