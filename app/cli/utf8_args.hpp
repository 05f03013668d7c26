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

enum class Exists { file, folder, either };

inline CLI::Validator existing(Exists what) {
  return CLI::Validator(
      [what](std::string& name) -> std::string {
        std::error_code ec;
        const std::filesystem::path p = path_of_utf8(name);
        if (what != Exists::folder && std::filesystem::is_regular_file(p, ec)) return "";
        if (what != Exists::file && std::filesystem::is_directory(p, ec)) return "";
        return (what == Exists::file     ? "File does not exist: "
                : what == Exists::folder ? "Directory does not exist: "
                                         : "Path does not exist: ") +
               name;
      },
      what == Exists::file     ? "FILE"
      : what == Exists::folder ? "DIR"
                               : "PATH");
}

// As CLI::ExistingFile, CLI::ExistingDirectory and CLI::ExistingPath.
inline const CLI::Validator existing_file = existing(Exists::file);
inline const CLI::Validator existing_dir = existing(Exists::folder);
inline const CLI::Validator existing_path = existing(Exists::either);

}  // namespace aisb::cli
