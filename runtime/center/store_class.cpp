// The store's part for a class (see store.hpp): the roster and personal
// codes, published lessons and students' progress.
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "center/store.hpp"
#include "center/store_sql.hpp"
#include "core/json_text.hpp"
#include "data/data_pack.hpp"

namespace aisb::center {

using namespace store_detail;

namespace {

constexpr int kCodeIterations = 20000;  // about 7 ms a check on a 2020s CPU

std::string pbkdf2(const std::string& code, const std::string& salt, int iterations) {
  unsigned char out[32];
  if (PKCS5_PBKDF2_HMAC(code.data(), static_cast<int>(code.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out, out) != 1) {
    throw StoreError("PBKDF2 failed");
  }
  return hex(std::string(reinterpret_cast<char*>(out), sizeof out));
}

// What progress is checked against, as stored with the lesson.
std::string checks_json(const ClassLesson& l) {
  nlohmann::json answers = nlohmann::json::object();
  for (const auto& [step, answer] : l.quiz_answers) answers[std::to_string(step)] = answer;
  return nlohmann::json{{"goals", l.goal_steps}, {"answers", answers}}.dump();
}

}  // namespace

std::string Store::normalize_code(const std::string& typed) {
  if (typed.size() > 256) return "";
  std::string out;
  for (size_t i = 0; i < typed.size(); ++i) {
    auto c = static_cast<unsigned char>(typed[i]);
    // Full-width forms (U+FF01-U+FF5E, EF BC 81 .. EF BD 9E) and the
    // ideographic space (E3 80 80): what a Korean keyboard in full-width
    // mode types.
    if (c == 0xEF && i + 2 < typed.size()) {
      const auto b1 = static_cast<unsigned char>(typed[i + 1]), b2 = static_cast<unsigned char>(typed[i + 2]);
      const int cp = ((c & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
      if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && cp >= 0xFF01 && cp <= 0xFF5E) {
        c = static_cast<unsigned char>(cp - 0xFEE0);
        i += 2;
      } else {
        return "";
      }
    } else if (c == 0xE3 && i + 2 < typed.size() && static_cast<unsigned char>(typed[i + 1]) == 0x80 &&
               static_cast<unsigned char>(typed[i + 2]) == 0x80) {
      i += 2;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '-' || c == '_' || c == '\r' || c == '\n') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return "";
    out += static_cast<char>(c);
  }
  return out.size() <= 32 ? out : "";
}

std::string Store::new_personal_code() {
  const std::string c = random_code(8);
  return c.substr(0, 4) + "-" + c.substr(4);
}

std::string Store::hash_code(const std::string& code) {
  const std::string salt = hex(random_bytes(16));
  return "pbkdf2-sha256$" + std::to_string(kCodeIterations) + "$" + salt + "$" +
         pbkdf2(normalize_code(code), salt, kCodeIterations);
}

bool Store::code_matches(const std::string& code, const std::string& stored) {
  const std::string typed = normalize_code(code);
  if (typed.empty()) return false;
  // pbkdf2-sha256$N$SALT$HASH
  const size_t a = stored.find('$'), b = stored.find('$', a + 1), c = stored.find('$', b + 1);
  if (a == std::string::npos || b == std::string::npos || c == std::string::npos ||
      stored.compare(0, a, "pbkdf2-sha256") != 0) {
    return false;
  }
  int iterations = 0;
  try {
    iterations = std::stoi(stored.substr(a + 1, b - a - 1));
  } catch (const std::exception&) {
    return false;
  }
  if (iterations < 1 || iterations > 10'000'000) return false;
  const std::string want = stored.substr(c + 1);
  const std::string got = pbkdf2(typed, stored.substr(b + 1, c - b - 1), iterations);
  return want.size() == got.size() && CRYPTO_memcmp(want.data(), got.data(), got.size()) == 0;
}

bool Store::roster_only(const std::string& class_id) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT roster_only FROM classes WHERE id = ?");
  s.bind(1, class_id);
  return s.step() && s.integer(0) != 0;
}

std::vector<NewCode> Store::roster_add(const std::string& class_id, const std::vector<std::string>& names,
                                       int64_t max_students) {
  std::vector<NewCode> out;
  std::vector<std::string> clean;
  for (const std::string& n : names) {
    std::string why;
    const std::string c = normalize_name(n, &why);
    if (!why.empty()) throw std::invalid_argument("'" + n + "': " + why);
    if (std::find(clean.begin(), clean.end(), c) != clean.end()) {
      throw std::invalid_argument("'" + c + "' is given twice");
    }
    clean.push_back(c);
  }
  // The hashes first: they are slow, and the lock is the whole center's.
  std::vector<std::string> hashes;
  for (const std::string& c : clean) {
    out.push_back({c, new_personal_code()});
    hashes.push_back(hash_code(out.back().code));
  }
  const std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    int64_t students = 0;
    {
      Stmt s(db_, "SELECT COUNT(*) FROM students WHERE class_id = ?");
      s.bind(1, class_id);
      if (s.step()) students = s.integer(0);
    }
    if (students + static_cast<int64_t>(clean.size()) > max_students) {
      throw QuotaError("the class has " + std::to_string(students) + " students and this center allows " +
                       std::to_string(max_students) + " a class: " + std::to_string(max_students - students) +
                       " more names fit, not " + std::to_string(clean.size()));
    }
    for (size_t i = 0; i < clean.size(); ++i) {
      {
        Stmt s(db_, "SELECT 1 FROM students WHERE class_id = ? AND name = ?");
        s.bind(1, class_id).bind(2, clean[i]);
        if (s.step()) {
          throw std::invalid_argument(
              "'" + clean[i] +
              "' is on the roster already (a lost code: give them a new one with New code in the class view, or "
              "aisandbox-cli class reset-code)");
        }
      }
      Stmt(db_, "INSERT INTO students (id, class_id, name, created, code_hash) VALUES (?, ?, ?, ?, ?)")
          .bind(1, hex(random_bytes(6)).insert(0, 1, 's'))
          .bind(2, class_id)
          .bind(3, clean[i])
          .bind(4, now_seconds())
          .bind(5, hashes[i])
          .step();
    }
    Stmt(db_, "UPDATE classes SET roster_only = 1 WHERE id = ?").bind(1, class_id).step();
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  return out;
}

std::optional<NewCode> Store::reset_code(const std::string& class_id, const std::string& name) {
  std::string why;
  const std::string clean = normalize_name(name, &why);
  if (!why.empty()) return std::nullopt;
  NewCode c{clean, new_personal_code()};
  const std::string hash = hash_code(c.code);
  const std::lock_guard lock(mutex_);
  std::string id;
  {
    Stmt s(db_, "SELECT id FROM students WHERE class_id = ? AND name = ?");
    s.bind(1, class_id).bind(2, clean);
    if (!s.step()) return std::nullopt;
    id = s.text(0);
  }
  exec("BEGIN IMMEDIATE");
  try {
    Stmt(db_, "UPDATE students SET code_hash = ? WHERE id = ?").bind(1, hash).bind(2, id).step();
    Stmt(db_, "DELETE FROM tokens WHERE student_id = ?").bind(1, id).step();
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  return c;
}

std::vector<StudentRow> Store::students(const std::string& class_id) {
  const std::lock_guard lock(mutex_);
  std::vector<StudentRow> out;
  Stmt s(db_,
         "SELECT s.id, s.name, s.created, s.last_seen, s.code_hash != '', "
         "(SELECT COUNT(*) FROM tokens t WHERE t.student_id = s.id) FROM students s WHERE s.class_id = ? "
         "ORDER BY s.created, s.rowid");
  s.bind(1, class_id);
  while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), s.integer(3), s.integer(4) != 0, s.integer(5)});
  return out;
}

