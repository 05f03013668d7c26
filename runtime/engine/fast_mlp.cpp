// The fast path: small dense networks trained with plain loops over flat
// float buffers. For the playground's few-thousand-FLOP steps, libtorch's
// per-operator dispatch costs more than the arithmetic; here a step allocates
// nothing and calls nothing but the loops. The maths mirrors torch exactly
// (same losses, same optimizer updates), and tests/engine/paths_agree_test.cpp
// holds the two paths to each other step by step.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/detmath.hpp"
#include "engine/activations.hpp"
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
    optimizer_ = t.optimizer == "adam" ? Opt::adam : t.optimizer == "momentum" ? Opt::momentum : Opt::sgd;
    reg_ = t.regularization == "l1" ? Reg::l1 : t.regularization == "l2" ? Reg::l2 : Reg::none;
    if (reg_rate_ == 0.0f) reg_ = Reg::none;
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
    if (optimizer_ != Opt::sgd) m_.assign(offset, 0.0f);
    if (optimizer_ == Opt::adam) v_.assign(offset, 0.0f);
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
    EvalResult r;
    const int64_t n = split.size();
    if (n == 0) return r;
    double loss = 0.0, abs_err = 0.0, sq_err = 0.0, sum_t = 0.0, sum_t2 = 0.0;
    int64_t correct = 0;
    if (classification_) r.confusion.assign(static_cast<size_t>(outputs_) * static_cast<size_t>(outputs_), 0);
    r.predicted.resize(static_cast<size_t>(n));
    for (int64_t s = 0; s < n; ++s) {
      const float* x = split.x.data() + s * inputs_;
      forward(x);
      const float* out = a_.data() + layers_.back().unit;
      const float target = split.y[static_cast<size_t>(s)];
      if (classification_) {
        loss += cross_entropy(out, static_cast<int>(target), nullptr);
        const int predicted = argmax(out), truth = static_cast<int>(target);
        correct += predicted == truth ? 1 : 0;
        r.predicted[static_cast<size_t>(s)] = static_cast<float>(predicted);
        if (truth >= 0 && truth < outputs_) ++r.confusion[static_cast<size_t>(truth * outputs_ + predicted)];
      } else {
        r.predicted[static_cast<size_t>(s)] = out[0];
        const double e = static_cast<double>(out[0]) - target;
        loss += e * e;
        abs_err += std::fabs(e);
        sq_err += e * e;
        sum_t += target;
        sum_t2 += static_cast<double>(target) * target;
      }
    }
    const auto nd = static_cast<double>(n);
    r.loss = loss / nd;
    if (classification_) {
      r.accuracy = static_cast<double>(correct) / nd;
    } else {
      r.mae = abs_err / nd;
      const double ss_tot = sum_t2 - sum_t * sum_t / nd;
      r.r2 = ss_tot > 0.0 ? 1.0 - sq_err / ss_tot : 0.0;
    }
    return r;
  }

  [[nodiscard]] std::string save_state() const override { return optimizer_state::save("fast1", step_, m_, v_); }

  void load_state(const std::string& bytes) override {
    optimizer_state::load(bytes, "fast1", "fast engine", step_, m_, v_);
  }

  [[nodiscard]] std::vector<float> gradient_norms() const override {
    std::vector<float> out;
    const auto norm = [&](size_t from, size_t n) {
      double sum = 0.0;
      for (size_t i = from; i < from + n; ++i) sum += static_cast<double>(grads_[i]) * grads_[i];
      return static_cast<float>(std::sqrt(sum));
    };
    for (const auto& l : layers_) {
      out.push_back(norm(l.w, static_cast<size_t>(l.in) * l.out));
      out.push_back(norm(l.b, static_cast<size_t>(l.out)));
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
  enum class Opt { sgd, momentum, adam };
  enum class Reg { none, l1, l2 };

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

  [[nodiscard]] int argmax(const float* v) const {
    int best = 0;
    for (int o = 1; o < outputs_; ++o) best = v[o] > v[best] ? o : best;
    return best;
  }

  // Softmax cross-entropy of one sample; writes softmax - onehot to grad.
  double cross_entropy(const float* logits, int target, float* grad) {
    float mx = logits[0];
    for (int o = 1; o < outputs_; ++o) mx = std::max(mx, logits[o]);
    float sum = 0.0f;
    for (int o = 0; o < outputs_; ++o) {
      probs_[static_cast<size_t>(o)] = det::expf(logits[o] - mx);
      sum += probs_[static_cast<size_t>(o)];
    }
    if (grad != nullptr) {
      for (int o = 0; o < outputs_; ++o) grad[o] = probs_[static_cast<size_t>(o)] / sum - (o == target ? 1.0f : 0.0f);
    }
    return static_cast<double>(det::logf(sum) + mx - logits[target]);
  }

  double output_loss_and_delta(float target, float inv_n) {
    const Layer& last = layers_.back();
    const float* out = a_.data() + last.unit;
    float* d = delta_.data() + last.unit;
    if (classification_) {
      const double loss = cross_entropy(out, static_cast<int>(target), d);
      for (int o = 0; o < last.out; ++o) d[o] *= inv_n;
      return loss;
    }
    const float e = out[0] - target;
    d[0] = 2.0f * e * inv_n;
    return static_cast<double>(e) * e;
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
    if (reg_ != Reg::none) {
      for (const auto& l : layers_) {
        const float* w = params_.data() + l.w;
        float* g = grads_.data() + l.w;
        const size_t n = static_cast<size_t>(l.in) * l.out;
        if (reg_ == Reg::l2) {
          for (size_t i = 0; i < n; ++i) g[i] += reg_rate_ * w[i];
        } else {
          for (size_t i = 0; i < n; ++i) g[i] += reg_rate_ * static_cast<float>((w[i] > 0.0f) - (w[i] < 0.0f));
        }
      }
    }
    const size_t n = params_.size();
    float* p = params_.data();
    const float* g = grads_.data();
    ++step_;
    switch (optimizer_) {
      case Opt::sgd:
        for (size_t i = 0; i < n; ++i) p[i] -= lr_ * g[i];
        break;
      case Opt::momentum: {
        constexpr float kMomentum = 0.9f;
        float* buf = m_.data();
        if (step_ == 1) {
          std::copy(g, g + n, buf);
        } else {
          for (size_t i = 0; i < n; ++i) buf[i] = buf[i] * kMomentum + g[i];
        }
        for (size_t i = 0; i < n; ++i) p[i] -= lr_ * buf[i];
        break;
      }
      case Opt::adam: {
        constexpr double kBeta1 = 0.9, kBeta2 = 0.999;
        constexpr float kEps = 1e-8f;
        const double bc1 = 1.0 - det::powi(kBeta1, step_);
        const double bc2 = 1.0 - det::powi(kBeta2, step_);
        const auto step_size = static_cast<float>(lr_ / bc1);
        const auto bc2_sqrt = static_cast<float>(std::sqrt(bc2));
        float* m = m_.data();
        float* v = v_.data();
        for (size_t i = 0; i < n; ++i) {
          m[i] = m[i] * static_cast<float>(kBeta1) + g[i] * static_cast<float>(1.0 - kBeta1);
          v[i] = v[i] * static_cast<float>(kBeta2) + g[i] * g[i] * static_cast<float>(1.0 - kBeta2);
          const float denom = std::sqrt(v[i]) / bc2_sqrt + kEps;
          p[i] -= step_size * (m[i] / denom);
        }
        break;
      }
    }
  }

  const Dataset& data_;
  bool classification_;
  int inputs_;
  int outputs_ = 0;
  float lr_;
  float reg_rate_;
  Opt optimizer_ = Opt::sgd;
  Reg reg_ = Reg::none;
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
