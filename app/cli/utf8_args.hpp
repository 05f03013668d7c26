// The programs' command lines as UTF-8 on every system, for CLI11: on
// Windows the arguments are taken from the UTF-16 command line, and a file
// named on it is looked for by its UTF-8 name (CLI::ExistingFile asks the
// system with the narrow string, which Windows reads in its ANSI code page).
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "core/files.hpp"

namespace aisb::cli {

class Utf8Args {
 public:
  Utf8Args(int argc, char** argv) : args_(utf8_arguments(argc, argv)) {
    for (auto& a : args_) ptrs_.push_back(a.data());
    ptrs_.push_back(nullptr);
  }
  [[nodiscard]] int argc() const { return static_cast<int>(args_.size()); }
  [[nodiscard]] char** argv() { return ptrs_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> ptrs_;
};

inline CLI::Validator existing(bool folder_too) {
  return CLI::Validator(
      [folder_too](std::string& name) -> std::string {
        std::error_code ec;
        const std::filesystem::path p = path_of_utf8(name);
        if (std::filesystem::is_regular_file(p, ec) || (folder_too && std::filesystem::is_directory(p, ec))) return "";
        return (folder_too ? "Path does not exist: " : "File does not exist: ") + name;
      },
      folder_too ? "PATH" : "FILE");
}

// As CLI::ExistingFile and CLI::ExistingPath.
inline const CLI::Validator existing_file = existing(false);
inline const CLI::Validator existing_path = existing(true);

}  // namespace aisb::cli