// ---------------------------------------------------------------- lessons

Store::PutLesson Store::put_lesson(const std::string& class_id, const ClassLesson& l, int64_t max_lessons) {
  const std::lock_guard lock(mutex_);
  int64_t position = -1, count = 0, last = 0;
  {
    Stmt s(db_, "SELECT position FROM lessons WHERE class_id = ? AND id = ?");
    s.bind(1, class_id).bind(2, l.id);
    if (s.step()) position = s.integer(0);
  }
  {
    Stmt s(db_, "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM lessons WHERE class_id = ?");
    s.bind(1, class_id);
    if (s.step()) count = s.integer(0), last = s.integer(1);
  }
  const bool added = position < 0;
  if (added) {
    if (count >= max_lessons) return PutLesson::full;
    position = last + 1;
  }
  Stmt(db_,
       "INSERT OR REPLACE INTO lessons (class_id, id, position, text, sha256, title_ko, title_en, steps, updated, "
       "checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, class_id)
      .bind(2, l.id)
      .bind(3, position)
      .bind(4, l.text)
      .bind(5, sha256_hex(l.text))
      .bind(6, l.title_ko)
      .bind(7, l.title_en)
      .bind(8, l.steps)
      .bind(9, now_seconds())
      .bind(10, checks_json(l))
      .step();
  return added ? PutLesson::added : PutLesson::replaced;
}

bool Store::delete_lesson(const std::string& class_id, const std::string& id) {
  const std::lock_guard lock(mutex_);
  Stmt(db_, "DELETE FROM lessons WHERE class_id = ? AND id = ?").bind(1, class_id).bind(2, id).step();
  return sqlite3_changes(db_) > 0;
}

std::vector<ClassLesson> Store::class_lessons(const std::string& class_id) {
  const std::lock_guard lock(mutex_);
  std::vector<ClassLesson> out;
  Stmt s(db_,
         "SELECT id, position, sha256, title_ko, title_en, steps, updated FROM lessons WHERE class_id = ? "
         "ORDER BY position");
  s.bind(1, class_id);
  while (s.step()) {
    out.push_back({s.text(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.integer(6), ""});
  }
  return out;
}

std::optional<ClassLesson> Store::class_lesson(const std::string& class_id, const std::string& id, bool with_text) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, with_text ? "SELECT id, position, sha256, title_ko, title_en, steps, updated, text, checks FROM lessons "
                          "WHERE class_id = ? AND id = ?"
                        : "SELECT id, position, sha256, title_ko, title_en, steps, updated, '', checks FROM lessons "
                          "WHERE class_id = ? AND id = ?");
  s.bind(1, class_id).bind(2, id);
  if (!s.step()) return std::nullopt;
  ClassLesson l{s.text(0),    s.integer(1), s.text(2), s.text(3), s.text(4),
                s.integer(5), s.integer(6), s.text(7), {},        {}};
  const nlohmann::json checks = parse_json(s.text(8));
  if (checks.is_object()) {
    for (const auto& g : checks.value("goals", nlohmann::json::array())) {
      if (g.is_number_integer()) l.goal_steps.push_back(g.get<int>());
    }
    const nlohmann::json answers =
        checks.value("answers", nlohmann::json::object());  // (items() of a temporary dangles)
    for (const auto& [step, answer] : answers.items()) {
      if (answer.is_number_integer()) l.quiz_answers[std::atoi(step.c_str())] = answer.get<int>();
    }
  }
  return l;
}

