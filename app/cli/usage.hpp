// How aisandbox-cli speaks to its user: the language of everything it prints
// for people (--lang ko|en, else the locale, as the app decides), and plain
// words for command-line mistakes (an unknown or misspelt command or option,
// with the nearest valid name). JSON output is never translated.
#pragma once

#include <string>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace aisb::cli {

// "ko" or "en": what the human-readable output is in.
const std::string& language();
void set_language(const std::string& lang);
// The value of --lang (or --lang=) anywhere on the command line, or "": the
// language must be known before parsing, for parsing's own errors.
std::string lang_in_args(int argc, char** argv);
// Lets options of the main program (--lang) follow any subcommand.
void accept_global_options(CLI::App& app);
// Reports a parse error (in language()) and returns the exit code.
int usage_error(CLI::App& app, const CLI::ParseError& e);

}  // namespace aisb::cli
