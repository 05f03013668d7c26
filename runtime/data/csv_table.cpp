// CSV files a class brings (csv_table.hpp): bytes in, a columnar table out;
// csv_build.cpp makes the samples from it. Everyone who opens a lesson runs
// this on a file somebody else made, so nothing in the file is trusted: the
// size is checked before anything is decoded, every cell is bounded while
// libcsv is still buffering it, rows and columns are counted as they come,
// and each problem names FILE:LINE. Nothing here throws on bad input.
//
// Memory: the table is stored by column (a double or an int32 code per cell),
// so it is about the size of the file; text is kept only as one copy of each
// distinct value while reading. A column is taken as numbers until its first
// cell that is not one; if numbers came before that cell, their text is gone,
// and such columns alone are read again in a second pass. CP949 is converted
// a piece at a time as it is parsed, so no converted copy of the file is
// held (UTF-16, rare, is converted whole).
#include "data/csv_table.hpp"

#include <csv.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "data/csv_internal.hpp"
#include "data/text_codec.hpp"

#include <memory>

namespace aisb {

const CsvColumn* CsvTable::column(std::string_view name) const {
  for (const CsvColumn& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> CsvTable::names() const {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const CsvColumn& c : columns) out.push_back(c.name);
  return out;
}

namespace {

using csv_detail::at;
using csv_detail::count_text;
using csv_detail::number_text;

// libcsv.c's state for "inside a field"; with `quoted` set at the end of the
// input it means a quote was opened and never closed. (CSV_STRICT_FINI would
// say so too, but only together with CSV_STRICT, which refuses the stray
// quotes Excel users type into cells.)
constexpr int kLibcsvFieldBegun = 2;
// libcsv buffers a field whole; feeding it at most this much at a time lets a
// cell that never ends be stopped a piece past the limit instead of at the
// end of a 128 MB file.
constexpr size_t kPiece = 64 * 1024;
constexpr int kMaxRaggedReported = 5;

// ---------------------------------------------------------------------------
// Encodings.

bool valid_utf8(std::string_view s, size_t* bad) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: most of a CSV is digits and delimiters.
    if (i + 8 <= n) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      *bad = i;
      return false;
    }
    if (i + len > n) {
      *bad = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        *bad = i;
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      *bad = i;
      return false;
    }
    i += len;
  }
  return true;
}

// Converts `in` to UTF-8 (data/text_codec.hpp). On a sequence `from` does
// not have, returns false with *bad at its offset in `in`.
bool convert_to_utf8(const char* from, std::string_view in, std::string& out, size_t* bad) {
  ToUtf8 codec(from);
  if (!codec.ok()) {
    *bad = 0;
    return false;
  }
  // CP949's two bytes and UTF-16's two become at most three in UTF-8. The
  // reservation is not touched, so only the text written takes memory;
  // resizing would write zeros over all of it.
  out.clear();
  out.reserve(in.size() + in.size() / 2 + 16);
  const char* inp = in.data();
  size_t in_left = in.size();
  std::vector<char> buf(64 * 1024);
  while (in_left > 0) {
    char* outp = buf.data();
    size_t out_left = buf.size();
    const ToUtf8::Result r = codec.convert(inp, in_left, outp, out_left);
    out.append(buf.data(), static_cast<size_t>(outp - buf.data()));
    if (r == ToUtf8::Result::done || r == ToUtf8::Result::full) continue;
    *bad = static_cast<size_t>(inp - in.data());
    return false;
  }
  return true;
}

struct Decoded {
  std::string owned;  // converted text, when it had to be
  std::string_view text;
  std::string encoding;
  // CP949 is converted line by line while it is parsed, not as a whole copy:
  // its lead and trail bytes are never a newline, quote or delimiter, so the
  // raw bytes split into lines and cells as the UTF-8 text would.
  bool cp949 = false;
};

int64_t line_of(std::string_view text, size_t offset) {
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(offset, text.size())), '\n');
}

std::string hex_byte(unsigned char c) {
  char b[3];
  std::snprintf(b, sizeof b, "%02X", c);
  return b;
}

