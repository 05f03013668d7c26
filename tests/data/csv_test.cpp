// The CSV reader and the table builder (data/csv_table.hpp) on files as
// classes bring them: Korean encodings, Excel's delimiters and quotes, empty
// cells, and the broken files a student makes on purpose. Files are written
// to a temporary folder and read back as bytes, as the loader does.
#include <gtest/gtest.h>
#include <iconv.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/job_reader.hpp"
#include "data/csv_table.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;

// Re-encodes UTF-8 text the way Korean Excel or a Windows program would save it.
std::string encode(const std::string& utf8, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1)) << to;
  std::string out(utf8.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

class CsvFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aisb-csv-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `bytes` to a file, reads the file back and parses it.
  std::optional<CsvTable> read(const std::string& bytes) {
    const fs::path file = dir_ / "data.csv";
    std::ofstream(file, std::ios::binary) << bytes;
    std::ifstream in(file, std::ios::binary);
    const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(back, bytes);
    return read_csv(back, "data.csv", diags_);
  }

  // The first diagnostic with this key, or null.
  const Diagnostic* find(const std::string& key) const {
    for (const Diagnostic& d : diags_.all()) {
      if (d.key == key) return &d;
    }
    return nullptr;
  }
  int count(const std::string& key) const {
    int n = 0;
    for (const Diagnostic& d : diags_.all()) n += d.key == key ? 1 : 0;
    return n;
  }
  std::string all() const {
    std::string s;
    for (const Diagnostic& d : diags_.all()) s += d.path + ": " + d.message + "\n";
    return s;
  }

  std::optional<TableData> build(const CsvTable& t, DatasetSpec d, const std::string& task) {
    return build_table(t, d, task, "data.csv", diags_);
  }

  fs::path dir_;
  Diagnostics diags_;
};

DatasetSpec spec(std::string target, std::vector<std::string> features = {}) {
  DatasetSpec d;
  d.source = "csv:data.csv";
  d.target = std::move(target);
  d.features = std::move(features);
  return d;
}

using CsvRead = CsvFile;
using CsvTableBuild = CsvFile;
using CsvSequence = CsvFile;

// --- Encodings -------------------------------------------------------------

TEST_F(CsvRead, PlainUtf8NumbersAndText) {
  auto t = read("temp,hum,city\n21.5,60,Seoul\n-3,71,Busan\n1e1,65,Seoul\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->encoding, "utf-8");
  EXPECT_EQ(t->delimiter, ',');
  EXPECT_EQ(t->names(), (std::vector<std::string>{"temp", "hum", "city"}));
  EXPECT_EQ(t->rows(), 3);
  EXPECT_EQ(t->line, (std::vector<int64_t>{2, 3, 4}));
  const CsvColumn* temp = t->column("temp");
  ASSERT_NE(temp, nullptr);
  EXPECT_TRUE(temp->numeric);
  EXPECT_FALSE(temp->integer);
  EXPECT_EQ(temp->numbers, (std::vector<double>{21.5, -3, 10}));
  EXPECT_EQ(temp->min, -3);
  EXPECT_EQ(temp->max, 21.5);
  const CsvColumn* hum = t->column("hum");
  EXPECT_TRUE(hum->integer);
  EXPECT_EQ(hum->levels, (std::vector<std::string>{"60", "71", "65"}));
  const CsvColumn* city = t->column("city");
  EXPECT_FALSE(city->numeric);
  EXPECT_EQ(city->levels, (std::vector<std::string>{"Seoul", "Busan"}));
  EXPECT_EQ(city->codes, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(city->distinct, 2);
  EXPECT_EQ(city->first_text, "Seoul");
  EXPECT_EQ(city->first_text_line, 2);
  EXPECT_TRUE(diags_.all().empty()) << all();
}

TEST_F(CsvRead, Utf8WithBom) {
  auto t = read("\xEF\xBB\xBF지역,기온\n서울,3.5\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->encoding, "utf-8 (BOM)");
  // The BOM is not part of the first column's name.
  EXPECT_EQ(t->columns[0].name, "지역");
  EXPECT_NE(t->column("지역"), nullptr);
}

TEST_F(CsvRead, Cp949WithKoreanHeaders) {
  const std::string bytes = encode("지역,기온,강수량\n서울,21.5,0\n부산,23.1,12\n서울,19,3\n", "CP949");
  // Not UTF-8: the reader has to recognise and convert it.
  ASSERT_EQ(bytes.find("지역"), std::string::npos);
  auto t = read(bytes);
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->encoding, "cp949");
  EXPECT_EQ(t->names(), (std::vector<std::string>{"지역", "기온", "강수량"}));
  EXPECT_EQ(t->column("지역")->levels, (std::vector<std::string>{"서울", "부산"}));
  EXPECT_EQ(t->column("기온")->numbers, (std::vector<double>{21.5, 23.1, 19}));
}

TEST_F(CsvRead, Cp949LongLinesConvertInPieces) {
  // A line longer than the pieces CP949 is converted in, cut inside a
  // two-byte character (cell 25 starts at byte 65025; byte 65536 is odd).
  std::string cell;
  for (int i = 0; i < 1300; ++i) cell += "가";
  std::string header, row;
  for (int c = 0; c < 30; ++c) {
    header += (c ? ",c" : "c") + std::to_string(c);
    row += (c ? "," : "") + cell;
  }
  auto t = read(encode(header + "\n" + row + "\n" + row + "\n", "CP949"));
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->encoding, "cp949");
  EXPECT_EQ(t->rows(), 2);
  EXPECT_EQ(t->line, (std::vector<int64_t>{2, 3}));
  for (const CsvColumn& c : t->columns) EXPECT_EQ(c.levels, (std::vector<std::string>{cell})) << c.name;
}

TEST_F(CsvRead, Utf16FromExcelUnicodeText) {
  const std::string bytes = "\xFF\xFE" + encode("이름\t값\n가\t1\n나\t2\n", "UTF-16LE");
  auto t = read(bytes);
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->encoding, "utf-16");
  EXPECT_EQ(t->delimiter, '\t');
  EXPECT_EQ(t->names(), (std::vector<std::string>{"이름", "값"}));
  EXPECT_EQ(t->column("값")->numbers, (std::vector<double>{1, 2}));
}

