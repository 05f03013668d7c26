// Uploaded data sets on the center's disk (see data_store.hpp): temporary
// files hashed as they are written, kept only whole and matching, and the
// sweep of what is stale or was left by a center that died.
#include "center/data_store.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <set>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aisb::center {

namespace {

// Temporary files are named for the center that writes them, so that the
// sweep of an earlier center's leftovers never takes an upload in flight.
const std::string kTempPrefix = ".upload-";

std::string temp_prefix_of_this_process() {
  return kTempPrefix + std::to_string(::getpid()) + "-";
}

std::string hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

// The new name in the folder, on disk (a rename is durable only then).
void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

// ---------------------------------------------------------------- DataUpload

DataUpload::DataUpload(DataStore& store, std::string sha256, std::string class_id, std::string who, std::string person,
                       int64_t length)
    : store_(store),
      sha256_(std::move(sha256)),
      class_id_(std::move(class_id)),
      who_(std::move(who)),
      person_(std::move(person)),
      length_(length) {}

DataUpload::~DataUpload() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(hash_));
  store_.forget(*this);
}

bool DataUpload::write(std::string_view bytes) {
  if (fd_ < 0) return false;
  if (received_ + static_cast<int64_t>(bytes.size()) > length_) {
    error_ = EFBIG;
    return false;
  }
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(hash_), bytes.data(), bytes.size()) != 1) {
    error_ = EIO;
    return false;
  }
  size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n < 0 ? errno : ENOSPC;
      return false;
    }
    at += static_cast<size_t>(n);
  }
  received_ += static_cast<int64_t>(bytes.size());
  return true;
}

DataUpload::Result DataUpload::commit() {
  const auto drop = [&] {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
    temp_.clear();
  };
  if (fd_ < 0) return Result::failed;
  if (received_ != length_) {
    drop();
    return Result::short_body;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(hash_), digest, &size) != 1) {
    error_ = EIO;
    drop();
    return Result::failed;
  }
  actual_ = hex(digest, size);
  if (actual_ != sha256_) {
    drop();
    return Result::mismatch;
  }
  // The bytes on disk before the name: a crash never leaves a file under
  // its hash that is not whole.
  if (::fsync(fd_) != 0) {
    error_ = errno;
    drop();
    return Result::failed;
  }
  ::close(fd_);
  fd_ = -1;
  const std::lock_guard lock(store_.mutex_);
  Store& rows = store_.store_;
  if (rows.class_has_data(class_id_, sha256_)) {
    drop();
    rows.touch_data(sha256_);
    return Result::held;
  }
  class_bytes_ = rows.class_data_bytes(class_id_) + length_;
  if (class_bytes_ > store_.limits_.class_quota_bytes) {
    drop();
    return Result::over_quota;
  }
  // Onto a file of the same hash (another class's, or a race with a
  // classmate) is fine: the same bytes, and a worker reading the old one
  // keeps it open to its end.
  const fs::path final = store_.folder_ / sha256_;
  if (::rename(temp_.c_str(), final.c_str()) != 0) {
    error_ = errno;
    drop();
    return Result::failed;
  }
  temp_.clear();
  sync_folder(store_.folder_);
  // The file first, then its row: a row always has its file; a file
  // without one (a crash in between) is swept.
  return rows.add_data(sha256_, length_, class_id_, who_) ? Result::created : Result::held;
}

// ---------------------------------------------------------------- DataStore

DataStore::DataStore(Store& store, fs::path folder, DataLimits limits)
    : store_(store), folder_(std::move(folder)), limits_(limits) {}

bool DataStore::is_sha256(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void DataStore::start() {
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec) throw std::runtime_error("cannot create " + folder_.string() + ": " + ec.message());
  fs::permissions(folder_, fs::perms::owner_all, fs::perm_options::replace, ec);
  const std::lock_guard lock(mutex_);
  sweep_folder_locked();
}

bool DataStore::held(const std::string& class_id, const std::string& sha256) {
  if (!is_sha256(sha256) || !store_.class_has_data(class_id, sha256)) return false;
  struct stat st {};
  if (::stat((folder_ / sha256).c_str(), &st) != 0) {
    // Removed behind the center's back: the row goes too, so that the
    // next upload puts the file back.
    const std::lock_guard lock(mutex_);
    if (::stat((folder_ / sha256).c_str(), &st) != 0) {
      store_.remove_data(sha256);
      return false;
    }
  }
  store_.touch_data(sha256);
  return true;
}