std::optional<Decoded> decode(std::string_view bytes, const std::string& name, Diagnostics& diags) {
  const auto starts = [&](std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; };
  // A workbook saved as .xlsx (a zip) or .xls (OLE) renamed to .csv: say so
  // rather than complain about its bytes.
  if (starts(std::string_view("PK\x03\x04", 4)) || starts("\xD0\xCF\x11\xE0")) {
    diags.error(name, msg("csv.binary"));
    return std::nullopt;
  }
  Decoded d;
  const auto converted = [&](const char* from, std::string_view in, const char* label,
                             std::vector<std::string> expected) -> bool {
    size_t bad = 0;
    if (!convert_to_utf8(from, in, d.owned, &bad)) {
      const unsigned char c = bad < in.size() ? static_cast<unsigned char>(in[bad]) : 0;
      diags.error(at(name, line_of(d.owned, d.owned.size())), msg("csv.bad_text", {hex_byte(c), list_arg(expected)}));
      return false;
    }
    d.text = d.owned;
    d.encoding = label;
    return true;
  };
  // Excel's "Unicode text" is UTF-16 with a byte-order mark.
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    if (!converted(starts("\xFF\xFE") ? "UTF-16LE" : "UTF-16BE", bytes.substr(2), "utf-16", {"UTF-16"})) {
      return std::nullopt;
    }
  } else if (starts("\xEF\xBB\xBF")) {
    d.text = bytes.substr(3);
    d.encoding = "utf-8 (BOM)";
    size_t bad = 0;
    if (!valid_utf8(d.text, &bad)) {
      diags.error(at(name, line_of(d.text, bad)),
                  msg("csv.bad_text", {hex_byte(static_cast<unsigned char>(d.text[bad])), list_arg({"UTF-8"})}));
      return std::nullopt;
    }
  } else {
    size_t bad = 0;
    if (valid_utf8(bytes, &bad)) {
      d.text = bytes;
      d.encoding = "utf-8";
    } else {
      d.text = bytes;
      d.encoding = "cp949";
      d.cp949 = true;
    }
  }
  if (const size_t nul = d.text.find('\0'); nul != std::string_view::npos) {
    diags.error(at(name, line_of(d.text, nul)), msg("csv.binary"));
    return std::nullopt;
  }
  return d;
}

// ---------------------------------------------------------------------------
// Cells.

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// What spreadsheets and statistics packages write for "no value".
bool missing_marker(std::string_view s) {
  if (s.size() > 4) return false;
  char low[4];
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view l(low, s.size());
  return l.empty() || l == "na" || l == "n/a" || l == "#n/a" || l == "nan" || l == "-" || l == "null";
}

enum class Cell { missing, number, text };

// `s` is trimmed. A decimal comma ("3,5") only where ';' separates cells, as
// European Excel writes; thousands separators never (a comma is ambiguous).
// Values float cannot hold count as missing: a sample is floats.
Cell classify(std::string_view s, bool decimal_comma, double* v) {
  if (missing_marker(s)) return Cell::missing;
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '-' || s.front() == '+') return Cell::text;
  }
  if (s.empty() || s.size() > 64) return Cell::text;
  const char f = s.front();
  // from_chars would take "inf" and "nan" as numbers; a cell saying
  // "infinity" is a word.
  if (!((f >= '0' && f <= '9') || f == '-' || f == '.')) return Cell::text;
  char buf[64];
  if (decimal_comma && s.find(',') != std::string_view::npos) {
    if (s.find('.') != std::string_view::npos || std::count(s.begin(), s.end(), ',') != 1) return Cell::text;
    std::memcpy(buf, s.data(), s.size());
    *std::find(buf, buf + s.size(), ',') = '.';
    s = std::string_view(buf, s.size());
  }
  if (s.size() > 1 && s.front() == '-' && !((s[1] >= '0' && s[1] <= '9') || s[1] == '.')) return Cell::text;
  double x = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), x);
  if (r.ptr != s.data() + s.size()) return Cell::text;
  if (r.ec == std::errc::result_out_of_range) {
    // Underflow is a zero; overflow is a value no sample can carry.
    const bool tiny = s.find("e-") != std::string_view::npos || s.find("E-") != std::string_view::npos;
    if (!tiny) return Cell::missing;
    x = 0;
  } else if (r.ec != std::errc()) {
    return Cell::text;
  }
  if (!std::isfinite(x) || std::fabs(x) > std::numeric_limits<float>::max()) return Cell::missing;
  *v = x;
  return Cell::number;
}

