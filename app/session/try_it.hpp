// "Try it" (issue 14): a trained network answering the student's own input,
// a digit drawn with the mouse, a photo, values typed for a table, a point
// clicked on the plane, while they draw or type. The network is built from
// the model (engine/predict.hpp, Predictor) and asked on a worker thread of
// its own: a CNN's first Predictor loads libtorch (about a second), and a
// frame never waits for an answer. The newest question wins; an answer to an
// older one may show until the newest comes. No UI: tests drive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/trained_model.hpp"
#include "data/dataset.hpp"
#include "engine/predict.hpp"

namespace aisb::app {

template <class In, class Out>
class LatestWorker;

// What the panel offers for a model's input: a canvas to draw on (grey
// pictures), a photo (colour pictures), a field per value (tables), a sample
// of the data (series: too many values to type), a point on the plane (2-D).
enum class TryKind { drawing, photo, values, series, point };
TryKind try_kind(const JobSpec& job);

struct TryAnswer {
  uint64_t ticket = 0;
  std::shared_ptr<const TrainedModel> model;  // the model that answered
  std::vector<float> input;                   // the raw values it was asked about
  std::optional<Prediction> prediction;       // none when it could not answer (error)
  std::string error;
};

class TryIt {
 public:
  TryIt();
  ~TryIt();
  TryIt(const TryIt&) = delete;
  TryIt& operator=(const TryIt&) = delete;

  // The model to ask (null: none). A new model forgets the answers of the
  // last; its network is built on the worker with its first question.
  void set_model(std::shared_ptr<const TrainedModel> model);
  [[nodiscard]] const std::shared_ptr<const TrainedModel>& model() const { return model_; }
  // Raw values per question (Predictor::sample_size): C x H x W pixels, a
  // table's inputs, a 2-D set's model.inputs computed from the point.
  [[nodiscard]] int64_t sample_size() const;
  // Asks what the model says about one sample of raw values; ignored without
  // a model or with the wrong number of values.
  void ask(std::vector<float> raw);
  // A 2-D set's point (x1, x2), asked as the features the model reads.
  void ask_point(double x1, double x2);
  // Takes what the worker finished; true when a new answer came.
  bool update();
  [[nodiscard]] const std::optional<TryAnswer>& answer() const { return answer_; }
  // True from a question until its answer (or a newer one's) came back.
  [[nodiscard]] bool waiting() const { return answered_ < asked_; }
  // Blocks until the worker has nothing left to do; the next update()
  // takes the answer (tests, screenshots).
  void settle();
  // Called from the worker's thread when an answer is ready.
  void set_wake(std::function<void()> wake);

 private:
  struct Request;
  struct Built;  // the worker's network, for one model
  std::shared_ptr<const TrainedModel> model_;
  std::optional<TryAnswer> answer_;
  uint64_t asked_ = 0, answered_ = 0;                         // tickets, counting across models
  std::shared_ptr<Built> built_;                              // the worker's alone
  std::unique_ptr<LatestWorker<Request, TryAnswer>> worker_;  // last: stops before the rest goes
};

// One sample of `split` as raw values, the data set's standardisation
// undone: what "take one from the data" asks about.
std::vector<float> raw_sample(const Dataset& data, const Split& split, int64_t index);

// A photo file's bytes as a model's picture of `shape` (C x H x W, values in
// [0, 1]). `ink_on_dark`: the pictures the model learnt from are light ink
// on a dark ground (the digits); a photo of dark ink on light paper is then
// turned over (negative), and `flipped` says so. Nothing when it cannot be
// decoded, with the reason in `why`.
std::optional<std::vector<float>> photo_input(const std::string& bytes, const Shape& shape, bool ink_on_dark,
                                              bool* flipped, std::string* why);

}  // namespace aisb::app
