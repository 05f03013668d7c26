// The compute center's store: classes, their join codes, teachers' and
// students' tokens, in SQLite (WAL mode) under the center's --data folder.
// Tokens are 256 random bits; only their SHA-256 is stored, so a copy of the
// database lets no one in. No torch, no HTTP: the gateway and the operator's
// commands share this.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace aisb::center {

struct ClassInfo {
  std::string id;  // "c" + 12 hex digits
  std::string name;
  std::string code;     // what students type to join: 6 letters and digits, no look-alikes
  int64_t created = 0;  // unix seconds
  int64_t students = 0;
};

struct NewClass {
  ClassInfo info;
  std::string teacher_token;  // shown once; the store keeps only its hash
};

struct Principal {
  enum class Kind { teacher, student } kind = Kind::student;
  std::string class_id;
  std::string student_id;  // students only
  std::string name;        // students only
};

// A job as the center keeps it. The spec and the events live in the job's
// folder (DATA/jobs/ID); this row is what the queue and the API need.
struct JobRecord {
  std::string id;  // "j" + 16 hex digits
  std::string class_id;
  std::string owner;  // student id
  std::string owner_name;
  std::string lesson;
  std::string state = "queued";                    // queued running done failed cancelled
  std::string reason;                              // for failed and cancelled: why, in words
  int64_t created = 0, started = 0, finished = 0;  // unix milliseconds; 0 for not yet
  int64_t parameters = 0;
  double estimate_seconds = 0;  // wall time the limits expect
  std::string executor_id;      // the worker's pid or the Slurm job id
  std::string node;
  int attempts = 0;  // times a worker was started on it
};

inline bool is_final_state(const std::string& s) {
  return s == "done" || s == "failed" || s == "cancelled";
}

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  // Opens (creating) DIR/center.db. Throws StoreError with the reason.
  explicit Store(const std::filesystem::path& data_dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  NewClass create_class(const std::string& name);
  std::vector<ClassInfo> classes();
  // By id or by join code.
  std::optional<ClassInfo> find_class(const std::string& id_or_code);
  // Removes the class, its students and their tokens; false when there is none.
  bool delete_class(const std::string& id);

  // A student joins with the class code and a name (1 to 40 characters;
  // std::invalid_argument otherwise); a new token each time, the same
  // student for the same name. None for an unknown code.
  std::optional<std::string> login(const std::string& class_code, const std::string& name);
  // Who holds `token`; none for anything else.
  std::optional<Principal> authenticate(const std::string& token);

  // Jobs. add_job fills in id and created.
  JobRecord add_job(JobRecord job);
  std::optional<JobRecord> job(const std::string& id);
  // Newest first.
  std::vector<JobRecord> jobs_of_student(const std::string& student_id, int limit);
  std::vector<JobRecord> jobs_of_class(const std::string& class_id, int limit);
  // Oldest first: what the scheduler walks.
  std::vector<JobRecord> jobs_in_state(const std::string& state);
  int64_t count_jobs(const std::string& state);
  int64_t count_jobs_of_student(const std::string& student_id, const std::string& state);
  // Writes state, reason, times, executor id, node and attempts of `job`.
  void update_job(const JobRecord& job);
  // Milliseconds of running time the class's jobs used since `since_ms`
  // (running jobs count up to now).
  int64_t class_busy_ms(const std::string& class_id, int64_t since_ms);

  [[nodiscard]] std::string journal_mode();

 private:
  void exec(const char* sql);
  std::vector<JobRecord> select_jobs(const char* where, const std::string& value, const char* order, int64_t limit);
  sqlite3* db_ = nullptr;
  std::recursive_mutex mutex_;  // one connection, shared by the gateway's threads
};

// 256 random bits from the kernel, as 64 hex digits.
std::string random_token();
std::string sha256_hex(const std::string& data);

}  // namespace aisb::center
