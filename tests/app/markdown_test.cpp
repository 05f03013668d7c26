#include "widgets/markdown_doc.hpp"

#include <gtest/gtest.h>

namespace aisb::md {
namespace {

TEST(Markdown, BlocksAndStyledRuns) {
  const auto doc = parse(
      "## Title\n\nSome **bold** and *em* and `code`\nand a [link](http://x).\n\n"
      "- one\n- two\n  1. nested\n\n```\nx = 1\n```\n\n![a plot](img/plot.png)\n\n---\n\n> quoted");
  ASSERT_GE(doc.size(), 8u);
  EXPECT_EQ(doc[0].kind, Kind::heading);
  EXPECT_EQ(doc[0].level, 2);
  EXPECT_EQ(doc[0].runs.at(0).text, "Title");
  const Block& p = doc[1];
  EXPECT_EQ(p.kind, Kind::paragraph);
  std::string joined;
  for (const auto& r : p.runs) joined += r.text;
  EXPECT_EQ(joined, "Some bold and em and code and a link.");  // the soft break became a space
  EXPECT_TRUE(p.runs.at(1).strong);
  EXPECT_TRUE(p.runs.at(3).em);
  EXPECT_TRUE(p.runs.at(5).code);
  EXPECT_TRUE(p.runs.at(7).link);
  EXPECT_EQ(doc[2].kind, Kind::item);
  EXPECT_EQ(doc[2].depth, 1);
  EXPECT_EQ(doc[2].number, 0);
  EXPECT_EQ(doc[3].runs.at(0).text, "two");
  EXPECT_EQ(doc[4].depth, 2);
  EXPECT_EQ(doc[4].number, 1);
  EXPECT_EQ(doc[5].kind, Kind::code);
  EXPECT_EQ(doc[5].code, "x = 1");
  EXPECT_EQ(doc[6].kind, Kind::image);
  EXPECT_EQ(doc[6].src, "img/plot.png");
  EXPECT_EQ(doc[6].alt, "a plot");
  EXPECT_EQ(doc[7].kind, Kind::rule);
  EXPECT_EQ(doc.back().kind, Kind::quote);
}

TEST(Markdown, KoreanTextAndHardBreaks) {
  const auto doc = parse("첫 줄  \n둘째 줄은 **굵게**");
  ASSERT_EQ(doc.size(), 1u);
  ASSERT_GE(doc[0].runs.size(), 2u);
  EXPECT_EQ(doc[0].runs[0].text, "첫 줄");
  EXPECT_TRUE(doc[0].runs[1].hard_break);
  EXPECT_TRUE(doc[0].runs.back().strong);
  EXPECT_EQ(doc[0].runs.back().text, "굵게");
}

TEST(Markdown, RawHtmlIsShownAsTextNeverInterpretedAndNothingCrashes) {
  const auto doc = parse("<script>alert(1)</script>\n\ntext <b>x</b>");
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0].kind, Kind::paragraph);
  EXPECT_EQ(doc[0].runs.at(0).text, "<script>alert(1)</script>");
  EXPECT_FALSE(doc[1].runs.at(0).strong);
  EXPECT_TRUE(parse("").empty());
  parse(std::string(1000, '*'));
  parse(std::string(500, '[') + std::string(500, ']'));
}

}  // namespace
}  // namespace aisb::md
