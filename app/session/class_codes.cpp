#include "session/class_codes.hpp"
#include "core/user_dirs.hpp"

#include "core/files.hpp"

#include <cstdio>
#include <cstdlib>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aisb::app {

fs::path home_file(const std::string& name, bool keep_old) {
  const fs::path dir = home_dir();
  fs::path file = dir / path_of_utf8(name);
  if (!keep_old) return file;
  const std::string stem = file.stem().string(), ext = file.extension().string();
  std::error_code ec;
  for (int i = 2; fs::exists(file, ec) && i < 1000; ++i)
    file = dir / path_of_utf8(stem + "-" + std::to_string(i) + ext);
  return file;
}

bool save_text_file(const fs::path& file, const std::string& text, std::string* why) {
  return write_file_atomically(file, text, 0600, why);
}

}  // namespace aisb::app
