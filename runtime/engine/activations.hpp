// Activation functions on float buffers, as the fast path trains with them and
// as the views evaluate a trained network (grid.cpp). No torch, and no libm
// transcendental functions: exp and erf come from core/detmath.hpp, so that
// training gives the same bits with every C library (glibc, mingw-w64).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "core/detmath.hpp"

namespace aisb::act {

enum class Act { relu, tanh, sigmoid, linear, leaky_relu, gelu };

inline Act parse_activation(const std::string& name) {
  if (name == "relu") return Act::relu;
  if (name == "tanh") return Act::tanh;
  if (name == "sigmoid") return Act::sigmoid;
  if (name == "leaky_relu") return Act::leaky_relu;
  if (name == "gelu") return Act::gelu;
  return Act::linear;
}

constexpr float kLeakySlope = 0.01f;  // torch's default
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

// tanh through one det::expf: about three times faster than tanhf here, and
// within 1e-7 of it (absolute), far inside what the paths-agree test allows.
// tanh is most of the playground network's arithmetic. (No shortcut for
// saturated units: a branch on the data costs more than it saves.)
inline float fast_tanh(float x) {
  const float e = det::expf(-2.0f * std::fabs(x));
  return std::copysign((1.0f - e) / (1.0f + e), x);
}

inline void activate(Act act, const float* z, float* a, int n) {
  switch (act) {
    case Act::relu:
      for (int i = 0; i < n; ++i) a[i] = z[i] > 0.0f ? z[i] : 0.0f;
      break;
    case Act::tanh:
      for (int i = 0; i < n; ++i) a[i] = fast_tanh(z[i]);
      break;
    case Act::sigmoid:
      for (int i = 0; i < n; ++i) a[i] = 1.0f / (1.0f + det::expf(-z[i]));
      break;
    case Act::leaky_relu:
      for (int i = 0; i < n; ++i) a[i] = z[i] > 0.0f ? z[i] : kLeakySlope * z[i];
      break;
    case Act::gelu:
      for (int i = 0; i < n; ++i) a[i] = 0.5f * z[i] * (1.0f + det::erff(z[i] * kInvSqrt2));
      break;
    case Act::linear:
      std::copy(z, z + n, a);
      break;
  }
}

// d activation / d z, from z and the activation's output a.
inline float activation_grad(Act act, float z, float a) {
  switch (act) {
    case Act::relu:
      return z > 0.0f ? 1.0f : 0.0f;
    case Act::tanh:
      return 1.0f - a * a;
    case Act::sigmoid:
      return a * (1.0f - a);
    case Act::leaky_relu:
      return z > 0.0f ? 1.0f : kLeakySlope;
    case Act::gelu:
      return 0.5f * (1.0f + det::erff(z * kInvSqrt2)) + z * kInvSqrt2Pi * det::expf(-0.5f * z * z);
    case Act::linear:
      return 1.0f;
  }
  return 1.0f;
}

}  // namespace aisb::act