TEST_F(CsvRead, NeitherUtf8NorCp949NamesTheLine) {
  // 0xFF never starts a CP949 character.
  auto t = read("a,b\n1,2\n3,\xFF\xFF\n");
  EXPECT_FALSE(t);
  const Diagnostic* d = find("csv.bad_text");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:3");
  EXPECT_NE(d->message.find("0xFF"), std::string::npos) << d->message;
}

TEST_F(CsvRead, BrokenUtf8AfterBomNamesTheLine) {
  auto t = read(
      "\xEF\xBB\xBF"
      "a,b\n1,2\n3,\xC3\x28\n");
  EXPECT_FALSE(t);
  ASSERT_NE(find("csv.bad_text"), nullptr) << all();
  EXPECT_EQ(find("csv.bad_text")->path, "data.csv:3");
}

// --- Delimiters and quotes --------------------------------------------------

TEST_F(CsvRead, SemicolonWithDecimalComma) {
  auto t = read("a;b;c\n1,5;2;x\n-0,25;3;y\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->delimiter, ';');
  EXPECT_EQ(t->column("a")->numbers, (std::vector<double>{1.5, -0.25}));
  EXPECT_TRUE(t->column("b")->integer);
}

TEST_F(CsvRead, DecimalCommaOnlyWithSemicolons) {
  // With commas as delimiters a quoted "1,5" is text, never 1.5 or 15.
  auto t = read("a,b\n\"1,5\",2\n");
  ASSERT_TRUE(t) << all();
  EXPECT_FALSE(t->column("a")->numeric);
  EXPECT_EQ(t->column("a")->levels, (std::vector<std::string>{"1,5"}));
}

TEST_F(CsvRead, TabDelimiter) {
  auto t = read("x\ty\tname\n1\t2\tfirst, second\n3\t4\tthird\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->delimiter, '\t');
  EXPECT_EQ(t->column("y")->numbers, (std::vector<double>{2, 4}));
  EXPECT_EQ(t->column("name")->levels, (std::vector<std::string>{"first, second", "third"}));
}

TEST_F(CsvRead, ExcelSepLine) {
  auto t = read("sep=;\r\na;b\r\n1;2\r\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->delimiter, ';');
  EXPECT_EQ(t->names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t->line, (std::vector<int64_t>{3}));
}

TEST_F(CsvRead, QuotedCommasNewlinesAndQuotes) {
  auto t = read(
      "id,note,v\n"
      "1,\"a, b\",10\n"
      "2,\"two\nlines\",20\n"
      "3,\"say \"\"hi\"\"\",30\n"
      "4,plain,40\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->rows(), 4);
  // The row after a quoted newline starts a line later.
  EXPECT_EQ(t->line, (std::vector<int64_t>{2, 3, 5, 6}));
  EXPECT_EQ(t->column("note")->levels, (std::vector<std::string>{"a, b", "two\nlines", "say \"hi\"", "plain"}));
  EXPECT_EQ(t->column("v")->numbers, (std::vector<double>{10, 20, 30, 40}));
}

TEST_F(CsvRead, LinesStayRightAfterQuotedNewlinesInErrors) {
  auto t = read("a,b\n\"x\ny\nz\",1\n2\n");
  EXPECT_FALSE(t);
  const Diagnostic* d = find("csv.ragged");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:5");
  EXPECT_EQ(d->message, "this row has 1 cells but the header has 2");
}

TEST_F(CsvRead, CrLfAndCrOnlyLineEnds) {
  auto t = read("a,b\r\n1,2\r\n\r\n3,4\r\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->line, (std::vector<int64_t>{2, 4}));
  auto mac = read("a,b\r1,2\r3,4\r");
  ASSERT_TRUE(mac) << all();
  EXPECT_EQ(mac->line, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(mac->column("b")->numbers, (std::vector<double>{2, 4}));
}

TEST_F(CsvRead, BlankLinesAreSkippedTrailingEmptyCellsAccepted) {
  auto t = read("a,b\n1,2\n\n   \n3,4,\n,\n5,6");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->line, (std::vector<int64_t>{2, 5, 6, 7}));
  EXPECT_EQ(t->column("a")->missing, 1);
  EXPECT_TRUE(std::isnan(t->column("a")->numbers[2]));
  EXPECT_EQ(t->column("b")->numbers[3], 6);
}

// --- Cells ------------------------------------------------------------------

TEST_F(CsvRead, MissingMarkersAndForgivingNumbers) {
  auto t = read(
      "v,w\n"
      " +3 ,1\n"
      "NA,2\n"
      "n/a,3\n"
      "-,4\n"
      "null,5\n"
      "#N/A,6\n"
      "NaN,7\n"
      ",8\n"
      "1e999,9\n"
      "-.5e1,10\n");
  ASSERT_TRUE(t) << all();
  const CsvColumn* v = t->column("v");
  EXPECT_TRUE(v->numeric);
  EXPECT_EQ(v->missing, 8);
  EXPECT_EQ(v->numbers[0], 3);
  EXPECT_EQ(v->numbers[9], -5);
  EXPECT_EQ(v->min, -5);
  EXPECT_EQ(v->max, 3);
}

TEST_F(CsvRead, ThousandsSeparatorsAndWordsAreText) {
  auto t = read("a,b,c\n\"1,234\",inf,1\n5,x,2\n");
  ASSERT_TRUE(t) << all();
  EXPECT_FALSE(t->column("a")->numeric);
  EXPECT_FALSE(t->column("b")->numeric);
  EXPECT_TRUE(t->column("c")->numeric);
}

TEST_F(CsvRead, ColumnTurningTextLateKeepsEveryValue) {
  // Numbers first, then a word: the column is read again as text.
  auto t = read("level,n\n1,1\n2.50,2\n,3\n1,4\nhigh,5\n");
  ASSERT_TRUE(t) << all();
  const CsvColumn* level = t->column("level");
  EXPECT_FALSE(level->numeric);
  EXPECT_EQ(level->levels, (std::vector<std::string>{"1", "2.50", "high"}));
  EXPECT_EQ(level->codes, (std::vector<int32_t>{0, 1, -1, 0, 2}));
  EXPECT_EQ(level->missing, 1);
  EXPECT_EQ(level->first_text, "high");
  EXPECT_EQ(level->first_text_line, 6);
  EXPECT_EQ(t->column("n")->numbers, (std::vector<double>{1, 2, 3, 4, 5}));
}

TEST_F(CsvRead, HeaderNames) {
  auto t = read(" a ,,c\n1,2,3\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->names(), (std::vector<std::string>{"a", "column 2", "c"}));
  auto dup = read("a,b,a\n1,2,3\n");
  EXPECT_FALSE(dup);
  const Diagnostic* d = find("csv.duplicate_column");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:1");
  EXPECT_NE(d->message.find("columns 1 and 3"), std::string::npos) << d->message;
}

TEST_F(CsvRead, TextOrderRanksNaturally) {
  auto t = read("t\n10:00\n9:00\n9:30\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->column("t")->rank, (std::vector<int32_t>{2, 0, 1}));
}

// --- Broken files -----------------------------------------------------------

TEST_F(CsvRead, RaggedRowsAreNamedAndCounted) {
  std::string s = "a,b,c\n";
  for (int i = 0; i < 10; ++i) s += i % 2 == 0 ? "1,2\n" : "1,2,3\n";
  auto t = read(s);
  EXPECT_FALSE(t);
  EXPECT_EQ(count("csv.ragged"), 5) << all();
  EXPECT_EQ(find("csv.ragged")->path, "data.csv:2");
  EXPECT_EQ(find("csv.more_ragged"), nullptr);
}

TEST_F(CsvRead, MoreRaggedRowsThanReported) {
  std::string s = "a,b\n";
  for (int i = 0; i < 8; ++i) s += "1,2,3\n";
  EXPECT_FALSE(read(s));
  EXPECT_EQ(count("csv.ragged"), 5);
  EXPECT_EQ(find("csv.more_ragged")->message, "3 more rows have a different number of cells than the header");
}

TEST_F(CsvRead, EmptyHeaderOnlyAndBlank) {
  EXPECT_FALSE(read(""));
  EXPECT_NE(find("csv.empty"), nullptr);
  EXPECT_FALSE(read(" \n\r\n"));
  EXPECT_EQ(count("csv.empty"), 2);
  EXPECT_FALSE(read("a,b,c\n"));
  ASSERT_NE(find("csv.no_rows"), nullptr) << all();
  EXPECT_EQ(find("csv.no_rows")->path, "data.csv");
}

TEST_F(CsvRead, BinaryGarbageIsRefusedNotParsed) {
  std::string zip("PK\x03\x04\x14\x00\x00\x00", 8);
  EXPECT_FALSE(read(zip + std::string(100, '\x01')));
  ASSERT_NE(find("csv.binary"), nullptr) << all();
  // Bytes that decode but hold a NUL.
  std::string nul = "a,b\n1,2\n";
  nul += '\0';
  nul += "3,4\n";
  EXPECT_FALSE(read(nul));
  EXPECT_EQ(count("csv.binary"), 2);
  // Random bytes: an error, never a crash.
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 1103515245u + 12345u;
    junk += static_cast<char>(x >> 24);
  }
  Diagnostics before = diags_;
  EXPECT_FALSE(read(junk));
  EXPECT_GT(diags_.error_count(), before.error_count());
}

TEST_F(CsvRead, FieldTooLongStopsEarly) {
  auto t = read("a,b\n1,2\n3,\"" + std::string(5000, 'x') + "\"\n");
  EXPECT_FALSE(t);
  const Diagnostic* d = find("csv.field_too_long");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:3");
  // A quote left open swallows the rest of the file: named where it opens.
  std::string open = "a,b\n1,2\n3,\"oops\n";
  for (int i = 0; i < 2000; ++i) open += "4,5\n";
  EXPECT_FALSE(read(open));
  EXPECT_EQ(count("csv.field_too_long"), 2);
  EXPECT_EQ(diags_.all().back().path, "data.csv:3");
}

TEST_F(CsvRead, OpenQuoteAtTheEnd) {
  EXPECT_FALSE(read("a,b\n1,2\n3,\"oops\n4,5\n"));
  const Diagnostic* d = find("csv.open_quote");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:3");
}

TEST_F(CsvRead, TooManyColumns) {
  std::string header;
  for (int i = 0; i < 300; ++i) header += (i ? ",c" : "c") + std::to_string(i);
  EXPECT_FALSE(read(header + "\n"));
  const Diagnostic* d = find("csv.too_many_columns");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:1");
  EXPECT_EQ(d->message, "300 columns, more than the 256 allowed");
}

TEST_F(CsvRead, TooManyRows) {
  std::string s = "v\n";
  s.reserve(static_cast<size_t>(csv_limits::max_rows) * 2 + 10);
  for (int64_t i = 0; i <= csv_limits::max_rows; ++i) s += "1\n";
  EXPECT_FALSE(read(s));
  const Diagnostic* d = find("csv.too_many_rows");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:" + std::to_string(csv_limits::max_rows + 2));
}

TEST_F(CsvRead, TooManyCells) {
  // Empty cells are one byte in the file and eight in the table.
  const std::string row = std::string(199, ',') + "\n";
  std::string s = row;
  const int64_t rows = csv_limits::max_cells / 200 + 1;
  s.reserve(row.size() * static_cast<size_t>(rows + 1));
  for (int64_t i = 0; i < rows; ++i) s += row;
  EXPECT_FALSE(read(s));
  const Diagnostic* d = find("csv.too_many_cells");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "data.csv:" + std::to_string(rows + 1));
}

TEST_F(CsvRead, TooBigIsRefusedBeforeReading) {
  const std::string big(static_cast<size_t>(csv_limits::max_bytes) + 1, 'a');
  EXPECT_FALSE(read_csv(big, "big.csv", diags_));
  ASSERT_NE(find("csv.too_big"), nullptr);
  EXPECT_EQ(find("csv.too_big")->path, "big.csv");
}

// --- Tables -----------------------------------------------------------------

constexpr const char* kWeather =
    "day,temp,hum,sky,rain\n"
    "1,20,50,sunny,0\n"
    "2,22,55,cloudy,1\n"
    "3,19,80,rain,1\n"
    "4,25,40,sunny,0\n";

TEST_F(CsvTableBuild, DefaultFeaturesAreTheOtherNumericColumns) {
  auto t = read(std::string(kWeather));
  ASSERT_TRUE(t) << all();
  auto data = build(*t, spec("temp"), "regression");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->inputs, (std::vector<std::string>{"day", "hum", "rain"}));
  EXPECT_EQ(data->one_hot, (std::vector<bool>{false, false, false}));
  EXPECT_TRUE(data->classes.empty());
  EXPECT_EQ(data->steps, 0);
  EXPECT_EQ(data->samples(), 4);
  EXPECT_EQ(data->y, (std::vector<float>{20, 22, 19, 25}));
  EXPECT_EQ(std::vector<float>(data->x.begin(), data->x.begin() + 6), (std::vector<float>{1, 50, 0, 2, 55, 1}));
  EXPECT_TRUE(diags_.all().empty()) << all();
}

TEST_F(CsvTableBuild, EmptyColumnsAreNoDefaultFeature) {
  // Excel's trailing delimiter makes a nameless, empty column.
  auto t = read("a,b,\n1,2,\n3,4,\n");
  ASSERT_TRUE(t) << all();
  auto data = build(*t, spec("b"), "regression");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->inputs, (std::vector<std::string>{"a"}));
}

TEST_F(CsvTableBuild, WrongColumnNamesSuggestTheRightOne) {
  auto t = read(std::string(kWeather));
  ASSERT_TRUE(t);
  EXPECT_FALSE(build(*t, spec("tmep"), "regression"));
  const Diagnostic* d = find("csv.unknown_column");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "dataset.target");
  EXPECT_EQ(d->message,
            "there is no column 'tmep' in data.csv (did you mean 'temp'?); use day, temp, hum, sky or rain");
  EXPECT_FALSE(build(*t, spec("temp", {"hum", "humm"}), "regression"));
  EXPECT_EQ(diags_.all().back().path, "dataset.features[1]");
  EXPECT_NE(diags_.all().back().message.find("did you mean 'hum'"), std::string::npos);
}

TEST_F(CsvTableBuild, TargetIsNoFeatureAndFeaturesOnce) {
  auto t = read(std::string(kWeather));
  ASSERT_TRUE(t);
  EXPECT_FALSE(build(*t, spec("temp", {"hum", "temp"}), "regression"));
  EXPECT_EQ(find("csv.target_is_feature")->path, "dataset.features[1]");
  EXPECT_FALSE(build(*t, spec("temp", {"hum", "hum"}), "regression"));
  EXPECT_EQ(find("csv.feature_twice")->path, "dataset.features[1]");
}

TEST_F(CsvTableBuild, TextFeaturesAreOneHot) {
  auto t = read(std::string(kWeather));
  ASSERT_TRUE(t);
  auto data = build(*t, spec("temp", {"sky", "hum"}), "regression");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->inputs, (std::vector<std::string>{"sky=sunny", "sky=cloudy", "sky=rain", "hum"}));
  EXPECT_EQ(data->one_hot, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(data->x, (std::vector<float>{1, 0, 0, 50, 0, 1, 0, 55, 0, 0, 1, 80, 1, 0, 0, 40}));
}

TEST_F(CsvTableBuild, OneHotCategoryLimit) {
  std::string s = "id,v\n";
  for (int i = 0; i <= csv_limits::max_categories; ++i)
    s += "name" + std::to_string(i) + "," + std::to_string(i) + "\n";
  auto t = read(s);
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(t->column("id")->distinct, csv_limits::max_categories + 1);
  EXPECT_FALSE(build(*t, spec("v", {"id"}), "regression"));
  const Diagnostic* d = find("csv.too_many_categories");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "dataset.features[0]");
  EXPECT_EQ(d->message, "the text column 'id' has 51 different values; a text feature can have at most 50");
}

TEST_F(CsvTableBuild, ClassesFromTextAreSorted) {
  auto t = read(std::string(kWeather));
  ASSERT_TRUE(t);
  EXPECT_EQ(suggested_task(*t->column("sky")), "classification");
  auto data = build(*t, spec("sky"), "classification");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->classes, (std::vector<std::string>{"cloudy", "rain", "sunny"}));
  EXPECT_EQ(data->y, (std::vector<float>{2, 0, 1, 2}));
}

