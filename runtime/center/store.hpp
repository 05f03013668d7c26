// The compute center's store: classes, their join codes, teachers' and
// students' tokens, in SQLite (WAL mode) under the center's --data folder.
// Tokens are 256 random bits; only their SHA-256 is stored, so a copy of the
// database lets no one in. No torch, no HTTP: the gateway and the operator's
// commands share this. Also here: the lock that keeps a second center off a
// data folder, and the bounded table of rate-limit buckets. Trusts nothing
// a client sent: every value goes into SQL as a bound parameter, and the
// folder is the owner's alone (0700, the database 0600).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
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

// What signing in gave: a token, or why not.
struct SignIn {
  enum class Result { ok, not_on_roster, code_needed, wrong_code } result = Result::ok;
  std::string student_id;
  std::string name;      // as the store keeps it (normalize_name)
  std::string token;     // ok only
  std::string new_code;  // ok only, when this sign-in gave the name its personal code
};

// A student's personal code, made just now: the only time it is seen.
struct NewCode {
  std::string name, code;
};

// A student as the teacher's roster shows them.
struct StudentRow {
  std::string id, name;
  int64_t created = 0;    // unix seconds
  int64_t last_seen = 0;  // the last sign-in, 0 for never
  bool has_code = false;  // false only for a student from before personal codes
  int64_t tokens = 0;     // devices signed in now
};

// A lesson a teacher published to the class (a "Class" course).
struct ClassLesson {
  std::string id;  // the lesson's own id
  int64_t position = 0;
  std::string sha256;  // of the text: what a client compares to keep its copy in sync
  std::string title_ko, title_en;
  int64_t steps = 0;
  int64_t updated = 0;  // unix seconds
  std::string text;     // the lesson file (only from class_lesson)
  // What progress is checked against: the steps that have a goal, and each
  // quiz step's right answer.
  std::vector<int> goal_steps;
  std::map<int, int> quiz_answers;
};

// A student's progress in one lesson, as they last sent it (JSON text the
// gateway checked and wrote).
struct ProgressRow {
  std::string student_id, name, lesson, data;
  int64_t updated = 0;
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
  int attempts = 0;             // times a worker was started on it
  std::string idempotency_key;  // the client's Idempotency-Key, or ""
  std::string data_sha256;      // the uploaded data it reads (DATA/data/SHA256), or "" (written by add_job only)
};

// A data set the center holds (DATA/data/SHA256), uploaded by content hash.
struct DataRecord {
  std::string sha256;
  int64_t bytes = 0;
  int64_t created = 0, last_used = 0;  // unix seconds
};

