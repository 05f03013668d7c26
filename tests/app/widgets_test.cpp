// The UI-free math behind the app's own widgets.
#include <gtest/gtest.h>

#include <cmath>

#include "widgets/colors.hpp"
#include "widgets/confusion.hpp"
#include "widgets/controls.hpp"
#include "widgets/damage.hpp"
#include "widgets/ink_canvas.hpp"
#include "widgets/network_layout.hpp"
#include "widgets/plot_math.hpp"
#include "widgets/raster.hpp"

namespace aisb {
namespace {

TEST(PlotMath, NiceTicks) {
  EXPECT_EQ(plot::nice_ticks(0, 1, 6), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(plot::nice_ticks(0, 100, 5), (std::vector<double>{0, 50, 100}));
  const auto t = plot::nice_ticks(-0.37, 2.9, 6);
  ASSERT_GE(t.size(), 3u);
  EXPECT_GE(t.front(), -0.37);
  EXPECT_LE(t.back(), 2.9);
  EXPECT_DOUBLE_EQ(t[1] - t[0], 1.0);                                                     // 0.5 would make 8 ticks
  for (double v : plot::nice_ticks(-1, 1, 5)) EXPECT_FALSE(std::signbit(v) && v == 0.0);  // no "-0"
  EXPECT_EQ(plot::nice_ticks(3, 3).size(), 1u);
  EXPECT_TRUE(plot::nice_ticks(0, NAN).empty());
  EXPECT_LE(plot::nice_ticks(0, 1e9, 6).size(), 7u);
}

// An epoch axis ticks at whole epochs only: a run that stopped after its
// first epoch had ticks at 0.2, 0.4, ... 1 (issue 12).
TEST(PlotMath, WholeNumberTicksForEpochs) {
  EXPECT_EQ(plot::nice_ticks(0, 1, 6, true), (std::vector<double>{0, 1}));
  EXPECT_EQ(plot::nice_ticks(0, 3, 6, true), (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(plot::nice_ticks(0, 40, 5, true), (std::vector<double>{0, 10, 20, 30, 40}));
  EXPECT_EQ(plot::nice_ticks(0.5, 2.5, 6, true), (std::vector<double>{1, 2}));
  for (const double hi : {1.0, 2.0, 7.0, 23.0, 99.0, 1000.0, 12345.0}) {
    for (const int n : {3, 5, 8}) {
      const auto t = plot::nice_ticks(0, hi, n, true);
      ASSERT_FALSE(t.empty());
      for (double v : t) EXPECT_EQ(v, std::round(v)) << hi << " " << n;
      EXPECT_LE(t.size(), static_cast<size_t>(n) + 1) << hi;
    }
  }
  EXPECT_EQ(plot::nice_ticks(3, 3, 6, true), (std::vector<double>{3}));
}

TEST(PlotMath, FractionsReadAsPercents) {
  EXPECT_EQ(plot::format_percent(0.1), "10%");
  EXPECT_EQ(plot::format_percent(0.0), "0%");
  EXPECT_EQ(plot::format_percent(1.0 - 0.5), "50%");
  EXPECT_EQ(plot::format_percent(1.0 - 0.3), "70%");  // 0.7000000000000001
  EXPECT_EQ(plot::format_percent(0.125), "12.5%");
  EXPECT_EQ(plot::format_percent(1.0), "100%");
}

TEST(Controls, ASliderMapsItsTrackToWholeSteps) {
  // The thumb's centre travels from 10 to 110 for values 0 .. 50.
  EXPECT_EQ(controls::slider_value(10, 10, 110, 0, 50), 0);
  EXPECT_EQ(controls::slider_value(110, 10, 110, 0, 50), 50);
  EXPECT_EQ(controls::slider_value(60, 10, 110, 0, 50), 25);
  EXPECT_EQ(controls::slider_value(61, 10, 110, 0, 50), 26);  // nearest step
  EXPECT_EQ(controls::slider_value(-100, 10, 110, 0, 50), 0);
  EXPECT_EQ(controls::slider_value(500, 10, 110, 0, 50), 50);
  EXPECT_EQ(controls::slider_value(60, 10, 110, 10, 90), 50);
  for (int v = 1; v <= 30; ++v) {
    EXPECT_EQ(controls::slider_value(controls::slider_position(v, 5, 205, 1, 30), 5, 205, 1, 30), v) << v;
  }
  EXPECT_FLOAT_EQ(controls::slider_position(99, 0, 100, 0, 50), 100.0f);  // clamped
  EXPECT_EQ(controls::slider_value(50, 0, 100, 4, 4), 4);                 // one value only
}

// "Classification" was cut by its combo's arrow: combos get the width their
// longest choice needs when the bar has room, and the widest give way
// first when it does not, never below the least.
TEST(Controls, CombosShareTheBarWidestFirst) {
  const std::vector<float> want = {80, 90, 150, 85};
  EXPECT_EQ(controls::fit_widths(want, 1000, 70), want);
  const auto w = controls::fit_widths(want, 370, 70);
  EXPECT_FLOAT_EQ(w[0], 80);
  EXPECT_FLOAT_EQ(w[3], 85);
  EXPECT_FLOAT_EQ(w[1], 90);
  EXPECT_FLOAT_EQ(w[2], 115);  // the widest gave way, the others kept theirs
  const auto tight = controls::fit_widths(want, 200, 70);
  for (float x : tight) EXPECT_FLOAT_EQ(x, 70);  // never below the least
  const auto even = controls::fit_widths({100, 100, 100}, 240, 50);
  for (float x : even) EXPECT_FLOAT_EQ(x, 80);
  EXPECT_EQ(controls::fit_widths({40}, 1000, 60), (std::vector<float>{60}));
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

TEST(Raster, CoveredBlocksAreTheNonEmptyOnes) {
  // 70 x 40 in blocks of 32: 3 x 2 blocks, the last row and column smaller.
  std::vector<uint8_t> px(70 * 40 * 4, 0);
  EXPECT_TRUE(covered_blocks(px, 70, 40, 32).empty());
  px[(5 * 70 + 3) * 4 + 3] = 1;      // (3, 5): block (0, 0)
  px[(39 * 70 + 69) * 4 + 3] = 9;    // the last pixel: block (2, 1)
  px[(10 * 70 + 40) * 4 + 0] = 255;  // colour without alpha does not count
  const auto blocks = covered_blocks(px, 70, 40, 32);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], (Block{0, 0, 32, 32}));
  EXPECT_EQ(blocks[1], (Block{64, 32, 70, 40}));
  // A short buffer or a zero size: nothing, not a crash.
  EXPECT_TRUE(covered_blocks(px, 700, 40, 32).empty());
  EXPECT_TRUE(covered_blocks(px, 70, 40, 0).empty());
}

TEST(Raster, PaintedCurvesComeWithTheirBlocksAndHashes) {
  const std::vector<Curve> one = {{{4, 8}, {20, 8}, {40, 8}, {60, 8}, 2.0f, colors::kBlue, 1.0f}};
  const Overlay a = paint_curves(100, 70, one);
  EXPECT_EQ(a.width, 100);
  EXPECT_EQ(a.rgba.size(), 100u * 70u * 4u);
  EXPECT_EQ(a.blocks.size(), 2u);  // the line at y = 8 from x = 4 to 60
  EXPECT_EQ(a.hashes.size(), 4u * 3u);
  // The same curves give the same hashes; a curve lower down changes only
  // the hashes of the blocks it crosses.
  EXPECT_EQ(paint_curves(100, 70, one).hashes, a.hashes);
  auto two = one;
  two.push_back({{4, 50}, {20, 50}, {30, 50}, {28, 50}, 2.0f, colors::kOrange, 1.0f});
  const Overlay b = paint_curves(100, 70, two);
  for (size_t i = 0; i < a.hashes.size(); ++i) EXPECT_EQ(a.hashes[i] != b.hashes[i], i == 4 * 1 + 0) << i;
}

TEST(Raster, ABigChangeIsShownAFewBlocksAtATimeAndEveryBlockGetsItsTurn) {
  // 3 x 2 blocks of 10 px; the target differs in every block but the
  // fourth, which is empty in both (the shown picture starts empty).
  const auto picture = [](uint8_t shade, bool fourth_empty) {
    std::vector<uint8_t> px(30u * 20u * 4u, 0);
    for (int y = 0; y < 20; ++y) {
      for (int x = 0; x < 30; ++x) {
        if (fourth_empty && y >= 10 && x < 10) continue;
        uint8_t* p = &px[(static_cast<size_t>(y) * 30u + static_cast<size_t>(x)) * 4u];
        p[0] = shade;
        p[3] = 255;
      }
    }
    return make_overlay(30, 20, std::move(px), 10);
  };
  Overlay shown = make_overlay(30, 20, std::vector<uint8_t>(30u * 20u * 4u, 0), 10);
  const Overlay target = picture(200, true);
  ASSERT_EQ(target.blocks.size(), 5u);
  size_t cursor = 0, left = 0;
  auto copied = approach(shown, target, 2, cursor, left);
  ASSERT_EQ(copied.size(), 2u);
  EXPECT_EQ(copied[0], (Block{0, 0, 10, 10}));
  EXPECT_EQ(copied[1], (Block{10, 0, 20, 10}));
  EXPECT_EQ(left, 3u);
  EXPECT_EQ(shown.blocks, (std::vector<Block>{{0, 0, 10, 10}, {10, 0, 20, 10}}));  // what it holds so far
  EXPECT_EQ(shown.rgba[0], 200);
  EXPECT_EQ(shown.rgba[(5u * 30u + 25u) * 4u], 0);  // the third block: not yet
  // A newer target comes before this one is reached: the next blocks come
  // first, then the first ones again, so none waits for ever.
  const Overlay newer = picture(90, true);
  copied = approach(shown, newer, 2, cursor, left);
  ASSERT_EQ(copied.size(), 2u);
  EXPECT_EQ(copied[0], (Block{20, 0, 30, 10}));
  EXPECT_EQ(copied[1], (Block{10, 10, 20, 20}));
  EXPECT_EQ(left, 3u);  // the last block, and the first two again
  copied = approach(shown, newer, 10, cursor, left);
  EXPECT_EQ(copied.size(), 3u);
  EXPECT_EQ(left, 0u);
  EXPECT_EQ(shown.rgba, newer.rgba);
  EXPECT_EQ(shown.hashes, newer.hashes);
  EXPECT_EQ(shown.blocks, newer.blocks);
  EXPECT_TRUE(approach(shown, newer, 10, cursor, left).empty());
  // A block that empties leaves the list of blocks to draw.
  const Overlay emptier = picture(90, true);
  Overlay full = picture(90, false);
  ASSERT_EQ(full.blocks.size(), 6u);
  copied = approach(full, emptier, 10, cursor, left);
  EXPECT_EQ(copied, (std::vector<Block>{{0, 10, 10, 20}}));
  EXPECT_EQ(full.blocks, emptier.blocks);
  // Another size is taken whole, at once.
  const Overlay bigger = make_overlay(40, 20, std::vector<uint8_t>(40u * 20u * 4u, 7), 10);
  copied = approach(shown, bigger, 1, cursor, left);
  EXPECT_EQ(copied, (std::vector<Block>{{0, 0, 40, 20}}));
  EXPECT_EQ(left, 0u);
  EXPECT_EQ(shown.rgba, bigger.rgba);
}

}  // namespace
}  // namespace aisb::raster

namespace aisb::damage {
namespace {

// A frame of primitives: each {x0, y0, x1, y1, hash}.
struct Prim {
  float x0, y0, x1, y1;
  uint64_t hash;
};
std::vector<Rect> frame(Tracker& t, const std::vector<Prim>& prims, int w = 200, int h = 100) {
  t.begin(w, h);
  for (const Prim& p : prims) t.add(p.x0, p.y0, p.x1, p.y1, p.hash);
  return t.finish();
}

TEST(Damage, OnlyTheTilesOfAChangedPrimitiveAreRedrawn) {
  Tracker t(32);
  const std::vector<Prim> still = {{0, 0, 200, 100, 1}, {40, 40, 50, 50, 2}, {150, 10, 160, 20, 3}};
  // The first frame is whole; the same frame again changes nothing.
  EXPECT_EQ(frame(t, still), (std::vector<Rect>{{0, 0, 200, 100}}));
  EXPECT_TRUE(frame(t, still).empty());
  // One primitive changes: only the tile it lies in.
  auto moved = still;
  moved[1].hash = 20;
  EXPECT_EQ(frame(t, moved), (std::vector<Rect>{{32, 32, 64, 64}}));
  // A primitive that moves damages where it was and where it is now.
  auto away = moved;
  away[2] = {150, 70, 160, 80, 3};
  EXPECT_EQ(frame(t, away), (std::vector<Rect>{{128, 0, 160, 32}, {128, 64, 160, 96}}));
  // Order counts: the same two primitives in one tile, drawn the other way
  // round, are a change (the upper one hides the lower).
  Tracker u(32);
  frame(u, {{1, 1, 9, 9, 5}, {2, 2, 8, 8, 6}});
  EXPECT_TRUE(frame(u, {{1, 1, 9, 9, 5}, {2, 2, 8, 8, 6}}).empty());
  const auto swapped = frame(u, {{2, 2, 8, 8, 6}, {1, 1, 9, 9, 5}});
  EXPECT_EQ(swapped, (std::vector<Rect>{{0, 0, 32, 32}}));
}

TEST(Damage, ResizeInvalidateAndTheEdgesOfTheFrame) {
  Tracker t(32);
  const std::vector<Prim> p = {{10, 10, 20, 20, 1}};
  frame(t, p);
  EXPECT_TRUE(frame(t, p).empty());
  t.invalidate();
  EXPECT_EQ(frame(t, p), (std::vector<Rect>{{0, 0, 200, 100}}));
  EXPECT_EQ(frame(t, p, 210, 100), (std::vector<Rect>{{0, 0, 210, 100}}));  // a resize is whole
  // Outside the frame, empty or NaN: ignored, not a crash; a primitive on
  // the last partial tile damages it up to the frame's edge.
  EXPECT_TRUE(
      frame(t, {{10, 10, 20, 20, 1}, {-50, -50, -10, -10, 7}, {5, 5, 5, 9, 8}, {NAN, 0, 1, 1, 9}}, 210, 100).empty());
  EXPECT_EQ(frame(t, {{10, 10, 20, 20, 1}, {205, 90, 400, 300, 4}}, 210, 100),
            (std::vector<Rect>{{192, 64, 210, 100}}));
}

TEST(Damage, MergedTilesCoverTheDamageExactlyAndDoNotOverlap) {
  // 6 x 4 tiles of 10 px; an L shape and a lone tile.
  const int cols = 6, rows = 4;
  std::vector<uint8_t> d(cols * rows, 0);
  for (int c = 1; c <= 3; ++c) d[0 * cols + c] = 1;  // row 0: tiles 1-3
  for (int c = 1; c <= 3; ++c) d[1 * cols + c] = 1;  // row 1: the same run, joined
  d[2 * cols + 1] = 1;                               // row 2: tile 1 only
  d[3 * cols + 5] = 1;                               // row 3: the last tile
  const auto rects = merge_tiles(d, cols, rows, 10, 55, 38);
  EXPECT_EQ(rects, (std::vector<Rect>{{10, 0, 40, 20}, {10, 20, 20, 30}, {50, 30, 55, 38}}));
  std::vector<int> covered(55 * 38, 0);
  for (const Rect& r : rects)
    for (int y = r.y0; y < r.y1; ++y)
      for (int x = r.x0; x < r.x1; ++x) ++covered[y * 55 + x];
  for (int y = 0; y < 38; ++y)
    for (int x = 0; x < 55; ++x) EXPECT_EQ(covered[y * 55 + x], d[(y / 10) * cols + x / 10]) << x << "," << y;
}

TEST(Damage, BlockHashesFollowTheirBlocksAlone) {
  std::vector<uint8_t> px(40 * 20 * 4, 0);
  const auto a = block_hashes(px.data(), 40, 20, 16);
  ASSERT_EQ(a.size(), 3u * 2u);
  px[(17 * 40 + 35) * 4 + 1] = 3;  // (35, 17): block (2, 1)
  const auto b = block_hashes(px.data(), 40, 20, 16);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i] != b[i], i == 5) << i;
  // The hash sees every byte, in order.
  const uint8_t x[3] = {1, 2, 3}, y[3] = {3, 2, 1};
  EXPECT_NE(mix(kSeed, x, 3), mix(kSeed, y, 3));
  EXPECT_NE(mix(kSeed, x, 2), mix(kSeed, x, 3));
}

}  // namespace
}  // namespace aisb::damage

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

