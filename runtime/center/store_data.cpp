// The store's part for uploaded data sets (see store.hpp and data_store.hpp):
// which files the center holds, which classes uploaded each (their quota),
// and which are stale. The files themselves are DataStore's.
#include <sqlite3.h>

#include "center/store.hpp"
#include "center/store_sql.hpp"

namespace aisb::center {

using namespace store_detail;

std::optional<DataRecord> Store::data_record(const std::string& sha256) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT sha256, bytes, created, last_used FROM data WHERE sha256 = ?");
  s.bind(1, sha256);
  if (!s.step()) return std::nullopt;
  return DataRecord{s.text(0), s.integer(1), s.integer(2), s.integer(3)};
}

bool Store::class_has_data(const std::string& class_id, const std::string& sha256) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT 1 FROM data_classes WHERE class_id = ? AND sha256 = ?");
  s.bind(1, class_id).bind(2, sha256);
  return s.step();
}

int64_t Store::class_data_bytes(const std::string& class_id) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_,
         "SELECT COALESCE(SUM(d.bytes), 0) FROM data_classes c JOIN data d ON d.sha256 = c.sha256 "
         "WHERE c.class_id = ?");
  s.bind(1, class_id);
  return s.step() ? s.integer(0) : 0;
}

bool Store::add_data(const std::string& sha256, int64_t bytes, const std::string& class_id, const std::string& who) {
  const std::lock_guard lock(mutex_);
  const int64_t now = now_seconds();
  exec("BEGIN IMMEDIATE");
  try {
    Stmt(db_,
         "INSERT INTO data (sha256, bytes, created, last_used) VALUES (?, ?, ?, ?) "
         "ON CONFLICT(sha256) DO UPDATE SET last_used = excluded.last_used")
        .bind(1, sha256)
        .bind(2, bytes)
        .bind(3, now)
        .bind(4, now)
        .step();
    Stmt(db_, "INSERT OR IGNORE INTO data_classes (sha256, class_id, uploaded_by, created) VALUES (?, ?, ?, ?)")
        .bind(1, sha256)
        .bind(2, class_id)
        .bind(3, who)
        .bind(4, now)
        .step();
    const bool added = sqlite3_changes(db_) > 0;
    exec("COMMIT");
    return added;
  } catch (const StoreError&) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Store::touch_data(const std::string& sha256) {
  const std::lock_guard lock(mutex_);
  Stmt(db_, "UPDATE data SET last_used = ? WHERE sha256 = ?").bind(1, now_seconds()).bind(2, sha256).step();
}

std::vector<DataRecord> Store::stale_data(int64_t unused_before, int64_t orphan_before) {
  const std::lock_guard lock(mutex_);
  Stmt s(db_,
         "SELECT d.sha256, d.bytes, d.created, d.last_used FROM data d WHERE "
         "(d.last_used < ? OR (d.last_used < ? AND NOT EXISTS (SELECT 1 FROM data_classes c WHERE c.sha256 = "
         "d.sha256))) AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.data_sha256 = d.sha256 AND j.state IN "
         "('queued', 'running'))");
  s.bind(1, unused_before).bind(2, orphan_before);
  std::vector<DataRecord> out;
  while (s.step()) out.push_back(DataRecord{s.text(0), s.integer(1), s.integer(2), s.integer(3)});
  return out;
}

std::vector<std::string> Store::all_data() {
  const std::lock_guard lock(mutex_);
  Stmt s(db_, "SELECT sha256 FROM data");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void Store::remove_data(const std::string& sha256) {
  const std::lock_guard lock(mutex_);
  Stmt(db_, "DELETE FROM data WHERE sha256 = ?").bind(1, sha256).step();  // data_classes rows go with it
}

}  // namespace aisb::center
