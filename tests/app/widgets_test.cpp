// The UI-free math behind the app's own widgets.
#include <gtest/gtest.h>

#include <cmath>

#include "widgets/colors.hpp"
#include "widgets/network_layout.hpp"
#include "widgets/plot_math.hpp"
#include "widgets/raster.hpp"
#include "widgets/confusion.hpp"

namespace aisb {
namespace {

TEST(PlotMath, NiceTicks) {
  EXPECT_EQ(plot::nice_ticks(0, 1, 6), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(plot::nice_ticks(0, 100, 5), (std::vector<double>{0, 50, 100}));
  const auto t = plot::nice_ticks(-0.37, 2.9, 6);
  ASSERT_GE(t.size(), 3u);
  EXPECT_GE(t.front(), -0.37);
  EXPECT_LE(t.back(), 2.9);
  EXPECT_DOUBLE_EQ(t[1] - t[0], 1.0);  // 0.5 would make 8 ticks
  for (double v : plot::nice_ticks(-1, 1, 5)) EXPECT_FALSE(std::signbit(v) && v == 0.0);  // no "-0"
  EXPECT_EQ(plot::nice_ticks(3, 3).size(), 1u);
  EXPECT_TRUE(plot::nice_ticks(0, NAN).empty());
  EXPECT_LE(plot::nice_ticks(0, 1e9, 6).size(), 7u);
}

TEST(PlotMath, LogTicks) {
  EXPECT_EQ(plot::log_ticks(0.01, 10), (std::vector<double>{0.01, 0.1, 1, 10}));
  EXPECT_EQ(plot::log_ticks(0.1, 1), (std::vector<double>{0.1, 0.2, 0.5, 1}));
  EXPECT_TRUE(plot::log_ticks(0, 1).empty());
}

TEST(PlotMath, AutofitIgnoresNonFiniteAndPads) {
  const std::vector<float> a = {1, 2, NAN, 3}, b = {INFINITY, 0.5f};
  const plot::Range r = plot::autofit({&a, &b}, 0.1);
  EXPECT_NEAR(r.lo, 0.5 - 0.25, 1e-9);
  EXPECT_NEAR(r.hi, 3 + 0.25, 1e-9);
  const std::vector<float> flat = {2, 2};
  EXPECT_DOUBLE_EQ(plot::autofit({&flat}).lo, 1.5);
  EXPECT_DOUBLE_EQ(plot::autofit({}).hi, 1.0);
  const std::vector<float> losses = {1.0f, 0.1f, 0.0f, -1.0f};
  const plot::Range lr = plot::autofit({&losses}, 0.0, true);
  EXPECT_NEAR(lr.lo, 0.1, 1e-6);
  EXPECT_NEAR(lr.hi, 1.0, 1e-6);
}

TEST(PlotMath, DecimationKeepsSpikesAndEnds) {
  std::vector<float> y(100000, 1.0f);
  y[51234] = 50.0f;  // one divergent step
  y[70000] = -3.0f;
  const auto keep = plot::decimate_minmax(y, 1000);
  EXPECT_LE(keep.size(), 3001u);
  EXPECT_EQ(keep.front(), 0u);
  EXPECT_EQ(keep.back(), y.size() - 1);
  EXPECT_TRUE(std::is_sorted(keep.begin(), keep.end()));
  EXPECT_NE(std::find(keep.begin(), keep.end(), 51234u), keep.end());
  EXPECT_NE(std::find(keep.begin(), keep.end(), 70000u), keep.end());
  EXPECT_EQ(plot::decimate_minmax(std::vector<float>(10, 0.0f), 1000).size(), 10u);
}

TEST(PlotMath, TickLabels) {
  EXPECT_EQ(plot::format_tick(0.5), "0.5");
  EXPECT_EQ(plot::format_tick(20000), "20k");
  EXPECT_EQ(plot::format_tick(0.0001), "1e-04");
  EXPECT_EQ(plot::format_tick(0), "0");
}

TEST(Colors, DivergingOrangeToBlue) {
  EXPECT_EQ(colors::diverging(-1), colors::kOrange);
  EXPECT_EQ(colors::diverging(1), colors::kBlue);
  EXPECT_EQ(colors::diverging(0), colors::kNeutral);
  EXPECT_EQ(colors::diverging(5), colors::kBlue);
  EXPECT_EQ(colors::diverging(NAN), colors::kNeutral);
  const colors::Rgb half = colors::diverging(0.5f);
  EXPECT_GT(half.r, colors::kBlue.r);
  EXPECT_LT(half.r, colors::kNeutral.r);
  EXPECT_EQ(colors::diverging_discrete(0.3f), colors::kBlue);
  EXPECT_EQ(colors::diverging_discrete(-0.01f), colors::kOrange);
  EXPECT_EQ(colors::diverging_discrete(0.3f, 2), colors::diverging(0.5f));
  EXPECT_NE(colors::category(0), colors::category(1));
  EXPECT_EQ(colors::category(8), colors::category(0));
  const auto rgba = colors::to_rgba({-2.0f, 2.0f}, 2.0f);
  ASSERT_EQ(rgba.size(), 8u);
  EXPECT_EQ(rgba[0], colors::kOrange.r);
  EXPECT_EQ(rgba[6], colors::kBlue.b);
  EXPECT_EQ(rgba[7], 255);
}

TEST(NetworkLayout, ColumnsCentredAndLinksCarryWeights) {
  WeightSet w = {{"layers.0.weight", {3, 2}, {0.5f, -1.0f, 0.25f, 0.0f, 2.0f, -0.1f}},
                 {"layers.0.bias", {3}, {0, 0, 0}},
                 {"output.weight", {1, 3}, {1.0f, -1.0f, 0.5f}},
                 {"output.bias", {1}, {0}}};
  const layout::Graph g = layout::layout({2, 3, 1}, 300, 200, 40, &w);
  ASSERT_EQ(g.nodes.size(), 6u);
  ASSERT_EQ(g.links.size(), 2u * 3 + 3u * 1);
  EXPECT_FLOAT_EQ(g.nodes[0].x, 50);
  EXPECT_FLOAT_EQ(g.nodes[2].x, 150);
  EXPECT_FLOAT_EQ(g.nodes[5].x, 250);
  EXPECT_FLOAT_EQ(g.nodes[5].y, 100);  // a single neuron sits in the middle
  EXPECT_FLOAT_EQ(g.nodes[3].y, 100);  // the middle of three too
  EXPECT_LE(g.node_size, 40);
  // Link from input 1 to hidden 0 carries layers.0.weight[0][1] = -1.
  const layout::Link& k = g.links[1];
  EXPECT_EQ(k.from, 1);
  EXPECT_EQ(k.to, 2);
  EXPECT_FLOAT_EQ(k.weight, -1.0f);
  EXPECT_FLOAT_EQ(k.shade, -0.5f);  // the largest |weight| is 2
  EXPECT_STREQ(k.param, "layers.0.weight");
  const layout::Link& strongest = g.links[4];
  EXPECT_FLOAT_EQ(strongest.weight, 2.0f);
  EXPECT_GT(strongest.width, k.width);
  // Without weights the graph still lays out.
  EXPECT_EQ(layout::layout({7, 8, 8, 2}, 500, 300, 30).links.size(), 7u * 8 + 8 * 8 + 8 * 2);
  EXPECT_TRUE(layout::layout({}, 100, 100, 10).nodes.empty());
}

}  // namespace
}  // namespace aisb

namespace aisb::raster {
namespace {

TEST(Raster, AStraightCurveCoversItsLineOnceWithSmoothEdges) {
  Canvas c;
  c.reset(64, 32);
  // A straight "curve" along y = 10.5, 2 px wide, half transparent.
  stroke_bezier(c, {8, 10.5f}, {20, 10.5f}, {40, 10.5f}, {56, 10.5f}, 2.0f, colors::kBlue, 0.5f);
  const auto alpha = [&](int x, int y) { return c.rgba[static_cast<size_t>((y * c.width + x) * 4 + 3)]; };
  const auto red = [&](int x, int y) { return c.rgba[static_cast<size_t>((y * c.width + x) * 4)]; };
  // Inside: exactly the stroke's alpha everywhere along it, so the joints
  // between its segments were not blended twice.
  for (int x = 12; x < 52; ++x) EXPECT_EQ(alpha(x, 10), 128) << x;
  EXPECT_EQ(red(30, 10), colors::kBlue.r);
  // The edge is partly covered, and far away nothing.
  EXPECT_GT(alpha(30, 11), 0);
  EXPECT_LT(alpha(30, 11), 128);
  EXPECT_EQ(alpha(30, 12), 0);
  EXPECT_EQ(alpha(30, 20), 0);
  EXPECT_EQ(alpha(2, 10), 0);
  // A second, crossing curve composites over the first.
  stroke_bezier(c, {30, 0}, {30, 10}, {30, 20}, {30, 31}, 2.0f, colors::kOrange, 1.0f);
  EXPECT_EQ(alpha(30, 10), 255);
  EXPECT_EQ(red(30, 10), colors::kOrange.r);
  // Curves outside the canvas are clipped, not a crash.
  stroke_bezier(c, {-100, -100}, {200, -50}, {-50, 200}, {300, 300}, 5.0f, colors::kBlue, 1.0f);
}

}  // namespace
}  // namespace aisb::raster

namespace aisb::confusion {
namespace {

TEST(Confusion, SharesAccuracyAndTheCommonestMistakes) {
  // 3 classes: class 0 perfect, class 1 often taken for 2, class 2 empty.
  const Summary s = summarize({5, 0, 0,  //
                               1, 6, 3,  //
                               0, 0, 0});
  ASSERT_EQ(s.classes, 3);
  EXPECT_FLOAT_EQ(s.share[0], 1.0f);
  EXPECT_FLOAT_EQ(s.share[3 + 1], 0.6f);
  EXPECT_FLOAT_EQ(s.share[3 + 2], 0.3f);
  EXPECT_FLOAT_EQ(s.share[6 + 2], 0.0f);  // an empty row stays 0, not NaN
  EXPECT_NEAR(s.accuracy, 11.0 / 15.0, 1e-12);
  ASSERT_EQ(s.mistakes.size(), 2u);
  EXPECT_EQ(s.mistakes[0].truth, 1);
  EXPECT_EQ(s.mistakes[0].predicted, 2);
  EXPECT_EQ(s.mistakes[0].count, 3);
  EXPECT_EQ(summarize({1, 2, 3}).classes, 0);  // not square
  EXPECT_EQ(summarize({}).classes, 0);
}

}  // namespace
}  // namespace aisb::confusion
