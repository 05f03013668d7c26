// Image folders and their canonical tars (data/image_folder.hpp,
// data/data_pack.hpp) on real files written into a temporary folder: mixed
// formats and sizes, damaged and hostile files, Korean names, the limits,
// and that a folder, its tar and any number of threads give the same floats.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <regex>
#include <sstream>

#include "core/messages.hpp"
#include "data/data_pack.hpp"
#include "data/image_folder.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;

fs::path u8(std::string_view s) {
  return fs::path(std::u8string(s.begin(), s.end()));
}

class TempDir {
 public:
  TempDir() {
    static int n = 0;
    path_ = fs::temp_directory_path() / ("aisb_images_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_bytes(const fs::path& file, std::string_view bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append_to(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size);
}

// Pixels from a function of (x, y, channel).
std::vector<unsigned char> pixels(int w, int h, int comp, const std::function<int(int, int, int)>& f) {
  std::vector<unsigned char> p(static_cast<size_t>(w) * h * comp);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < comp; ++c)
        p[(static_cast<size_t>(y) * w + x) * comp + c] = static_cast<unsigned char>(f(x, y, c));
  return p;
}

int pattern(int x, int y, int c) {
  return (x * 37 + y * 91 + c * 50) % 256;
}

std::string png(int w, int h, int comp, const std::function<int(int, int, int)>& f = pattern) {
  std::string out;
  const auto p = pixels(w, h, comp, f);
  stbi_write_png_to_func(append_to, &out, w, h, comp, p.data(), w * comp);
  return out;
}
std::string jpg(int w, int h, int comp, const std::function<int(int, int, int)>& f = pattern) {
  std::string out;
  const auto p = pixels(w, h, comp, f);
  stbi_write_jpg_to_func(append_to, &out, w, h, comp, p.data(), 90);
  return out;
}
std::string bmp(int w, int h, int comp, const std::function<int(int, int, int)>& f = pattern) {
  std::string out;
  const auto p = pixels(w, h, comp, f);
  stbi_write_bmp_to_func(append_to, &out, w, h, comp, p.data());
  return out;
}
// 7 x 5, palette red, green, blue, white; pixel (x, y) is colour (x + y) % 4.
const std::string kGif(
    "\x47\x49\x46\x38\x37\x61\x07\x00\x05\x00\x81\x00\x00\xff\x00\x00\x00\xff\x00\x00\x00\xff\xff\xff\xff\x2c\x00"
    "\x00\x00\x00\x07\x00\x05\x00\x00\x08\x16\x00\x01\x04\x10\x30\x40\xa0\x80\x81\x05\x11\x12\x34\x58\x30\xe1\xc2"
    "\x00\x0c\x0d\x06\x04\x00\x3b",
    61);

uint32_t crc32(std::string_view b) {
  uint32_t c = 0xffffffffu;
  for (const char ch : b) {
    c ^= static_cast<unsigned char>(ch);
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// A real PNG whose header claims w x h (the data stays 1 x 1).
std::string png_claiming(uint32_t w, uint32_t h) {
  std::string p = png(1, 1, 3);
  const auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xffu);
  };
  put32(16, w);
  put32(20, h);
  put32(29, crc32(std::string_view(p).substr(12, 17)));  // IHDR's type and data
  return p;
}

// Four readable images in each of `classes`, of mixed formats and sizes.
void make_folder(const fs::path& root, const std::vector<std::string>& classes) {
  int k = 0;
  for (const std::string& cls : classes) {
    const fs::path dir = root / u8(cls);
    write_bytes(dir / "a.png", png(12 + k, 9, 3));
    write_bytes(dir / "b.JPG", jpg(40, 30 + k, 3));
    write_bytes(dir / "c.bmp", bmp(5, 9, 3));
    write_bytes(dir / "d.gif", kGif);
    write_bytes(dir / "e_grey.png", png(20, 20, 1, [k](int x, int y, int) { return (x * 10 + y + k) % 256; }));
    ++k;
  }
}

const Diagnostic* find_key(const Diagnostics& d, const std::string& key, const std::string& path = "") {
  for (const Diagnostic& x : d.all()) {
    if (x.key == key && (path.empty() || x.path == path)) return &x;
  }
  return nullptr;
}

std::string dump(const Diagnostics& d) {
  std::string out;
  for (const Diagnostic& x : d.all()) {
    out += (x.severity == Severity::error ? "error " : "warning ") + x.path + ": " + x.message + " [" + x.key + "]\n";
  }
  return out;
}

std::string pack_to_string(const fs::path& folder, Diagnostics& d) {
  std::string tar;
  if (!pack_image_folder(
          folder, [&](std::string_view piece) { tar += piece; }, d))
    return {};
  return tar;
}

// ------------------------------------------------------------------ listing

TEST(ImageFolder, ListsClassFoldersAndImagesInByteOrder) {
  TempDir t;
  make_folder(t.path(), {"정상", "b_cls", "불량", "a_cls"});
  Diagnostics d;
  const auto l = list_images(t.path(), "photos", d);
  ASSERT_TRUE(l) << dump(d);
  EXPECT_TRUE(d.all().empty()) << dump(d);
  // Hangul sorts after ASCII; 불 (U+BD88) before 정 (U+C815).
  EXPECT_EQ(l->classes, (std::vector<std::string>{"a_cls", "b_cls", "불량", "정상"}));
  EXPECT_EQ(l->per_class, (std::vector<int64_t>{5, 5, 5, 5}));
  ASSERT_EQ(l->files.size(), 20u);
  EXPECT_EQ(l->files[0].path, "a_cls/a.png");
  EXPECT_EQ(l->files[1].path, "a_cls/b.JPG");
  EXPECT_EQ(l->files[15].path, "정상/a.png");
  EXPECT_EQ(l->files[15].label, 3);
  EXPECT_EQ(l->files[3].bytes, static_cast<int64_t>(kGif.size()));
}

TEST(ImageFolder, OneClassIsAnErrorThatNamesIt) {
  TempDir t;
  make_folder(t.path(), {"ok"});
  Diagnostics d;
  EXPECT_FALSE(list_images(t.path(), "photos", d));
  const Diagnostic* e = find_key(d, "images.one_class", "photos");
  ASSERT_NE(e, nullptr) << dump(d);
  EXPECT_EQ(e->message, "needs at least two class folders, found 1: 'ok'");
  EXPECT_EQ(render_diagnostic(*e, "ko"), "클래스 폴더가 두 개 이상 필요한데 'ok' 하나뿐입니다.");

  TempDir empty;
  Diagnostics d0;
  EXPECT_FALSE(list_images(empty.path(), "photos", d0));
  EXPECT_NE(find_key(d0, "images.no_classes"), nullptr) << dump(d0);
}

TEST(ImageFolder, AClassWithTooFewImagesIsAnError) {
  TempDir t;
  make_folder(t.path(), {"cat", "dog"});
  fs::remove(t.path() / "dog" / "a.png");
  fs::remove(t.path() / "dog" / "b.JPG");
  Diagnostics d;
  EXPECT_FALSE(list_images(t.path(), "photos", d));
  const Diagnostic* e = find_key(d, "images.class_too_few", "photos/dog");
  ASSERT_NE(e, nullptr) << dump(d);
  EXPECT_EQ(e->message, "the class 'dog' has 3 images; each class needs at least 4");
}

TEST(ImageFolder, SkipsHiddenFilesLinksStrayFilesAndSubfolders) {
  TempDir t;
  make_folder(t.path(), {"cat", "dog"});
  write_bytes(t.path() / "cat" / ".hidden.png", png(4, 4, 3));
  write_bytes(t.path() / "cat" / "._b.JPG", "AppleDouble");
  write_bytes(t.path() / "cat" / "Thumbs.db", "x");
  write_bytes(t.path() / "cat" / "notes.txt", "x");
  write_bytes(t.path() / "cat" / "IMG_0001.HEIC", "x");
  write_bytes(t.path() / "cat" / "old" / "x.png", png(4, 4, 3));
  write_bytes(t.path() / "__MACOSX" / "cat" / "._a.png", "x");
  write_bytes(t.path() / ".git" / "x.png", png(4, 4, 3));
  write_bytes(t.path() / "stray.png", png(4, 4, 3));
  write_bytes(t.path() / "README.txt", "x");
  fs::create_symlink(t.path() / "cat" / "a.png", t.path() / "dog" / "link.png");
  fs::create_directory_symlink("/etc", t.path() / "etc");
  // Not UTF-8: cannot be a name on other machines or in JSON.
  write_bytes(t.path() / "dog" / "bad\xff.png", png(4, 4, 3));
  write_bytes(t.path() / "dog" / (std::string(101, 'x') + ".png"), png(4, 4, 3));
  Diagnostics d;
  const auto l = list_images(t.path(), "photos", d);
  ASSERT_TRUE(l) << dump(d);
  EXPECT_EQ(l->classes, (std::vector<std::string>{"cat", "dog"})) << dump(d);
  EXPECT_EQ(l->per_class, (std::vector<int64_t>{5, 5}));
  EXPECT_FALSE(d.has_errors());
  EXPECT_NE(find_key(d, "images.symlink", "photos/dog/link.png"), nullptr) << dump(d);
  EXPECT_NE(find_key(d, "images.symlink", "photos/etc"), nullptr) << dump(d);
  const Diagnostic* stray = find_key(d, "images.root_files", "photos");
  ASSERT_NE(stray, nullptr) << dump(d);
  EXPECT_NE(stray->message.find("'stray.png'"), std::string::npos) << stray->message;
  const Diagnostic* sub = find_key(d, "images.subfolders", "photos");
  ASSERT_NE(sub, nullptr) << dump(d);
  EXPECT_NE(sub->message.find("'cat/old'"), std::string::npos) << sub->message;
  const Diagnostic* other = find_key(d, "images.not_images", "photos");
  ASSERT_NE(other, nullptr) << dump(d);
  EXPECT_EQ(other->args[0].text, "2");  // notes.txt and the HEIC photo; not Thumbs.db
  EXPECT_NE(find_key(d, "images.bad_name", "photos/dog/bad?.png"), nullptr) << dump(d);
  EXPECT_NE(find_key(d, "images.name_too_long"), nullptr) << dump(d);
  EXPECT_EQ(d.all().size(), 7u) << dump(d);
}

TEST(ImageFolder, AMissingFolderIsAnError) {
  Diagnostics d;
  EXPECT_FALSE(list_images("/nonexistent/aisb/photos", "photos", d));
  EXPECT_NE(find_key(d, "images.cannot_open", "photos"), nullptr) << dump(d);
}

// ------------------------------------------------------------------ limits

TEST(ImageLimits, AFileTooBigIsLeftOutWithAWarning) {
  TempDir t;
  make_folder(t.path(), {"cat", "dog"});
  // Sparse: nothing is written, the size is what is checked.
  write_bytes(t.path() / "cat" / "huge.png", "");
  fs::resize_file(t.path() / "cat" / "huge.png", image_limits::max_file_bytes + 1);
  Diagnostics d;
  const auto l = list_images(t.path(), "photos", d);
  ASSERT_TRUE(l) << dump(d);
  EXPECT_EQ(l->per_class[0], 5);
  const Diagnostic* w = find_key(d, "images.file_too_big", "photos/cat/huge.png");
  ASSERT_NE(w, nullptr) << dump(d);
  EXPECT_EQ(w->message, "the file is 21 MB, more than the 20 MB allowed for one image; it is left out");
}

TEST(ImageLimits, TooManyBytesInAllIsAnError) {
  TempDir t;
  const int64_t each = image_limits::max_file_bytes - 1;
  const int64_t n = image_limits::max_total_bytes / each / 2 + 1;
  for (const char* cls : {"a", "b"}) {
    fs::create_directories(t.path() / cls);
    for (int64_t i = 0; i < n; ++i) {
      const fs::path f = t.path() / cls / (std::to_string(i) + ".png");
      write_bytes(f, "");
      fs::resize_file(f, static_cast<uintmax_t>(each));
    }
  }
  Diagnostics d;
  EXPECT_FALSE(list_images(t.path(), "photos", d));
  const Diagnostic* e = find_key(d, "images.too_many_bytes", "photos");
  ASSERT_NE(e, nullptr) << dump(d);
  EXPECT_NE(e->message.find("more than the 2048 MB allowed"), std::string::npos) << e->message;
}

TEST(ImageLimits, TooManyFilesAndClassesAreErrors) {
  TempDir t;
  const int64_t per = image_limits::max_files / 4 + 1;
  for (int c = 0; c < 4; ++c) {
    const fs::path dir = t.path() / ("class" + std::to_string(c));
    fs::create_directories(dir);
    for (int64_t i = 0; i < per; ++i) std::ofstream(dir / (std::to_string(i) + ".png"));
  }
  Diagnostics d;
  EXPECT_FALSE(list_images(t.path(), "photos", d));
  const Diagnostic* e = find_key(d, "images.too_many_files", "photos");
  ASSERT_NE(e, nullptr) << dump(d);
  EXPECT_EQ(e->message, "more than 20000 images, the most one data set can hold");

  TempDir many;
  for (int64_t c = 0; c <= image_limits::max_classes; ++c) {
    const fs::path dir = many.path() / ("class" + std::to_string(c));
    fs::create_directories(dir);
    for (int i = 0; i < 4; ++i) std::ofstream(dir / (std::to_string(i) + ".png"));
  }
  Diagnostics d2;
  EXPECT_FALSE(list_images(many.path(), "photos", d2));
  const Diagnostic* classes = find_key(d2, "images.too_many_classes", "photos");
  ASSERT_NE(classes, nullptr) << dump(d2);
  EXPECT_EQ(classes->message, "101 class folders, more than the 100 allowed");
  EXPECT_EQ(d2.all().size(), 1u) << dump(d2);
}

TEST(ImageLimits, AnImageHugeInPixelsIsRefusedBeforeDecoding) {
  std::string why;
  EXPECT_FALSE(decode_image(png_claiming(100000, 100000), 8, 8, 3, &why));
  EXPECT_EQ(why,
            "the image is 100000 x 100000 pixels, more than the 41,943,040 pixels allowed; it is left out "
            "(make it smaller)");
  std::string gif = kGif;
  gif[6] = gif[7] = gif[8] = gif[9] = '\xff';
  EXPECT_FALSE(decode_image(gif, 8, 8, 3, &why));
  EXPECT_TRUE(why.starts_with("the image is 65535 x 65535 pixels")) << why;
  std::string b = bmp(4, 4, 3);
  b[19] = b[23] = '\x7f';  // 32516 x 32516
  EXPECT_FALSE(decode_image(b, 8, 8, 3, &why));
  EXPECT_TRUE(why.starts_with("the image is 32516 x 32516 pixels")) << why;
  std::string j = jpg(4, 4, 3);
  const size_t sof = j.find("\xff\xc0");
  ASSERT_NE(sof, std::string::npos);
  j[sof + 5] = j[sof + 7] = '\x7f';  // 32516 x 32516
  EXPECT_FALSE(decode_image(j, 8, 8, 3, &why));
  EXPECT_TRUE(why.starts_with("the image is 32516 x 32516 pixels")) << why;
}

// ------------------------------------------------------------------ decoding

TEST(ImageDecode, EveryFormatGreyAndColourToTheSameShape) {
  for (const std::string& bytes : {png(12, 9, 3), png(12, 9, 1), png(12, 9, 4), png(3, 3, 2), jpg(40, 30, 3),
                                   jpg(40, 30, 1), bmp(5, 9, 3), bmp(5, 9, 4), kGif}) {
    for (const int c : {1, 3}) {
      std::string why;
      const auto px = decode_image(bytes, 6, 8, c, &why);
      ASSERT_TRUE(px) << why;
      ASSERT_EQ(px->size(), static_cast<size_t>(c * 6 * 8));
      for (const float v : *px) {
        EXPECT_GE(v, 0.0f);
        EXPECT_LE(v, 1.0f);
      }
    }
  }
}

TEST(ImageDecode, SolidColoursStayExactGreyByFixedWeights) {
  const auto solid = [](int r, int g, int b) { return [=](int, int, int c) { return c == 0 ? r : c == 1 ? g : b; }; };
  std::string why;
  for (const auto& [h, w] : std::vector<std::pair<int, int>>{{4, 4}, {16, 16}, {7, 30}}) {
    const auto rgb = decode_image(png(13, 11, 3, solid(255, 128, 3)), h, w, 3, &why);
    ASSERT_TRUE(rgb) << why;
    const size_t plane = static_cast<size_t>(h) * w;
    for (size_t i = 0; i < plane; ++i) {
      ASSERT_EQ((*rgb)[i], 255 / 255.0f);
      ASSERT_EQ((*rgb)[plane + i], 128 / 255.0f);
      ASSERT_EQ((*rgb)[2 * plane + i], 3 / 255.0f);
    }
    const auto grey = decode_image(png(13, 11, 3, solid(255, 128, 3)), h, w, 1, &why);
    ASSERT_TRUE(grey) << why;
    for (const float v : *grey)
      ASSERT_EQ(v, static_cast<float>((299 * 255 + 587 * 128 + 114 * 3 + 500) / 1000) / 255.0f);
  }
  // A grey file is the same grey in every channel.
  const auto g3 = decode_image(png(5, 5, 1, [](int, int, int) { return 100; }), 4, 4, 3, &why);
  ASSERT_TRUE(g3) << why;
  for (const float v : *g3) ASSERT_EQ(v, 100 / 255.0f);
}

TEST(ImageDecode, AlphaIsDroppedAndGifGivesItsFirstFrameChannelMajor) {
  std::string why;
  // Fully transparent, yet its colour shows.
  const auto a = decode_image(png(3, 3, 4, [](int, int, int c) { return c == 3 ? 0 : 40 * (c + 1); }), 3, 3, 3, &why);
  ASSERT_TRUE(a) << why;
  EXPECT_EQ((*a)[0], 40 / 255.0f);
  EXPECT_EQ((*a)[9], 80 / 255.0f);
  EXPECT_EQ((*a)[18], 120 / 255.0f);
  // Same size: no resampling; pixel (x, y) is palette colour (x + y) % 4.
  const auto g = decode_image(kGif, 5, 7, 3, &why);
  ASSERT_TRUE(g) << why;
  const float palette[4][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}};
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x)
      for (int c = 0; c < 3; ++c) EXPECT_EQ((*g)[c * 35 + y * 7 + x], palette[(x + y) % 4][c]) << x << "," << y;
}

