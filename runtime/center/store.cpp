#include "center/store.hpp"

#include <chrono>
#include <cstdio>

#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/random.h>

namespace aisb::center {

namespace {

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

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  size_t at = 0;
  while (at < n) {
    const ssize_t got = ::getrandom(out.data() + at, n - at, 0);
    if (got <= 0) throw StoreError("the kernel gave no random bytes");
    at += static_cast<size_t>(got);
  }
  return out;
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out += digits[(static_cast<unsigned char>(c) >> 4) & 15];
    out += digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

// Join codes: 6 characters without the look-alikes 0/O, 1/I/L, 5/S, 8/B.
std::string join_code() {
  static const char alphabet[] = "ACDEFGHJKMNPQRTUVWXY234679";
  constexpr unsigned n = sizeof alphabet - 1;
  std::string code;
  for (const char c : random_bytes(12)) {
    const auto v = static_cast<unsigned char>(c);
    if (v >= 256 / n * n) continue;  // no modulo bias
    code += alphabet[v % n];
    if (code.size() == 6) return code;
  }
  return join_code();
}

}  // namespace

std::string random_token() { return hex(random_bytes(32)); }

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) throw StoreError("SHA-256 failed");
  return hex(std::string(reinterpret_cast<char*>(digest), len));
}

Store::Store(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  const std::string file = (data_dir / "center.db").string();
  if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open " + file + ": " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA synchronous=NORMAL");
  exec("CREATE TABLE IF NOT EXISTS classes (id TEXT PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL UNIQUE, "
       "teacher_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL)");
  exec("CREATE TABLE IF NOT EXISTS students (id TEXT PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id) "
       "ON DELETE CASCADE, name TEXT NOT NULL, created INTEGER NOT NULL, UNIQUE(class_id, name))");
  exec("CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, student_id TEXT NOT NULL REFERENCES students(id) "
       "ON DELETE CASCADE, created INTEGER NOT NULL)");
}

Store::~Store() { sqlite3_close(db_); }

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError(why);
  }
}

std::string Store::journal_mode() {
  Stmt s(db_, "PRAGMA journal_mode");
  return s.step() ? s.text(0) : "";
}

NewClass Store::create_class(const std::string& name) {
  NewClass c;
  c.info.id = hex(random_bytes(6)).insert(0, 1, 'c');  // (not "c" + ...: GCC 12 warns wrongly on that)
  c.info.name = name;
  c.info.created = now_seconds();
  c.teacher_token = random_token();
  for (int attempt = 0;; ++attempt) {
    c.info.code = join_code();
    try {
      Stmt(db_, "INSERT INTO classes (id, name, code, teacher_hash, created) VALUES (?, ?, ?, ?, ?)")
          .bind(1, c.info.id)
          .bind(2, name)
          .bind(3, c.info.code)
          .bind(4, sha256_hex(c.teacher_token))
          .bind(5, c.info.created)
          .step();
      return c;
    } catch (const StoreError&) {
      if (attempt > 20) throw;  // a code taken already: draw another
    }
  }
}

std::vector<ClassInfo> Store::classes() {
  std::vector<ClassInfo> out;
  Stmt s(db_,
         "SELECT c.id, c.name, c.code, c.created, (SELECT COUNT(*) FROM students s WHERE s.class_id = c.id) "
         "FROM classes c ORDER BY c.created, c.id");
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4)});
  return out;
}

std::optional<ClassInfo> Store::find_class(const std::string& id_or_code) {
  Stmt s(db_,
         "SELECT c.id, c.name, c.code, c.created, (SELECT COUNT(*) FROM students s WHERE s.class_id = c.id) "
         "FROM classes c WHERE c.id = ? OR c.code = ?");
  s.bind(1, id_or_code).bind(2, id_or_code);
  if (!s.step()) return std::nullopt;
  return ClassInfo{s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4)};
}

bool Store::delete_class(const std::string& id) {
  Stmt(db_, "DELETE FROM classes WHERE id = ?").bind(1, id).step();
  return sqlite3_changes(db_) > 0;
}

std::optional<std::string> Store::login(const std::string& class_code, const std::string& name) {
  if (name.empty() || name.size() > 120) throw std::invalid_argument("name: 1 to 40 characters, please");
  for (const char ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) throw std::invalid_argument("name: no control characters");
  }
  const auto c = find_class(class_code);
  if (!c || c->code != class_code) return std::nullopt;
  std::string student_id;
  {
    Stmt s(db_, "SELECT id FROM students WHERE class_id = ? AND name = ?");
    s.bind(1, c->id).bind(2, name);
    if (s.step()) student_id = s.text(0);
  }
  if (student_id.empty()) {
    student_id = hex(random_bytes(6)).insert(0, 1, 's');
    Stmt(db_, "INSERT INTO students (id, class_id, name, created) VALUES (?, ?, ?, ?)")
        .bind(1, student_id)
        .bind(2, c->id)
        .bind(3, name)
        .bind(4, now_seconds())
        .step();
  }
  const std::string token = random_token();
  Stmt(db_, "INSERT INTO tokens (hash, student_id, created) VALUES (?, ?, ?)")
      .bind(1, sha256_hex(token))
      .bind(2, student_id)
      .bind(3, now_seconds())
      .step();
  return token;
}

std::optional<Principal> Store::authenticate(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  const std::string h = sha256_hex(token);
  {
    Stmt s(db_, "SELECT id FROM classes WHERE teacher_hash = ?");
    s.bind(1, h);
    if (s.step()) return Principal{Principal::Kind::teacher, s.text(0), "", ""};
  }
  Stmt s(db_, "SELECT s.class_id, s.id, s.name FROM tokens t JOIN students s ON s.id = t.student_id WHERE t.hash = ?");
  s.bind(1, h);
  if (!s.step()) return std::nullopt;
  return Principal{Principal::Kind::student, s.text(0), s.text(1), s.text(2)};
}

}  // namespace aisb::center
