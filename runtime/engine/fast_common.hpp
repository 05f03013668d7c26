// What the two fast paths (fast_mlp.cpp, fast_cnn.cpp) share besides their
// layers: the optimizer's step and the regularization, the output layer's
// loss and the evaluation's metrics. Torch's formulas, in float arithmetic
// in one fixed order. The paths differ only in their exp, log and pow: see
// DetMath and LibMath.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/detmath.hpp"
#include "engine/net.hpp"

namespace aisb::fast {

// The dense path's transcendental functions: core/detmath.hpp's, the same
// bits with every C library (tests/engine/no_libm_test.cmake checks it).
struct DetMath {
  static float exp(float x) { return det::expf(x); }
  static float log(float x) { return det::logf(x); }
  static double pow(double x, int64_t n) { return det::powi(x, n); }
};

// The CNN path's: libm's.
struct LibMath {
  static float exp(float x) { return std::exp(x); }
  static float log(float x) { return std::log(x); }
  static double pow(double x, int64_t n) { return std::pow(x, static_cast<double>(n)); }
};

enum class Opt { sgd, momentum, adam };
enum class Reg { none, l1, l2 };

inline Opt parse_optimizer(const std::string& name) {
  return name == "adam" ? Opt::adam : name == "momentum" ? Opt::momentum : Opt::sgd;
}

// None too when the rate is 0.
inline Reg parse_regularization(const std::string& name, float rate) {
  if (rate == 0.0f) return Reg::none;
  return name == "l1" ? Reg::l1 : name == "l2" ? Reg::l2 : Reg::none;
}

// Adds the penalty's gradient at the weights p[from, to) to g.
inline void regularize(Reg reg, float rate, const float* p, float* g, size_t from, size_t to) {
  if (reg == Reg::l2) {
    for (size_t i = from; i < to; ++i) g[i] += rate * p[i];
  } else if (reg == Reg::l1) {
    for (size_t i = from; i < to; ++i) g[i] += rate * static_cast<float>((p[i] > 0.0f) - (p[i] < 0.0f));
  }
}

// The optimizer's step for the parameters p[from, to) with gradient g;
// `step` counts steps from 1. m: momentum's buffer or Adam's first moment;
// v: Adam's second moment (each unused otherwise).
template <class Math>
void optimizer_step(Opt opt, float lr, int64_t step, float* p, const float* g, float* m, float* v, size_t from,
                    size_t to) {
  switch (opt) {
    case Opt::sgd:
      for (size_t i = from; i < to; ++i) p[i] -= lr * g[i];
      break;
    case Opt::momentum: {
      constexpr float kMomentum = 0.9f;
      if (step == 1) {
        std::copy(g + from, g + to, m + from);
      } else {
        for (size_t i = from; i < to; ++i) m[i] = m[i] * kMomentum + g[i];
      }
      for (size_t i = from; i < to; ++i) p[i] -= lr * m[i];
      break;
    }
    case Opt::adam: {
      constexpr double kBeta1 = 0.9, kBeta2 = 0.999;
      constexpr float kEps = 1e-8f;
      const double bc1 = 1.0 - Math::pow(kBeta1, step);
      const double bc2 = 1.0 - Math::pow(kBeta2, step);
      const auto step_size = static_cast<float>(lr / bc1);
      const auto bc2_sqrt = static_cast<float>(std::sqrt(bc2));
      for (size_t i = from; i < to; ++i) {
        m[i] = m[i] * static_cast<float>(kBeta1) + g[i] * static_cast<float>(1.0 - kBeta1);
        v[i] = v[i] * static_cast<float>(kBeta2) + g[i] * g[i] * static_cast<float>(1.0 - kBeta2);
        const float denom = std::sqrt(v[i]) / bc2_sqrt + kEps;
        p[i] -= step_size * (m[i] / denom);
      }
      break;
    }
  }
}

// sqrt(sum of squares), summed in double: a gradient's norm.
inline float l2_norm(const float* x, size_t n) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return static_cast<float>(std::sqrt(sum));
}

inline int argmax(const float* v, int n) {
  int best = 0;
  for (int o = 1; o < n; ++o) best = v[o] > v[best] ? o : best;
  return best;
}

// Softmax cross-entropy of one sample's n logits; writes softmax - onehot to
// grad (unless null). probs: room for n floats.
template <class Math>
double cross_entropy(const float* logits, int n, int target, float* grad, float* probs) {
  float mx = logits[0];
  for (int o = 1; o < n; ++o) mx = std::max(mx, logits[o]);
  float sum = 0.0f;
  for (int o = 0; o < n; ++o) {
    probs[o] = Math::exp(logits[o] - mx);
    sum += probs[o];
  }
  if (grad != nullptr) {
    for (int o = 0; o < n; ++o) grad[o] = probs[o] / sum - (o == target ? 1.0f : 0.0f);
  }
  return static_cast<double>(Math::log(sum) + mx - logits[target]);
}

// One sample's loss, and its gradient at the n outputs divided by the
// batch's size (inv_n: 1 / size) written to d: cross-entropy for
// classification, else the squared error of the one output.
template <class Math>
double loss_and_delta(bool classification, const float* out, int n, float target, float inv_n, float* d, float* probs) {
  if (classification) {
    const double loss = cross_entropy<Math>(out, n, static_cast<int>(target), d, probs);
    for (int o = 0; o < n; ++o) d[o] *= inv_n;
    return loss;
  }
  const float e = out[0] - target;
  d[0] = 2.0f * e * inv_n;
  return static_cast<double>(e) * e;
}

// The metrics of a split, from its samples' outputs in order: `outputs_of(s)`
// gives sample s's n outputs. probs: room for n floats.
template <class Math, class OutputsOf>
EvalResult evaluate(const Split& split, bool classification, int n, float* probs, OutputsOf outputs_of) {
  EvalResult r;
  const int64_t samples = split.size();
  if (samples == 0) return r;
  double loss = 0.0, abs_err = 0.0, sq_err = 0.0, sum_t = 0.0, sum_t2 = 0.0;
  int64_t correct = 0;
  if (classification) r.confusion.assign(static_cast<size_t>(n) * static_cast<size_t>(n), 0);
  r.predicted.resize(static_cast<size_t>(samples));
  for (int64_t s = 0; s < samples; ++s) {
    const float* o = outputs_of(s);
    const float target = split.y[static_cast<size_t>(s)];
    if (classification) {
      loss += cross_entropy<Math>(o, n, static_cast<int>(target), nullptr, probs);
      const int predicted = argmax(o, n), truth = static_cast<int>(target);
      correct += predicted == truth ? 1 : 0;
      r.predicted[static_cast<size_t>(s)] = static_cast<float>(predicted);
      if (truth >= 0 && truth < n) ++r.confusion[static_cast<size_t>(truth * n + predicted)];
    } else {
      r.predicted[static_cast<size_t>(s)] = o[0];
      const double e = static_cast<double>(o[0]) - target;
      loss += e * e;
      abs_err += std::fabs(e);
      sq_err += e * e;
      sum_t += target;
      sum_t2 += static_cast<double>(target) * target;
    }
  }
  const auto nd = static_cast<double>(samples);
  r.loss = loss / nd;
  if (classification) {
    r.accuracy = static_cast<double>(correct) / nd;
  } else {
    r.mae = abs_err / nd;
    const double ss_tot = sum_t2 - sum_t * sum_t / nd;
    r.r2 = ss_tot > 0.0 ? 1.0 - sq_err / ss_tot : 0.0;
  }
  return r;
}

}  // namespace aisb::fast