inline bool is_final_state(const std::string& s) {
  return s == "done" || s == "failed" || s == "cancelled";
}

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A request the store refuses because a quota is full (not a fault): the
// message says which, for a 429.
class QuotaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How long a student's token lasts unless the settings say otherwise.
inline constexpr int64_t kDefaultTokenSeconds = int64_t{30} * 86400;
// How many tokens (devices) a student keeps unless the settings say otherwise.
inline constexpr int64_t kDefaultMaxTokensPerStudent = 10;

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
  // The names of a class's students, oldest first.
  std::vector<std::string> student_names(const std::string& class_id);
  // Removes a student (found by their name as they logged in) and ends their
  // tokens; their jobs stay. False when the class has no such student. So a
  // teacher can give back the name slots a pupil filled with invented names.
  bool remove_student(const std::string& class_id, const std::string& name);

  // Signing in (SPEC.md section 5, docs/api.md): a student gives the class
  // code, their name and their personal code. In a class with a roster
  // (roster_add) only its names sign in. In a class without one, a new name
  // joins (while the class has fewer than max_students: else QuotaError) and
  // gets a personal code of its own, shown once in `new_code`; from then on
  // that name signs in with that code only, so no one can take a classmate's
  // name. A student from before personal codes (none stored) is given one
  // at their next sign-in. Each success is a new token; the student's
  // expired tokens go, and at most max_tokens stay (the oldest go first).
  // std::invalid_argument for a name that may not be one (normalize_name).
  SignIn sign_in(const std::string& class_id, const std::string& name, const std::string& personal_code,
                 int64_t max_students = INT64_MAX, int64_t token_seconds = kDefaultTokenSeconds,
                 int64_t max_tokens = kDefaultMaxTokensPerStudent);

  // The roster. Adds the names (each checked by normalize_name, none on the
  // roster yet, the class staying within max_students: else
  // std::invalid_argument or QuotaError naming the name, and nothing is
  // added) with a new personal code each, returned in the order given, and
  // makes the class roster-only: from then on only its names sign in.
  std::vector<NewCode> roster_add(const std::string& class_id, const std::vector<std::string>& names,
                                  int64_t max_students = INT64_MAX);
  // A new personal code for the student, ending every token they hold (a
  // lost or shared code); none when the class has no such name.
  std::optional<NewCode> reset_code(const std::string& class_id, const std::string& name);
  // The class's students in the order they came, with what the teacher's
  // roster shows.
  std::vector<StudentRow> students(const std::string& class_id);
  bool roster_only(const std::string& class_id);

  // The class's published lessons. put_lesson adds or replaces by id (a new
  // one goes last); `full` when the class has max_lessons others already.
  enum class PutLesson { added, replaced, full };
  PutLesson put_lesson(const std::string& class_id, const ClassLesson& lesson, int64_t max_lessons);
  bool delete_lesson(const std::string& class_id, const std::string& id);
  std::vector<ClassLesson> class_lessons(const std::string& class_id);  // in order, without text
  // With its text unless `with_text` is false (progress checks need only
  // the steps, goals and answers, not a file of up to 256 KiB).
  std::optional<ClassLesson> class_lesson(const std::string& class_id, const std::string& id, bool with_text = true);

  // Progress: one row per student and lesson, replaced by each report.
  void put_progress(const std::string& student_id, const std::string& lesson, const std::string& data);
  // Every row of the class's students.
  std::vector<ProgressRow> class_progress(const std::string& class_id);
  // Every row of one student.
  std::vector<ProgressRow> progress_of_student(const std::string& student_id);
  // The student's row for a lesson, if any.
  std::optional<ProgressRow> progress_of(const std::string& student_id, const std::string& lesson);

  // Addresses a class signed in from (for the limits on failed sign-ins:
  // while an address or a class is over them, the class's own addresses go
  // on). Kept in the database, so a restart of the center forgets none.
  void note_sign_in_address(const std::string& class_id, const std::string& address);
  bool signed_in_from(const std::string& class_id, const std::string& address, int64_t within_seconds);

  // Codes as people type them: class codes and personal codes are letters
  // and digits where case, white space, dashes and full-width forms do not
  // count ("ｋ７ｑｐ ３ｍ" is "K7QP3M"). "" when what remains is not 1 to 32
  // letters and digits.
  static std::string normalize_code(const std::string& typed);
  // A personal code: 8 characters without look-alikes (0/O, 1/I/L, 5/S,
  // 8/B), shown as two groups of four ("KMQ7-X3PD"); about 38 bits.
  static std::string new_personal_code();
  // Personal codes are short, so a copy of the database must not give them
  // away cheaply: PBKDF2-HMAC-SHA256 with a salt of the student's own,
  // "pbkdf2-sha256$ITERATIONS$SALT$HASH".
  static std::string hash_code(const std::string& code);
  static bool code_matches(const std::string& code, const std::string& stored);
  // The name as a student is known by, so that look-alikes are one student:
  // white space (ASCII or Unicode, U+3000 too) trimmed from both ends and
  // any inside made a plain space, full-width ASCII (U+FF01-U+FF5E) folded
  // to ASCII, then NFC (utf8proc), so the composed and decomposed forms of
  // an accented letter or a Hangul syllable are one name. "" and `why` set
  // when it may not be a name: not UTF-8, 0 or over 40 characters (code
  // points, counted after NFC), a control character, or an invisible or
  // direction-changing one (U+00AD, U+200B-U+200F, U+202A-U+202E,
  // U+2060-U+2064, U+2066-U+2069, U+FEFF, and a few more).
  static std::string normalize_name(const std::string& name, std::string* why);
  // "" for a name a student may have, else why not.
  static std::string check_name(const std::string& name);
  // Whether the class has a student of this (normalized) name.
  bool has_student(const std::string& class_id, const std::string& name);
  // What sign_in's QuotaError says when a class is full.
  static std::string class_full(int64_t students, int64_t max_students);
  // Who holds `token`; none for anything else, and for a student's token
  // issued more than max_age_seconds ago (a teacher's token does not expire:
  // it is printed once, at the class's creation).
  std::optional<Principal> authenticate(const std::string& token, int64_t max_age_seconds = kDefaultTokenSeconds);
  // Ends a student's token; false when it is not one.
  bool revoke_token(const std::string& token);

  // Jobs. add_job fills in created, and the id unless the caller chose it
  // (the gateway does: the job's folder is written before its row).
  JobRecord add_job(JobRecord job);
  // The student's job sent with this Idempotency-Key since `since_ms`.
  std::optional<JobRecord> job_by_idempotency_key(const std::string& student_id, const std::string& key,
                                                  int64_t since_ms);
  std::optional<JobRecord> job(const std::string& id);
  // Newest first.
  std::vector<JobRecord> jobs_of_student(const std::string& student_id, int limit);
  std::vector<JobRecord> jobs_of_class(const std::string& class_id, int limit);
  // Oldest first: what the scheduler walks.
  std::vector<JobRecord> jobs_in_state(const std::string& state);
  int64_t count_jobs(const std::string& state);
  int64_t count_jobs_of_student(const std::string& student_id, const std::string& state);
  int64_t count_jobs_of_class(const std::string& class_id, const std::string& state);
  // Writes state, reason, times, executor id, node and attempts of `job`.
  void update_job(const JobRecord& job);
  // Milliseconds of running time the class's jobs used since `since_ms`
  // (running jobs count up to now).
  int64_t class_busy_ms(const std::string& class_id, int64_t since_ms);
  // Milliseconds the class's jobs are still expected to take, by their
  // estimates: every queued job's, and what a running job's estimate has
  // left at `now_ms`. What a submission must leave room for.
  int64_t class_pending_ms(const std::string& class_id, int64_t now_ms);

  // Data sets uploaded by content hash (center/data_store.hpp): one row per
  // file, and the classes that uploaded it. A class's storage quota counts
  // the bytes of the files it uploaded; a class may use only those.
  std::optional<DataRecord> data_record(const std::string& sha256);
  bool class_has_data(const std::string& class_id, const std::string& sha256);
  int64_t class_data_bytes(const std::string& class_id);
  // Records that the center holds the file for `class_id` (uploaded by
  // `who`, a student's or "teacher:CLASS"); true when the class did not
  // have it yet.
  bool add_data(const std::string& sha256, int64_t bytes, const std::string& class_id, const std::string& who);
  // Marks the file as used now (an upload, a HEAD that found it, a job).
  void touch_data(const std::string& sha256);
  // Files that no queued or running job names and that were last used
  // before `unused_before`, or that no class holds any more (its class was
  // deleted) and were last used before `orphan_before` (unix seconds).
  std::vector<DataRecord> stale_data(int64_t unused_before, int64_t orphan_before);
  // Every file's hash, for the sweep of files no row names.
  std::vector<std::string> all_data();
  void remove_data(const std::string& sha256);

  [[nodiscard]] std::string journal_mode();

 private:
  void exec(const char* sql);
  void add_column(const char* table, const char* column, const char* declaration);
  std::string issue_token(const std::string& student_id, int64_t token_seconds, int64_t max_tokens);
  std::vector<ProgressRow> select_progress(const char* where, const std::vector<std::string>& values);
  std::vector<JobRecord> select_jobs(const char* where, const std::string& value, const char* order, int64_t limit);
  sqlite3* db_ = nullptr;
  std::recursive_mutex mutex_;  // one connection, shared by the gateway's threads
};