// Names, times and dates the way people sort them: runs of digits by their
// value, so "9:00" comes before "10:00" and "2024.1.5" before "2024.1.10".
// Ties fall back to the bytes, so the order is total.
bool natural_less(std::string_view a, std::string_view b) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  // Up to the first difference both read alike; start at the beginning of
  // the digit run that difference is in (times share long prefixes).
  size_t i = static_cast<size_t>(
      std::mismatch(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(std::min(a.size(), b.size())), b.begin()).first -
      a.begin());
  while (i > 0 && digit(a[i - 1])) --i;
  size_t j = i;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      const int c = a.substr(is, ie - is).compare(b.substr(js, je - js));
      if (c != 0) return c < 0;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;
}

// The distinct values of a text column, each stored once in one buffer, with
// an open-addressing index: about the values' own size plus 12 bytes each,
// where a map of strings would cost several times the text.
class Dictionary {
 public:
  int32_t intern(std::string_view s) {
    if ((starts_.size() + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t h = std::hash<std::string_view>{}(s)&mask;; h = (h + 1) & mask) {
      const int32_t k = slots_[h];
      if (k < 0) {
        const auto id = static_cast<int32_t>(starts_.size());
        starts_.push_back(static_cast<uint32_t>(arena_.size()));
        arena_.append(s);
        slots_[h] = id;
        return id;
      }
      if (at(k) == s) return k;
    }
  }
  [[nodiscard]] size_t size() const { return starts_.size(); }
  [[nodiscard]] std::string_view at(int32_t k) const {
    const size_t b = starts_[static_cast<size_t>(k)];
    const size_t e = static_cast<size_t>(k) + 1 < starts_.size() ? starts_[static_cast<size_t>(k) + 1] : arena_.size();
    return std::string_view(arena_).substr(b, e - b);
  }

 private:
  void grow() {
    std::vector<int32_t> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), -1);
    const size_t mask = slots_.size() - 1;
    for (int32_t k : old) {
      if (k < 0) continue;
      size_t h = std::hash<std::string_view>{}(at(k)) & mask;
      while (slots_[h] >= 0) h = (h + 1) & mask;
      slots_[h] = k;
    }
  }
  std::string arena_;
  std::vector<uint32_t> starts_;
  std::vector<int32_t> slots_;
};

// ---------------------------------------------------------------------------
// The reader: libcsv's callbacks fill columns as fields arrive.

struct ColumnState {
  enum class Mode { numeric, text, skip };
  Mode mode = Mode::numeric;
  bool redo = false;        // turned to text after numbers: read again in pass 2
  std::vector<double> few;  // numeric: distinct values, up to max_categories + 1
  Dictionary dict;          // text
};

