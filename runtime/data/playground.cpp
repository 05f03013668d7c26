// The playground's 2-D datasets. Points live in [-6, 6]^2; `noise` in [0, 1]
// blurs the classes near their boundary (or the regression target). Every
// random number comes from our Rng and every function from det::, so the data
// is the same on every machine.
#include <cmath>
#include <functional>
#include <map>

#include "core/detmath.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace aisb {

namespace {

constexpr double kPi = 3.14159265358979323846;

using Generator = std::function<void(int n, double noise, Rng& rng, Points& out)>;

void add(Points& p, double x, double y, double target) {
  p.xy.push_back(static_cast<float>(x));
  p.xy.push_back(static_cast<float>(y));
  p.target.push_back(static_cast<float>(target));
}

// Inner disc (class 1) and outer ring (class 0); noise moves the point that
// decides the label, so labels near the gap mix.
void circle(int n, double noise, Rng& rng, Points& out) {
  constexpr double radius = 5.0;
  for (int i = 0; i < n; ++i) {
    const bool inner = i < n / 2;
    const double r = inner ? rng.uniform(0.0, 0.5 * radius) : rng.uniform(0.7 * radius, radius);
    const double angle = rng.uniform(0.0, 2.0 * kPi);
    const double x = r * det::sin(angle), y = r * det::cos(angle);
    const double nx = rng.uniform(-radius, radius) * noise, ny = rng.uniform(-radius, radius) * noise;
    const double d2 = (x + nx) * (x + nx) + (y + ny) * (y + ny);
    add(out, x, y, d2 < (0.5 * radius) * (0.5 * radius) * 1.44 ? 1 : 0);
  }
}

// Four quadrants, diagonal ones alike; points keep a small gap from the axes.
void xor_set(int n, double noise, Rng& rng, Points& out) {
  constexpr double extent = 5.0, gap = 0.3;
  for (int i = 0; i < n; ++i) {
    double x = rng.uniform(-extent, extent), y = rng.uniform(-extent, extent);
    x += x > 0 ? gap : -gap;
    y += y > 0 ? gap : -gap;
    const double nx = rng.uniform(-extent, extent) * noise, ny = rng.uniform(-extent, extent) * noise;
    add(out, x, y, (x + nx) * (y + ny) >= 0 ? 1 : 0);
  }
}

// Two round clouds; noise widens them until they overlap.
void gaussian(int n, double noise, Rng& rng, Points& out) {
  const double spread = 0.5 + 3.0 * noise;
  for (int i = 0; i < n; ++i) {
    const bool positive = i < n / 2;
    const double c = positive ? 2.0 : -2.0;
    // Two statements: the order of function arguments differs between compilers.
    const double x = c + spread * rng.normal();
    const double y = c + spread * rng.normal();
    add(out, x, y, positive ? 1 : 0);
  }
}

// Two arms winding out from the centre, half a turn apart.
void spiral(int n, double noise, Rng& rng, Points& out) {
  const int half = n / 2;
  for (int arm = 0; arm < 2; ++arm) {
    const int count = arm == 0 ? half : n - half;
    const double delta = arm == 0 ? 0.0 : kPi;
    for (int i = 0; i < count; ++i) {
      const double f = static_cast<double>(i) / count;
      const double r = 5.0 * f;
      const double t = 1.75 * f * 2.0 * kPi + delta;
      const double x = r * det::sin(t) + rng.uniform(-1.0, 1.0) * noise * 1.5;
      const double y = r * det::cos(t) + rng.uniform(-1.0, 1.0) * noise * 1.5;
      add(out, x, y, arm == 0 ? 1 : 0);
    }
  }
}

// Two interleaved half circles.
void moons(int n, double noise, Rng& rng, Points& out) {
  for (int i = 0; i < n; ++i) {
    const bool upper = i < n / 2;
    const double a = rng.uniform(0.0, kPi);
    double x = upper ? det::cos(a) : 1.0 - det::cos(a);
    double y = upper ? det::sin(a) : 0.5 - det::sin(a);
    x = (x - 0.5) * 3.5 + noise * 1.2 * rng.normal();
    y = (y - 0.25) * 3.5 + noise * 1.2 * rng.normal();
    add(out, x, y, upper ? 0 : 1);
  }
}

// Two classes on either side of a straight line.
void linear(int n, double noise, Rng& rng, Points& out) {
  for (int i = 0; i < n; ++i) {
    const double x = rng.uniform(-6.0, 6.0), y = rng.uniform(-6.0, 6.0);
    const double shift = noise * 4.0 * rng.normal();
    add(out, x, y, y + shift > 0.6 * x + 0.5 ? 1 : 0);
  }
}

// Regression: a tilted plane, target in about [-1, 1].
void plane(int n, double noise, Rng& rng, Points& out) {
  for (int i = 0; i < n; ++i) {
    const double x = rng.uniform(-6.0, 6.0), y = rng.uniform(-6.0, 6.0);
    add(out, x, y, (x + y) / 12.0 + noise * 0.5 * rng.normal());
  }
}

// Regression: six bumps, up and down, on a 3 x 2 grid.
void multi_gaussian(int n, double noise, Rng& rng, Points& out) {
  struct Bump {
    double x, y, sign;
  };
  static constexpr Bump bumps[] = {{-4, 2.5, 1},   {0, 2.5, -1}, {4, 2.5, 1},
                                   {-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1}};
  for (int i = 0; i < n; ++i) {
    const double x = rng.uniform(-6.0, 6.0), y = rng.uniform(-6.0, 6.0);
    const double nx = x + noise * 1.5 * rng.normal(), ny = y + noise * 1.5 * rng.normal();
    double v = 0.0;
    for (const auto& b : bumps) {
      const double d2 = (nx - b.x) * (nx - b.x) + (ny - b.y) * (ny - b.y);
      v += b.sign * det::exp(-d2 / (2.0 * 1.3 * 1.3));
    }
    add(out, x, y, v);
  }
}

const std::map<std::string, Generator>& generators() {
  static const std::map<std::string, Generator> g = {
      {"circle", circle}, {"xor", xor_set},   {"gaussian", gaussian}, {"spiral", spiral},
      {"moons", moons},   {"linear", linear}, {"plane", plane},       {"multi-gaussian", multi_gaussian},
  };
  return g;
}

}  // namespace

Points generate_points(const std::string& source, int samples, double noise, uint64_t seed) {
  const auto& g = generators();
  const auto it = g.find(source);
  if (it == g.end()) throw std::invalid_argument("no 2-D generator named '" + source + "'");
  Points p;
  p.xy.reserve(2 * static_cast<size_t>(samples));
  p.target.reserve(static_cast<size_t>(samples));
  Rng rng(seed, streams::data);
  it->second(samples, noise, rng, p);
  return p;
}

void point_features(const std::vector<std::string>& inputs, double x1, double x2, float* out) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& f = inputs[i];
    double v = 0.0;
    if (f == "x1")
      v = x1;
    else if (f == "x2")
      v = x2;
    else if (f == "x1_sq")
      v = x1 * x1;
    else if (f == "x2_sq")
      v = x2 * x2;
    else if (f == "x1_x2")
      v = x1 * x2;
    else if (f == "sin_x1")
      v = det::sin(x1);
    else if (f == "sin_x2")
      v = det::sin(x2);
    else
      throw std::invalid_argument("unknown input feature '" + f + "'");
    out[i] = static_cast<float>(v);
  }
}

}  // namespace aisb