TEST_F(CsvTableBuild, ClassesFromSmallIntegersSortNumerically) {
  auto t = read("x,grade\n1,10\n2,2\n3,3\n4,10\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(suggested_task(*t->column("grade")), "classification");
  EXPECT_EQ(suggested_task(*t->column("x")), "classification");
  auto data = build(*t, spec("grade"), "classification");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->classes, (std::vector<std::string>{"2", "3", "10"}));
  EXPECT_EQ(data->y, (std::vector<float>{2, 0, 1, 2}));
}

TEST_F(CsvTableBuild, RegressionOnTextIsRefusedWithWhere) {
  auto t = read("x,price\n1,100\n2,120\n3,unknown\n");
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(suggested_task(*t->column("price")), "classification");
  EXPECT_FALSE(build(*t, spec("price"), "regression"));
  const Diagnostic* d = find("csv.target_not_numeric");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_EQ(d->path, "dataset.target");
  EXPECT_EQ(d->message,
            "task = \"regression\" needs numbers in 'price', but data.csv:4 has 'unknown'; use task = "
            "\"classification\" or a column of numbers");
}

TEST_F(CsvTableBuild, ClassificationOnManyNumbersIsRefused) {
  std::string s = "x,y\n";
  for (int i = 0; i < 60; ++i) s += std::to_string(i) + "," + std::to_string(i * 0.5) + "\n";
  auto t = read(s);
  ASSERT_TRUE(t) << all();
  EXPECT_EQ(suggested_task(*t->column("y")), "regression");
  EXPECT_FALSE(build(*t, spec("y"), "classification"));
  const Diagnostic* d = find("csv.too_many_classes_numeric");
  ASSERT_NE(d, nullptr) << all();
  EXPECT_NE(d->message.find("has 60 different values"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("task = \"regression\""), std::string::npos);
}

TEST_F(CsvTableBuild, OneClassIsRefused) {
  auto t = read("x,y\n1,a\n2,a\n");
  ASSERT_TRUE(t);
  EXPECT_FALSE(build(*t, spec("y"), "classification"));
  ASSERT_NE(find("csv.one_class"), nullptr) << all();
}

constexpr const char* kGaps =
    "a,b,c,y\n"
    "1,10,red,0\n"
    "2,,blue,1\n"
    ",30,red,0\n"
    "4,40,,1\n"
    "5,50,blue,\n"
    "6,60,red,1\n";

TEST_F(CsvTableBuild, MissingDropIsCountedAndReported) {
  auto t = read(std::string(kGaps));
  ASSERT_TRUE(t) << all();
  auto data = build(*t, spec("y", {"a", "b", "c"}), "classification");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->samples(), 2);
  EXPECT_EQ(data->dropped_rows, 4);
  EXPECT_EQ(data->filled_cells, 0);
  EXPECT_EQ(data->x, (std::vector<float>{1, 10, 1, 0, 6, 60, 1, 0}));
  const Diagnostic* w = find("csv.dropped_rows");
  ASSERT_NE(w, nullptr) << all();
  EXPECT_EQ(w->severity, Severity::note);  // a report, not a problem
  EXPECT_EQ(w->path, "data.csv");
  EXPECT_EQ(w->message,
            "4 of 6 rows have an empty cell in a column used and are left out (the first at line 3); missing = "
            "\"mean\" would fill feature cells instead");
  EXPECT_FALSE(diags_.has_errors());
}