TEST(ImageDecode, BrokenFilesSayWhy) {
  const std::string good_jpg = jpg(64, 48, 3);
  const std::string good_png = png(64, 48, 3);
  const std::string good_bmp = bmp(64, 48, 3);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the file is empty (0 bytes); it is left out"},
      {"hello, I am text", "this is not a PNG, JPEG, BMP or GIF image; it is left out"},
      // stb_image would read these as TGA or PNM: not ours.
      {std::string("\0\0\2\0\0\0\0\0\0\0\0\0\4\0\4\0\x18\0", 18) + std::string(48, 'x'),
       "this is not a PNG, JPEG, BMP or GIF image; it is left out"},
      {"P6 2 2 255 " + std::string(12, 'x'), "this is not a PNG, JPEG, BMP or GIF image; it is left out"},
      {good_jpg.substr(0, good_jpg.size() / 2),
       "the image is damaged or cut short (the file ends too soon); it is "
       "left out"},
      {good_png.substr(0, good_png.size() - 20),
       "the image is damaged or cut short (the file ends too soon); it is "
       "left out"},
      {good_bmp.substr(0, good_bmp.size() - 100),
       "the image is damaged or cut short (the file ends too soon); it is "
       "left out"},
      {kGif.substr(0, 50), "the image is damaged or cut short (the file ends too soon); it is left out"},
      // More than 256 codes in a Huffman table: stb_image 2.27 writes past its arrays.
      {[&] {
         std::string j = good_jpg;
         const size_t dht = j.find("\xff\xc4");
         for (size_t i = 0; i < 16; ++i) j[dht + 5 + i] = '\xff';
         return j;
       }(),
       "the image is damaged or cut short (bad Huffman table); it is left out"},
      // A scan with tables never defined: stb_image 2.27 reads uninitialised memory.
      {[&] {
         std::string j = good_jpg;
         j[j.find("\xff\xda") + 6] = '\x22';
         return j;
       }(),
       "the image is damaged or cut short (a scan uses a Huffman table that is not defined); it is left out"},
      // An empty first IDAT chunk: stb_image 2.27 copies it to a null pointer.
      {[&] {
         std::string p = good_png;
         p.insert(p.find("IDAT") - 4, std::string("\0\0\0\0IDAT\x35\xaf\x06\x1e", 12));
         return p;
       }(),
       "the image is damaged or cut short (empty IDAT chunk); it is left out"},
      {good_jpg.substr(0, 10), ""},
      {good_png.substr(0, 30), ""},
  };
  for (const auto& [bytes, expected] : cases) {
    std::string why;
    EXPECT_FALSE(decode_image(bytes, 8, 8, 3, &why)) << expected;
    if (expected.empty()) {
      EXPECT_TRUE(why.starts_with("the image is damaged or cut short (")) << why;
    } else {
      EXPECT_EQ(why, expected);
    }
  }
  std::string why;
  EXPECT_FALSE(decode_image(good_png, 0, 8, 3, &why));
  EXPECT_FALSE(decode_image(good_png, 8, 8, 2, &why));
}

