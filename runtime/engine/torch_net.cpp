// The libtorch path: every layer type, autograd, CPU or CUDA. The only file of
// the project that includes torch; built as the module libaisb_torch.so and
// loaded on first use (torch_loader.cpp).
#include <torch/torch.h>

#include <sstream>

#include <stdexcept>

#include "engine/torch_module.hpp"

namespace aisb {

namespace {

namespace F = torch::nn::functional;

torch::Tensor activate(const std::string& act, const torch::Tensor& x) {
  if (act == "relu") return torch::relu(x);
  if (act == "tanh") return torch::tanh(x);
  if (act == "sigmoid") return torch::sigmoid(x);
  if (act == "leaky_relu") return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.01));
  if (act == "gelu") return F::gelu(x);
  return x;
}

// A model from its spec. Layers live in a ModuleList named "layers" so that
// torch's parameter names ("layers.0.weight") are the ones shape inference
// gives; activations are applied as functions.
struct ModelImpl : torch::nn::Module {
  explicit ModelImpl(const ModelInfo& info) {
    list = register_module("layers", torch::nn::ModuleList());
    for (size_t i = 0; i + 1 < info.layers.size(); ++i) {
      const LayerInfo& li = info.layers[i];
      const LayerSpec& l = li.spec;
      kinds.push_back(l.type);
      activations.push_back(l.activation);
      if (l.type == "dense") {
        list->push_back(torch::nn::Linear(li.in[0], l.units));
      } else if (l.type == "conv2d") {
        const int64_t pad = l.padding == "same" ? (l.kernel - 1) / 2 : 0;
        list->push_back(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(li.in[0], l.filters, l.kernel).stride(l.stride).padding(pad)));
      } else if (l.type == "maxpool2d") {
        list->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(l.size)));
      } else if (l.type == "flatten") {
        list->push_back(torch::nn::Flatten());
      } else if (l.type == "dropout") {
        list->push_back(torch::nn::Dropout(l.rate));
      } else if (l.type == "batchnorm") {
        if (li.in.size() == 3)
          list->push_back(torch::nn::BatchNorm2d(li.in[0]));
        else
          list->push_back(torch::nn::BatchNorm1d(li.in[0]));
      } else if (l.type == "lstm") {
        list->push_back(torch::nn::LSTM(torch::nn::LSTMOptions(li.in[1], l.units).batch_first(true)));
      } else if (l.type == "gru") {
        list->push_back(torch::nn::GRU(torch::nn::GRUOptions(li.in[1], l.units).batch_first(true)));
      } else {
        throw std::logic_error("no torch module for layer type '" + l.type + "'");
      }
    }
    const LayerInfo& out = info.layers.back();
    output = register_module("output", torch::nn::Linear(out.in[0], out.out[0]));
  }

  // `layers`, when given, receives each layer's output (for the probe).
  torch::Tensor forward(torch::Tensor x, std::vector<torch::Tensor>* layers = nullptr) {
    for (size_t i = 0; i < kinds.size(); ++i) {
      const std::string& k = kinds[i];
      const auto m = list[i];
      if (k == "lstm") {
        x = std::get<0>(m->as<torch::nn::LSTM>()->forward(x)).select(1, -1);
      } else if (k == "gru") {
        x = std::get<0>(m->as<torch::nn::GRU>()->forward(x)).select(1, -1);
      } else if (k == "dense") {
        x = activate(activations[i], m->as<torch::nn::Linear>()->forward(x));
      } else if (k == "conv2d") {
        x = activate(activations[i], m->as<torch::nn::Conv2d>()->forward(x));
      } else if (k == "maxpool2d") {
        x = m->as<torch::nn::MaxPool2d>()->forward(x);
      } else if (k == "flatten") {
        x = m->as<torch::nn::Flatten>()->forward(x);
      } else if (k == "dropout") {
        x = m->as<torch::nn::Dropout>()->forward(x);
      } else if (auto* bn2 = m->as<torch::nn::BatchNorm2d>()) {
        x = bn2->forward(x);
      } else {
        x = m->as<torch::nn::BatchNorm1d>()->forward(x);
      }
      if (layers != nullptr) layers->push_back(x);
    }
    return output->forward(x);
  }

  torch::nn::ModuleList list{nullptr};
  torch::nn::Linear output{nullptr};
  std::vector<std::string> kinds, activations;
};
TORCH_MODULE(Model);

