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

// erf on [0, 1] as x P(x^2); then erf itself on [1, 2], [2, 3] and [3, 4] in
// (x - midpoint). Chebyshev fits (mpmath.chebyfit), highest power first.
constexpr double kErfSmall[] = {-0x1.c1a515de8637ap-24, 0x1.9ae0986f9de4fp-20,  -0x1.f0705a1dde9aap-17,
                                0x1.f941bed7e7847p-14,  -0x1.c0286cad68e02p-11, 0x1.565ba0406c001p-8,
                                -0x1.b82ce15c3b7f8p-6,  0x1.ce2f2197bc2efp-4,   -0x1.812746b0271ecp-2,
                                0x1.20dd750429b19p+0};
constexpr double kErfMid[3][13] = {
    {0x1.185f1cc783878p-14, -0x1.f69f951b1de5dp-13, -0x1.77c06c75e9978p-14, 0x1.bf00fb10939dcp-10,
     -0x1.35bee9a37dacep-9, -0x1.36cb8b678ef3ep-8, 0x1.3ca3fdbe028c2p-6, -0x1.e723df8df506cp-7, -0x1.6d5a966a85ccfp-5,
     0x1.1c2a02f54dc84p-3, -0x1.6d5a95d049de7p-3, 0x1.e723726a88b1bp-4, 0x1.eea5557137ae0p-1},
    {-0x1.d12f93f675a2ap-17, 0x1.239f839e68060p-17, 0x1.4a3457816bfd1p-14, -0x1.0794a23c01b90p-12,
     0x1.11583e42d79e6p-12, 0x1.1c76a2d406e93p-11, -0x1.6ecdc6dc4599ap-9, 0x1.90e7e07334323p-8, -0x1.1a89b96dd5ff6p-7,
     0x1.119da18c05748p-7, -0x1.64e3dcd3f48cep-8, 0x1.1d831708a0fd5p-9, 0x1.ffcaa8f4c9beap-1},
    {0x1.14a8773b0d6b5p-21, 0x1.a9040af3454dap-23, -0x1.38ee08307327ep-18, 0x1.0280fbe89e535p-16,
     -0x1.1f5bfcc1d6471p-15, 0x1.e80f12f72e80dp-15, -0x1.461581133e779p-14, 0x1.586c98552f89ep-14,
     -0x1.1c0770112cc43p-14, 0x1.62ccdbda60c69p-15, -0x1.3d0e43e910ad3p-16, 0x1.6a5973237efd0p-18,
     0x1.ffffe710d565ep-1}};

// Horner's rule, coefficients highest power first.
double poly(const double* c, int n, double x) {
  double p = c[0];
  for (int k = 1; k < n; ++k) p = p * x + c[k];
  return p;
}

double horner(const double* c, int n, double x2) {
  double p = c[n - 1];
  for (int k = n - 2; k >= 0; --k) p = c[k] + x2 * p;
  return p;
}

double sin_kernel(double x) {
  return x * horner(kSinCoef, 10, x * x);
}
double cos_kernel(double x) {
  return horner(kCosCoef, 10, x * x);
}

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
  double p = 1.0;                 // e^r = 1 + r(1 + r/2(1 + r/3(... (1 + r/13))))
  for (int n = 13; n >= 1; --n) p = 1.0 + r * p / n;
  return std::ldexp(p, static_cast<int>(k));
}

double sin(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  long long q = 0;
  const double r = reduce(x, q);
  switch (q & 3) {
    case 0:
      return sin_kernel(r);
    case 1:
      return cos_kernel(r);
    case 2:
      return -sin_kernel(r);
    default:
      return -cos_kernel(r);
  }
}

double cos(double x) {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  long long q = 0;
  const double r = reduce(x, q);
  switch (q & 3) {
    case 0:
      return cos_kernel(r);
    case 1:
      return -sin_kernel(r);
    case 2:
      return -cos_kernel(r);
    default:
      return sin_kernel(r);
  }
}

float erff(float x) {
  if (std::isnan(x)) return x;
  const double a = std::fabs(static_cast<double>(x));
  double y = 1.0;
  if (a < 1.0) {
    y = a * poly(kErfSmall, 10, a * a);
  } else if (a < 4.0) {
    const int i = static_cast<int>(a);  // 1, 2 or 3
    y = poly(kErfMid[i - 1], 13, a - (i + 0.5));
  }
  return static_cast<float>(std::signbit(x) ? -y : y);
}

}  // namespace aisb::det