DataStore::Opened DataStore::open(const std::string& class_id, const std::string& who, const std::string& person,
                                  const std::string& sha256, int64_t length) {
  Opened o;
  if (length > limits_.max_bytes) {
    o.refused = Opened::Refusal::too_large;
    o.limit = limits_.max_bytes;
    return o;
  }
  if (held(class_id, sha256)) {
    o.refused = Opened::Refusal::held;
    return o;
  }
  std::unique_ptr<DataUpload> u(new DataUpload(*this, sha256, class_id, who, person, length));
  {
    const std::lock_guard lock(mutex_);
    if (uploads_of_[person] >= limits_.uploads_per_person) {
      if (uploads_of_[person] == 0) uploads_of_.erase(person);
      o.refused = Opened::Refusal::too_many;
      o.limit = limits_.uploads_per_person;
      return o;  // `u` counts nothing yet: forget() finds nothing to give back
    }
    // What the class holds and what it is sending: many uploads at once
    // cannot pass the quota together.
    o.used = store_.class_data_bytes(class_id) + in_flight_bytes_[class_id];
    if (o.used + length > limits_.class_quota_bytes) {
      if (in_flight_bytes_[class_id] == 0) in_flight_bytes_.erase(class_id);
      if (uploads_of_[person] == 0) uploads_of_.erase(person);
      o.refused = Opened::Refusal::over_quota;
      o.limit = limits_.class_quota_bytes;
      return o;
    }
    struct statvfs fsinfo {};
    if (::statvfs(folder_.c_str(), &fsinfo) == 0) {
      const auto free = static_cast<int64_t>(
          std::min<unsigned long long>(static_cast<unsigned long long>(fsinfo.f_bavail) * fsinfo.f_frsize, LLONG_MAX));
      if (free - length < limits_.min_free_bytes) {
        if (in_flight_bytes_[class_id] == 0) in_flight_bytes_.erase(class_id);
        if (uploads_of_[person] == 0) uploads_of_.erase(person);
        o.refused = Opened::Refusal::no_room;
        return o;
      }
    }
    in_flight_bytes_[class_id] += length;
    ++uploads_of_[person];
    u->counted_ = true;
  }
  u->length_ = length;
  u->hash_ = EVP_MD_CTX_new();
  if (u->hash_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(u->hash_), EVP_sha256(), nullptr) != 1) {
    o.refused = Opened::Refusal::cannot_write;
    o.error = ENOMEM;
    return o;
  }
  for (int attempt = 0; attempt < 8 && u->fd_ < 0; ++attempt) {
    u->temp_ = folder_ / (temp_prefix_of_this_process() + random_token().substr(0, 16));
    u->fd_ = ::open(u->temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (u->fd_ < 0 && errno != EEXIST) break;
  }
  if (u->fd_ < 0) {
    o.error = errno;
    u->temp_.clear();
    o.refused = Opened::Refusal::cannot_write;
    return o;
  }
  o.upload = std::move(u);
  return o;
}

void DataStore::forget(const DataUpload& u) {
  const std::lock_guard lock(mutex_);
  // Only an upload that open() counted has a place to give back.
  const auto p = uploads_of_.find(u.person_);
  const auto c = in_flight_bytes_.find(u.class_id_);
  if (!u.counted_ || p == uploads_of_.end() || c == in_flight_bytes_.end()) return;
  if (--p->second <= 0) uploads_of_.erase(p);
  if ((c->second -= u.length_) <= 0) in_flight_bytes_.erase(c);
}

std::pair<int, int64_t> DataStore::sweep(double days, int64_t now_seconds) {
  const std::lock_guard lock(mutex_);
  const int64_t unused_before = days > 0 ? now_seconds - static_cast<int64_t>(days * 86400) : INT64_MIN;
  int removed = 0;
  int64_t bytes = 0;
  for (const DataRecord& r : store_.stale_data(unused_before, now_seconds - 3600)) {
    if (!is_sha256(r.sha256)) continue;
    if (::unlink((folder_ / r.sha256).c_str()) == 0 || errno == ENOENT) {
      store_.remove_data(r.sha256);
      ++removed;
      bytes += r.bytes;
    }
  }
  sweep_folder_locked();
  return {removed, bytes};
}

void DataStore::sweep_folder_locked() {
  const std::vector<std::string> rows = store_.all_data();
  const std::set<std::string> known(rows.begin(), rows.end());
  const std::string ours = temp_prefix_of_this_process();
  std::error_code ec;
  for (fs::directory_iterator it(folder_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // An earlier center's upload that never finished; or a file whose row
    // was never written (a crash between the rename and the row). Anything
    // else is the operator's, and stays.
    const bool stale_temp = name.starts_with(kTempPrefix) && !name.starts_with(ours);
    const bool no_row = is_sha256(name) && known.count(name) == 0;
    if (stale_temp || no_row) ::unlink(it->path().c_str());
  }
}

}  // namespace aisb::center
