// Text to UTF-8 from the encodings a class's CSV files come in: CP949
// (EUC-KR with Hangul's extensions, what Korean Excel saves) and UTF-16 (its
// "Unicode text"). glibc's iconv on Linux; the system's code pages on
// Windows, which has no iconv. Used a piece at a time, as iconv is.
#pragma once

#include <cstddef>
#include <memory>

namespace aisb {

class ToUtf8 {
 public:
  // `from`: "CP949", "UTF-16LE" or "UTF-16BE".
  explicit ToUtf8(const char* from);
  ~ToUtf8();
  ToUtf8(const ToUtf8&) = delete;
  ToUtf8& operator=(const ToUtf8&) = delete;

  // False when this system cannot convert from that encoding.
  [[nodiscard]] bool ok() const;

  enum class Result {
    done,  // all of the input is converted
    full,  // the output is full: call again with more room
    cut,   // the input ends inside a character: what is left is its start
    bad,   // `in` points at a sequence the encoding does not have
  };
  // Converts from [in, in + in_left) into [out, out + out_left), moving both
  // past what it converted, as iconv does.
  Result convert(const char*& in, size_t& in_left, char*& out, size_t& out_left);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace aisb
