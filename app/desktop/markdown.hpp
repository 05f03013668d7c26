// Draws lesson Markdown (headings, paragraphs with bold, emphasis, code and
// links, lists, code blocks, quotes, rules, images beside the lesson) with
// our fonts, wrapped to the available width.
#pragma once

#include <filesystem>
#include <string>

namespace aisb::ui {

// `base` is the folder that image paths are relative to.
void markdown(const std::string& text, const std::filesystem::path& base);

}  // namespace aisb::ui