namespace aisb::canvas {
namespace {

// The canvas paints as the digits generator does: ink 1 on the stroke,
// falling to 0 over one pixel at the pen's edge, the darkest ink kept.
TEST(InkCanvas, StrokesArePaintedWithTheDigitsPen) {
  InkCanvas c(28, 28, 1.6);
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.pixels().size(), 784u);
  const uint64_t v0 = c.version();
  c.extend_stroke(5, 5);  // the pen is not down: nothing
  EXPECT_TRUE(c.empty());
  c.begin_stroke(4.5, 14.5);
  c.extend_stroke(23.5, 14.5);
  EXPECT_FALSE(c.empty());
  EXPECT_GT(c.version(), v0);
  const auto at = [&](int x, int y) { return c.pixels()[static_cast<size_t>(y * 28 + x)]; };
  EXPECT_EQ(at(14, 14), 1.0f);          // on the line
  EXPECT_EQ(at(14, 15), 1.0f);          // 1 px off: inside the pen
  EXPECT_NEAR(at(14, 16), 0.1f, 1e-5);  // 2 px off: the soft edge (1.6 - 2 + 0.5)
  EXPECT_EQ(at(14, 17), 0.0f);          // beyond
  EXPECT_EQ(at(1, 14), 0.0f);           // before the stroke's start
  for (float v : c.pixels()) EXPECT_TRUE(v >= 0.0f && v <= 1.0f);
  // Drawing over ink never lightens it.
  c.begin_stroke(14.5, 15.5);
  EXPECT_EQ(at(14, 14), 1.0f);
  c.clear();
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(at(14, 14), 0.0f);
  // A picture set whole (a photo), values kept in [0, 1].
  std::vector<float> px(784, 0.25f);
  px[0] = 7.0f;
  c.set_pixels(px);
  EXPECT_FALSE(c.empty());
  EXPECT_EQ(at(0, 0), 1.0f);
  EXPECT_EQ(at(5, 5), 0.25f);
  c.set_pixels({1.0f});  // the wrong size: ignored
  EXPECT_EQ(at(5, 5), 0.25f);
  // A larger picture gets a proportionally larger pen.
  c.resize(56, 56);
  EXPECT_TRUE(c.empty());
  EXPECT_DOUBLE_EQ(c.pen(), 3.2);
}

}  // namespace
}  // namespace aisb::canvas