// ---------------------------------------------------------------- progress

void Store::put_progress(const std::string& student_id, const std::string& lesson, const std::string& data) {
  const std::lock_guard lock(mutex_);
  Stmt(db_, "INSERT OR REPLACE INTO progress (student_id, lesson, data, updated) VALUES (?, ?, ?, ?)")
      .bind(1, student_id)
      .bind(2, lesson)
      .bind(3, data)
      .bind(4, now_seconds())
      .step();
}

std::vector<ProgressRow> Store::select_progress(const char* where, const std::vector<std::string>& values) {
  const std::lock_guard lock(mutex_);
  std::vector<ProgressRow> out;
  Stmt s(db_, (std::string("SELECT p.student_id, s.name, p.lesson, p.data, p.updated FROM progress p JOIN students s "
                           "ON s.id = p.student_id WHERE ") +
               where + " ORDER BY s.created, s.rowid, p.lesson")
                  .c_str());
  for (size_t i = 0; i < values.size(); ++i) s.bind(static_cast<int>(i) + 1, values[i]);
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)});
  return out;
}

std::vector<ProgressRow> Store::class_progress(const std::string& class_id) {
  return select_progress("s.class_id = ?", {class_id});
}

std::vector<ProgressRow> Store::progress_of_student(const std::string& student_id) {
  return select_progress("p.student_id = ?", {student_id});
}

std::optional<ProgressRow> Store::progress_of(const std::string& student_id, const std::string& lesson) {
  auto rows = select_progress("p.student_id = ? AND p.lesson = ?", {student_id, lesson});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

// ---------------------------------------------------------------- addresses

void Store::note_sign_in_address(const std::string& class_id, const std::string& address) {
  const std::lock_guard lock(mutex_);
  const int64_t now = now_seconds();
  Stmt(db_, "INSERT OR REPLACE INTO sign_in_addresses (class_id, address, seen) VALUES (?, ?, ?)")
      .bind(1, class_id)
      .bind(2, address)
      .bind(3, now)
      .step();
  // A day's addresses are what the limits ask about; a class behind many
  // addresses (phones on a mobile network) keeps its newest 1,000.
  Stmt(db_,
       "DELETE FROM sign_in_addresses WHERE class_id = ? AND (seen < ? OR address NOT IN (SELECT address FROM "
       "sign_in_addresses WHERE class_id = ? ORDER BY seen DESC LIMIT 1000))")
      .bind(1, class_id)
      .bind(2, now - 86400)
      .bind(3, class_id)
      .step();
}

bool Store::signed_in_from(const std::string& class_id, const std::string& address, int64_t within_seconds) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT 1 FROM sign_in_addresses WHERE class_id = ? AND address = ? AND seen >= ?");
  s.bind(1, class_id).bind(2, address).bind(3, now_seconds() - within_seconds);
  return s.step();
}

}  // namespace aisb::center
