// The shipped lessons on files (issue 13): lessons/industry/05-pohang-air-csv
// and 06-pipe-photos read data that travels with the course, made once by
// lessons/industry/data/make_data.py. The data must keep exercising the
// paths it was made for (a CP949 CSV with CRLF and empty cells, sequences cut
// by station and time, one-hot text columns; a photo folder with Korean class
// names, mixed formats and sizes) and stay small in the repository.
// (tests/backend/solution_test.cpp trains their solutions.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "core/job_reader.hpp"
#include "core/shape.hpp"
#include "lesson/lesson.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;

const fs::path kCourse = fs::path(AISB_SOURCE_DIR) / "lessons" / "industry";

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// True when `s` is well-formed UTF-8 (a CP949 file with Korean text is not).
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

TEST(ShippedData, TheAirLogIsACp949CsvAsExcelSavesIt) {
  const std::string bytes = slurp(kCourse / "data" / "pohang-air.csv");
  ASSERT_FALSE(bytes.empty());
  EXPECT_LT(bytes.size(), 300u * 1024u) << "keep the repository small";
  EXPECT_FALSE(valid_utf8(bytes)) << "saved in CP949 on purpose, so that the encoding path is used";
  EXPECT_NE(bytes.find("\r\n"), std::string::npos) << "CRLF line ends, as Excel writes them";
  EXPECT_NE(bytes.find(",,"), std::string::npos) << "a few empty cells, for `missing`";

  const LessonResult r = load_lesson(kCourse / "05-pohang-air-csv.toml");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "05-pohang-air-csv.toml");
  ASSERT_TRUE(r.data.has_value());
  EXPECT_EQ(r.data->encoding, "cp949");
  EXPECT_EQ(r.data->rows, 2880);
  EXPECT_EQ(r.data->columns, 10);
  EXPECT_GT(r.data->dropped_rows, 0);
  EXPECT_LT(r.data->dropped_rows, 50);
  const DatasetSpec& d = r.lesson.job.dataset;
  EXPECT_TRUE(d.class_names.empty());
  const auto has = [&](const std::string& name) {
    return std::find(d.input_names.begin(), d.input_names.end(), name) != d.input_names.end();
  };
  EXPECT_TRUE(has("PM2.5"));      // the target's past, in a sequence
  EXPECT_TRUE(has("풍향=남동"));  // a text column, one-hot
  EXPECT_TRUE(has("측정소=대송면"));
  EXPECT_EQ(input_shape(r.lesson.job), (Shape{12, static_cast<int64_t>(d.input_names.size())}));
  // Per station 720 hours; windows of 12 with the target 3 hours on: 706
  // each, fewer by the rows left out.
  EXPECT_GT(d.samples, 2700);
  EXPECT_LE(d.samples, 4 * 706);
}

TEST(ShippedData, ThePipePhotosAreAFolderPerClassInMixedFormats) {
  const fs::path folder = kCourse / "data" / "pipe-photos";
  std::set<std::string> extensions;
  uintmax_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(folder)) {
    if (!e.is_regular_file()) continue;
    extensions.insert(e.path().extension().string());
    bytes += e.file_size();
  }
  EXPECT_LT(bytes, 1536u * 1024u) << "keep the repository small";
  for (const char* ext : {".jpg", ".JPG", ".png", ".bmp", ".gif"}) EXPECT_EQ(extensions.count(ext), 1u) << ext;

  const LessonResult r = load_lesson(kCourse / "06-pipe-photos.toml", /*decode_images=*/true);
  ASSERT_TRUE(r.ok()) << format_diagnostics(r, "06-pipe-photos.toml");
  EXPECT_TRUE(r.diags.all().empty()) << "every photo reads: " << format_diagnostics(r, "06-pipe-photos.toml");
  ASSERT_TRUE(r.data.has_value());
  const DatasetSpec& d = r.lesson.job.dataset;
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"긁힘-scratch", "녹-rust", "정상-ok", "찍힘-dent"}));
  for (const int64_t n : r.data->per_class) {
    EXPECT_GE(n, 100);
    EXPECT_LE(n, 200);
  }
  EXPECT_EQ(input_shape(r.lesson.job), (Shape{3, 32, 32}));
}

}  // namespace
}  // namespace aisb