TEST(ImageDecode, ShrinkingAveragesAreasAndEnlargingIsBilinear) {
  const std::vector<int> row = {0, 100, 200, 255};
  const std::string bytes = png(4, 1, 1, [&](int x, int, int) { return row[static_cast<size_t>(x)]; });
  std::string why;
  const auto half = decode_image(bytes, 1, 2, 1, &why);
  ASSERT_TRUE(half) << why;
  EXPECT_EQ(*half, (std::vector<float>{50 / 255.0f, 228 / 255.0f}));  // 227.5 rounds up
  const auto same = decode_image(bytes, 1, 4, 1, &why);
  ASSERT_TRUE(same) << why;
  EXPECT_EQ(*same, (std::vector<float>{0, 100 / 255.0f, 200 / 255.0f, 1}));
  const auto twice = decode_image(png(2, 1, 1, [](int x, int, int) { return x == 0 ? 0 : 255; }), 1, 4, 1, &why);
  ASSERT_TRUE(twice) << why;
  EXPECT_EQ(*twice, (std::vector<float>{0, 64 / 255.0f, 191 / 255.0f, 1}));  // 63.75 and 191.25
  // A very long, thin image: thousands of taps per pixel, weights still sum to one.
  const auto thin = decode_image(png(30000, 1, 1, [](int, int, int) { return 77; }), 4, 4, 1, &why);
  ASSERT_TRUE(thin) << why;
  for (const float v : *thin) EXPECT_EQ(v, 77 / 255.0f);
}

