#include "core/detmath.hpp"

#include <limits>

namespace aisb::det {

namespace {

constexpr double kLn2 = 0.6931471805599453094;
constexpr double kPiOver2Hi = 1.5707963267341256e+00;  // first 33 bits of pi/2
constexpr double kPiOver2Mid = 6.0771005065061922e-11;
constexpr double kPiOver2Lo = 2.0222662487959506e-21;

// sin and cos on [-pi/4, pi/4] by their Taylor series to x^19 / x^18,
// evaluated by Horner's rule; the error is far below one ulp of a float.
constexpr double kSinCoef[] = {1.0,
                               -1.0 / 6.0,
                               1.0 / 120.0,
                               -1.0 / 5040.0,
                               1.0 / 362880.0,
                               -1.0 / 39916800.0,
                               1.0 / 6227020800.0,
                               -1.0 / 1307674368000.0,
                               1.0 / 355687428096000.0,
                               -1.0 / 121645100408832000.0};
constexpr double kCosCoef[] = {1.0,
                               -1.0 / 2.0,
                               1.0 / 24.0,
                               -1.0 / 720.0,
                               1.0 / 40320.0,
                               -1.0 / 3628800.0,
                               1.0 / 479001600.0,
                               -1.0 / 87178291200.0,
                               1.0 / 20922789888000.0,
                               -1.0 / 6402373705728000.0};

double horner(const double* c, int n, double x2) {
  double p = c[n - 1];
  for (int k = n - 2; k >= 0; --k) p = c[k] + x2 * p;
  return p;
}

double sin_kernel(double x) { return x * horner(kSinCoef, 10, x * x); }
double cos_kernel(double x) { return horner(kCosCoef, 10, x * x); }

// x = k * pi/2 + r with |r| <= pi/4 (three-part Cody-Waite reduction; exact
// enough for the |x| < 1e6 that generators use).
double reduce(double x, long long& quadrant) {
  const double k = std::nearbyint(x * (2.0 / 3.14159265358979323846));
  quadrant = static_cast<long long>(k);
  double r = x - k * kPiOver2Hi;
  r = r - k * kPiOver2Mid;
  r = r - k * kPiOver2Lo;
  return r;
}

}  // namespace

double log(double x) {
  if (!(x > 0)) return x == 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1), exact
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 1.0 / 27.0;
  for (int k = 25; k >= 1; k -= 2) p = 1.0 / k + s2 * p;
  return static_cast<double>(e) * kLn2 + 2.0 * s * p;
}

double exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.0) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  const double k = std::nearbyint(x / kLn2);
  const double r = x - k * kLn2;  // |r| <= 0.347
  double p = 1.0;  // e^r = 1 + r(1 + r/2(1 + r/3(... (1 + r/13))))
  for (int n = 13; n >= 1; --n) p = 1.0 + r * p / n;
  return std::ldexp(p, static_cast<int>(k));
}

double sin(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  long long q = 0;
  const double r = reduce(x, q);
  switch (q & 3) {
    case 0: return sin_kernel(r);
    case 1: return cos_kernel(r);
    case 2: return -sin_kernel(r);
    default: return -cos_kernel(r);
  }
}

double cos(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  long long q = 0;
  const double r = reduce(x, q);
  switch (q & 3) {
    case 0: return cos_kernel(r);
    case 1: return -sin_kernel(r);
    case 2: return -cos_kernel(r);
    default: return sin_kernel(r);
  }
}

}  // namespace aisb::det