TEST_F(CsvTableBuild, MissingMeanFillsAndStillDropsRowsWithoutTarget) {
  auto t = read(std::string(kGaps));
  ASSERT_TRUE(t) << all();
  DatasetSpec d = spec("y", {"a", "b", "c"});
  d.missing = "mean";
  auto data = build(*t, d, "classification");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->samples(), 5);
  EXPECT_EQ(data->dropped_rows, 1);
  EXPECT_EQ(data->filled_cells, 3);
  // Means over every row of the column: a = 18/5, b = 190/5.
  const float a_mean = static_cast<float>(18.0 / 5.0);
  const float b_mean = static_cast<float>(190.0 / 5.0);
  EXPECT_EQ(data->x, (std::vector<float>{1,      10,     1, 0,  //
                                         2,      b_mean, 0, 1,  //
                                         a_mean, 30,     1, 0,  //
                                         4,      40,     0, 0,  // text: no category
                                         6,      60,     1, 0}));
  ASSERT_NE(find("csv.filled_cells"), nullptr) << all();
  EXPECT_EQ(find("csv.filled_cells")->message,
            "3 empty cells are filled: numbers with their column's mean, text as no category");
  ASSERT_NE(find("csv.dropped_key"), nullptr) << all();
  EXPECT_EQ(find("csv.dropped_key")->message, "1 rows without a value in 'y' are left out (the first at line 6)");
}

