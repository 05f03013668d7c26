#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <tuple>

#include "data/pinned_checksums.inc"

#include "core/catalog.hpp"
#include "data/dataset.hpp"
#include "support/job_fixtures.hpp"

namespace aisb {
namespace {

const std::vector<std::string> kClassification = {"linear", "circle", "xor", "gaussian", "spiral", "moons"};
const std::vector<std::string> kRegression = {"plane", "multi-gaussian"};

uint64_t fnv1a(const Points& p) {
  uint64_t h = 1469598103934665603ull;
  const auto mix = [&](const std::vector<float>& v) {
    for (float f : v) {
      uint32_t bits = 0;
      std::memcpy(&bits, &f, sizeof bits);
      for (int i = 0; i < 4; ++i) {
        h ^= (bits >> (8 * i)) & 0xffu;
        h *= 1099511628211ull;
      }
    }
  };
  mix(p.xy);
  mix(p.target);
  return h;
}

TEST(Generators, EveryAvailablePointSourceHasAGenerator) {
  for (const auto& s : builtin_sources()) {
    if (s.available && s.kind == DataKind::points) {
      EXPECT_NO_THROW(generate_points(s.name, 10, 0.1, 1)) << s.name;
    }
  }
  EXPECT_THROW(generate_points("nope", 10, 0.1, 1), std::invalid_argument);
}

TEST(Generators, ClassificationSetsAreBalancedAndBounded) {
  for (const auto& name : kClassification) {
    const Points p = generate_points(name, 400, 0.0, 1);
    ASSERT_EQ(p.size(), 400u) << name;
    int ones = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      ASSERT_TRUE(p.target[i] == 0.0f || p.target[i] == 1.0f) << name;
      ones += p.target[i] == 1.0f;
      EXPECT_LE(std::fabs(p.xy[2 * i]), 6.0f) << name;
      EXPECT_LE(std::fabs(p.xy[2 * i + 1]), 6.0f) << name;
    }
    EXPECT_GT(ones, 120) << name;
    EXPECT_LT(ones, 280) << name;
  }
}

TEST(Generators, XorLabelsFollowTheQuadrantsWithoutNoise) {
  const Points p = generate_points("xor", 300, 0.0, 3);
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ(p.target[i], p.xy[2 * i] * p.xy[2 * i + 1] >= 0 ? 1.0f : 0.0f);
  }
}

TEST(Generators, NoiseMixesLabels) {
  // Without noise the circle's classes are separated by radius; with noise some cross.
  const auto crossings = [](const Points& p) {
    int n = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      const float r = std::hypot(p.xy[2 * i], p.xy[2 * i + 1]);
      n += (r < 3.0f) != (p.target[i] == 1.0f);
    }
    return n;
  };
  EXPECT_EQ(crossings(generate_points("circle", 500, 0.0, 1)), 0);
  EXPECT_GT(crossings(generate_points("circle", 500, 0.5, 1)), 10);
}

TEST(Generators, RegressionTargetsAreSmallAndVaried) {
  for (const auto& name : kRegression) {
    const Points p = generate_points(name, 500, 0.0, 1);
    float lo = 1e9f, hi = -1e9f;
    for (float t : p.target) {
      lo = std::min(lo, t);
      hi = std::max(hi, t);
    }
    EXPECT_GE(lo, -1.5f) << name;
    EXPECT_LE(hi, 1.5f) << name;
    EXPECT_GT(hi - lo, 1.0f) << name;
  }
}

TEST(Generators, SameSeedSameBitsOtherSeedOtherData) {
  for (const auto& name : kClassification) {
    EXPECT_EQ(fnv1a(generate_points(name, 300, 0.2, 11)), fnv1a(generate_points(name, 300, 0.2, 11))) << name;
    EXPECT_NE(fnv1a(generate_points(name, 300, 0.2, 11)), fnv1a(generate_points(name, 300, 0.2, 12))) << name;
  }
}