// stb_image_resize's triangle filter failed an assertion (and so ended the
// process) for some sizes, 23 to 16 pixels among them: none may.
TEST(ImageDecode, AwkwardSizeRatiosResize) {
  for (const int out : {1, 3, 7, 16, 28, 32, 64}) {
    for (int in = 1; in <= 300; ++in) {
      std::string why;
      const auto px = decode_image(bmp(in, 2, 3), 2, out, 3, &why);
      ASSERT_TRUE(px) << in << " to " << out << ": " << why;
      ASSERT_EQ(px->size(), static_cast<size_t>(3 * 2 * out));
    }
  }
}

// ------------------------------------------------------------------ reading

TEST(ImageRead, UnreadableFilesAreNamedAndTheRunGoesOn) {
  TempDir t;
  make_folder(t.path(), {"cat", "dog"});
  const std::string good = jpg(64, 48, 3);
  write_bytes(t.path() / "cat" / "cut.jpg", good.substr(0, good.size() / 2));
  write_bytes(t.path() / "cat" / "empty.png", "");
  write_bytes(t.path() / "cat" / "text.png", "not really a png");
  write_bytes(t.path() / "dog" / "huge.png", png_claiming(100000, 100000));
  write_bytes(t.path() / "dog" / "jpeg_named.png", good);  // the bytes decide, not the name
  Diagnostics d;
  const auto l = list_images(t.path(), "photos", d);
  ASSERT_TRUE(l) << dump(d);
  const auto im = read_images(t.path(), *l, 16, 16, 3, "photos", d, 2);
  ASSERT_TRUE(im) << dump(d);
  EXPECT_EQ(im->size(), 11u);
  EXPECT_EQ(im->pixels.size(), 11u * 3 * 16 * 16);
  EXPECT_EQ(std::count(im->label.begin(), im->label.end(), 0.0f), 5);
  EXPECT_FALSE(d.has_errors()) << dump(d);
  EXPECT_NE(find_key(d, "images.damaged", "photos/cat/cut.jpg"), nullptr) << dump(d);
  EXPECT_NE(find_key(d, "images.empty", "photos/cat/empty.png"), nullptr) << dump(d);
  EXPECT_NE(find_key(d, "images.not_an_image", "photos/cat/text.png"), nullptr) << dump(d);
  const Diagnostic* huge = find_key(d, "images.too_many_pixels", "photos/dog/huge.png");
  ASSERT_NE(huge, nullptr) << dump(d);
  EXPECT_EQ(describe_diagnostic(*huge, "ko"),
            "photos/dog/huge.png: 이미지가 100000 x 100000 픽셀로, 허용된 41,943,040픽셀보다 커서 빼고 "
            "진행합니다(크기를 줄이세요).");
  EXPECT_EQ(d.all().size(), 4u) << dump(d);
}

