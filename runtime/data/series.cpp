// The sequence and table datasets of the industry lessons, generated from the
// seed: `battery-fade` (charge-cycle histories of battery cells -> remaining
// capacity), `air-quality` (a day of hourly city sensors -> PM2.5 in the next
// hours) and `smart-farm` (greenhouse sensors -> crop yield, or disease risk).
// Values are scaled to about [-1, 1] so that students' networks train
// without a normalisation step. Our Rng and det:: maths only; one rng draw per
// statement (argument order differs between compilers).
#include <algorithm>
#include <cmath>

#include "core/detmath.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace aisb {

namespace {

constexpr double kPi = 3.14159265358979323846;

// A lithium-ion cell fades slowly, then faster after a "knee". We see its first
// kSteps check-ups (every 25 cycles: cycle, capacity, temperature) and predict
// its capacity at cycle 1000.
void battery(int n, double noise, Rng& rng, Table& out) {
  constexpr int steps = 24;
  out.steps = steps;
  out.features = 3;
  for (int i = 0; i < n; ++i) {
    const double temp = rng.uniform(15.0, 45.0);  // deg C, where the cell lives
    const double rate = rng.uniform(0.5, 2.0);    // charge rate (C)
    const double stress = (1.0 + 0.04 * (temp - 25.0)) * (0.7 + 0.3 * rate);
    const double a = rng.uniform(0.004, 0.008) * stress;  // calendar-like sqrt fade
    const double knee = rng.uniform(500.0, 1200.0) / stress;
    const auto capacity = [&](double cycle) {
      const double k = std::max(0.0, cycle - knee);
      return 1.0 - a * det::sqrt(cycle) - 2.5e-7 * stress * k * k;
    };
    for (int s = 0; s < steps; ++s) {
      const double cycle = 25.0 * (s + 1);
      const double measured = capacity(cycle) + noise * 0.01 * rng.normal();
      const double t = temp + 2.0 * rng.normal();
      out.x.push_back(static_cast<float>(cycle / 600.0));
      out.x.push_back(static_cast<float>((measured - 0.9) * 10.0));
      out.x.push_back(static_cast<float>((t - 30.0) / 15.0));
    }
    out.y.push_back(static_cast<float>((std::max(0.3, capacity(1000.0)) - 0.8) * 4.0));
  }
}

// A city day: PM2.5 follows traffic peaks, builds up on still days and is
// washed out by wind and rain. 24 hours of (PM2.5, temperature, wind,
// humidity) -> mean PM2.5 over the next 6 hours.
void air(int n, double noise, Rng& rng, Table& out) {
  constexpr int hours = 24, ahead = 6;
  out.steps = hours;
  out.features = 4;
  for (int i = 0; i < n; ++i) {
    const double base = rng.uniform(10.0, 60.0);
    const double start_hour = static_cast<double>(rng.below(24));
    const double wind0 = rng.uniform(0.5, 6.0), wind_trend = rng.uniform(-0.15, 0.15);
    const double temp0 = rng.uniform(-5.0, 30.0), humid0 = rng.uniform(40.0, 100.0);
    double pm = base;
    std::vector<double> series;
    for (int h = 0; h < hours + ahead; ++h) {
      const double hour = start_hour + h;
      const double wind = std::max(0.2, wind0 + wind_trend * h + 0.5 * rng.normal());
      const double clock = det::cos(2.0 * kPi * (hour - 8.0) / 24.0),
                   evening = det::cos(2.0 * kPi * (hour - 18.0) / 24.0);
      const double traffic = 12.0 * std::max(0.0, clock) + 10.0 * std::max(0.0, evening);
      const double temp = temp0 + 6.0 * det::sin(2.0 * kPi * (hour - 9.0) / 24.0);
      const double humid = std::clamp(humid0 - 1.5 * (temp - temp0) + 3.0 * rng.normal(), 10.0, 100.0);
      pm = 0.7 * pm + 0.3 * (base + 2.0 * traffic) * 3.0 / (1.0 + wind) + (1.0 + noise * 4.0) * rng.normal();
      if (humid > 85.0) pm *= 0.6;  // rain washes the dust out
      pm = std::max(2.0, pm);
      series.push_back(pm);
      if (h < hours) {
        out.x.push_back(static_cast<float>((pm - 40.0) / 30.0));
        out.x.push_back(static_cast<float>((temp - 15.0) / 15.0));
        out.x.push_back(static_cast<float>((wind - 3.0) / 3.0));
        out.x.push_back(static_cast<float>((humid - 60.0) / 30.0));
      }
    }
    double future = 0.0;
    for (int h = hours; h < hours + ahead; ++h) future += series[static_cast<size_t>(h)];
    out.y.push_back(static_cast<float>((future / ahead - 40.0) / 30.0));
  }
}

// A greenhouse: yield rises with light and CO2 up to a point, likes 22-26 deg C
// and moist soil; disease risk grows with long humid, warm spells.
void farm(int n, double noise, Rng& rng, Table& out, bool classify) {
  out.steps = 0;
  out.features = 5;
  for (int i = 0; i < n; ++i) {
    const double temp = rng.uniform(12.0, 36.0), humid = rng.uniform(40.0, 98.0);
    const double co2 = rng.uniform(350.0, 1200.0), light = rng.uniform(5.0, 30.0), soil = rng.uniform(0.1, 0.6);
    const double t_fit = det::exp(-((temp - 24.0) * (temp - 24.0)) / 40.0);
    const double yield = t_fit * (1.0 - det::exp(-light / 12.0)) * (1.0 - det::exp(-co2 / 500.0)) *
                         (1.0 - 2.5 * (soil - 0.38) * (soil - 0.38) / 0.08);
    const double risk = (humid - 70.0) / 10.0 + (temp - 22.0) / 6.0 - (soil < 0.2 ? 1.0 : 0.0);
    for (const double v : {(temp - 24.0) / 12.0, (humid - 70.0) / 30.0, (co2 - 775.0) / 425.0, (light - 17.5) / 12.5,
                           (soil - 0.35) / 0.25}) {
      out.x.push_back(static_cast<float>(v));
    }
    if (classify) {
      const double r = risk + noise * 1.5 * rng.normal();
      out.y.push_back(r < 0.0 ? 0.0f : r < 2.0 ? 1.0f : 2.0f);
    } else {
      out.y.push_back(static_cast<float>((yield - 0.3) * 3.0 + noise * 0.2 * rng.normal()));
    }
  }
}

}  // namespace

Table generate_table(const std::string& source, const std::string& task, int samples, double noise, uint64_t seed) {
  Table t;
  Rng rng(seed, streams::data);
  if (source == "battery-fade")
    battery(samples, noise, rng, t);
  else if (source == "air-quality")
    air(samples, noise, rng, t);
  else if (source == "smart-farm")
    farm(samples, noise, rng, t, task == "classification");
  else
    throw std::invalid_argument("no sequence or table generator named '" + source + "'");
  return t;
}

}  // namespace aisb
