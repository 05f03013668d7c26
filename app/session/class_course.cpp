#include "session/class_course.hpp"
#include "core/user_dirs.hpp"

#include "core/files.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::app {

namespace {

constexpr size_t kMaxLessons = 500;  // more than a center keeps for a class

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A new file renamed over the old: a reader never sees half of one.
void write_atomically(const fs::path& file, const std::string& text) {
  std::string why;
  if (!write_file_atomically(file, text, 0644, &why)) throw std::runtime_error(why);
}

struct IndexEntry {
  std::string id, sha256;
};

// index.json: the ids in the teacher's order and the sha256 of each file.
std::vector<IndexEntry> read_index(const fs::path& dir) {
  std::vector<IndexEntry> out;
  const json j = parse_json(read_file(dir / "index.json"));
  if (!j.is_object() || !j.contains("lessons") || !j["lessons"].is_array()) return out;
  for (const json& l : j["lessons"]) {
    if (!l.is_object() || !l.contains("id") || !l["id"].is_string()) continue;
    const std::string id = l["id"].get<std::string>();
    if (!safe_file_name(id)) continue;
    out.push_back({id, l.contains("sha256") && l["sha256"].is_string() ? l["sha256"].get<std::string>() : ""});
  }
  return out;
}

}  // namespace

fs::path class_cache_root() {
  return user_dir(UserDir::cache) / "class";
}

bool safe_file_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 && s != "index" && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

ClassSyncReport sync_class_lessons(remote::CenterClient& client, const std::string& class_id, const fs::path& dir) {
  if (!safe_file_name(class_id)) throw std::runtime_error("the center named no class this app can keep");
  const json list = client.lessons(class_id);
  if (!list.is_object() || !list.contains("lessons") || !list["lessons"].is_array()) {
    throw std::runtime_error("the center's list of lessons is not one");
  }
  // The teacher's order: by position, then as listed.
  struct Listed {
    std::string id, sha256;
    int64_t position = 0;
  };
  std::vector<Listed> listed;
  std::set<std::string> seen;
  for (const json& l : list["lessons"]) {
    if (!l.is_object() || !l.contains("id") || !l["id"].is_string()) continue;
    Listed x;
    x.id = l["id"].get<std::string>();
    if (!safe_file_name(x.id) || !seen.insert(x.id).second || listed.size() >= kMaxLessons) continue;
    x.sha256 = l.contains("sha256") && l["sha256"].is_string() ? l["sha256"].get<std::string>() : "";
    x.position = l.contains("position") && l["position"].is_number_integer() ? l["position"].get<int64_t>() : 0;
    listed.push_back(std::move(x));
  }
  std::stable_sort(listed.begin(), listed.end(),
                   [](const Listed& a, const Listed& b) { return a.position < b.position; });

  fs::create_directories(dir);
  std::map<std::string, std::string> held;  // id -> sha256 of the file kept
  for (const IndexEntry& e : read_index(dir)) held[e.id] = e.sha256;
  ClassSyncReport report;
  json index = json::array();
  for (const Listed& l : listed) {
    const fs::path file = dir / path_of_utf8(l.id + ".toml");
    std::error_code ec;
    const auto it = held.find(l.id);
    const bool have = it != held.end() && fs::is_regular_file(file, ec);
    if (have && !l.sha256.empty() && it->second == l.sha256) {
      ++report.unchanged;
    } else {
      write_atomically(file, client.lesson_text(class_id, l.id));
      ++(have ? report.updated : report.added);
    }
    index.push_back({{"id", l.id}, {"sha256", l.sha256}});
  }
  // What the teacher took back: gone from the list, gone from here.
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path p = it->path();
    if (p.extension() != ".toml" || seen.count(p.stem().string()) != 0) continue;
    std::error_code rm;
    if (fs::remove(p, rm) && held.count(p.stem().string()) != 0) ++report.removed;
  }
  write_atomically(dir / "index.json", json{{"format", 1}, {"class", class_id}, {"lessons", index}}.dump(1) + "\n");
  return report;
}

std::vector<LibraryLesson> load_class_lessons(const fs::path& dir) {
  std::vector<LibraryLesson> out;
  std::error_code ec;
  for (const IndexEntry& e : read_index(dir)) {
    const fs::path file = dir / path_of_utf8(e.id + ".toml");
    if (fs::is_regular_file(file, ec)) out.push_back(load_library_lesson(file));
  }
  return out;
}

