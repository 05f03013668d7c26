// Datasets as plain float buffers: what the engine trains on and what the
// views draw. No torch here.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/shape.hpp"
#include "core/spec.hpp"

namespace aisb {

// Raw output of a 2-D generator: points in [-6, 6]^2 and a target per point
// (the class index for classification, a value for regression).
struct Points {
  std::vector<float> xy;      // x1, x2 interleaved
  std::vector<float> target;  // one per point
  [[nodiscard]] size_t size() const { return target.size(); }
};

// The playground generators of SPEC.md section 2. Bit-identical for the same
// arguments on every machine. Throws std::invalid_argument for other names.
Points generate_points(const std::string& source, int samples, double noise, uint64_t seed);

// Raw output of an image generator: `label` per image, pixels in [0, 1],
// images back to back, each channels x height x width.
struct Images {
  int channels = 1, height = 0, width = 0;
  std::vector<float> pixels;
  std::vector<float> label;
  [[nodiscard]] size_t size() const { return label.size(); }
};

// `digits` and `steel-defects`. Bit-identical for the same arguments on every
// machine. Throws std::invalid_argument for other names.
Images generate_images(const std::string& source, int samples, double noise, uint64_t seed);

// Raw output of a sequence or table generator: per sample `steps` x
// `features` values (or just `features` when steps == 0), and a target.
struct Table {
  int steps = 0, features = 0;
  std::vector<float> x;
  std::vector<float> y;
  [[nodiscard]] size_t size() const { return y.size(); }
};

// `battery-fade`, `air-quality` and `smart-farm` (whose target depends on the
// task). Bit-identical for the same arguments on every machine.
Table generate_table(const std::string& source, const std::string& task, int samples, double noise, uint64_t seed);

// The input features named in model.inputs, computed from (x1, x2).
void point_features(const std::vector<std::string>& inputs, double x1, double x2, float* out);

struct Split {
  std::vector<float> x;       // rows of `features` values
  std::vector<float> y;       // one per row: class index, or regression target
  std::vector<float> points;  // the raw (x1, x2) of each row, for the views (2-D sets only)
  [[nodiscard]] int64_t size() const { return static_cast<int64_t>(y.size()); }
};

struct Dataset {
  Shape input_shape;     // per sample
  int64_t features = 0;  // elements per sample
  int64_t outputs = 0;   // output units: classes, or 1 for regression
  bool classification = true;
  Split train;
  Split test;
  Standardization standardization;  // already applied to train and test
  Diagnostics report;  // a file source's: what was left out and why (warnings, notes), each with its `where`
};

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Generates (or loads) the job's data and splits it. Throws DataError when
// the source cannot be produced.
Dataset make_dataset(const JobSpec& job);

}  // namespace aisb
