// libFuzzer target for what a class's photos reach: decode_image (the magic
// bytes, the header checks, stb_image and the resize) and, with the same
// bytes taken for a tar, list_images and read_images (libarchive's tar
// reader, the checks on each entry's path and size, the decoding threads).
// With -DAISB_FUZZ=ON it is a libFuzzer binary; otherwise replay.cpp runs
// it over tests/fuzz/image_corpus, where every input that once crashed stays.
// What it does not trust: the input, which may be anything.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

// Under the fuzzer (clang with AddressSanitizer), stb_image is compiled into
// the binary from the same header as Debian's libstb, so that it is
// instrumented: libstb.so is not, and the sanitizers would miss an overflow
// inside it. Its definitions here take the place of the library's for the
// whole program.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#endif
#endif

#include "data/image_folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string why;
  (void)aisb::decode_image(bytes, 8, 8, 1, &why);
  (void)aisb::decode_image(bytes, 5, 13, 3, &why);

  // The same bytes as a data pack: the tar reader needs a file.
  static const struct TempTar {
    fs::path path = fs::temp_directory_path() / ("aisb_image_fuzz_" + std::to_string(::getpid()) + ".tar");
    ~TempTar() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } temp;
  const fs::path& tar = temp.path;
  {
    std::ofstream out(tar, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  aisb::Diagnostics diags;
  if (const auto listing = aisb::list_images(tar, "fuzz", diags)) {
    (void)aisb::read_images(tar, *listing, 4, 6, 3, "fuzz", diags, 2);
  }
  return 0;
}
