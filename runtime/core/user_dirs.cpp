#include "core/user_dirs.hpp"

#include <cstdlib>
#include <string>

#ifdef _WIN32
#include <windows.h>
#endif

namespace aisb {

namespace fs = std::filesystem;

namespace {

#ifdef _WIN32
// An environment variable as a path (UTF-16, so a Korean user name stays
// whole), or empty.
fs::path env_path(const wchar_t* name) {
  const DWORD n = GetEnvironmentVariableW(name, nullptr, 0);
  if (n == 0) return {};
  std::wstring v(n, L'\0');
  const DWORD got = GetEnvironmentVariableW(name, v.data(), n);
  v.resize(got);
  return fs::path(v);
}
#else
fs::path xdg(const char* name, const char* fallback) {
  if (const char* v = std::getenv(name); v != nullptr && *v == '/') return fs::path(v) / "aisandbox";
  return home_dir() / fallback / "aisandbox";
}
#endif

}  // namespace

fs::path path_from_env(const char* name) {
#ifdef _WIN32
  return env_path(std::wstring(name, name + std::char_traits<char>::length(name)).c_str());
#else
  const char* v = std::getenv(name);
  return v != nullptr ? fs::path(v) : fs::path();
#endif
}

fs::path home_dir() {
#ifdef _WIN32
  fs::path home = env_path(L"USERPROFILE");
#else
  const char* h = std::getenv("HOME");
  fs::path home = h != nullptr && *h != '\0' ? fs::path(h) : fs::path();
#endif
  if (home.empty()) {
    std::error_code ec;
    home = fs::current_path(ec);
  }
  return home;
}

fs::path program_dir() {
#ifdef _WIN32
  std::wstring name(MAX_PATH, L'\0');
  for (;;) {
    const DWORD n = GetModuleFileNameW(nullptr, name.data(), static_cast<DWORD>(name.size()));
    if (n == 0) return {};
    if (n < name.size()) {
      name.resize(n);
      return fs::path(name).parent_path();
    }
    if (name.size() >= 32768) return {};
    name.resize(name.size() * 2);
  }
#else
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
#endif
}

fs::path user_dir(UserDir kind) {
#ifdef _WIN32
  const bool roaming = kind == UserDir::config || kind == UserDir::data;
  fs::path base = env_path(roaming ? L"APPDATA" : L"LOCALAPPDATA");
  if (base.empty()) base = home_dir() / "AppData" / (roaming ? fs::path("Roaming") : fs::path("Local"));
  base /= "AISandbox";
  return kind == UserDir::cache ? base / "cache" : base;
#else
  switch (kind) {
    case UserDir::config:
      return xdg("XDG_CONFIG_HOME", ".config");
    case UserDir::data:
      return xdg("XDG_DATA_HOME", ".local/share");
    case UserDir::state:
      return xdg("XDG_STATE_HOME", ".local/state");
    case UserDir::cache:
      return xdg("XDG_CACHE_HOME", ".cache");
  }
  return {};
#endif
}

}  // namespace aisb
