// The center's store (see store.hpp): SQLite under DATA, the folder's lock
// and permissions, and the rate-limit table. Every value from a client is a
// bound parameter; names are checked before they are stored.
#include "center/store.hpp"
#include "center/store_sql.hpp"
#include "data/data_pack.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

namespace aisb::center {

namespace {

using namespace store_detail;

// Join codes: 6 characters without look-alikes.
std::string join_code() {
  return random_code(6);
}
}  // namespace

std::string random_token() {
  return hex(random_bytes(32));
}

std::string new_job_id() {
  return hex(random_bytes(8)).insert(0, 1, 'j');
}

bool is_job_id(const std::string& id) {
  return id.size() == 17 && id[0] == 'j' &&
         std::all_of(id.begin() + 1, id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Store::Store(const std::filesystem::path& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // A folder we make is the owner's alone from the start (serve also
  // tightens one an older version made: secure_data_folder).
  if (fs::create_directories(data_dir, ec)) fs::permissions(data_dir, fs::perms::owner_all, ec);
  const std::string file = (data_dir / "center.db").string();
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files
  // the database's mode.
  if (const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
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
  exec(
      "CREATE TABLE IF NOT EXISTS classes (id TEXT PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL UNIQUE, "
      "teacher_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL)");
  exec(
      "CREATE TABLE IF NOT EXISTS students (id TEXT PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id) "
      "ON DELETE CASCADE, name TEXT NOT NULL, created INTEGER NOT NULL, UNIQUE(class_id, name))");
  exec(
      "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, class_id TEXT NOT NULL, owner TEXT NOT NULL, "
      "owner_name TEXT NOT NULL, lesson TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', "
      "created INTEGER NOT NULL, started INTEGER NOT NULL DEFAULT 0, finished INTEGER NOT NULL DEFAULT 0, "
      "parameters INTEGER NOT NULL DEFAULT 0, estimate REAL NOT NULL DEFAULT 0, executor_id TEXT NOT NULL DEFAULT '', "
      "node TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0)");
  exec("CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner, created)");
  exec("CREATE INDEX IF NOT EXISTS jobs_by_class ON jobs (class_id, created)");
  exec("CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, created)");
  exec("CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs (created)");
  exec(
      "CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, student_id TEXT NOT NULL REFERENCES students(id) "
      "ON DELETE CASCADE, created INTEGER NOT NULL)");
  exec("CREATE INDEX IF NOT EXISTS tokens_by_student ON tokens (student_id, created)");
  exec("CREATE INDEX IF NOT EXISTS students_by_class ON students (class_id)");
  // Columns and tables added since the first schema (a database is only
  // ever extended).
  add_column("jobs", "idempotency_key", "TEXT NOT NULL DEFAULT ''");
  add_column("classes", "roster_only", "INTEGER NOT NULL DEFAULT 0");
  add_column("students", "code_hash", "TEXT NOT NULL DEFAULT ''");
  add_column("students", "last_seen", "INTEGER NOT NULL DEFAULT 0");
  exec(
      "CREATE TABLE IF NOT EXISTS lessons (class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE, "
      "id TEXT NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL, sha256 TEXT NOT NULL, "
      "title_ko TEXT NOT NULL, title_en TEXT NOT NULL, steps INTEGER NOT NULL, updated INTEGER NOT NULL, "
      "PRIMARY KEY (class_id, id))");
  add_column("lessons", "checks", "TEXT NOT NULL DEFAULT '{}'");
  exec(
      "CREATE TABLE IF NOT EXISTS sign_in_addresses (class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE, "
      "address TEXT NOT NULL, seen INTEGER NOT NULL, PRIMARY KEY (class_id, address))");
  exec(
      "CREATE TABLE IF NOT EXISTS progress (student_id TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE, "
      "lesson TEXT NOT NULL, data TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (student_id, lesson))");
  // Uploaded data sets: the files, which classes hold each, and which job reads one.
  exec(
      "CREATE TABLE IF NOT EXISTS data (sha256 TEXT PRIMARY KEY, bytes INTEGER NOT NULL, created INTEGER NOT NULL, "
      "last_used INTEGER NOT NULL)");
  exec(
      "CREATE TABLE IF NOT EXISTS data_classes (sha256 TEXT NOT NULL REFERENCES data(sha256) ON DELETE CASCADE, "
      "class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE, uploaded_by TEXT NOT NULL, "
      "created INTEGER NOT NULL, PRIMARY KEY (class_id, sha256))");
  exec("CREATE INDEX IF NOT EXISTS data_classes_by_sha256 ON data_classes (sha256)");
  add_column("jobs", "data_sha256", "TEXT NOT NULL DEFAULT ''");
  exec("CREATE INDEX IF NOT EXISTS jobs_by_data ON jobs (data_sha256) WHERE data_sha256 != ''");
}

void Store::add_column(const char* table, const char* column, const char* declaration) {
  const auto has = [&] {
    Stmt s(db_, (std::string("SELECT 1 FROM pragma_table_info('") + table + "') WHERE name = ?").c_str());
    s.bind(1, std::string(column));
    return s.step();
  };
  if (has()) return;
  try {
    exec((std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + declaration).c_str());
  } catch (const StoreError&) {
    if (!has()) throw;  // else a `class` command added it at the same moment
  }
}

Store::~Store() {
  sqlite3_close(db_);
}

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError(why);
  }
}

std::string Store::journal_mode() {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "PRAGMA journal_mode");
  return s.step() ? s.text(0) : "";
}

NewClass Store::create_class(const std::string& name) {
  const std::lock_guard lock(mutex_);
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
  const std::lock_guard lock(mutex_);
  std::vector<ClassInfo> out;
  Stmt s(db_,
         "SELECT c.id, c.name, c.code, c.created, (SELECT COUNT(*) FROM students s WHERE s.class_id = c.id) "
         "FROM classes c ORDER BY c.created, c.id");
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4)});
  return out;
}