class Reader {
 public:
  // `cp949`: `text` is CP949, converted to UTF-8 a piece at a time.
  Reader(std::string_view text, bool cp949, char delim, int64_t first_line, const std::string& name, Diagnostics& diags)
      : text_(text), delim_(delim), first_line_(first_line), name_(name), diags_(diags) {
    if (cp949) {
      codec_ = std::make_unique<ToUtf8>("CP949");
      cp949_ = true;
      converted_.resize(2 * kPiece + 16);  // UTF-8 takes at most 1.5 times CP949's bytes
    }
    // A file with only carriage returns (old Mac exports) counts lines by them.
    eol_ = text.find('\n') == std::string_view::npos && text.find('\r') != std::string_view::npos ? '\r' : '\n';
  }

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  std::optional<CsvTable> read() {
    if (cp949_ && !codec_->ok()) {
      diags_.error(name_, msg("csv.parse_failed", {"this system cannot convert CP949"}));
      return std::nullopt;
    }
    if (!run_pass(1)) return std::nullopt;
    if (!header_done_) {
      diags_.error(name_, msg("csv.empty"));
      return std::nullopt;
    }
    if (table_.rows() == 0) {
      diags_.error(name_, msg("csv.no_rows"));
      return std::nullopt;
    }
    if (std::any_of(states_.begin(), states_.end(), [](const ColumnState& s) { return s.redo; })) {
      for (size_t c = 0; c < states_.size(); ++c) {
        ColumnState& s = states_[c];
        if (s.redo) {
          CsvColumn& col = table_.columns[c];
          col.missing = 0;
          col.numbers = {};
          col.codes.reserve(static_cast<size_t>(table_.rows()));
          s.mode = ColumnState::Mode::text;
        } else {
          s.mode = ColumnState::Mode::skip;
        }
      }
      if (!run_pass(2)) return std::nullopt;
    }
    finish_columns();
    return std::move(table_);
  }

 private:
  static void on_field(void* data, size_t len, void* self) {
    static_cast<Reader*>(self)->field(std::string_view(static_cast<const char*>(data), len));
  }
  static void on_row(int, void* self) { static_cast<Reader*>(self)->row_end(); }

  bool run_pass(int pass) {
    pass_ = pass;
    line_ = first_line_;
    row_eols_ = 0;
    fields_ = 0;
    extra_text_ = false;
    row_ = 0;
    in_header_ = true;
    csv_parser p{};
    if (csv_init(&p, 0) != 0) {
      diags_.error(name_, msg("csv.parse_failed", {"libcsv"}));
      return false;
    }
    csv_set_delim(&p, static_cast<unsigned char>(delim_));
    csv_set_blk_size(&p, 1024);
    size_t pos = 0;
    const size_t n = text_.size();
    while (pos < n && !stop_) {
      const size_t nl = text_.find(eol_, pos);
      const size_t end = nl == std::string_view::npos ? n : nl + 1;
      const bool has_eol = nl != std::string_view::npos;
      for (size_t a = pos; a < end && !stop_;) {
        const size_t b = std::min(a + kPiece, end);
        if (!codec_) {
          feed(p, text_.data() + a, b - a, b == end && has_eol);
          a = b;
        } else {
          a = convert_and_feed(p, a, b, b == end, has_eol);
        }
      }
      pos = end;
      if (has_eol) ++line_;
    }
    if (!stop_) {
      if (p.pstate == kLibcsvFieldBegun && p.quoted != 0) {
        const auto* b = reinterpret_cast<const char*>(p.entry_buf);
        const int64_t start = line_ - std::count(b, b + p.entry_pos, eol_);
        diags_.error(at(name_, start), msg("csv.open_quote"));
        failed_ = true;
      } else {
        csv_fini(&p, on_field, on_row, this);
      }
    }
    csv_free(&p);
    if (pass == 1 && ragged_ > kMaxRaggedReported) {
      diags_.error(name_, msg("csv.more_ragged", {count_text(ragged_ - kMaxRaggedReported)}));
    }
    return !failed_ && ragged_ == 0;
  }

  // Parses a piece of text of the line `line_`; `ends_line`: it holds the
  // line's newline.
  void feed(csv_parser& p, const char* data, size_t len, bool ends_line) {
    if (csv_parse(&p, data, len, on_field, on_row, this) != len) {
      diags_.error(at(name_, line_), msg("csv.parse_failed", {csv_strerror(csv_error(&p))}));
      stop_ = true;
      failed_ = true;
    } else if (p.entry_pos > static_cast<size_t>(csv_limits::max_field_bytes)) {
      // Once the line's own newline is in, the next line is where text goes on.
      const auto* b = reinterpret_cast<const char*>(p.entry_buf);
      const int64_t start = (ends_line ? line_ + 1 : line_) - std::count(b, b + p.entry_pos, eol_);
      diags_.error(at(name_, start), msg("csv.field_too_long", {count_text(csv_limits::max_field_bytes)}));
      stop_ = true;
      failed_ = true;
    }
  }

