// Reading JSON text that came from someone else: a request body, a job
// folder's files, a center's answer. nlohmann's parser is iterative, but a
// value nested 100,000 deep is not: its dump(), comparisons and copies
// recurse, and one such value overflowed a connection thread's stack. So
// every reader of untrusted JSON goes through here, and the nesting depth is
// checked on the raw bytes (one pass, no recursion) before anything is built.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace aisb {

// Deeper than any value our formats use (a job spec is 4 levels deep), far
// shallower than any stack.
inline constexpr int max_json_depth = 64;

// The first byte at which `text` opens its (max_depth + 1)-th nested array or
// object, outside strings; npos when it never does.
size_t json_too_deep_at(std::string_view text, int max_depth = max_json_depth);

// Parses `text` as JSON. On failure returns a discarded value and, when
// `why` is given, says what is wrong ("nested deeper than 64 levels (at byte
// 123)" or "not valid JSON").
nlohmann::json parse_json(std::string_view text, std::string* why = nullptr, int max_depth = max_json_depth);

// Base64 (RFC 4648, with padding): bytes inside JSON text (a checkpoint's
// optimizer state, a model file's weights). Decoding refuses anything else.
std::string base64_encode(std::string_view bytes);
// float32 values as little-endian bytes, the byte order of every file made
// here (model files, safetensors, ONNX tensors), whatever the machine's; and
// back (nothing when the size is not a whole number of floats).
std::string float32_le_bytes(const std::vector<float>& values);
std::optional<std::vector<float>> float32_from_le_bytes(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace aisb