TEST(ImageRead, AClassLeftWithTooFewReadableImagesIsAnError) {
  TempDir t;
  make_folder(t.path(), {"cat", "정상"});
  write_bytes(t.path() / u8("정상") / "a.png", "");
  write_bytes(t.path() / u8("정상") / "b.JPG", "garbage");
  Diagnostics d;
  const auto l = list_images(t.path(), "photos", d);
  ASSERT_TRUE(l) << dump(d);
  EXPECT_FALSE(read_images(t.path(), *l, 8, 8, 1, "photos", d));
  const Diagnostic* e = find_key(d, "images.class_too_few_readable", "photos/정상");
  ASSERT_NE(e, nullptr) << dump(d);
  EXPECT_EQ(e->message, "the class '정상' has 3 readable images; each class needs at least 4");
  EXPECT_EQ(render_diagnostic(*e, "ko"),
            "'정상' 클래스에서 읽을 수 있는 이미지가 3장입니다. 클래스마다 4장 이상 필요합니다.");
}

TEST(ImageRead, TheSameFloatsWithOneThreadOrFour) {
  TempDir t;
  make_folder(t.path(), {"a", "b", "c"});
  std::mt19937 rng(7);
  for (int i = 0; i < 30; ++i) {
    const int w = 10 + static_cast<int>(rng() % 200), h = 10 + static_cast<int>(rng() % 150);
    const auto noise = [&rng](int, int, int) { return static_cast<int>(rng() % 256); };
    std::string file = std::to_string(i);
    file += i % 2 ? ".jpg" : ".png";
    write_bytes(t.path() / std::string(1, static_cast<char>('a' + i % 3)) / file,
                i % 2 ? jpg(w, h, 3, noise) : png(w, h, 3, noise));
  }
  Diagnostics d;
  const auto l = list_images(t.path(), "photos", d);
  ASSERT_TRUE(l) << dump(d);
  for (const int c : {1, 3}) {
    const auto one = read_images(t.path(), *l, 24, 20, c, "photos", d, 1);
    const auto four = read_images(t.path(), *l, 24, 20, c, "photos", d, 4);
    const auto all = read_images(t.path(), *l, 24, 20, c, "photos", d, 0);
    ASSERT_TRUE(one && four && all) << dump(d);
    ASSERT_EQ(one->pixels.size(), four->pixels.size());
    EXPECT_EQ(std::memcmp(one->pixels.data(), four->pixels.data(), one->pixels.size() * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(one->pixels.data(), all->pixels.data(), one->pixels.size() * sizeof(float)), 0);
    EXPECT_EQ(one->label, four->label);
    EXPECT_EQ(one->size(), 45u);
    EXPECT_EQ(one->channels, c);
    EXPECT_EQ(one->height, 24);
    EXPECT_EQ(one->width, 20);
  }
}

TEST(ImageRead, TooMuchDataForMemoryIsAnError) {
  TempDir t;
  make_folder(t.path(), {"a", "b"});
  Diagnostics d;
  auto l = list_images(t.path(), "photos", d);
  ASSERT_TRUE(l);
  const ImageEntry first = l->files[0];
  l->files.assign(20000, first);
  EXPECT_FALSE(read_images(t.path(), *l, 512, 512, 3, "photos", d));
  EXPECT_NE(find_key(d, "dataset.too_much_data", "photos"), nullptr) << dump(d);
}

// ------------------------------------------------------------------ data packs

TEST(DataPack, Sha256OfBytesAndFiles) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  TempDir t;
  std::string big(300000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 1000);
  write_bytes(t.path() / "f.bin", big);
  EXPECT_EQ(sha256_of_file(t.path() / "f.bin"), sha256_hex(big));
  EXPECT_FALSE(sha256_of_file(t.path() / "missing"));
}