TEST_F(CsvTableBuild, NothingLeftIsAnError) {
  auto t = read("a,y\n,1\n,2\n1,\n");
  ASSERT_TRUE(t);
  EXPECT_FALSE(build(*t, spec("y", {"a"}), "regression"));
  EXPECT_NE(find("csv.nothing_left"), nullptr) << all();
}

// --- Sequences --------------------------------------------------------------

// Two stations, rows out of order in time and interleaved.
constexpr const char* kStations =
    "station,time,temp,load\n"
    "B,3,103,13\n"
    "A,2,2,22\n"
    "A,1,1,21\n"
    "B,1,101,11\n"
    "A,3,3,23\n"
    "B,2,102,12\n"
    "A,4,4,24\n";

TEST_F(CsvSequence, WindowsWithinGroupsInOrder) {
  auto t = read(std::string(kStations));
  ASSERT_TRUE(t) << all();
  DatasetSpec d = spec("temp");
  d.window = 2;
  d.group = "station";
  d.order = "time";
  auto data = build(*t, d, "regression");
  ASSERT_TRUE(data) << all();
  // Default features for sequences include the target's own past.
  EXPECT_EQ(data->inputs, (std::vector<std::string>{"temp", "load"}));
  EXPECT_EQ(data->steps, 2);
  // Group B comes first (it appears first); A has 4 rows, B 3.
  ASSERT_EQ(data->samples(), 3);
  EXPECT_EQ(data->x, (std::vector<float>{101, 11, 102, 12,  // B t1, t2 -> t3
                                         1, 21, 2, 22,      // A t1, t2 -> t3
                                         2, 22, 3, 23}));   // A t2, t3 -> t4
  EXPECT_EQ(data->y, (std::vector<float>{103, 3, 4}));
}

