// The fast path: small dense networks trained with plain loops over flat
// float buffers. For the playground's few-thousand-FLOP steps, libtorch's
// per-operator dispatch costs more than the arithmetic; here a step allocates
// nothing and calls nothing but the loops. The maths mirrors torch exactly
// (same losses, same optimizer updates), and tests/engine/paths_agree_test.cpp
// holds the two paths to each other step by step.
#include <algorithm>
#include <stdexcept>

#include "engine/activations.hpp"
#include "engine/fast_common.hpp"
#include "engine/net.hpp"
#include "engine/optimizer_state.hpp"

namespace aisb {

namespace {

using act::Act;
using act::activate;
using act::activation_grad;
using act::parse_activation;

class FastMlp final : public Net {
 public:
  FastMlp(const JobSpec& job, const ModelInfo& info, const Dataset& data, const WeightSet& init)
      : data_(data),
        classification_(data.classification),
        inputs_(static_cast<int>(data.features)),
        lr_(static_cast<float>(job.training.learning_rate)),
        reg_rate_(static_cast<float>(job.training.regularization_rate)) {
    const auto& t = job.training;
    optimizer_ = fast::parse_optimizer(t.optimizer);
    reg_ = fast::parse_regularization(t.regularization, reg_rate_);
    size_t offset = 0, units = 0, tensor = 0;
    if (init.size() != 2 * info.layers.size()) throw std::logic_error("initial weights do not match the model");
    int in = inputs_;
    for (const auto& li : info.layers) {
      if (li.spec.type != "dense") throw std::logic_error("the fast path trains dense layers only");
      Layer l;
      l.in = in;
      l.out = static_cast<int>(li.out[0]);
      l.act = parse_activation(li.spec.activation);
      l.w = offset;
      offset += static_cast<size_t>(l.in) * l.out;
      l.b = offset;
      offset += static_cast<size_t>(l.out);
      l.unit = units;
      units += static_cast<size_t>(l.out);
      l.w_name = init[tensor].name;
      l.b_name = init[tensor + 1].name;
      tensor += 2;
      layers_.push_back(l);
      in = l.out;
    }
    params_.assign(offset, 0.0f);
    for (size_t k = 0; k < layers_.size(); ++k) {
      const auto& w = init[2 * k].data;
      const auto& b = init[2 * k + 1].data;
      std::copy(w.begin(), w.end(), params_.begin() + static_cast<ptrdiff_t>(layers_[k].w));
      std::copy(b.begin(), b.end(), params_.begin() + static_cast<ptrdiff_t>(layers_[k].b));
    }
    grads_.assign(offset, 0.0f);
    if (optimizer_ != fast::Opt::sgd) m_.assign(offset, 0.0f);
    if (optimizer_ == fast::Opt::adam) v_.assign(offset, 0.0f);
    units_ = units;
    outputs_ = layers_.back().out;
    z_.assign(units_, 0.0f);
    a_.assign(units_, 0.0f);
    delta_.assign(units_, 0.0f);
    probs_.assign(static_cast<size_t>(outputs_), 0.0f);
  }

  [[nodiscard]] std::string device() const override { return "cpu"; }
  [[nodiscard]] const char* engine() const override { return "fast"; }

  double train_step(const int64_t* rows, int64_t n) override {
    std::fill(grads_.begin(), grads_.end(), 0.0f);
    const float inv_n = 1.0f / static_cast<float>(n);
    double loss = 0.0;
    for (int64_t s = 0; s < n; ++s) {
      const int64_t row = rows[s];
      const float* x = data_.train.x.data() + row * inputs_;
      forward(x);
      loss += output_loss_and_delta(data_.train.y[static_cast<size_t>(row)], inv_n);
      backward(x);
    }
    update();
    return loss / static_cast<double>(n);
  }

  [[nodiscard]] std::vector<float> outputs(const float* x, int64_t n) override {
    std::vector<float> out;
    out.reserve(static_cast<size_t>(n * outputs_));
    for (int64_t s = 0; s < n; ++s) {
      forward(x + s * inputs_);
      const float* o = a_.data() + layers_.back().unit;
      out.insert(out.end(), o, o + outputs_);
    }
    return out;
  }

  EvalResult evaluate(const Split& split) override {
    return fast::evaluate<fast::DetMath>(split, classification_, outputs_, probs_.data(), [&](int64_t s) {
      forward(split.x.data() + s * inputs_);
      return a_.data() + layers_.back().unit;
    });
  }

  [[nodiscard]] std::string save_state() const override { return optimizer_state::save("fast1", step_, m_, v_); }

  void load_state(const std::string& bytes) override {
    optimizer_state::load(bytes, "fast1", "fast engine", step_, m_, v_);
  }