TEST(DataPack, FolderAndItsTarGiveTheSameListingAndFloats) {
  TempDir t;
  const fs::path folder = t.path() / "photos";
  make_folder(folder, {"정상", "불량", "scratch"});
  write_bytes(folder / u8("불량") / u8("긁힘_사진_01.jpg"), jpg(33, 21, 3));
  write_bytes(folder / "scratch" / "cut.png", png(30, 30, 3).substr(0, 60));  // a warning in both
  write_bytes(folder / "scratch" / "notes.txt", "not packed");
  // A path past ustar's 100 bytes: CLASS in the prefix field.
  const std::string long_class = "긴_클래스_이름_" + std::string(80, 'k') + "_끝";
  make_folder(folder, {long_class});
  ASSERT_GT(long_class.size() + 8, 100u);

  Diagnostics df, dt, dp;
  const auto from_folder = list_images(folder, "photos", df);
  ASSERT_TRUE(from_folder) << dump(df);
  const std::string tar = pack_to_string(folder, dp);
  ASSERT_FALSE(tar.empty()) << dump(dp);
  EXPECT_EQ(tar.size() % 512, 0u);
  write_bytes(t.path() / "photos.tar", tar);
  const auto from_tar = list_images(t.path() / "photos.tar", "photos", dt);
  ASSERT_TRUE(from_tar) << dump(dt);
  EXPECT_EQ(*from_tar, *from_folder);
  EXPECT_EQ(from_tar->classes.size(), 4u);
  EXPECT_FALSE(dt.has_errors());
  EXPECT_TRUE(dt.all().empty()) << dump(dt);  // notes.txt was never packed

  for (const int c : {1, 3}) {
    Diagnostics rf, rt;
    const auto a = read_images(folder, *from_folder, 16, 12, c, "photos", rf, 3);
    const auto b = read_images(t.path() / "photos.tar", *from_tar, 16, 12, c, "photos", rt, 2);
    ASSERT_TRUE(a && b) << dump(rf) << dump(rt);
    ASSERT_EQ(a->pixels.size(), b->pixels.size());
    EXPECT_EQ(std::memcmp(a->pixels.data(), b->pixels.data(), a->pixels.size() * sizeof(float)), 0);
    EXPECT_EQ(a->label, b->label);
    EXPECT_NE(find_key(rt, "images.damaged", "photos/scratch/cut.png"), nullptr) << dump(rt);
    EXPECT_EQ(dump(rf), dump(rt));
  }
}