std::optional<ClassInfo> Store::find_class(const std::string& id_or_code) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_,
         "SELECT c.id, c.name, c.code, c.created, (SELECT COUNT(*) FROM students s WHERE s.class_id = c.id) "
         "FROM classes c WHERE c.id = ? OR c.code = ?");
  const std::string code = normalize_code(id_or_code);
  s.bind(1, id_or_code).bind(2, code.empty() ? id_or_code : code);
  if (!s.step()) return std::nullopt;
  return ClassInfo{s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4)};
}

bool Store::delete_class(const std::string& id) {
  const std::lock_guard lock(mutex_);
  Stmt(db_, "DELETE FROM classes WHERE id = ?").bind(1, id).step();
  return sqlite3_changes(db_) > 0;
}

std::vector<std::string> Store::student_names(const std::string& class_id) {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  Stmt s(db_, "SELECT name FROM students WHERE class_id = ? ORDER BY created, rowid");  // rowid: in the order they came
  s.bind(1, class_id);
  while (s.step()) out.push_back(s.text(0));
  return out;
}

bool Store::remove_student(const std::string& class_id, const std::string& name) {
  const std::lock_guard lock(mutex_);
  std::string why;
  const std::string clean = normalize_name(name, &why);
  Stmt(db_, "DELETE FROM students WHERE class_id = ? AND name = ?")
      .bind(1, class_id)
      .bind(2, clean.empty() ? name : clean)
      .step();
  return sqlite3_changes(db_) > 0;  // their tokens go with them (ON DELETE CASCADE)
}

