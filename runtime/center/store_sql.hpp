// What the store's source files share (not for other parts): a prepared
// statement that finalizes itself, random bytes from the kernel, hex, the
// clock. Included by store.cpp and store_class.cpp only.
#pragma once

#include <sqlite3.h>
#include <sys/random.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "center/store.hpp"

namespace aisb::center::store_detail {

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) throw StoreError(sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(sqlite3_errmsg(db_));
  }
  std::string text(int i) {
    const auto* t = sqlite3_column_text(s_, i);
    return t != nullptr ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t integer(int i) { return sqlite3_column_int64(s_, i); }
  double real(int i) { return sqlite3_column_double(s_, i); }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

inline int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  size_t at = 0;
  while (at < n) {
    const ssize_t got = ::getrandom(out.data() + at, n - at, 0);
    if (got <= 0) throw StoreError("the kernel gave no random bytes");
    at += static_cast<size_t>(got);
  }
  return out;
}

inline std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out += digits[(static_cast<unsigned char>(c) >> 4) & 15];
    out += digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

// The letters and digits of class and personal codes: none of the
// look-alikes 0/O, 1/I/L, 5/S, 8/B.
inline constexpr char kCodeAlphabet[] = "ACDEFGHJKMNPQRTUVWXY234679";

// `n` characters of kCodeAlphabet, uniformly (no modulo bias).
inline std::string random_code(size_t n) {
  constexpr unsigned size = sizeof kCodeAlphabet - 1;
  std::string code;
  while (code.size() < n) {
    for (const char c : random_bytes(2 * n)) {
      const auto v = static_cast<unsigned char>(c);
      if (v >= 256 / size * size) continue;
      code += kCodeAlphabet[v % size];
      if (code.size() == n) break;
    }
  }
  return code;
}

}  // namespace aisb::center::store_detail