ClassCourse::ClassCourse(fs::path root, std::function<void()> wake, net::ClientOptions options,
                         std::chrono::milliseconds every)
    : root_(std::move(root)), wake_(std::move(wake)), options_(std::move(options)), every_(every) {
  worker_ = std::thread([this] { run(); });
}

ClassCourse::~ClassCourse() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ClassCourse::follow(const remote::CenterLogin& login) {
  {
    std::lock_guard lock(mutex_);
    if (login.url == login_.url && login.token == login_.token && login.class_id == login_.class_id) return;
    login_ = login;
    ++generation_;
    const uint64_t version = view_.version + 1;
    view_ = View{};
    view_.version = version;
    poke_ = true;
  }
  cv_.notify_all();
  if (wake_) wake_();
}

void ClassCourse::refresh() {
  {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - last_sync_ < std::chrono::seconds(5)) return;
    poke_ = true;
  }
  cv_.notify_all();
}

std::optional<ClassCourse::View> ClassCourse::take(uint64_t seen) const {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || view_.version == seen) return std::nullopt;
  return view_;
}

ClassCourse::View ClassCourse::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

bool ClassCourse::wait_syncs(int n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return syncs_ >= n; });
}

void ClassCourse::run() {
  uint64_t shown = 0;    // the generation whose cache was shown
  std::string class_id;  // that generation's class
  bool loaded = false;   // its cache was read
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const bool following = !login_.url.empty() && !login_.token.empty();
    if (!poke_) {
      if (following) {
        cv_.wait_for(lock, every_, [&] { return stop_ || poke_; });
      } else {
        cv_.wait(lock, [&] { return stop_ || poke_; });
      }
      if (stop_) break;
    }
    poke_ = false;
    if (login_.url.empty() || login_.token.empty()) continue;
    const remote::CenterLogin login = login_;
    const uint64_t gen = generation_;
    lock.unlock();

    if (gen != shown) {
      // A new login: what this computer kept of its class, at once.
      shown = gen;
      loaded = false;
      class_id = safe_file_name(login.class_id) ? login.class_id : "";
      if (!class_id.empty()) {
        std::vector<LibraryLesson> cached = load_class_lessons(root_ / path_of_utf8(class_id));
        loaded = true;
        lock.lock();
        if (gen == generation_) publish(class_id, std::move(cached), std::nullopt, "");
        lock.unlock();
      }
    }
    std::string error;
    int refused = 0;
    ClassSyncReport report;
    try {
      remote::CenterClient client(login.url, login.token, options_);
      if (class_id.empty()) class_id = client.me().value("class", "");
      report = sync_class_lessons(client, class_id, root_ / path_of_utf8(class_id));
    } catch (const remote::Refused& e) {
      error = e.what();
      refused = e.status;
    } catch (const std::exception& e) {
      error = e.what();
    }
    // Read again only when the sync changed files (or for a class whose
    // cache was not shown yet: its id came from the center).
    std::optional<std::vector<LibraryLesson>> fresh;
    if (error.empty() && (report.changed() || !loaded)) {
      fresh = load_class_lessons(root_ / path_of_utf8(class_id));
      loaded = true;
    }

    lock.lock();
    if (gen == generation_) {
      const bool synced = view_.synced || error.empty();
      if (fresh) {
        publish(class_id, std::move(*fresh), synced, error, refused);
      } else if (view_.error != error || view_.synced != synced || view_.refused != refused) {
        std::vector<LibraryLesson> same = std::move(view_.lessons);
        publish(class_id, std::move(same), synced, error, refused);
      }
    }
    ++syncs_;
    last_sync_ = std::chrono::steady_clock::now();
    cv_.notify_all();
  }
}

// Under the lock.
void ClassCourse::publish(const std::string& class_id, std::vector<LibraryLesson> lessons, std::optional<bool> synced,
                          const std::string& error, int refused) {
  view_.version += 1;
  view_.class_id = class_id;
  view_.lessons = std::move(lessons);
  if (synced) view_.synced = *synced;
  view_.error = error;
  view_.refused = refused;
  if (wake_) wake_();
}

}  // namespace aisb::app
