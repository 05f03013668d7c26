// Elementary functions computed the same way on every platform. libm's sin,
// cos, exp and log are not correctly rounded and differ between C libraries;
// these use only IEEE-exact operations in a fixed order (this file is built
// with -ffp-contract=off), so generated data is bit-identical everywhere.
#pragma once

#include <cmath>

namespace aisb::det {

double log(double x);  // x > 0
double exp(double x);
double sin(double x);
double cos(double x);
inline double sqrt(double x) { return std::sqrt(x); }  // IEEE-754 requires correct rounding

}  // namespace aisb::det
