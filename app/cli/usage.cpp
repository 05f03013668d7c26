#include "cli/usage.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "core/diagnostics.hpp"
#include "core/messages.hpp"

namespace aisb::cli {

namespace {

std::string g_language = "en";

std::vector<CLI::App*> all_subcommands(CLI::App& a) {
  return a.get_subcommands([](CLI::App*) { return true; });
}

// "lesson check": the names from below the program down to `sub`.
std::string command_path(const CLI::App* sub) {
  std::string out;
  for (const CLI::App* a = sub; a != nullptr && a->get_parent() != nullptr; a = a->get_parent()) {
    out = a->get_name() + (out.empty() ? "" : " " + out);
  }
  return out;
}

void say(const std::string& line) {
  std::cerr << "aisandbox-cli: " << line << "\n";
}

// An unknown or missing command where `sub` needs one.
void unknown_command(CLI::App& sub, const std::vector<std::string>& extra, const std::string& lang) {
  const std::string prefix = command_path(&sub).empty() ? "" : command_path(&sub) + " ";
  std::vector<std::string> names;
  std::string list;
  for (CLI::App* s : all_subcommands(sub)) {
    names.push_back(s->get_name());
    list += (list.empty() ? "" : ", ") + prefix + s->get_name();
  }
  std::string word;
  for (const auto& x : extra) {
    if (!x.starts_with("-")) {
      word = x;
      break;
    }
  }
  if (word.empty()) {
    say(message_text("cli.command_required", lang));
  } else if (const std::string n = nearest(word, names); !n.empty()) {
    say(message_text("cli.unknown_command_suggest", lang, {prefix + word, prefix + n}));
  } else {
    say(message_text("cli.unknown_command", lang, {prefix + word}));
  }
  std::cerr << message_text("cli.commands", lang, {list}) << "\n";
}

// The first unknown option, with the nearest option `sub` (or a program
// above it) knows; false when no unknown argument is an option.
bool unknown_option(const CLI::App& sub, const std::vector<std::string>& extra, const std::string& lang) {
  for (const auto& x : extra) {
    if (!x.starts_with("-") || x == "-") continue;
    const std::string option = x.substr(0, x.find('='));
    std::vector<std::string> names;
    for (const CLI::App* a = &sub; a != nullptr; a = a->get_parent()) {
      for (const CLI::Option* o : a->get_options()) {
        for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      }
    }
    const std::string where = command_path(&sub).empty() ? std::string("aisandbox-cli") : command_path(&sub);
    const std::string n = nearest(option, names);
    say(n.empty() ? message_text("cli.unknown_option", lang, {option, where})
                  : message_text("cli.unknown_option_suggest", lang, {option, where, n}));
    return true;
  }
  return false;
}

}  // namespace

const std::string& language() {
  return g_language;
}

void set_language(const std::string& lang) {
  g_language = lang == "ko" ? "ko" : "en";
}

std::string lang_in_args(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--lang" && i + 1 < argc) return argv[i + 1];
    if (a.starts_with("--lang=")) return std::string(a.substr(7));
  }
  return {};
}

void accept_global_options(CLI::App& app) {
  for (CLI::App* sub : all_subcommands(app)) {
    sub->fallthrough();
    accept_global_options(*sub);
  }
}

int usage_error(CLI::App& app, const CLI::ParseError& e) {
  const std::string& lang = language();
  // The deepest command the line named.
  CLI::App* sub = &app;
  while (!sub->get_subcommands().empty()) sub = sub->get_subcommands().front();
  const std::vector<std::string> extra = app.remaining(true);
  // (Not by get_name(): CLI11 names some errors after the command.)
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && sub->get_require_subcommand_min() > 0) {
    unknown_command(*sub, extra, lang);
  } else if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr && unknown_option(*sub, extra, lang)) {
    // said
  } else if (lang == "ko") {
    std::cerr << e.what() << "\n";  // CLI11's own words for the rest
  } else {
    app.exit(e);
    return usage;
  }
  std::cerr << message_text("cli.more_help", lang) << "\n";
  return usage;
}

}  // namespace aisb::cli