torch::Tensor to_tensor(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

class TorchNet final : public Net {
 public:
  TorchNet(const JobSpec& job, const ModelInfo& info, const Dataset& data, const WeightSet& init,
           const std::string& device)
      : device_name_(device), device_(device), classification_(data.classification), input_shape_(data.input_shape) {
    torch::manual_seed(job.training.seed);  // dropout masks
    model_ = Model(info);
    load(init);
    model_->to(device_);
    train_ = upload(data.train);
    const auto& t = job.training;
    if (t.optimizer == "adam") {
      optimizer_ =
          std::make_unique<torch::optim::Adam>(model_->parameters(), torch::optim::AdamOptions(t.learning_rate));
    } else {
      optimizer_ = std::make_unique<torch::optim::SGD>(
          model_->parameters(),
          torch::optim::SGDOptions(t.learning_rate).momentum(t.optimizer == "momentum" ? 0.9 : 0.0));
    }
    if (t.regularization != "none" && t.regularization_rate > 0) {
      reg_l1_ = t.regularization == "l1";
      reg_rate_ = t.regularization_rate;
      for (const auto& layer : info.layers) {
        for (const auto& p : layer.param_list) {
          if (p.regularized) regularized_.push_back(model_->named_parameters()[p.name]);
        }
      }
    }
    // Pinned, so that a batch's row numbers reach a GPU without a staging copy.
    rows_ = torch::empty({static_cast<int64_t>(t.batch_size)},
                         torch::TensorOptions(torch::kInt64).pinned_memory(device_.is_cuda()));
  }

  [[nodiscard]] std::string device() const override { return device_name_; }
  [[nodiscard]] const char* engine() const override { return "torch"; }

  [[nodiscard]] WeightSet buffers() const override {
    WeightSet out;
    for (const auto& b : model_->named_buffers()) {
      if (b.value().scalar_type() != torch::kFloat32) continue;  // num_batches_tracked: unused with a fixed momentum
      const auto t = b.value().detach().to(torch::kCPU).contiguous();
      out.push_back(
          {b.key(), t.sizes().vec(), std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel())});
    }
    return out;
  }

  void load_buffers(const WeightSet& buffers) override {
    torch::NoGradGuard no_grad;
    auto named = model_->named_buffers();
    for (const auto& t : buffers) {
      auto* b = named.find(t.name);
      if (b == nullptr || b->scalar_type() != torch::kFloat32 || b->sizes().vec() != t.shape ||
          static_cast<int64_t>(t.data.size()) != b->numel()) {
        throw std::runtime_error("the running statistic '" + t.name + "' does not fit this network");
      }
      b->copy_(to_tensor(t.data, t.shape).to(device_));
    }
  }

  [[nodiscard]] std::string save_state() const override {
    torch::serialize::OutputArchive archive;
    optimizer_->save(archive);
    std::ostringstream out;
    archive.save_to(out);
    return "torch1" + out.str();
  }

  void load_state(const std::string& bytes) override {
    if (bytes.compare(0, 6, "torch1") != 0)
      throw std::runtime_error("the checkpoint's optimizer state is not libtorch's");
    try {
      std::istringstream in(bytes.substr(6));
      torch::serialize::InputArchive archive;
      archive.load_from(in, device_);
      optimizer_->load(archive);
    } catch (const c10::Error& e) {
      throw std::runtime_error(std::string("the checkpoint's optimizer state cannot be read: ") +
                               e.what_without_backtrace());
    }
  }

  double train_step(const int64_t* rows, int64_t n) override {
    std::copy(rows, rows + n, rows_.data_ptr<int64_t>());
    // The loss read back below waits for this step, so rows_ is free again by the next.
    const auto idx = rows_.narrow(0, 0, n).to(device_, /*non_blocking=*/true);
    model_->train();
    optimizer_->zero_grad();
    const auto out = model_->forward(train_.x.index_select(0, idx));
    const auto loss = data_loss(out, train_.y.index_select(0, idx));
    auto total = loss;
    for (const auto& w : regularized_) {
      total = total + (reg_l1_ ? reg_rate_ * w.abs().sum() : 0.5 * reg_rate_ * w.pow(2).sum());
    }
    total.backward();
    optimizer_->step();
    return loss.item<double>();
  }

  EvalResult evaluate(const Split& split) override {
    torch::NoGradGuard no_grad;
    model_->eval();
    EvalResult r;
    const Uploaded& d = on_device(split);
    const auto& x = d.x;
    const auto& y = d.y;
    constexpr int64_t kChunk = 4096;
    double loss = 0.0, correct = 0.0, abs_err = 0.0, sq_err = 0.0;
    r.predicted.reserve(static_cast<size_t>(split.size()));
    const auto keep = [&r](const torch::Tensor& t) {
      const auto c = t.to(torch::kCPU, torch::kFloat32).contiguous();
      r.predicted.insert(r.predicted.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    };
    for (int64_t at = 0; at < split.size(); at += kChunk) {
      const int64_t n = std::min(kChunk, split.size() - at);
      const auto out = model_->forward(x.narrow(0, at, n));
      const auto yt = y.narrow(0, at, n);
      if (classification_) {
        loss += F::cross_entropy(out, yt, F::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
        const auto predicted = out.argmax(1);
        keep(predicted);
        correct += predicted.eq(yt).sum().item<double>();
        const int64_t k = out.size(1);
        const auto counts = (yt * k + predicted).to(torch::kCPU).bincount({}, k * k).to(torch::kInt64);
        if (r.confusion.empty()) r.confusion.assign(static_cast<size_t>(k * k), 0);
        const auto* c = counts.data_ptr<int64_t>();
        for (int64_t i = 0; i < k * k; ++i) r.confusion[static_cast<size_t>(i)] += c[i];
      } else {
        keep(out.view({-1}));
        const auto e = out.view({-1}) - yt;
        sq_err += e.pow(2).sum().item<double>();
        abs_err += e.abs().sum().item<double>();
      }
    }
    const auto n = static_cast<double>(split.size());
    if (classification_) {
      r.loss = loss / n;
      r.accuracy = correct / n;
    } else {
      r.loss = sq_err / n;
      r.mae = abs_err / n;
      const double ss_tot = ((y - y.mean()).pow(2)).sum().item<double>();
      r.r2 = ss_tot > 0.0 ? 1.0 - sq_err / ss_tot : 0.0;
    }
    model_->train();
    return r;
  }

  [[nodiscard]] std::vector<float> outputs(const float* x, int64_t n) override {
    torch::NoGradGuard no_grad;
    model_->eval();
    std::vector<int64_t> shape = {n};
    shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
    std::vector<float> out;
    const int64_t per = shape_elements(input_shape_);
    for (int64_t at = 0; at < n; at += kEvaluationChunk) {
      const int64_t m = std::min(kEvaluationChunk, n - at);
      shape[0] = m;
      const auto in = torch::from_blob(const_cast<float*>(x + at * per), shape, torch::kFloat32).to(device_);
      const auto o = model_->forward(in).to(torch::kCPU).contiguous();
      out.insert(out.end(), o.data_ptr<float>(), o.data_ptr<float>() + o.numel());
    }
    model_->train();
    return out;
  }

  [[nodiscard]] Probe probe(const float* x) override {
    Probe p;
    model_->eval();
    std::vector<int64_t> shape = {1};
    shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
    // Gradients to the input only (autograd::grad does not touch the
    // parameters' .grad), so gradient_norms() and the next step see nothing.
    auto in = torch::from_blob(const_cast<float*>(x), shape, torch::kFloat32).to(device_).clone();
    const bool images = input_shape_.size() == 3;
    if (classification_ && images) in.requires_grad_(true);
    std::vector<torch::Tensor> outs;
    const auto out = model_->forward(in, &outs);
    const auto keep = [](const torch::Tensor& t) {
      const auto c = t.detach().to(torch::kCPU).contiguous();
      Probe::Layer l;
      l.shape = c.sizes().vec();
      l.shape.erase(l.shape.begin());  // the batch of one
      l.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
      return l;
    };
    for (const auto& t : outs) p.layers.push_back(keep(t));
    p.outputs = keep(out).values;
    if (classification_) {
      p.klass = static_cast<int>(std::max_element(p.outputs.begin(), p.outputs.end()) - p.outputs.begin());
      if (images) {
        const auto grad = torch::autograd::grad({out[0][p.klass]}, {in})[0];
        p.saliency = keep(grad.abs()).values;
      }
    }
    model_->train();
    return p;
  }

  [[nodiscard]] std::vector<float> gradient_norms() const override {
    std::vector<float> out;
    for (const auto& p : model_->parameters()) {
      out.push_back(p.grad().defined() ? p.grad().norm().item<float>() : 0.0f);
    }
    return out;
  }

  [[nodiscard]] WeightSet weights() const override {
    WeightSet out;
    for (const auto& p : model_->named_parameters()) {
      const auto t = p.value().detach().to(torch::kCPU).contiguous();
      out.push_back(
          {p.key(), t.sizes().vec(), std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel())});
    }
    return out;
  }

 private:
  void load(const WeightSet& init) {
    torch::NoGradGuard no_grad;
    auto params = model_->named_parameters();
    if (params.size() != init.size()) throw std::logic_error("initial weights do not match the torch model");
    for (const auto& t : init) {
      auto* p = params.find(t.name);
      if (p == nullptr || p->sizes().vec() != t.shape) {
        throw std::logic_error("initial weight '" + t.name + "' does not match the torch model");
      }
      p->copy_(to_tensor(t.data, t.shape));
    }
  }

  // A split's tensors on the device, made once: the trainer evaluates the same
  // two splits after every epoch, and copying them each time cost a full
  // upload of the data set per epoch on a GPU.
  struct Uploaded {
    const float* source = nullptr;
    int64_t rows = -1;
    torch::Tensor x, y;
  };

  Uploaded upload(const Split& s) const { return {s.x.data(), s.size(), inputs(s), targets(s)}; }

  const Uploaded& on_device(const Split& s) {
    if (s.x.data() == train_.source && s.size() == train_.rows) return train_;
    if (s.x.data() != other_.source || s.size() != other_.rows) other_ = upload(s);
    return other_;
  }

  torch::Tensor inputs(const Split& s) const {
    std::vector<int64_t> shape = {s.size()};
    shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
    if (s.size() == 0) return torch::empty(shape, torch::kFloat32).to(device_);  // a net only for outputs()
    return to_tensor(s.x, shape).to(device_);
  }

  torch::Tensor targets(const Split& s) const {
    if (s.size() == 0) return torch::empty({0}, classification_ ? torch::kInt64 : torch::kFloat32).to(device_);
    auto y = to_tensor(s.y, {s.size()});
    if (classification_) y = y.to(torch::kInt64);
    return y.to(device_);
  }

  torch::Tensor data_loss(const torch::Tensor& out, const torch::Tensor& y) const {
    if (classification_) return F::cross_entropy(out, y);
    return F::mse_loss(out.view({-1}), y);
  }

  std::string device_name_;
  torch::Device device_;
  bool classification_;
  Shape input_shape_;  // per sample: [features], [channels, height, width] or [steps, features]
  Model model_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  Uploaded train_, other_;
  torch::Tensor rows_;
  std::vector<torch::Tensor> regularized_;
  bool reg_l1_ = false;
  double reg_rate_ = 0.0;
};

std::unique_ptr<Net> make_net(const JobSpec& job, const ModelInfo& info, const Dataset& data, const WeightSet& init,
                              const std::string& device) {
  // Small models lose more to thread hand-offs than they gain; big ones use the cores.
  const bool small = info.flops_per_sample * job.training.batch_size < 4'000'000;
  torch::set_num_threads(small ? 1 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  return std::make_unique<TorchNet>(job, info, data, init, device);
}

bool has_cuda() {
  return torch::cuda::is_available();
}

std::string version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

std::vector<std::pair<std::string, Shape>> parameters(const ModelSpec& model, const Shape& input, int64_t outputs) {
  Diagnostics diags;
  const ModelInfo info = infer_model(model, input, outputs, diags);
  if (!info.ok) throw std::invalid_argument(diags.first_error());
  Model m(info);
  std::vector<std::pair<std::string, Shape>> out;
  for (const auto& p : m->named_parameters()) out.emplace_back(p.key(), p.value().sizes().vec());
  return out;
}

}  // namespace
}  // namespace aisb

extern "C" __attribute__((visibility("default"))) const aisb::TorchApi* aisb_torch_api() {
  static const aisb::TorchApi api{aisb::TorchApi::kAbi, aisb::make_net, aisb::has_cuda, aisb::version,
                                  aisb::parameters};
  return &api;
}