TEST_F(CsvSequence, Horizon) {
  auto t = read("v\n1\n2\n3\n4\n5\n6\n");
  ASSERT_TRUE(t);
  DatasetSpec d = spec("v");
  d.window = 3;
  d.horizon = 2;
  auto data = build(*t, d, "regression");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->x, (std::vector<float>{1, 2, 3, 2, 3, 4}));
  EXPECT_EQ(data->y, (std::vector<float>{5, 6}));
}

TEST_F(CsvSequence, TextOrderSortsLikeTimes) {
  auto t = read("time,v\n10:00,3\n8:00,1\n9:00,2\n11:00,4\n");
  ASSERT_TRUE(t);
  DatasetSpec d = spec("v");
  d.window = 2;
  d.order = "time";
  auto data = build(*t, d, "regression");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->x, (std::vector<float>{1, 2, 2, 3}));
  EXPECT_EQ(data->y, (std::vector<float>{3, 4}));
}

TEST_F(CsvSequence, ManyTextGroupsStayApart) {
  // More groups than a text column lists levels: codes still tell them apart.
  std::string s = "cell,v\n";
  for (int g = 0; g < 80; ++g) {
    for (int i = 0; i < 3; ++i) {
      s += 'c';
      s += std::to_string(g) + "," + std::to_string(g * 10 + i) + "\n";
    }
  }
  auto t = read(s);
  ASSERT_TRUE(t);
  DatasetSpec d = spec("v");
  d.window = 2;
  d.group = "cell";
  auto data = build(*t, d, "regression");
  ASSERT_TRUE(data) << all();
  ASSERT_EQ(data->samples(), 80);
  EXPECT_EQ(data->x[2 * 79], 790);
  EXPECT_EQ(data->y[79], 792);
}