namespace {

// The code point UTF-8 `s` holds at `*at` (moving past it), or -1 for
// anything that is not well-formed UTF-8: overlong forms, surrogates, past
// U+10FFFF, a sequence cut short.
int32_t next_code_point(const std::string& s, size_t* at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(*at);
  int n = 0;
  int32_t cp = 0, min = 0;
  if (b0 < 0x80) {
    ++*at;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (*at + n >= s.size()) return -1;
  for (int k = 1; k <= n; ++k) {
    const unsigned char b = byte(*at + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *at += n + 1;
  return cp;
}

void append_utf8(std::string& out, int32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Unicode's White_Space that is a space to the eye (not a line break).
bool is_space_char(int32_t c) {
  return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// The rest of White_Space: tabs and line breaks, trimmed at the ends and
// control characters inside.
bool is_break_char(int32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

bool is_control_char(int32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

// Characters that show nothing, or change the direction of what follows:
// a name holding one looks like a name without it.
bool is_invisible_char(int32_t c) {
  return c == 0xAD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x180E ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
         (c >= 0x2066 && c <= 0x206F) || c == 0x3164 || c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF9 && c <= 0xFFFB) ||
         (c >= 0xE0000 && c <= 0xE007F);
}

constexpr size_t kMaxNameChars = 40;

}  // namespace

std::string Store::normalize_name(const std::string& name, std::string* why) {
  const auto refuse = [&](const char* message) {
    *why = message;
    return std::string();
  };
  const char* length = "name: 1 to 40 characters, please";
  // Bounds the work; 40 characters are 160 bytes at most, and some room is
  // left for white space to trim.
  if (name.empty() || name.size() > 400) return refuse(length);
  std::vector<int32_t> cps;
  for (size_t at = 0; at < name.size();) {
    int32_t c = next_code_point(name, &at);
    if (c < 0) return refuse("name: not valid UTF-8");
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (is_space_char(c)) c = ' ';
    cps.push_back(c);
  }
  const auto trimmed = [](int32_t c) { return c == ' ' || is_break_char(c); };
  size_t begin = 0, end = cps.size();
  while (begin < end && trimmed(cps[begin])) ++begin;
  while (end > begin && trimmed(cps[end - 1])) --end;
  // (Decomposed Hangul takes three code points a syllable: the count is
  // made again after NFC.)
  if (end == begin || end - begin > 3 * kMaxNameChars) return refuse(length);
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (is_invisible_char(cps[i])) {
      return refuse("name: no invisible or direction-changing characters (such as U+200B or U+202E), please");
    }
    if (is_control_char(cps[i])) return refuse("name: no control characters");
    append_utf8(out, cps[i]);
  }
  // NFC: "é" typed as e + U+0301, or Hangul as separate jamo (as macOS
  // keyboards send it), is the same name as the composed form.
  utf8proc_uint8_t* composed = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(out.c_str()));
  if (composed == nullptr) return refuse("name: not valid UTF-8");
  out = reinterpret_cast<const char*>(composed);
  std::free(composed);
  size_t chars = 0;
  for (size_t at = 0; at < out.size(); ++chars) {
    if (next_code_point(out, &at) < 0) return refuse("name: not valid UTF-8");
  }
  if (chars > kMaxNameChars) return refuse(length);
  why->clear();
  return out;
}

std::string Store::check_name(const std::string& name) {
  std::string why;
  normalize_name(name, &why);
  return why;
}

SignIn Store::sign_in(const std::string& class_id, const std::string& name_as_sent, const std::string& personal_code,
                      int64_t max_students, int64_t token_seconds, int64_t max_tokens) {
  std::string why;
  const std::string name = normalize_name(name_as_sent, &why);
  if (!why.empty()) throw std::invalid_argument(why);
  SignIn out;
  out.name = name;
  std::string stored;
  // Under the store's lock: who has the name, and whether a new name may
  // join (the roster, and the cap on students that keeps invented names
  // from multiplying quotas). none: go on; else the answer.
  const auto look_up = [&]() -> std::optional<SignIn::Result> {
    out.student_id.clear();
    stored.clear();
    {
      Stmt s(db_, "SELECT id, code_hash FROM students WHERE class_id = ? AND name = ?");
      s.bind(1, class_id).bind(2, name);
      if (s.step()) out.student_id = s.text(0), stored = s.text(1);
    }
    if (!out.student_id.empty()) return std::nullopt;
    if (roster_only(class_id)) return SignIn::Result::not_on_roster;
    int64_t students = 0;
    {
      Stmt s(db_, "SELECT COUNT(*) FROM students WHERE class_id = ?");
      s.bind(1, class_id);
      if (s.step()) students = s.integer(0);
    }
    if (students >= max_students) throw QuotaError(class_full(students, max_students));
    return std::nullopt;
  };
  {
    const std::lock_guard lock(mutex_);
    if (const auto refused = look_up()) {
      out.result = *refused;
      return out;
    }
  }
  if (stored.empty()) {
    // The name's first sign-in (or its first since personal codes came):
    // it takes a code of its own, and from now on only that code opens it.
    // The hash is slow on purpose, so it is made outside the lock, and
    // the name is looked up again before it is written.
    const std::string code = new_personal_code();
    const std::string hash = hash_code(code);
    const std::lock_guard lock(mutex_);
    if (const auto refused = look_up()) {
      out.result = *refused;
      return out;
    }
    if (!stored.empty()) {
      out.result = SignIn::Result::code_needed;  // another sign-in claimed the name meanwhile
      return out;
    }
    if (out.student_id.empty()) {
      out.student_id = hex(random_bytes(6)).insert(0, 1, 's');
      Stmt(db_, "INSERT INTO students (id, class_id, name, created, code_hash) VALUES (?, ?, ?, ?, ?)")
          .bind(1, out.student_id)
          .bind(2, class_id)
          .bind(3, name)
          .bind(4, now_seconds())
          .bind(5, hash)
          .step();
    } else {
      Stmt(db_, "UPDATE students SET code_hash = ? WHERE id = ?").bind(1, hash).bind(2, out.student_id).step();
    }
    out.new_code = code;
  }
  if (out.new_code.empty()) {
    if (normalize_code(personal_code).empty()) {
      out.result = SignIn::Result::code_needed;
      return out;
    }
    // Slow on purpose (PBKDF2), so not under the store's lock.
    if (!code_matches(personal_code, stored)) {
      out.result = SignIn::Result::wrong_code;
      return out;
    }
  }
  const std::lock_guard lock(mutex_);
  out.token = issue_token(out.student_id, token_seconds, max_tokens);
  return out;
}

std::string Store::issue_token(const std::string& student_id, int64_t token_seconds, int64_t max_tokens) {
  const std::lock_guard lock(mutex_);
  const std::string token = random_token();
  const int64_t now = now_seconds();
  // Expired tokens let no one in; dropping the student's own here keeps the
  // table from growing with every sign-in.
  Stmt(db_, "DELETE FROM tokens WHERE student_id = ? AND created < ?")
      .bind(1, student_id)
      .bind(2, now - token_seconds)
      .step();
  Stmt(db_, "INSERT INTO tokens (hash, student_id, created) VALUES (?, ?, ?)")
      .bind(1, sha256_hex(token))
      .bind(2, student_id)
      .bind(3, now)
      .step();
  // Each sign-in is a token of its own, for a month: without a cap a
  // student could make the table grow by millions a day. Past the cap the
  // oldest go: an eleventh device signs out the first.
  Stmt(db_,
       "DELETE FROM tokens WHERE student_id = ? AND rowid NOT IN "
       "(SELECT rowid FROM tokens WHERE student_id = ? ORDER BY created DESC, rowid DESC LIMIT ?)")
      .bind(1, student_id)
      .bind(2, student_id)
      .bind(3, std::max<int64_t>(1, max_tokens))
      .step();
  Stmt(db_, "UPDATE students SET last_seen = ? WHERE id = ?").bind(1, now).bind(2, student_id).step();
  return token;
}

std::string Store::class_full(int64_t students, int64_t max_students) {
  return "the class has " + std::to_string(students) + " students, as many as this center allows (" +
         std::to_string(max_students) + "); ask your teacher";
}

bool Store::has_student(const std::string& class_id, const std::string& name) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT 1 FROM students WHERE class_id = ? AND name = ?");
  s.bind(1, class_id).bind(2, name);
  return s.step();
}

bool Store::revoke_token(const std::string& token) {
  const std::lock_guard lock(mutex_);
  if (token.size() != 64) return false;
  Stmt(db_, "DELETE FROM tokens WHERE hash = ?").bind(1, sha256_hex(token)).step();
  return sqlite3_changes(db_) > 0;
}

std::optional<Principal> Store::authenticate(const std::string& token, int64_t max_age_seconds) {
  const std::lock_guard lock(mutex_);
  if (token.size() != 64) return std::nullopt;
  const std::string h = sha256_hex(token);
  {
    Stmt s(db_, "SELECT id FROM classes WHERE teacher_hash = ?");
    s.bind(1, h);
    if (s.step()) return Principal{Principal::Kind::teacher, s.text(0), "", ""};
  }
  Stmt s(db_,
         "SELECT s.class_id, s.id, s.name FROM tokens t JOIN students s ON s.id = t.student_id "
         "WHERE t.hash = ? AND t.created >= ?");
  s.bind(1, h).bind(2, now_seconds() - max_age_seconds);
  if (!s.step()) return std::nullopt;
  return Principal{Principal::Kind::student, s.text(0), s.text(1), s.text(2)};
}

}  // namespace aisb::center

namespace aisb::center {

namespace {

const char* kJobColumns =
    "id, class_id, owner, owner_name, lesson, state, reason, created, started, finished, parameters, estimate, "
    "executor_id, node, attempts";

JobRecord read_job_row(Stmt& s) {
  JobRecord j;
  j.id = s.text(0);
  j.class_id = s.text(1);
  j.owner = s.text(2);
  j.owner_name = s.text(3);
  j.lesson = s.text(4);
  j.state = s.text(5);
  j.reason = s.text(6);
  j.created = s.integer(7);
  j.started = s.integer(8);
  j.finished = s.integer(9);
  j.parameters = s.integer(10);
  j.estimate_seconds = s.real(11);
  j.executor_id = s.text(12);
  j.node = s.text(13);
  j.attempts = static_cast<int>(s.integer(14));
  return j;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

JobRecord Store::add_job(JobRecord job) {
  const std::lock_guard lock(mutex_);
  if (job.id.empty()) job.id = new_job_id();
  // Strictly increasing creation times keep "newest first" and the queue's
  // order exact when a burst arrives within one millisecond.
  job.created = now_ms();
  {
    Stmt s(db_, "SELECT MAX(created) FROM jobs");
    if (s.step() && s.integer(0) >= job.created) job.created = s.integer(0) + 1;
  }
  Stmt(db_,
       "INSERT INTO jobs (id, class_id, owner, owner_name, lesson, state, reason, created, parameters, estimate, "
       "idempotency_key, data_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, job.id)
      .bind(2, job.class_id)
      .bind(3, job.owner)
      .bind(4, job.owner_name)
      .bind(5, job.lesson)
      .bind(6, job.state)
      .bind(7, job.reason)
      .bind(8, job.created)
      .bind(9, job.parameters)
      .bind(10, job.estimate_seconds)
      .bind(11, job.idempotency_key)
      .bind(12, job.data_sha256)
      .step();
  return job;
}

std::optional<JobRecord> Store::job_by_idempotency_key(const std::string& student_id, const std::string& key,
                                                       int64_t since_ms) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, (std::string("SELECT ") + kJobColumns +
               " FROM jobs WHERE owner = ? AND idempotency_key = ? AND created >= ? ORDER BY created LIMIT 1")
                  .c_str());
  s.bind(1, student_id).bind(2, key).bind(3, since_ms);
  if (!s.step()) return std::nullopt;
  JobRecord j = read_job_row(s);
  j.idempotency_key = key;
  return j;
}

std::optional<JobRecord> Store::job(const std::string& id) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_job_row(s);
}

// Jobs matching `where` (one text parameter), in `order`, at most `limit`.
std::vector<JobRecord> Store::select_jobs(const char* where, const std::string& value, const char* order,
                                          int64_t limit) {
  const std::lock_guard lock(mutex_);
  Stmt s(
      db_,
      (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE " + where + " ORDER BY " + order + " LIMIT ?").c_str());
  s.bind(1, value).bind(2, limit);
  std::vector<JobRecord> out;
  while (s.step()) out.push_back(read_job_row(s));
  return out;
}

std::vector<JobRecord> Store::jobs_of_student(const std::string& student_id, int limit) {
  return select_jobs("owner = ?", student_id, "created DESC", limit);
}

std::vector<JobRecord> Store::jobs_of_class(const std::string& class_id, int limit) {
  return select_jobs("class_id = ?", class_id, "created DESC", limit);
}

std::vector<JobRecord> Store::jobs_in_state(const std::string& state) {
  return select_jobs("state = ?", state, "created", -1);  // LIMIT -1: all
}

int64_t Store::count_jobs(const std::string& state) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT COUNT(*) FROM jobs WHERE state = ?");
  s.bind(1, state);
  return s.step() ? s.integer(0) : 0;
}

int64_t Store::count_jobs_of_student(const std::string& student_id, const std::string& state) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT COUNT(*) FROM jobs WHERE owner = ? AND state = ?");
  s.bind(1, student_id).bind(2, state);
  return s.step() ? s.integer(0) : 0;
}

int64_t Store::count_jobs_of_class(const std::string& class_id, const std::string& state) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT COUNT(*) FROM jobs WHERE class_id = ? AND state = ?");
  s.bind(1, class_id).bind(2, state);
  return s.step() ? s.integer(0) : 0;
}

void Store::update_job(const JobRecord& job) {
  const std::lock_guard lock(mutex_);
  Stmt(db_,
       "UPDATE jobs SET state = ?, reason = ?, started = ?, finished = ?, executor_id = ?, node = ?, attempts = ? "
       "WHERE id = ?")
      .bind(1, job.state)
      .bind(2, job.reason)
      .bind(3, job.started)
      .bind(4, job.finished)
      .bind(5, job.executor_id)
      .bind(6, job.node)
      .bind(7, int64_t{job.attempts})
      .bind(8, job.id)
      .step();
}

int64_t Store::class_busy_ms(const std::string& class_id, int64_t since_ms) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_,
         "SELECT COALESCE(SUM(MAX(0, (CASE WHEN finished > 0 THEN finished ELSE ? END) - MAX(started, ?))), 0) "
         "FROM jobs WHERE class_id = ? AND started > 0 AND (finished = 0 OR finished > ?)");
  const int64_t now = now_ms();
  s.bind(1, now).bind(2, since_ms).bind(3, class_id).bind(4, since_ms);
  return s.step() ? s.integer(0) : 0;
}

