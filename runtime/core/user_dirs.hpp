// Where AI Sandbox keeps a person's own files, one place for every program.
//
//   kind     Linux (XDG Base Directory)          Windows
//   config   $XDG_CONFIG_HOME or ~/.config        %APPDATA%\AISandbox
//   data     $XDG_DATA_HOME or ~/.local/share     %APPDATA%\AISandbox
//   state    $XDG_STATE_HOME or ~/.local/state    %LOCALAPPDATA%\AISandbox
//   cache    $XDG_CACHE_HOME or ~/.cache          %LOCALAPPDATA%\AISandbox\cache
//
// with "aisandbox" below the Linux ones. An XDG variable counts only when it
// is an absolute path, as the specification says. Nothing is created here.
#pragma once

#include <filesystem>

namespace aisb {

enum class UserDir { config, data, state, cache };

std::filesystem::path user_dir(UserDir kind);

// The person's home folder (Windows: %USERPROFILE%), or the current folder
// when there is none: where a report or cards the person asks for are saved.
std::filesystem::path home_dir();

// An environment variable that names a folder, as a path (Windows: read in
// UTF-16, so a Korean name stays whole), or empty when it is not set.
std::filesystem::path path_from_env(const char* name);

// The folder of the running program (Linux: /proc/self/exe's; Windows: the
// module's), or empty when the system does not say.
std::filesystem::path program_dir();

}  // namespace aisb
