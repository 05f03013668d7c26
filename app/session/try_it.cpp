#include "session/try_it.hpp"

#include <algorithm>
#include <exception>

#include "core/catalog.hpp"
#include "core/job_reader.hpp"
#include "data/image_folder.hpp"
#include "session/latest_worker.hpp"

namespace aisb::app {

TryKind try_kind(const JobSpec& job) {
  switch (describe_source(job).kind) {
    case DataKind::image: {
      const Shape in = input_shape(job);
      return !in.empty() && in[0] == 1 ? TryKind::drawing : TryKind::photo;
    }
    case DataKind::table:
      return TryKind::values;
    case DataKind::sequence:
      return TryKind::series;
    case DataKind::points:
      break;
  }
  return TryKind::point;
}

struct TryIt::Request {
  uint64_t ticket = 0;
  std::shared_ptr<const TrainedModel> model;
  std::vector<float> raw;
};

struct TryIt::Built {
  std::shared_ptr<const TrainedModel> model;
  std::unique_ptr<Predictor> predictor;
  std::string error;
};

TryIt::TryIt() : built_(std::make_shared<Built>()) {
  worker_ = std::make_unique<LatestWorker<Request, TryAnswer>>(
      [built = built_](Request& in) {
        TryAnswer out;
        out.ticket = in.ticket;
        out.model = in.model;
        out.input = std::move(in.raw);
        Built& b = *built;
        if (b.model != in.model) {
          // A new model: its network is built here, off the UI thread (a
          // CNN's loads libtorch the first time).
          b.model = in.model;
          b.predictor.reset();
          b.error.clear();
          try {
            b.predictor = std::make_unique<Predictor>(*in.model);
          } catch (const std::exception& e) {
            b.error = e.what();
          }
        }
        if (!b.predictor) {
          out.error = b.error.empty() ? "the network cannot be built" : b.error;
          return std::optional<TryAnswer>(std::move(out));
        }
        try {
          std::vector<Prediction> p = b.predictor->predict(out.input);
          if (p.size() == 1)
            out.prediction = std::move(p.front());
          else
            out.error = "expected one answer";
        } catch (const std::exception& e) {
          out.error = e.what();
        }
        return std::optional<TryAnswer>(std::move(out));
      },
      WorkerPriority::normal);  // the student waits for it
}

TryIt::~TryIt() {
  worker_.reset();  // joins the worker before the network it uses goes
}

void TryIt::set_model(std::shared_ptr<const TrainedModel> model) {
  if (model == model_) return;
  model_ = std::move(model);
  answer_.reset();
  answered_ = asked_;  // questions to the last model are not waited for
}

int64_t TryIt::sample_size() const {
  return model_ ? shape_elements(input_shape(model_->job)) : 0;
}

void TryIt::ask(std::vector<float> raw) {
  if (!model_ || static_cast<int64_t>(raw.size()) != sample_size()) return;
  worker_->post({++asked_, model_, std::move(raw)});
}

void TryIt::ask_point(double x1, double x2) {
  if (!model_) return;
  std::vector<float> raw(static_cast<size_t>(sample_size()));
  point_features(model_->job.model.inputs, x1, x2, raw.data());
  ask(std::move(raw));
}

bool TryIt::update() {
  std::optional<TryAnswer> a = worker_->take();
  if (!a || a->model != model_ || a->ticket <= answered_) return false;  // another model's, or older
  answered_ = a->ticket;
  answer_ = std::move(a);
  return true;
}

void TryIt::settle() {
  worker_->drain();
}

void TryIt::set_wake(std::function<void()> wake) {
  worker_->set_wake(std::move(wake));
}

std::vector<float> raw_sample(const Dataset& data, const Split& split, int64_t index) {
  const auto per = static_cast<size_t>(data.features);
  if (index < 0 || index >= split.size() || per == 0) return {};
  std::vector<float> out(split.x.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(index) * per),
                         split.x.begin() + static_cast<std::ptrdiff_t>((static_cast<size_t>(index) + 1) * per));
  // As dataset.cpp applied it: per input, or per measurement of a time step.
  const Standardization& st = data.standardization;
  if (!st.mean.empty() && st.scale.size() == st.mean.size()) {
    for (size_t i = 0; i < out.size(); ++i) {
      const size_t k = i % st.mean.size();
      out[i] = out[i] * st.scale[k] + st.mean[k];
    }
  }
  return out;
}

std::optional<std::vector<float>> photo_input(const std::string& bytes, const Shape& shape, bool ink_on_dark,
                                              bool* flipped, std::string* why) {
  if (flipped != nullptr) *flipped = false;
  if (shape.size() != 3) {
    if (why != nullptr) *why = "this network does not read pictures";
    return std::nullopt;
  }
  std::optional<std::vector<float>> px =
      decode_image(bytes, static_cast<int>(shape[1]), static_cast<int>(shape[2]), static_cast<int>(shape[0]), why);
  if (!px || px->empty() || !ink_on_dark) return px;
  // Ink on paper is darker than the paper: a picture mostly light is a
  // drawing on paper, and the network learnt light strokes on dark.
  double mean = 0;
  for (float v : *px) mean += v;
  mean /= static_cast<double>(px->size());
  if (mean > 0.5) {
    for (float& v : *px) v = 1.0f - v;
    if (flipped != nullptr) *flipped = true;
  }
  return px;
}

}  // namespace aisb::app