  // Converts text_[a, b) from CP949 and parses it; returns where the next
  // piece starts (before a character the piece cut in two).
  size_t convert_and_feed(csv_parser& p, size_t a, size_t b, bool line_end, bool has_eol) {
    const char* in = text_.data() + a;
    size_t in_left = b - a;
    char* out = converted_.data();
    size_t out_left = converted_.size();
    const ToUtf8::Result r = codec_->convert(in, in_left, out, out_left);
    const size_t next = static_cast<size_t>(in - text_.data());
    const bool cut = r == ToUtf8::Result::cut && !line_end;
    if (r != ToUtf8::Result::done && !cut) {
      diags_.error(at(name_, line_), msg("csv.bad_text", {hex_byte(static_cast<unsigned char>(text_[next])),
                                                          list_arg({"UTF-8", "CP949 (EUC-KR)"})}));
      stop_ = true;
      failed_ = true;
      return b;
    }
    feed(p, converted_.data(), static_cast<size_t>(out - converted_.data()), next == b && line_end && has_eol);
    return next;
  }

  // The file line the current row starts on: newlines inside its quoted
  // fields so far are lines the row spans.
  [[nodiscard]] int64_t row_line() const { return line_ - row_eols_; }

  void field(std::string_view s) {
    if (stop_) return;
    row_eols_ += std::count(s.begin(), s.end(), eol_);
    if (s.size() > static_cast<size_t>(csv_limits::max_field_bytes)) {
      diags_.error(at(name_, row_line()), msg("csv.field_too_long", {count_text(csv_limits::max_field_bytes)}));
      stop_ = true;
      failed_ = true;
      return;
    }
    const size_t c = fields_++;
    if (in_header_) {
      if (pass_ == 1 && c < static_cast<size_t>(csv_limits::max_columns)) header_.emplace_back(s);
      return;
    }
    // The first cell waits for the second: a row of one empty cell is a blank
    // line (spaces, or "" alone) to skip, not a row missing its other cells.
    if (c == 0) {
      first_.assign(s);
      return;
    }
    if (c == 1) cell(0, first_);
    if (c < table_.columns.size()) {
      cell(c, s);
    } else if (!trim(s).empty()) {
      extra_text_ = true;
    }
  }

  void row_end() {
    if (stop_) return;
    const int64_t line = row_line();
    const size_t got = fields_;
    const bool blank = got == 1 && trim(first_).empty();
    fields_ = 0;
    row_eols_ = 0;
    if (in_header_) {
      in_header_ = false;
      if (pass_ == 1) {
        header_done_ = true;
        start_columns(got, line);
      }
      return;
    }
    const size_t want = table_.columns.size();
    if (blank && want > 1) return;
    if (got == 1) cell(0, first_);
    // Trailing empty cells past the header's are harmless (some exports end
    // every row with a delimiter); missing ones cannot be placed.
    if (got < want || extra_text_) {
      extra_text_ = false;
      if (pass_ == 1 && ++ragged_ <= kMaxRaggedReported) {
        diags_.error(at(name_, line), msg("csv.ragged", {count_text(static_cast<int64_t>(got)),
                                                         count_text(static_cast<int64_t>(want))}));
      }
      storing_ = false;
    }
    if (pass_ == 1) {
      if (table_.rows() >= csv_limits::max_rows) {
        diags_.error(at(name_, line), msg("csv.too_many_rows", {count_text(csv_limits::max_rows)}));
        stop_ = true;
        failed_ = true;
        return;
      }
      // A cell costs 8 bytes however short it is in the file (",,,"): the
      // table's size is bounded by its cells, not only by the file's bytes.
      if ((table_.rows() + 1) * static_cast<int64_t>(want) > csv_limits::max_cells) {
        diags_.error(at(name_, line), msg("csv.too_many_cells", {count_text(csv_limits::max_cells)}));
        stop_ = true;
        failed_ = true;
        return;
      }
      table_.line.push_back(line);
    }
    ++row_;
  }