// The bits every machine and compiler must produce. A change here means data
// (and so every lesson's results) changed: bump it only on purpose.
TEST(Generators, PinnedChecksums) {
  const std::vector<std::pair<std::string, uint64_t>> pinned = {AISB_PINNED_POINTS};
  ASSERT_EQ(pinned.size(), kClassification.size() + kRegression.size());
  for (const auto& [name, sum] : pinned) {
    EXPECT_EQ(fnv1a(generate_points(name, 200, 0.2, 1)), sum) << name << ": 0x" << std::hex
                                                                << fnv1a(generate_points(name, 200, 0.2, 1));
  }
}

uint64_t fnv1a(const Images& im) {
  Points p;
  p.xy = im.pixels;
  p.target = im.label;
  return fnv1a(p);
}

TEST(Images, ShapesRangesAndBalancedClasses) {
  for (const auto& [name, side, classes] : {std::tuple{"digits", 28, 10}, std::tuple{"steel-defects", 64, 6}}) {
    const Images im = generate_images(name, 60, 0.2, 1);
    EXPECT_EQ(im.height, side);
    EXPECT_EQ(im.width, side);
    ASSERT_EQ(im.pixels.size(), 60u * side * side);
    for (float v : im.pixels) ASSERT_TRUE(v >= 0.0f && v <= 1.0f) << name;
    std::vector<int> count(classes);
    for (float l : im.label) ++count.at(static_cast<size_t>(l));
    for (int c : count) EXPECT_EQ(c, 60 / classes) << name;
  }
  EXPECT_THROW(generate_images("xor", 1, 0, 1), std::invalid_argument);
}

TEST(Images, DigitsHaveInkAndVary) {
  const Images im = generate_images("digits", 20, 0.0, 3);
  for (size_t i = 0; i < im.size(); ++i) {
    double ink = 0;
    for (int p = 0; p < 28 * 28; ++p) ink += im.pixels[i * 784 + static_cast<size_t>(p)];
    EXPECT_GT(ink, 30.0) << i;   // a stroke was drawn
    EXPECT_LT(ink, 400.0) << i;  // on a dark background
  }
  // The same digit twice is never the same picture.
  EXPECT_FALSE(std::equal(im.pixels.begin(), im.pixels.begin() + 784, im.pixels.begin() + 10 * 784));
}

TEST(Images, PinnedChecksums) {
  EXPECT_EQ(fnv1a(generate_images("digits", 30, 0.2, 1)), AISB_PIN_DIGITS)
      << std::hex << fnv1a(generate_images("digits", 30, 0.2, 1));
  EXPECT_EQ(fnv1a(generate_images("steel-defects", 12, 0.2, 1)), AISB_PIN_STEEL)
      << std::hex << fnv1a(generate_images("steel-defects", 12, 0.2, 1));
}

uint64_t fnv1a(const Table& t) {
  Points p;
  p.xy = t.x;
  p.target = t.y;
  return fnv1a(p);
}

TEST(Tables, ShapesAndScales) {
  for (const auto& [name, steps, features] : {std::tuple{"battery-fade", 24, 3}, std::tuple{"air-quality", 24, 4},
                                               std::tuple{"smart-farm", 0, 5}}) {
    const Table t = generate_table(name, "regression", 200, 0.2, 1);
    EXPECT_EQ(t.steps, steps);
    EXPECT_EQ(t.features, features);
    ASSERT_EQ(t.x.size(), 200u * static_cast<size_t>(std::max(1, steps) * features)) << name;
    for (float v : t.x) ASSERT_LT(std::fabs(v), 5.0f) << name;  // scaled for training without normalisation
    float lo = 1e9f, hi = -1e9f;
    for (float v : t.y) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    EXPECT_GT(hi - lo, 0.5f) << name;
    EXPECT_LT(std::max(std::fabs(lo), std::fabs(hi)), 5.0f) << name;
    // The catalog names every measurement the views label, and the target.
    const SourceInfo* info = find_source(name);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->measures.size(), static_cast<size_t>(features)) << name;
    EXPECT_EQ(info->shape.back(), features) << name;
    EXPECT_FALSE(info->target.empty()) << name;
    EXPECT_TRUE(info->headline >= 0 && info->headline < features) << name;
  }
  const Table risk = generate_table("smart-farm", "classification", 600, 0.2, 1);
  std::vector<int> count(3);
  for (float c : risk.y) ++count.at(static_cast<size_t>(c));
  for (int c : count) EXPECT_GT(c, 90);  // all three risk classes are common
  EXPECT_THROW(generate_table("digits", "regression", 1, 0, 1), std::invalid_argument);
}