TEST_F(CsvSequence, DroppedRowsJoinNeighboursAndAreReported) {
  auto t = read("v,w\n1,1\n2,\n3,3\n4,4\n");
  ASSERT_TRUE(t);
  DatasetSpec d = spec("v");
  d.window = 1;
  auto data = build(*t, d, "regression");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->dropped_rows, 1);
  EXPECT_EQ(data->x, (std::vector<float>{1, 1, 3, 3}));
  EXPECT_EQ(data->y, (std::vector<float>{3, 4}));
  EXPECT_NE(find("csv.dropped_rows"), nullptr);
}

TEST_F(CsvSequence, NoWindowFits) {
  auto t = read("g,v\na,1\na,2\nb,3\nb,4\n");
  ASSERT_TRUE(t);
  DatasetSpec d = spec("v");
  d.window = 2;
  d.group = "g";
  EXPECT_FALSE(build(*t, d, "regression"));
  const Diagnostic* e = find("csv.no_windows");
  ASSERT_NE(e, nullptr) << all();
  EXPECT_EQ(e->path, "dataset.window");
  EXPECT_NE(e->message.find("needs 3 rows"), std::string::npos) << e->message;
  EXPECT_NE(e->message.find("most there are is 2"), std::string::npos) << e->message;
}

TEST_F(CsvSequence, TooManySamples) {
  std::string s = "v\n";
  for (int64_t i = 0; i < limits::max_samples + 10; ++i) s += "1\n";
  auto t = read(s);
  ASSERT_TRUE(t);
  DatasetSpec d = spec("v");
  d.window = 2;
  EXPECT_FALSE(build(*t, d, "regression"));
  const Diagnostic* e = find("csv.too_many_samples");
  ASSERT_NE(e, nullptr) << all();
  EXPECT_NE(e->message.find(std::to_string(limits::max_samples + 8) + " samples"), std::string::npos) << e->message;
}

