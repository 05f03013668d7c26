// Photo folders a class brings (SPEC.md section 2, `source = "images:FOLDER"`):
// one subfolder per class, its name the class's name (Korean names too),
// PNG/JPEG/BMP/GIF files decoded by stb_image and resized to the lesson's
// size. The same folder may come as the canonical tar of data_pack.hpp (what
// the center stores and its workers read). What it does not trust: any file.
// File count, bytes per file and pixels are bounded before decoding; a file
// that cannot be read is a warning naming it and why, and the run goes on
// without it; a class with too few images is an error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "data/dataset.hpp"

namespace aisb {

namespace image_limits {
inline constexpr int64_t max_files = 20000;                   // images in a folder, all classes
inline constexpr int64_t max_file_bytes = int64_t{20} << 20;  // one image file
inline constexpr int64_t max_pixels = int64_t{40} << 20;      // width x height of one image
inline constexpr int64_t max_classes = 100;
inline constexpr int64_t min_per_class = 4;                   // fewer: an error
inline constexpr int64_t max_total_bytes = int64_t{2} << 30;  // the whole folder
// Names in bytes of UTF-8, as a ustar header holds them (data_pack.hpp): a
// longer name is a warning and its file or folder is left out.
inline constexpr int64_t max_file_name_bytes = 100;
inline constexpr int64_t max_class_name_bytes = 155;
}  // namespace image_limits

// True for the names the readers take as images: .png .jpg .jpeg .bmp .gif,
// in any case.
bool is_image_file_name(std::string_view name);

// One image file found in the folder (not yet decoded).
struct ImageEntry {
  int label = 0;     // index into ImageListing::classes
  std::string path;  // relative to the folder: "CLASS/FILE"
  int64_t bytes = 0;
  bool operator==(const ImageEntry&) const = default;
};

struct ImageListing {
  std::vector<std::string> classes;  // subfolder names, sorted by their UTF-8 bytes
  std::vector<ImageEntry> files;     // by class, then by file name (UTF-8 bytes)
  std::vector<int64_t> per_class;    // files per class
  bool operator==(const ImageListing&) const = default;
};

// Lists a folder, or a tar made by pack_image_folder (a regular file). Files
// other than images (by extension, any case: png jpg jpeg bmp gif) and hidden
// files are skipped; files directly in the folder, files that are not
// images and folders inside class folders are each counted in one warning
// (with an example); links are never followed (a warning each). Limits are
// errors in `diags` (path: the folder's `name` or "NAME/CLASS/FILE"), and
// so are fewer than two classes and a class with fewer than min_per_class
// image files. A tar entry that is not exactly "CLASS/FILE" is a warning.
// The same files give the same listing from a folder and from its tar.
std::optional<ImageListing> list_images(const std::filesystem::path& folder_or_tar, const std::string& name,
                                        Diagnostics& diags);

// Decodes and resizes every listed image to `height` x `width` with
// `channels` (1: grey, 3: RGB), pixels in [0, 1], on every core (`threads`,
// 0: one per core). Alpha is dropped (a transparent pixel shows its own
// colour); grey is (299 R + 587 G + 114 B) / 1000, rounded; GIFs give their
// first frame. Files that cannot be read are warnings ("NAME/CLASS/FILE:
// why") and are left out.
// Errors (a class left with too few images, fewer than two classes) go to
// `diags`. Deterministic: the same files give the same floats on every
// machine and with any number of threads.
std::optional<Images> read_images(const std::filesystem::path& folder_or_tar, const ImageListing& listing, int height,
                                  int width, int channels, const std::string& name, Diagnostics& diags,
                                  int threads = 0);

// One image file's bytes to `height` x `width` x `channels` floats in [0, 1]
// (channel-major, as Images holds them). Nothing on failure, with the reason
// in `why`. For the app's "try it" and the fuzzer.
std::optional<std::vector<float>> decode_image(const std::string& bytes, int height, int width, int channels,
                                               std::string* why);

}  // namespace aisb