TEST(DataPack, TheSameContentGivesTheSameHashWhereverItIs) {
  TempDir t;
  const fs::path a = t.path() / "one" / "photos", b = t.path() / "two" / "다른이름";
  make_folder(a, {"불량", "정상"});
  // The copy: written in another order, other times and modes, with litter
  // that is not packed.
  for (const std::string cls : {"정상", "불량"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(a / u8(cls))) files.push_back(e.path());
    std::sort(files.rbegin(), files.rend());
    for (const fs::path& f : files) {
      write_bytes(b / u8(cls) / f.filename(), read_bytes(f));
      fs::last_write_time(b / u8(cls) / f.filename(), fs::file_time_type::clock::now() - std::chrono::hours(1000));
      fs::permissions(b / u8(cls) / f.filename(), fs::perms::owner_read | fs::perms::owner_write);
    }
  }
  write_bytes(b / u8("정상") / ".DS_Store", "x");
  write_bytes(b / u8("정상") / "readme.txt", "x");
  Diagnostics d;
  const auto ha = image_folder_sha256(a, d), hb = image_folder_sha256(b, d);
  ASSERT_TRUE(ha && hb) << dump(d);
  EXPECT_EQ(*ha, *hb);
  EXPECT_EQ(ha->size(), 64u);
  const std::string tar = pack_to_string(a, d);
  EXPECT_EQ(sha256_hex(tar), *ha);

  // One byte changed, or a file renamed: another hash.
  std::string bytes = read_bytes(b / u8("정상") / "a.png");
  bytes[bytes.size() / 2] ^= 1;
  write_bytes(b / u8("정상") / "a.png", bytes);
  EXPECT_NE(image_folder_sha256(b, d), ha);
  fs::rename(a / u8("정상") / "c.bmp", a / u8("정상") / "c2.bmp");
  EXPECT_NE(image_folder_sha256(a, d), ha);
}

TEST(DataPack, TheTarIsPlainUstarWithUtf8Names) {
  TempDir t;
  make_folder(t.path() / "p", {"불량", "ok"});
  Diagnostics d;
  const std::string tar = pack_to_string(t.path() / "p", d);
  ASSERT_FALSE(tar.empty()) << dump(d);
  // The first entry: "ok/a.png", mode 0644, owner 0, time 0, "ustar\0" "00".
  EXPECT_EQ(tar.substr(0, 9), std::string("ok/a.png\0", 9));
  EXPECT_EQ(tar.substr(100, 8), std::string("0000644\0", 8));
  EXPECT_EQ(tar.substr(136, 12), std::string("00000000000\0", 12));
  EXPECT_EQ(tar[156], '0');
  EXPECT_EQ(tar.substr(257, 8), std::string("ustar\0"
                                            "00",
                                            8));
  EXPECT_EQ(tar.substr(265, 64), std::string(64, '\0'));  // no user or group names
  EXPECT_NE(tar.find("불량/a.png"), std::string::npos);
  EXPECT_EQ(tar.substr(tar.size() - 1024), std::string(1024, '\0'));
}

TEST(DataPack, AFolderThatCannotBeListedDoesNotPack) {
  TempDir t;
  make_folder(t.path() / "p", {"only"});
  Diagnostics d;
  std::string tar;
  EXPECT_FALSE(pack_image_folder(
      t.path() / "p", [&](std::string_view s) { tar += s; }, d));
  EXPECT_NE(find_key(d, "images.one_class", "p"), nullptr) << dump(d);
  Diagnostics d2;
  EXPECT_FALSE(image_folder_sha256(t.path() / "missing", d2));
  EXPECT_TRUE(d2.has_errors());
}

// A tar by hand, for what pack_image_folder never writes.
struct TarEntry {
  std::string name;
  std::string data;
  char type = '0';
  int64_t declared = -1;  // the size field, when it should lie
};

std::string make_tar(const std::vector<TarEntry>& entries, bool end = true) {
  std::string out;
  for (const TarEntry& e : entries) {
    std::string h(512, '\0');
    h.replace(0, std::min<size_t>(e.name.size(), 100), e.name.substr(0, 100));
    const auto octal = [&](size_t at, size_t width, int64_t v) {
      std::ostringstream s;
      s.width(static_cast<std::streamsize>(width - 1));
      s.fill('0');
      s << std::oct << v;
      h.replace(at, width - 1, s.str().substr(0, width - 1));
    };
    octal(100, 8, 0644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, e.declared >= 0 ? e.declared : static_cast<int64_t>(e.data.size()));
    octal(136, 12, 0);
    h[156] = e.type;
    if (e.type == '2') h.replace(157, 10, "/etc/passw");
    h.replace(257, 8,
              std::string("ustar\0"
                          "00",
                          8));
    h.replace(148, 8, 8, ' ');
    int64_t sum = 0;
    for (const char c : h) sum += static_cast<unsigned char>(c);
    octal(148, 7, sum);
    out += h + e.data + std::string((512 - e.data.size() % 512) % 512, '\0');
  }
  if (end) out += std::string(1024, '\0');
  return out;
}

