// Data travels by content hash (SPEC.md sections 3 and 5): a CSV is its
// bytes; an image folder is its canonical tar, the same bytes on every
// machine for the same files, so the hash names the content and nothing
// else. The tar is plain ustar: one entry per image that list_images lists,
// "CLASS/FILE" in UTF-8 bytes, in list_images's order (by class, then file),
// mode 0644, owner 0, time 0, no folder entries (data_pack.cpp has the byte
// layout). The center checks an upload against its hash and never opens it;
// workers read the tar with the limits of image_folder.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostics.hpp"

namespace aisb {

// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view bytes);
// Of a file, read in pieces; nothing when it cannot be read.
std::optional<std::string> sha256_of_file(const std::filesystem::path& file);

// Writes the canonical tar of an image folder (the images list_images
// would list, and nothing else) in pieces to `sink`. Returns false, with
// problems in `diags`, when the folder cannot be read, when list_images
// finds an error in it (the tar would be refused anyway), or when a file
// changes while it is packed; what went to `sink` is then to be thrown
// away. Diagnostics name the folder by its own name.
bool pack_image_folder(const std::filesystem::path& folder, const std::function<void(std::string_view)>& sink,
                       Diagnostics& diags);
// The tar's hash, without keeping the tar.
std::optional<std::string> image_folder_sha256(const std::filesystem::path& folder, Diagnostics& diags);

}  // namespace aisb
