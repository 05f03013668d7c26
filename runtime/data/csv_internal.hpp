// What csv_table.cpp (reading) and csv_build.cpp (samples) both use: how a
// place in a file and a count are written in messages, and how a number a
// column holds is written as a class name or a category. Private to those two.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace aisb::csv_detail {

inline std::string at(const std::string& name, int64_t line) {
  return name + ":" + std::to_string(line);
}

inline std::string count_text(int64_t n) {
  return std::to_string(n);
}

inline std::string number_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char b[32];
  const auto r = std::to_chars(b, b + sizeof b, v);
  return std::string(b, r.ptr);
}

}  // namespace aisb::csv_detail
