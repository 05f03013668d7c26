// The engine's float functions (core/detmath.hpp): close to libm, and the
// same bits everywhere. The pinned checksums below are what glibc/Linux and
// mingw-w64/Wine both give; libm's own expf, logf and erff give different
// ones on the two.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/detmath.hpp"
#include "engine/activations.hpp"

namespace aisb {
namespace {

int32_t ulps_apart(float a, float b) {
  int32_t ia = 0, ib = 0;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  return ia > ib ? ia - ib : ib - ia;
}

// Floats spread over the whole range that matters, both signs.
std::vector<float> sample_floats(int n) {
  std::vector<float> v;
  uint32_t s = 12345;
  for (int i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    uint32_t bits = (s >> 1) % 0x42d00000u;  // |x| < 104
    if (s & 1) bits |= 0x80000000u;
    float x = 0;
    std::memcpy(&x, &bits, 4);
    v.push_back(x);
  }
  return v;
}

struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void add(const void* p, size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ c[i]) * 1099511628211ull;
  }
};

TEST(DetMathFloat, WithinOneUlpOfTheExactValue) {
  for (float x : sample_floats(200000)) {
    const auto exact_exp = static_cast<float>(std::exp(static_cast<long double>(x)));
    ASSERT_LE(ulps_apart(det::expf(x), exact_exp), 1) << x;
    const float ax = std::fabs(x);
    if (ax > 0) {
      ASSERT_LE(ulps_apart(det::logf(ax), static_cast<float>(std::log(static_cast<long double>(ax)))), 1) << ax;
    }
    ASSERT_LE(ulps_apart(det::erff(x), static_cast<float>(std::erf(static_cast<long double>(x)))), 1) << x;
  }
}

TEST(DetMathFloat, EdgeCases) {
  EXPECT_EQ(det::expf(0.0f), 1.0f);
  EXPECT_EQ(det::expf(-200.0f), 0.0f);
  EXPECT_TRUE(std::isinf(det::expf(89.0f)));
  EXPECT_TRUE(std::isinf(det::expf(std::numeric_limits<float>::infinity())));
  EXPECT_EQ(det::expf(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_TRUE(std::isnan(det::expf(std::nanf(""))));
  EXPECT_EQ(det::logf(1.0f), 0.0f);
  EXPECT_TRUE(std::isinf(det::logf(0.0f)));
  EXPECT_TRUE(std::isnan(det::logf(-1.0f)));
  EXPECT_NEAR(det::logf(1e-40f), std::log(1e-40), 1e-5);  // a subnormal
  EXPECT_EQ(det::erff(0.0f), 0.0f);
  EXPECT_TRUE(std::signbit(det::erff(-0.0f)));
  EXPECT_EQ(det::erff(10.0f), 1.0f);
  EXPECT_EQ(det::erff(-std::numeric_limits<float>::infinity()), -1.0f);
  EXPECT_TRUE(std::isnan(det::erff(std::nanf(""))));
  EXPECT_EQ(det::powi(0.9, 0), 1.0);
  EXPECT_EQ(det::powi(0.5, 10), 1.0 / 1024);
  EXPECT_NEAR(det::powi(0.999, 100000), std::pow(0.999, 100000), 1e-12 * std::pow(0.999, 100000));
}

// The engine's tanh (through det::expf) stays within 1e-7 of the exact one.
TEST(DetMathFloat, FastTanhIsCloseToTanh) {
  for (float x = -12.0f; x < 12.0f; x += 0.0007f) {
    ASSERT_NEAR(act::fast_tanh(x), std::tanh(static_cast<double>(x)), 1.2e-7) << x;
  }
  EXPECT_EQ(act::fast_tanh(std::numeric_limits<float>::infinity()), 1.0f);
  EXPECT_EQ(act::fast_tanh(-100.0f), -1.0f);
  EXPECT_TRUE(std::signbit(act::fast_tanh(-0.0f)));
  EXPECT_TRUE(std::isnan(act::fast_tanh(std::nanf(""))));
}

// The bits themselves, pinned: a build with another C library (mingw-w64
// under Wine) must give these too.
TEST(DetMathFloat, PinnedChecksums) {
  const std::vector<float> z = sample_floats(200000);
  Fnv exp_sum, log_sum, erf_sum, act_sum;
  for (float x : z) {
    const float e = det::expf(x), l = det::logf(std::fabs(x)), f = det::erff(x);
    exp_sum.add(&e, 4);
    log_sum.add(&l, 4);
    erf_sum.add(&f, 4);
  }
  std::vector<float> a(z.size());
  for (const auto act : {act::Act::tanh, act::Act::sigmoid, act::Act::gelu}) {
    act::activate(act, z.data(), a.data(), static_cast<int>(z.size()));
    act_sum.add(a.data(), a.size() * 4);
  }
  for (int64_t n = 0; n < 20000; ++n) {
    const double b[2] = {det::powi(0.9, n), det::powi(0.999, n)};
    act_sum.add(b, sizeof b);
  }
  EXPECT_EQ(exp_sum.h, 0xc07bcc10168d49dbull);
  EXPECT_EQ(log_sum.h, 0x29cda7df006f6212ull);
  EXPECT_EQ(erf_sum.h, 0xc4d093318bedd894ull);
  EXPECT_EQ(act_sum.h, 0x750da3ff57bcac1eull);
}

}  // namespace
}  // namespace aisb
