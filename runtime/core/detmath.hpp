// Elementary functions computed the same way on every platform. libm's sin,
// cos, exp, log, pow and erf are not correctly rounded and differ between C
// libraries (glibc and mingw-w64 disagree in the last bits); these use only
// IEEE-exact operations (+ - * /, conversions, sqrt) in a fixed order, so
// generated data and training results are bit-identical everywhere.
// detmath.cpp is built with -ffp-contract=off; the inline float functions
// below are used by the engine, whose x86-64 baseline has no FMA to contract.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace aisb::det {

double log(double x);  // x > 0
double exp(double x);
double sin(double x);
double cos(double x);
// IEEE-754 requires sqrt to be correctly rounded: the same bits everywhere.
inline double sqrt(double x) {
  return std::sqrt(x);
}

// x^n for an integer n >= 0 by binary powering: a fixed sequence of
// multiplications (error about log2(n) ulps), as Adam's bias correction needs.
inline double powi(double x, int64_t n) {
  double result = 1.0;
  for (; n > 0; n >>= 1) {
    if (n & 1) result *= x;
    x *= x;
  }
  return result;
}

namespace detail {

// 2^(j/32), j = 0..31, rounded to double.
inline constexpr double kExp2Table[32] = {
    0x1.0000000000000p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0, 0x1.11301d0125b51p+0, 0x1.172b83c7d517bp+0,
    0x1.1d4873168b9aap+0, 0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0, 0x1.306fe0a31b715p+0, 0x1.371a7373aa9cbp+0,
    0x1.3dea64c123422p+0, 0x1.44e086061892dp+0, 0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0,
    0x1.6247eb03a5585p+0, 0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0, 0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0,
    0x1.8ace5422aa0dbp+0, 0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f090p+0, 0x1.a5503b23e255dp+0, 0x1.ae89f995ad3adp+0,
    0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0, 0x1.cb720dcef9069p+0, 0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0,
    0x1.ea4afa2a490dap+0, 0x1.f50765b6e4540p+0};

// The table as exp_of_float adds to it: 2^(j/32)'s bits less j << 47, so that
// adding k << 47 (k = 32 m + j) both removes j and adds m to the exponent.
struct Exp2Bits {
  uint64_t bits[32];
  constexpr Exp2Bits() : bits{} {
    for (int j = 0; j < 32; ++j) bits[j] = std::bit_cast<uint64_t>(kExp2Table[j]) - (static_cast<uint64_t>(j) << 47);
  }
};
inline constexpr Exp2Bits kExp2Bits{};

constexpr double kN_Ln2 = 0x1.71547652b82fep+5;  // 32 / ln 2
constexpr double kShift = 0x1.8p52;
constexpr double kC1 = 0x1.62e42fefa39efp-6, kC2 = 0x1.ebfccc586302fp-13, kC3 = 0x1.c6b110835b776p-20;

// e^x for a float x, in double, before the final rounding to float; relative
// error below 2e-10 (0.002 ulp of a float). x = (32 m + j + r) ln2/32 with
// |r| <= 1/2 (adding 1.5 * 2^52 rounds to an integer, exactly), and
// e^x = 2^m 2^(j/32) p(r), p a degree-3 minimax polynomial for e^(r ln2/32)
// evaluated in Estrin's order. Needs |x| < 2^45; callers clamp far less.
inline double exp_of_float(float x) {
  const double u = static_cast<double>(x) * kN_Ln2;
  const double shifted = u + kShift;  // its low bits hold k = round(u)
  const uint64_t ki = std::bit_cast<uint64_t>(shifted);
  const double r = u - (shifted - kShift);  // both subtractions exact
  const double p = (1.0 + kC1 * r) + (r * r) * (kC2 + kC3 * r);
  return std::bit_cast<double>(kExp2Bits.bits[ki & 31] + (ki << 47)) * p;
}

}  // namespace detail

// e^x for floats: within 1 ulp of the exact value (almost always correctly
// rounded) and the same bits on every platform. Inline; a little slower than
// glibc's FMA expf, several times faster than mingw-w64's.
inline float expf(float x) {
  if (!(x > -104.0f)) return x < 0.0f ? 0.0f : x;  // underflow, or NaN
  if (x > 89.0f) return std::numeric_limits<float>::infinity();
  return static_cast<float>(detail::exp_of_float(x));
}

// log x for floats: within 1 ulp (almost always correctly rounded). A normal
// x = 2^e m with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh s, s = (m - 1) /
// (m + 1), |s| < 0.172, by its series to s^11 (error below 1e-10). Zero,
// subnormals, negatives, infinities and NaN go to the double log.
inline float logf(float x) {
  uint32_t b = std::bit_cast<uint32_t>(x);
  if (b - 0x00800000u >= 0x7f000000u) return static_cast<float>(log(static_cast<double>(x)));
  int e = static_cast<int>(b >> 23) - 127;
  double m = std::bit_cast<float>((b & 0x007fffffu) | 0x3f800000u);  // [1, 2), exact
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  const double p = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0)))));
  return static_cast<float>(static_cast<double>(e) * 0x1.62e42fefa39efp-1 + 2.0 * s * p);
}

// erf x for floats: odd; x P(x^2) for |x| < 1, degree-12 polynomials on
// [1, 2], [2, 3] and [3, 4] (Chebyshev fits, errors below 1e-12), and 1 past
// 4, where erf x rounds to 1 in a float.
float erff(float x);

}  // namespace aisb::det