std::vector<TarEntry> good_entries() {
  std::vector<TarEntry> v;
  for (const char* cls : {"a", "b"})
    for (const char* f : {"1.png", "2.png", "3.png", "4.png"}) v.push_back({std::string(cls) + "/" + f, png(6, 6, 3)});
  return v;
}

TEST(DataPack, HostileEntriesAreLeftOutWithAWarning) {
  TempDir t;
  std::vector<TarEntry> v = good_entries();
  v.push_back({"../evil.png", png(6, 6, 3)});
  v.push_back({"/etc/evil.png", png(6, 6, 3)});
  v.push_back({"a/deeper/x.png", png(6, 6, 3)});
  v.push_back({"a/../x.png", png(6, 6, 3)});
  v.push_back({"loose.png", png(6, 6, 3)});
  v.push_back({"a/link.png", "", '2'});
  v.push_back({"a/dev.png", "", '3'});
  v.push_back({"a/1.png", jpg(6, 6, 3)});  // twice: the first counts
  v.push_back({"a/.hidden.png", "x"});
  v.push_back({"b/", "", '5'});
  v.push_back({"a/bad\x01name.png", png(6, 6, 3)});
  const fs::path tar = t.path() / "x.tar";
  write_bytes(tar, make_tar(v));
  Diagnostics d;
  const auto l = list_images(tar, "photos", d);
  ASSERT_TRUE(l) << dump(d);
  EXPECT_EQ(l->per_class, (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(
      std::count_if(d.all().begin(), d.all().end(), [](const Diagnostic& x) { return x.key == "images.pack_entry"; }),
      7)
      << dump(d);
  EXPECT_NE(find_key(d, "images.pack_duplicate", "photos/a/1.png"), nullptr) << dump(d);
  EXPECT_NE(find_key(d, "images.bad_name", "photos/a/bad?name.png"), nullptr) << dump(d);
  const auto im = read_images(tar, *l, 4, 4, 3, "photos", d);
  ASSERT_TRUE(im) << dump(d);
  EXPECT_EQ(im->size(), 8u);
  // The first a/1.png, a PNG: the JPEG copy would differ.
  std::string why;
  const auto first = decode_image(png(6, 6, 3), 4, 4, 3, &why);
  ASSERT_TRUE(first);
  EXPECT_EQ(std::memcmp(im->pixels.data(), first->data(), first->size() * sizeof(float)), 0);
}

TEST(DataPack, DamagedTarsFailCleanly) {
  TempDir t;
  const std::string good = make_tar(good_entries());
  std::vector<TarEntry> lying = good_entries();
  lying.push_back({"b/5.png", png(6, 6, 3), '0', int64_t{1} << 33});  // claims 8 GB
  std::vector<TarEntry> lying_small = good_entries();
  lying_small[7].declared = image_limits::max_file_bytes * 4;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cut in data", good.substr(0, 512 * 5 + 100)},
      {"cut in header", good.substr(0, 512 * 6 + 100)},
      {"claims 8 GB", make_tar(lying, false)},
      {"claims 80 MB", make_tar(lying_small)},
      {"garbage", std::string(4096, '\x5a')},
      {"zeros", std::string(4096, '\0')},
      {"empty", ""},
      {"bad checksum",
       [&] {
         std::string s = good;
         s[149] = '7';
         return s;
       }()},
  };
  for (const auto& [what, bytes] : cases) {
    const fs::path tar = t.path() / "x.tar";
    write_bytes(tar, bytes);
    Diagnostics d;
    const auto l = list_images(tar, "photos", d);
    if (l) {
      // What could be listed reads without a crash and stays bounded.
      const auto im = read_images(tar, *l, 4, 4, 1, "photos", d);
      if (im) {
        EXPECT_LE(im->size(), 9u) << what;
      }
    }
    EXPECT_TRUE(d.has_errors() || !d.all().empty()) << what << "\n" << dump(d);
  }
}

// ------------------------------------------------------------------ messages

TEST(ImageMessages, EveryKeyTheseFilesNameIsInTheTable) {
  const std::regex key(R"re(msg\(\s*"((?:images|dataset)\.[a-z0-9_.]+)")re");
  size_t found = 0;
  for (const char* file : {"runtime/data/image_folder.cpp", "runtime/data/data_pack.cpp"}) {
    const std::string source = read_bytes(fs::path(AISB_SOURCE_DIR) / file);
    ASSERT_FALSE(source.empty()) << file;
    for (std::sregex_iterator it(source.begin(), source.end(), key), end; it != end; ++it) {
      ++found;
      EXPECT_NE(find_message((*it)[1].str()), nullptr) << file << ": " << (*it)[1].str();
    }
  }
  EXPECT_GT(found, 20u);
}

}  // namespace
}  // namespace aisb
