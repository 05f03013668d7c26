// The data sets a class brings (SPEC.md section 5): files the center holds
// by content hash, never by path, in DATA/data/SHA256 (a CSV's bytes, or an
// image folder's canonical tar). Workers read them from there; on Slurm that
// folder is on the shared file system with the rest of DATA.
//
// An upload is trusted for nothing but its bytes: it streams into a
// temporary file beside the others (never whole in memory) while it is
// hashed, and only a whole body whose SHA-256 is the one its address names
// is synced and renamed into place, so a cut-off, mismatched or refused
// upload leaves nothing that anything could use. The center never opens
// the files; workers decode them with the limits of runtime/data. Each
// class's files count against its storage quota; uploads in flight are
// counted too, so a class cannot pass it by sending many at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "center/store.hpp"

namespace aisb::center {

// What an upload may take.
struct DataLimits {
  int64_t max_bytes = int64_t{512} << 20;           // one file
  int64_t class_quota_bytes = int64_t{2048} << 20;  // the files of a class together
  int uploads_per_person = 2;                       // at once, per student (per class for the teacher)
  int64_t min_free_bytes = int64_t{1024} << 20;     // room every upload leaves on the disk
};

class DataStore;

// One upload on its way in. Let go before commit() (or after a commit that
// did not keep it), it leaves nothing: the temporary file goes.
class DataUpload {
 public:
  ~DataUpload();
  DataUpload(const DataUpload&) = delete;
  DataUpload& operator=(const DataUpload&) = delete;

  // The next bytes, hashed and written. False when they cannot be written
  // (error() says why: ENOSPC, EDQUOT, ...) or pass the declared length.
  bool write(std::string_view bytes);
  [[nodiscard]] int error() const { return error_; }

  enum class Result {
    created,     // the class holds it now (201)
    held,        // the class held it already (200): an upload of the same file won the race
    mismatch,    // the bytes' SHA-256 is not the one named (422)
    short_body,  // fewer bytes than declared (400)
    over_quota,  // the class's quota filled up meanwhile (413)
    failed,      // the disk said no (error())
  };
  Result commit();
  [[nodiscard]] int64_t received() const { return received_; }
  [[nodiscard]] const std::string& actual_sha256() const { return actual_; }  // after a mismatch
  [[nodiscard]] int64_t class_bytes() const { return class_bytes_; }  // after over_quota: the class's, with this

 private:
  friend class DataStore;
  DataUpload(DataStore& store, std::string sha256, std::string class_id, std::string who, std::string person,
             int64_t length);
  DataStore& store_;
  std::string sha256_, class_id_, who_, person_;
  int64_t length_ = 0, received_ = 0;
  std::filesystem::path temp_;
  int fd_ = -1;
  void* hash_ = nullptr;  // EVP_MD_CTX
  int error_ = 0;
  bool counted_ = false;  // open() counted it among the uploads in flight
  int64_t class_bytes_ = 0;
  std::string actual_;
};

class DataStore {
 public:
  // Files in `folder` (DATA/data), rows in `store`.
  DataStore(Store& store, std::filesystem::path folder, DataLimits limits);
  DataStore(const DataStore&) = delete;
  DataStore& operator=(const DataStore&) = delete;

  // Makes the folder (0700) and removes what a center that died left in it:
  // temporary files of uploads, and files no row names. Throws
  // std::runtime_error when the folder cannot be made.
  void start();
  [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }
  [[nodiscard]] const DataLimits& limits() const { return limits_; }
  // 64 lower-case hex digits: the only names of files here.
  static bool is_sha256(const std::string& s);

  // Whether the class holds the file (a row, the class's link, and the file
  // on disk); marks it used when it does.
  bool held(const std::string& class_id, const std::string& sha256);

  // An upload of `length` bytes said to hash to `sha256`, by `who` (a
  // student id, or "teacher:CLASS") of `class_id`, counted for `person` in
  // the uploads at once. The upload, or why not, from its head alone.
  struct Opened {
    enum class Refusal { none, held, too_large, over_quota, too_many, no_room, cannot_write } refused = Refusal::none;
    std::unique_ptr<DataUpload> upload;
    int64_t used = 0;   // over_quota: the class's bytes, with its uploads in flight
    int64_t limit = 0;  // too_large, over_quota, too_many: the limit passed
    int error = 0;      // cannot_write: errno
  };
  Opened open(const std::string& class_id, const std::string& who, const std::string& person, const std::string& sha256,
              int64_t length);

  // Removes the files no queued or running job names and that were last
  // used more than `days` ago (<= 0: none for that reason), or that no class
  // holds any more for an hour; files no row names; temporary files of an
  // earlier center. Returns the files removed and their bytes.
  std::pair<int, int64_t> sweep(double days, int64_t now_seconds);

 private:
  friend class DataUpload;
  void forget(const DataUpload& u);  // its place among the uploads in flight
  void sweep_folder_locked();

  Store& store_;
  std::filesystem::path folder_;
  DataLimits limits_;
  std::mutex mutex_;                                // commits, sweeps and the counts below
  std::map<std::string, int64_t> in_flight_bytes_;  // by class
  std::map<std::string, int> uploads_of_;           // by person
};

}  // namespace aisb::center