int64_t Store::class_pending_ms(const std::string& class_id, int64_t now) {
  const std::lock_guard lock(mutex_);
  // A running job has used (now - started) already, which class_busy_ms
  // counts; what its estimate has left is still to come.
  Stmt s(db_,
         "SELECT COALESCE(SUM(CASE WHEN state = 'queued' AND started = 0 THEN estimate * 1000 "
         "ELSE MAX(0, estimate * 1000 - (? - started)) END), 0) "
         "FROM jobs WHERE class_id = ? AND state IN ('queued', 'running')");
  s.bind(1, now).bind(2, class_id);
  return s.step() ? static_cast<int64_t>(std::ceil(s.real(0))) : 0;
}

// ---------------------------------------------------------------- the folder

DataLock::DataLock(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_dir / "center.lock";
  // O_CLOEXEC: a worker started by this center must not hold the lock on.
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw StoreError("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK) throw StoreError("cannot lock " + file.string() + ": " + std::strerror(err));
    std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
    pid.erase(std::find_if(pid.begin(), pid.end(), [](char c) { return c < '0' || c > '9'; }), pid.end());
    throw StoreError("the data folder " + data_dir.string() + " is in use by another aisandbox-center" +
                     (pid.empty() ? std::string() : " (pid " + pid + ")") +
                     "; stop it first, or give this one another --data folder");
  }
  // The pid serves only a second center's message: the lock holds without it.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

DataLock::~DataLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

void secure_data_folder(const std::filesystem::path& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(data_dir / "jobs", ec);
  if (ec) throw StoreError("cannot create " + (data_dir / "jobs").string() + ": " + ec.message());
  // A folder or file that is not ours to chmod (an operator's layout) is
  // said, not fatal: the center runs as it did before.
  const auto tighten = [](const fs::path& p, fs::perms mode, const char* how) {
    std::error_code e;
    if (!fs::exists(p, e)) return;
    fs::permissions(p, mode, fs::perm_options::replace, e);
    if (e) {
      std::fprintf(stderr, "aisandbox-center: warning: cannot make %s private (%s): %s; other users may read it\n",
                   p.c_str(), how, e.message().c_str());
    }
  };
  tighten(data_dir, fs::perms::owner_all, "chmod 700");
  tighten(data_dir / "jobs", fs::perms::owner_all, "chmod 700");
  for (const char* f : {"center.db", "center.db-wal", "center.db-shm", "center.lock"}) {
    tighten(data_dir / f, fs::perms::owner_read | fs::perms::owner_write, "chmod 600");
  }
}

// ---------------------------------------------------------------- rate limits

double RateTable::level(const Bucket& b, double now) const {
  return std::min(b.per_minute, b.tokens + (now - b.at) * b.per_minute / 60.0);
}

void RateTable::sweep(double now) {
  // A bucket that has filled up again is as good as none.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    it = level(it->second, now) >= it->second.per_minute ? buckets_.erase(it) : std::next(it);
  }
  last_sweep_ = now;
}

bool RateTable::take(const std::string& key, double per_minute, double now, double* retry_after) {
  const std::lock_guard lock(mutex_);
  if (now - last_sweep_ > 60) sweep(now);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    // At most one sweep a second: a flood of new keys against a full table
    // costs a refusal each, not a walk over the table each.
    if (buckets_.size() >= max_keys_ && now - last_sweep_ >= 1) sweep(now);
    if (buckets_.size() >= max_keys_) {
      *retry_after = 1;
      return false;
    }
    it = buckets_.emplace(key, Bucket{per_minute, now, per_minute}).first;
  }
  Bucket& b = it->second;
  b.per_minute = per_minute;
  b.tokens = level(b, now);
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  *retry_after = (1 - b.tokens) * 60.0 / per_minute;
  return false;
}

bool RateTable::has(const std::string& key, double per_minute, double now) {
  const std::lock_guard lock(mutex_);
  const auto it = buckets_.find(key);
  if (it == buckets_.end()) return per_minute >= 1;
  Bucket b = it->second;
  b.per_minute = per_minute;
  return level(b, now) >= 1;
}

size_t RateTable::size() {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace aisb::center
