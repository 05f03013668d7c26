#include "data/text_codec.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <iconv.h>
#endif

namespace aisb {

#ifndef _WIN32

struct ToUtf8::State {
  iconv_t cd = reinterpret_cast<iconv_t>(-1);
};

ToUtf8::ToUtf8(const char* from) : state_(std::make_unique<State>()) {
  state_->cd = iconv_open("UTF-8", from);
}

ToUtf8::~ToUtf8() {
  if (ok()) iconv_close(state_->cd);
}

bool ToUtf8::ok() const {
  return state_->cd != reinterpret_cast<iconv_t>(-1);
}

ToUtf8::Result ToUtf8::convert(const char*& in, size_t& in_left, char*& out, size_t& out_left) {
  char* inp = const_cast<char*>(in);  // iconv's signature; it does not write
  const size_t r = iconv(state_->cd, &inp, &in_left, &out, &out_left);
  const int err = errno;
  in = inp;
  if (r != static_cast<size_t>(-1)) return Result::done;
  return err == E2BIG ? Result::full : err == EINVAL ? Result::cut : Result::bad;
}

#else

// The code page's MultiByteToWideChar (CP949) or the bytes themselves
// (UTF-16), then WideCharToMultiByte to UTF-8, for the longest run of whole
// characters that surely fits the output.
struct ToUtf8::State {
  enum class Kind { none, cp949, utf16le, utf16be } kind = Kind::none;
  std::vector<wchar_t> wide;
};

ToUtf8::ToUtf8(const char* from) : state_(std::make_unique<State>()) {
  const std::string f = from;
  if (f == "CP949" && IsValidCodePage(949)) state_->kind = State::Kind::cp949;
  if (f == "UTF-16LE") state_->kind = State::Kind::utf16le;
  if (f == "UTF-16BE") state_->kind = State::Kind::utf16be;
}

ToUtf8::~ToUtf8() = default;

bool ToUtf8::ok() const {
  return state_->kind != State::Kind::none;
}

ToUtf8::Result ToUtf8::convert(const char*& in, size_t& in_left, char*& out, size_t& out_left) {
  const auto* b = reinterpret_cast<const unsigned char*>(in);
  const bool cp949 = state_->kind == State::Kind::cp949;
  // Whole characters that fit: a CP949 character is 1 or 2 bytes (a lead
  // byte 0x81-0xFE and a trail), at most 3 in UTF-8; a UTF-16 unit is 2
  // bytes, at most 3 in UTF-8, and a surrogate pair 4 bytes and 4.
  size_t take = 0, room = out_left;
  bool cut = false;
  while (take < in_left) {
    size_t len = 1, worst = 1;
    if (cp949) {
      if (b[take] >= 0x80) len = 2, worst = 3;
    } else {
      len = 2, worst = 3;
      if (take + 1 < in_left) {
        const unsigned unit =
            state_->kind == State::Kind::utf16le ? b[take] | b[take + 1] << 8 : b[take] << 8 | b[take + 1];
        if (unit >= 0xD800 && unit <= 0xDBFF) len = 4, worst = 4;
      }
    }
    if (take + len > in_left) {
      cut = true;
      break;
    }
    if (worst > room) break;
    take += len;
    room -= worst;
  }
  if (take == 0 && !cut && in_left > 0) return Result::full;
  // To UTF-16.
  std::vector<wchar_t>& wide = state_->wide;
  int units = 0;
  if (cp949) {
    wide.resize(take + 1);
    units = take == 0 ? 0
                      : MultiByteToWideChar(949, MB_ERR_INVALID_CHARS, in, static_cast<int>(take), wide.data(),
                                            static_cast<int>(wide.size()));
    if (take > 0 && units == 0) {
      // A sequence the code page does not have: convert up to it, one
      // character at a time, and stop there.
      size_t at = 0, good = 0;
      wchar_t one[2];
      while (at < take) {
        const size_t len = b[at] >= 0x80 ? 2 : 1;
        if (MultiByteToWideChar(949, MB_ERR_INVALID_CHARS, in + at, static_cast<int>(len), one, 2) == 0) break;
        at += len;
      }
      good = at;
      const char* start = in;
      size_t left = good;
      if (good > 0) convert(start, left, out, out_left);
      in += good;
      in_left -= good;
      return Result::bad;
    }
  } else {
    wide.resize(take / 2 + 1);
    for (size_t i = 0; i + 1 < take; i += 2) {
      wide[i / 2] =
          static_cast<wchar_t>(state_->kind == State::Kind::utf16le ? b[i] | b[i + 1] << 8 : b[i] << 8 | b[i + 1]);
    }
    units = static_cast<int>(take / 2);
  }
  // To UTF-8.
  if (units > 0) {
    const int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, wide.data(), units, out,
                                      static_cast<int>(out_left), nullptr, nullptr);
    if (n == 0) {
      // An unpaired surrogate: find the first one and convert up to it.
      int at = 0;
      while (at < units) {
        const wchar_t u = wide[static_cast<size_t>(at)];
        const bool high = u >= 0xD800 && u <= 0xDBFF, low = u >= 0xDC00 && u <= 0xDFFF;
        if (low || (high && (at + 1 >= units || wide[static_cast<size_t>(at) + 1] < 0xDC00 ||
                             wide[static_cast<size_t>(at) + 1] > 0xDFFF))) {
          break;
        }
        at += high ? 2 : 1;
      }
      const int m =
          at == 0 ? 0
                  : WideCharToMultiByte(CP_UTF8, 0, wide.data(), at, out, static_cast<int>(out_left), nullptr, nullptr);
      out += m;
      out_left -= static_cast<size_t>(m);
      in += 2 * static_cast<size_t>(at);
      in_left -= 2 * static_cast<size_t>(at);
      return Result::bad;
    }
    out += n;
    out_left -= static_cast<size_t>(n);
  }
  in += take;
  in_left -= take;
  if (cut) return Result::cut;
  return in_left == 0 ? Result::done : Result::full;
}

#endif

}  // namespace aisb
