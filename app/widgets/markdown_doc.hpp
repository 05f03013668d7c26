// Lesson text (CommonMark, parsed by md4c) as a flat list of blocks of styled
// runs: what the app's Markdown view lays out and wraps. No UI, so the
// structure is tested without a window.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aisb::md {

struct Run {
  std::string text;
  bool strong = false;
  bool em = false;
  bool code = false;
  bool link = false;
  bool hard_break = false;  // a line break before this run
  bool operator==(const Run&) const = default;
};

enum class Kind { paragraph, heading, item, code, image, rule, quote };

struct Block {
  Kind kind = Kind::paragraph;
  int level = 0;   // heading: 1..6
  int depth = 0;   // list nesting: 1 for a top-level item
  int number = 0;  // ordered item: its number; 0 for a bullet
  std::vector<Run> runs;
  std::string code;  // code block: its text
  std::string src;   // image: the path as written
  std::string alt;   // image: its description
};

std::vector<Block> parse(std::string_view markdown);

}  // namespace aisb::md