  void start_columns(size_t got, int64_t line) {
    if (got > static_cast<size_t>(csv_limits::max_columns)) {
      diags_.error(at(name_, line), msg("csv.too_many_columns",
                                        {count_text(static_cast<int64_t>(got)), count_text(csv_limits::max_columns)}));
      stop_ = true;
      failed_ = true;
      return;
    }
    std::unordered_map<std::string, size_t> seen;
    table_.columns.resize(header_.size());
    states_.resize(header_.size());
    // Lines bound the rows; reserving them keeps each column one allocation.
    const int64_t columns = std::max<int64_t>(1, static_cast<int64_t>(header_.size()));
    rows_estimate_ = static_cast<size_t>(std::min(
        {csv_limits::max_rows, csv_limits::max_cells / columns, std::count(text_.begin(), text_.end(), eol_) + 1}));
    for (size_t c = 0; c < header_.size(); ++c) {
      std::string n(trim(header_[c]));
      std::replace_if(
          n.begin(), n.end(), [](char ch) { return ch == '\n' || ch == '\r' || ch == '\t'; }, ' ');
      if (n.empty()) n = "column " + std::to_string(c + 1);
      if (const auto [it, fresh] = seen.emplace(n, c); !fresh) {
        diags_.error(at(name_, line), msg("csv.duplicate_column", {n, count_text(static_cast<int64_t>(it->second + 1)),
                                                                   count_text(static_cast<int64_t>(c + 1))}));
        failed_ = true;
        stop_ = true;
      }
      table_.columns[c].name = std::move(n);
      table_.columns[c].numbers.reserve(rows_estimate_);
    }
    header_.clear();
  }

  void cell(size_t c, std::string_view raw) {
    if (!storing_) return;
    ColumnState& s = states_[c];
    if (s.mode == ColumnState::Mode::skip) return;
    CsvColumn& col = table_.columns[c];
    const std::string_view v = trim(raw);
    double x = 0;
    const Cell k = s.mode == ColumnState::Mode::text && missing_marker(v) ? Cell::missing
                   : s.mode == ColumnState::Mode::text                    ? Cell::text
                                                                          : classify(v, delim_ == ';', &x);
    if (k == Cell::missing) {
      ++col.missing;
      if (s.mode == ColumnState::Mode::numeric) {
        col.numbers.push_back(std::nan(""));
      } else {
        col.codes.push_back(-1);
      }
      return;
    }
    if (s.mode == ColumnState::Mode::numeric) {
      if (k == Cell::number) {
        number(col, s, x);
        return;
      }
      // The first cell that is not a number makes the column text.
      col.first_text.assign(v);
      col.first_text_line = row_line();
      const bool had_numbers = static_cast<int64_t>(col.numbers.size()) > col.missing;
      col.numbers = {};
      s.few = {};
      if (had_numbers) {
        s.mode = ColumnState::Mode::skip;
        s.redo = true;
        return;
      }
      s.mode = ColumnState::Mode::text;
      col.codes.reserve(rows_estimate_);
      col.codes.assign(static_cast<size_t>(row_), -1);
    }
    col.codes.push_back(s.dict.intern(v));
  }

  static void number(CsvColumn& col, ColumnState& s, double x) {
    if (col.numbers.size() == static_cast<size_t>(col.missing)) {
      col.min = col.max = x;
    } else {
      col.min = std::min(col.min, x);
      col.max = std::max(col.max, x);
    }
    col.numbers.push_back(x);
    if (col.integer && !(x == std::floor(x) && std::fabs(x) < 9007199254740992.0)) col.integer = false;
    if (s.few.size() <= static_cast<size_t>(csv_limits::max_categories) &&
        std::find(s.few.begin(), s.few.end(), x) == s.few.end()) {
      s.few.push_back(x);
    }
  }