TEST_F(CsvSequence, TooMuchDataIsRefusedBeforeAllocating) {
  // 200,000 windows of 1,000 steps: 800 MB of floats.
  std::string s = "v\n";
  for (int64_t i = 0; i < limits::max_samples + 1000; ++i) s += "1\n";
  auto t = read(s);
  ASSERT_TRUE(t);
  DatasetSpec d = spec("v");
  d.window = 1000;
  EXPECT_FALSE(build(*t, d, "regression"));
  const Diagnostic* e = find("dataset.too_much_data");
  ASSERT_NE(e, nullptr) << all();
  EXPECT_EQ(e->path, "dataset.window");
  EXPECT_NE(e->message.find("use at most 134217 samples"), std::string::npos) << e->message;
  d.window = 5000;
  EXPECT_FALSE(build(*t, d, "regression"));
  EXPECT_NE(find("reader.between"), nullptr) << all();
}

TEST_F(CsvSequence, ClassificationTargetAfterTheWindow) {
  auto t = read("x,state\n1,low\n2,low\n3,high\n4,high\n5,low\n");
  ASSERT_TRUE(t);
  DatasetSpec d = spec("state");
  d.window = 2;
  auto data = build(*t, d, "classification");
  ASSERT_TRUE(data) << all();
  EXPECT_EQ(data->inputs, (std::vector<std::string>{"x"}));
  EXPECT_EQ(data->classes, (std::vector<std::string>{"high", "low"}));
  EXPECT_EQ(data->y, (std::vector<float>{0, 0, 1}));
}

}  // namespace
}  // namespace aisb
