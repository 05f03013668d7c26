// Personal codes on paper: the cards a teacher prints and cuts out, one a
// student (class code, name, personal code, where to sign in; Korean and
// English), and the files the class view saves. No UI.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/code_cards.hpp"

namespace aisb::app {

// The cards themselves are made by the runtime (core/code_cards.hpp), so
// that `aisandbox-center class roster add --sheet` prints the same ones.
using aisb::code_cards_html;
using aisb::StudentCode;

// Where the class view saves a file: the home folder (the app has no file
// dialog), as `name`; with `keep_old`, a file that is there already is not
// replaced: "name-2.ext", "name-3.ext", ... is used instead.
std::filesystem::path home_file(const std::string& name, bool keep_old);

// Writes `text` to `file` (a new file renamed over the old); false with
// `why` when it cannot.
bool save_text_file(const std::filesystem::path& file, const std::string& text, std::string* why);

}  // namespace aisb::app