  void finish_columns() {
    for (size_t c = 0; c < table_.columns.size(); ++c) {
      CsvColumn& col = table_.columns[c];
      ColumnState& s = states_[c];
      if (col.first_text_line == 0) {
        col.numeric = true;
        col.distinct = static_cast<int64_t>(s.few.size());
        for (double v : s.few) col.levels.push_back(number_text(v));
        if (col.distinct == 0) col.integer = false;
        continue;
      }
      col.numeric = false;
      col.integer = false;
      col.min = col.max = 0;
      col.distinct = static_cast<int64_t>(s.dict.size());
      const auto shown = std::min<int64_t>(col.distinct, csv_limits::max_categories + 1);
      for (int32_t k = 0; k < shown; ++k) col.levels.emplace_back(s.dict.at(k));
      std::vector<int32_t> order(s.dict.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(),
                [&](int32_t a, int32_t b) { return natural_less(s.dict.at(a), s.dict.at(b)); });
      col.rank.assign(order.size(), 0);
      for (size_t r = 0; r < order.size(); ++r) col.rank[static_cast<size_t>(order[r])] = static_cast<int32_t>(r);
      s.dict = Dictionary();
    }
  }

  std::string_view text_;
  std::unique_ptr<ToUtf8> codec_;  // CP949 to UTF-8, or null for UTF-8 text
  bool cp949_ = false;
  std::string converted_;  // a CP949 piece as UTF-8
  char delim_;
  char eol_ = '\n';
  int64_t first_line_;
  const std::string& name_;
  Diagnostics& diags_;

  CsvTable table_;
  std::vector<ColumnState> states_;
  std::vector<std::string> header_;
  std::string first_;
  bool header_done_ = false;  // a header was seen (pass 1)
  bool in_header_ = true;     // the current row is the header
  size_t rows_estimate_ = 0;  // lines in the file: at least the rows
  int pass_ = 1;
  int64_t line_ = 1;      // the line being fed to libcsv
  int64_t row_eols_ = 0;  // newlines in the current row's fields so far
  size_t fields_ = 0;     // fields of the current row so far
  bool extra_text_ = false;
  int64_t row_ = 0;  // data rows so far
  bool storing_ = true;
  bool stop_ = false;
  bool failed_ = false;
  int ragged_ = 0;
};

// The delimiter the header line uses most outside quotes; a comma when none
// or a tie.
char find_delimiter(std::string_view text) {
  int comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  bool content = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == '\n' || c == '\r')) {
      if (content) break;
    } else if (!quoted) {
      if (c == ',') ++comma;
      if (c == ';') ++semicolon;
      if (c == '\t') ++tab;
    }
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') content = true;
  }
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

}  // namespace

std::optional<CsvTable> read_csv(std::string_view bytes, const std::string& name, Diagnostics& diags) {
  if (static_cast<int64_t>(bytes.size()) > csv_limits::max_bytes) {
    diags.error(name, msg("csv.too_big", {count_text(static_cast<int64_t>(bytes.size() >> 20)),
                                          count_text(csv_limits::max_bytes >> 20)}));
    return std::nullopt;
  }
  std::optional<Decoded> d = decode(bytes, name, diags);
  if (!d) return std::nullopt;
  std::string_view text = d->text;
  if (trim(text).empty()) {
    diags.error(name, msg("csv.empty"));
    return std::nullopt;
  }
  // Excel's own hint line, "sep=;", names the delimiter and is not the header.
  int64_t first_line = 1;
  char delim = 0;
  {
    const size_t eol = text.find_first_of("\r\n");
    const std::string_view first = trim(text.substr(0, eol));
    if (first.size() == 5 && first.substr(0, 4) == "sep=" && (first[4] == ',' || first[4] == ';')) {
      delim = first[4];
    } else if (text.substr(0, std::min<size_t>(eol, text.size())) == "sep=\t") {
      delim = '\t';
    }
    if (delim != 0) {
      text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
      if (!text.empty() && text.front() == '\n' && eol != std::string_view::npos && d->text[eol] == '\r') {
        text.remove_prefix(1);
      }
      first_line = 2;
    }
  }
  if (delim == 0) delim = find_delimiter(text);
  Reader reader(text, d->cp949, delim, first_line, name, diags);
  std::optional<CsvTable> t = reader.read();
  if (!t) return std::nullopt;
  t->encoding = d->encoding;
  t->delimiter = delim;
  return t;
}

}  // namespace aisb
