#include "widgets/markdown_doc.hpp"

#include <md4c.h>

namespace aisb::md {

namespace {

struct Builder {
  std::vector<Block> blocks;
  std::vector<int> list_numbers;  // per open list: next number, or 0 for bullets
  int strong = 0, em = 0, code = 0, link = 0, image = 0, quote = 0;
  bool in_block = false;
  bool pending_break = false;

  Block& current() {
    if (!in_block) {
      blocks.emplace_back();
      blocks.back().kind = quote > 0 ? Kind::quote : Kind::paragraph;
      in_block = true;
    }
    return blocks.back();
  }

  void open(Kind kind) {
    blocks.emplace_back();
    blocks.back().kind = kind;
    in_block = true;
  }

  void add_text(std::string_view t) {
    if (image > 0) {
      blocks.back().alt.append(t);
      return;
    }
    Block& b = current();
    if (b.kind == Kind::code) {
      b.code.append(t);
      return;
    }
    const bool same = !b.runs.empty() && !pending_break && b.runs.back().strong == (strong > 0) &&
                      b.runs.back().em == (em > 0) && b.runs.back().code == (code > 0) &&
                      b.runs.back().link == (link > 0);
    if (same) {
      b.runs.back().text.append(t);
    } else {
      Run r;
      r.text = std::string(t);
      r.strong = strong > 0;
      r.em = em > 0;
      r.code = code > 0;
      r.link = link > 0;
      r.hard_break = pending_break;
      b.runs.push_back(std::move(r));
    }
    pending_break = false;
  }
};

int enter_block(MD_BLOCKTYPE type, void* detail, void* user) {
  auto& b = *static_cast<Builder*>(user);
  switch (type) {
    case MD_BLOCK_UL: b.list_numbers.push_back(0); break;
    case MD_BLOCK_OL: b.list_numbers.push_back(static_cast<int>(static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start)); break;
    case MD_BLOCK_LI: {
      b.open(Kind::item);
      b.blocks.back().depth = static_cast<int>(b.list_numbers.size());
      if (!b.list_numbers.empty() && b.list_numbers.back() > 0) b.blocks.back().number = b.list_numbers.back()++;
      break;
    }
    case MD_BLOCK_H:
      b.open(Kind::heading);
      b.blocks.back().level = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
      break;
    case MD_BLOCK_CODE: b.open(Kind::code); break;
    case MD_BLOCK_HR:
      b.open(Kind::rule);
      b.in_block = false;
      break;
    case MD_BLOCK_QUOTE: ++b.quote; break;
    case MD_BLOCK_P:
      // A paragraph inside a list item continues the item.
      if (!(b.in_block && b.blocks.back().kind == Kind::item && b.blocks.back().runs.empty())) b.in_block = false;
      break;
    default: break;
  }
  return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* user) {
  auto& b = *static_cast<Builder*>(user);
  switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      if (!b.list_numbers.empty()) b.list_numbers.pop_back();
      break;
    case MD_BLOCK_QUOTE: --b.quote; break;
    default: break;
  }
  if (type != MD_BLOCK_DOC) {
    b.in_block = false;
    b.pending_break = false;
  }
  return 0;
}

int enter_span(MD_SPANTYPE type, void* detail, void* user) {
  auto& b = *static_cast<Builder*>(user);
  switch (type) {
    case MD_SPAN_STRONG: ++b.strong; break;
    case MD_SPAN_EM: ++b.em; break;
    case MD_SPAN_CODE: ++b.code; break;
    case MD_SPAN_A: ++b.link; break;
    case MD_SPAN_IMG: {
      const auto* d = static_cast<MD_SPAN_IMG_DETAIL*>(detail);
      b.in_block = false;
      b.open(Kind::image);
      b.blocks.back().src.assign(d->src.text, d->src.size);
      ++b.image;
      break;
    }
    default: break;
  }
  return 0;
}

int leave_span(MD_SPANTYPE type, void*, void* user) {
  auto& b = *static_cast<Builder*>(user);
  switch (type) {
    case MD_SPAN_STRONG: --b.strong; break;
    case MD_SPAN_EM: --b.em; break;
    case MD_SPAN_CODE: --b.code; break;
    case MD_SPAN_A: --b.link; break;
    case MD_SPAN_IMG:
      --b.image;
      b.in_block = false;  // text after an image starts a new paragraph
      break;
    default: break;
  }
  return 0;
}

int on_text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user) {
  auto& b = *static_cast<Builder*>(user);
  switch (type) {
    case MD_TEXT_BR: b.pending_break = true; break;
    case MD_TEXT_SOFTBR: b.add_text(" "); break;
    case MD_TEXT_NULLCHAR: b.add_text("\xEF\xBF\xBD"); break;
    case MD_TEXT_ENTITY: {
      const std::string_view e(text, size);
      b.add_text(e == "&amp;" ? "&" : e == "&lt;" ? "<" : e == "&gt;" ? ">" : e == "&quot;" ? "\"" : e == "&nbsp;" ? " " : e);
      break;
    }
    case MD_TEXT_HTML: break;  // not reached with MD_FLAG_NOHTML: HTML arrives as plain text
    default: b.add_text(std::string_view(text, size)); break;
  }
  return 0;
}

}  // namespace

std::vector<Block> parse(std::string_view markdown) {
  Builder b;
  MD_PARSER parser{};
  parser.abi_version = 0;
  // Lessons are not web pages: raw HTML is shown as the text it is.
  parser.flags = MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH;
  parser.enter_block = enter_block;
  parser.leave_block = leave_block;
  parser.enter_span = enter_span;
  parser.leave_span = leave_span;
  parser.text = on_text;
  md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &b);
  // Trailing newline of code blocks adds nothing on screen.
  for (auto& blk : b.blocks)
    while (!blk.code.empty() && blk.code.back() == '\n') blk.code.pop_back();
  return std::move(b.blocks);
}

}  // namespace aisb::md
