#include "engine/predict.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/job_reader.hpp"
#include "engine/inside.hpp"
#include "engine/net.hpp"

namespace aisb {

namespace {

// Which engine a run of `job` takes with `options` (the trainer's rule).
bool trains_fast(const JobSpec& job, const ModelInfo& info, const TrainOptions& options) {
  const bool fits = fast_path_fits(job, info);
  return options.path == EnginePath::fast ||
         (options.path == EnginePath::automatic && options.device != "cuda" && fits);
}

}  // namespace

Predictor::Predictor(const TrainedModel& model, const std::string& device) : model_(model) {
  const JobSpec& job = model_.job;
  Diagnostics diags;
  const ModelInfo info = describe_model(job, diags);
  if (!info.ok || diags.has_errors())
    throw std::invalid_argument("the model's network is not valid: " + diags.first_error());
  data_.input_shape = aisb::input_shape(job);
  data_.features = shape_elements(data_.input_shape);
  data_.outputs = output_units(job);
  data_.classification = job.model.task == "classification";
  data_.standardization = model_.standardization;
  const bool fast = device == "cpu" && model_.engine != "torch" && fast_path_fits(job, info);
  net_ = fast ? make_fast_net(job, info, data_, model_.weights)
              : make_torch_net(job, info, data_, model_.weights, resolve_device(device));
  net_->load_buffers(model_.buffers);
}

Predictor::~Predictor() = default;

std::vector<float> Predictor::point_inputs(double x1, double x2) const {
  std::vector<float> out(static_cast<size_t>(data_.features));
  point_features(model_.job.model.inputs, x1, x2, out.data());
  return out;
}

std::vector<float> Predictor::raw_outputs(const std::vector<float>& raw) {
  const int64_t per = data_.features;
  if (per <= 0 || raw.size() % static_cast<size_t>(per) != 0) {
    throw std::invalid_argument("expected a whole number of samples of " + std::to_string(per) + " values, got " +
                                std::to_string(raw.size()) + " values");
  }
  const int64_t n = static_cast<int64_t>(raw.size()) / per;
  std::vector<float> x = raw;
  // As dataset.cpp applies it: per input, or per measurement of a time step.
  const Standardization& st = model_.standardization;
  if (!st.mean.empty()) {
    const size_t m = st.mean.size();
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t k = i % m;
      x[i] = (x[i] - st.mean[k]) / st.scale[k];
    }
  }
  return n == 0 ? std::vector<float>{} : net_->outputs(x.data(), n);
}

Inside Predictor::probe(const float* x, int64_t sample) {
  Inside in;
  fill_probe(in, net_->probe(x), model_.job.model, data_.input_shape, sample);
  return in;
}

std::vector<Prediction> Predictor::predict(const std::vector<float>& raw) {
  const std::vector<float> out = raw_outputs(raw);
  const auto k = static_cast<size_t>(data_.outputs);
  std::vector<Prediction> result(out.size() / k);
  for (size_t s = 0; s < result.size(); ++s) {
    Prediction& p = result[s];
    const float* o = out.data() + s * k;
    if (data_.classification) {
      // Softmax in double, from the largest logit down: no overflow.
      const float top = *std::max_element(o, o + k);
      double sum = 0.0;
      std::vector<double> e(k);
      for (size_t c = 0; c < k; ++c) sum += e[c] = std::exp(static_cast<double>(o[c]) - top);
      p.probabilities.resize(k);
      for (size_t c = 0; c < k; ++c) p.probabilities[c] = static_cast<float>(e[c] / sum);
      p.klass = static_cast<int>(std::max_element(o, o + k) - o);
    } else {
      const Standardization& st = model_.standardization;
      p.value = static_cast<double>(o[0]) * st.target_scale + st.target_mean;
    }
  }
  return result;
}

JobSpec continue_training(const TrainedModel& model, int extra_epochs, TrainOptions& options) {
  JobSpec job = model.job;
  job.training.epochs = std::min<int>(model.epochs_done + std::max(1, extra_epochs), 100000);
  Diagnostics diags;
  const ModelInfo info = describe_model(job, diags);
  const std::string engine = info.ok && trains_fast(job, info, options) ? "fast" : "torch";
  if (!model.optimizer_state.empty() && model.engine == engine && model.epochs_done > 0) {
    auto cp = std::make_shared<Checkpoint>();
    cp->epoch = model.epochs_done;
    cp->step = model.steps_done;
    cp->weights = model.weights;
    cp->buffers = model.buffers;
    cp->optimizer = model.optimizer_state;
    options.resume = std::move(cp);
    options.initial_weights.reset();
  } else {
    options.resume.reset();
    options.initial_weights = std::make_shared<const WeightSet>(model.weights);
    options.initial_buffers = std::make_shared<const WeightSet>(model.buffers);
  }
  return job;
}

}  // namespace aisb