TEST(Tables, PinnedChecksums) {
  EXPECT_EQ(fnv1a(generate_table("battery-fade", "regression", 40, 0.2, 1)), AISB_PIN_BATTERY_REG);
  EXPECT_EQ(fnv1a(generate_table("air-quality", "regression", 40, 0.2, 1)), AISB_PIN_AIR_REG);
  EXPECT_EQ(fnv1a(generate_table("smart-farm", "regression", 40, 0.2, 1)), AISB_PIN_FARM_REG);
  EXPECT_EQ(fnv1a(generate_table("smart-farm", "classification", 40, 0.2, 1)), AISB_PIN_FARM_CLS);
}

TEST(Dataset, SequencesKeepTheirShape) {
  JobSpec j = test::plane_job();
  j.dataset.source = "battery-fade";
  j.model.inputs.clear();
  j.model.layers = {{.type = "lstm", .units = 4}};
  const Dataset d = make_dataset(j);
  EXPECT_EQ(d.input_shape, (Shape{24, 3}));
  EXPECT_EQ(d.features, 72);
  EXPECT_EQ(d.train.x.size(), static_cast<size_t>(d.train.size()) * 72);
}

TEST(Dataset, ImagesSplitWithTheirShape) {
  JobSpec j = test::xor_job();
  j.dataset.source = "digits";
  j.dataset.samples = 100;
  j.dataset.test_fraction = 0.2;
  j.model.inputs.clear();
  const Dataset d = make_dataset(j);
  EXPECT_EQ(d.input_shape, (Shape{1, 28, 28}));
  EXPECT_EQ(d.features, 784);
  EXPECT_EQ(d.outputs, 10);
  EXPECT_EQ(d.test.size(), 20);
  EXPECT_EQ(d.train.x.size(), 80u * 784);
  EXPECT_TRUE(d.train.points.empty());
}

TEST(Features, ComputedFromThePoint) {
  float out[7];
  point_features({"x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"}, 2.0, -3.0, out);
  EXPECT_FLOAT_EQ(out[0], 2.0f);
  EXPECT_FLOAT_EQ(out[1], -3.0f);
  EXPECT_FLOAT_EQ(out[2], 4.0f);
  EXPECT_FLOAT_EQ(out[3], 9.0f);
  EXPECT_FLOAT_EQ(out[4], -6.0f);
  EXPECT_FLOAT_EQ(out[5], std::sin(2.0f));
  EXPECT_FLOAT_EQ(out[6], std::sin(-3.0f));
}

TEST(Dataset, SplitsByTestFraction) {
  JobSpec j = test::xor_job();
  j.dataset.samples = 301;
  j.dataset.test_fraction = 0.3;
  j.model.inputs = {"x1", "x2", "x1_x2"};
  const Dataset d = make_dataset(j);
  EXPECT_EQ(d.test.size(), 90);
  EXPECT_EQ(d.train.size(), 211);
  EXPECT_EQ(d.features, 3);
  EXPECT_EQ(d.train.x.size(), 211u * 3);
  EXPECT_EQ(d.outputs, 2);
  // Every generated point lands in exactly one split.
  std::multiset<std::pair<float, float>> all, split;
  const Points p = generate_points("xor", 301, j.dataset.noise, j.dataset.seed);
  for (size_t i = 0; i < p.size(); ++i) all.insert({p.xy[2 * i], p.xy[2 * i + 1]});
  for (const Split* s : {&d.train, &d.test}) {
    for (int64_t i = 0; i < s->size(); ++i) {
      split.insert({s->points[2 * i], s->points[2 * i + 1]});
      EXPECT_FLOAT_EQ(s->x[3 * i + 2], s->points[2 * i] * s->points[2 * i + 1]);
    }
  }
  EXPECT_EQ(all, split);
}

TEST(Dataset, RefusesSourcesItCannotMake) {
  JobSpec j = test::xor_job();
  j.dataset.source = "csv:data/farm.csv";
  EXPECT_THROW(make_dataset(j), DataError);
}

}  // namespace
}  // namespace aisb