  [[nodiscard]] std::vector<float> gradient_norms() const override {
    std::vector<float> out;
    for (const auto& l : layers_) {
      out.push_back(fast::l2_norm(grads_.data() + l.w, static_cast<size_t>(l.in) * l.out));
      out.push_back(fast::l2_norm(grads_.data() + l.b, static_cast<size_t>(l.out)));
    }
    return out;
  }

  [[nodiscard]] WeightSet weights() const override {
    WeightSet out;
    out.reserve(2 * layers_.size());
    for (const auto& l : layers_) {
      const auto w0 = params_.begin() + static_cast<ptrdiff_t>(l.w);
      const auto b0 = params_.begin() + static_cast<ptrdiff_t>(l.b);
      out.push_back({l.w_name, {l.out, l.in}, std::vector<float>(w0, w0 + static_cast<ptrdiff_t>(l.in) * l.out)});
      out.push_back({l.b_name, {l.out}, std::vector<float>(b0, b0 + l.out)});
    }
    return out;
  }

 private:
  struct Layer {
    int in = 0, out = 0;
    Act act = Act::linear;
    size_t w = 0, b = 0;  // offsets into params_
    size_t unit = 0;      // offset of this layer's units in z_, a_ and delta_
    std::string w_name, b_name;
  };

  void forward(const float* x) {
    float* z_slot = z_.data();
    float* a_slot = a_.data();
    const float* in = x;
    for (const auto& l : layers_) {
      const float* w = params_.data() + l.w;
      const float* b = params_.data() + l.b;
      float* z = z_slot + l.unit;
      for (int o = 0; o < l.out; ++o) {
        const float* row = w + static_cast<size_t>(o) * l.in;
        float sum = 0.0f;
        for (int i = 0; i < l.in; ++i) sum += row[i] * in[i];
        z[o] = sum + b[o];
      }
      activate(l.act, z, a_slot + l.unit, l.out);
      in = a_slot + l.unit;
    }
  }

  double output_loss_and_delta(float target, float inv_n) {
    const Layer& last = layers_.back();
    return fast::loss_and_delta<fast::DetMath>(classification_, a_.data() + last.unit, last.out, target, inv_n,
                                               delta_.data() + last.unit, probs_.data());
  }

  void backward(const float* x) {
    const float* z_slot = z_.data();
    const float* a_slot = a_.data();
    for (size_t k = layers_.size(); k-- > 0;) {
      const Layer& l = layers_[k];
      const float* in = k == 0 ? x : a_slot + layers_[k - 1].unit;
      const float* d = delta_.data() + l.unit;
      float* gw = grads_.data() + l.w;
      float* gb = grads_.data() + l.b;
      for (int o = 0; o < l.out; ++o) {
        float* grow = gw + static_cast<size_t>(o) * l.in;
        const float dout = d[o];
        for (int i = 0; i < l.in; ++i) grow[i] += dout * in[i];
        gb[o] += dout;
      }
      if (k == 0) break;
      const Layer& p = layers_[k - 1];
      const float* w = params_.data() + l.w;
      float* dp = delta_.data() + p.unit;
      std::fill(dp, dp + p.out, 0.0f);
      for (int o = 0; o < l.out; ++o) {
        const float* row = w + static_cast<size_t>(o) * l.in;
        const float dout = d[o];
        for (int i = 0; i < l.in; ++i) dp[i] += row[i] * dout;
      }
      for (int i = 0; i < p.out; ++i) dp[i] *= activation_grad(p.act, z_slot[p.unit + i], a_slot[p.unit + i]);
    }
  }

  void update() {
    if (reg_ != fast::Reg::none) {
      for (const auto& l : layers_)
        fast::regularize(reg_, reg_rate_, params_.data(), grads_.data(), l.w, l.w + static_cast<size_t>(l.in) * l.out);
    }
    ++step_;
    fast::optimizer_step<fast::DetMath>(optimizer_, lr_, step_, params_.data(), grads_.data(), m_.data(), v_.data(), 0,
                                        params_.size());
  }

  const Dataset& data_;
  bool classification_;
  int inputs_;
  int outputs_ = 0;
  float lr_;
  float reg_rate_;
  fast::Opt optimizer_ = fast::Opt::sgd;
  fast::Reg reg_ = fast::Reg::none;
  int64_t step_ = 0;
  std::vector<Layer> layers_;
  size_t units_ = 0;
  std::vector<float> params_, grads_, m_, v_;
  std::vector<float> z_, a_, delta_, probs_;
};

}  // namespace

std::unique_ptr<Net> make_fast_mlp(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                   const WeightSet& init) {
  return std::make_unique<FastMlp>(job, info, data, init);
}

}  // namespace aisb