// 256 random bits from the kernel, as 64 hex digits.
std::string random_token();
// A job id: "j" and 16 random hex digits.
std::string new_job_id();
// "j" and 16 lower-case hex digits: the only ids the center makes, and the
// only names of job folders it will look up or remove.
bool is_job_id(const std::string& id);

// Keeps a second `serve` off a data folder: an flock on DATA/center.lock,
// held while this object lives (the file holds the holder's pid, for the
// message). Two centers on one folder would both start workers for the same
// jobs. Throws StoreError naming the folder (and the other's pid) when it is
// taken. The `class` commands do not take it: they are short, and SQLite
// keeps them consistent with a running center.
class DataLock {
 public:
  explicit DataLock(const std::filesystem::path& data_dir);
  ~DataLock();
  DataLock(const DataLock&) = delete;
  DataLock& operator=(const DataLock&) = delete;

 private:
  int fd_ = -1;
};

// Makes the data folder the owner's alone: the folder and jobs/ 0700, the
// database files 0600 (a folder made by an older version was world-readable).
// Creates the folder when missing; throws StoreError when it cannot. A chmod
// that is refused (a file not ours) is a warning on stderr.
void secure_data_folder(const std::filesystem::path& data_dir);

// Token buckets by key (a client address, a student), in memory, with a
// bounded number of keys: the keys come from clients, so an unbounded table
// is memory anyone can take. A full table first drops the buckets that have
// filled up again (forgetting them changes nothing); if every bucket is still
// in use, a new key is refused for the moment rather than evicting one that
// is limiting someone.
class RateTable {
 public:
  explicit RateTable(size_t max_keys = 50000) : max_keys_(max_keys) {}
  // Takes one token from `key`'s bucket (per_minute a minute, per_minute at
  // most at once); false when it is empty, with the seconds until one is
  // back. `now` in seconds on a steady clock.
  bool take(const std::string& key, double per_minute, double now, double* retry_after);
  // Whether `key`'s bucket has a token, without taking it.
  bool has(const std::string& key, double per_minute, double now);
  size_t size();

 private:
  struct Bucket {
    double tokens = 0, at = 0, per_minute = 0;
  };
  double level(const Bucket& b, double now) const;
  void sweep(double now);
  size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  double last_sweep_ = -1e300;
};

}  // namespace aisb::center
