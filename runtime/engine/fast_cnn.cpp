// The fast path for small convolutional networks on the CPU: conv2d (stride
// 1, "same" or "valid"), maxpool2d, flatten and dense layers, trained with our
// own kernels (fast_cnn_kernels.cpp). For the lessons' CNNs (a few channels,
// 3x3 kernels, batches of 32) libtorch's per-operator overhead (oneDNN
// reorders, autograd, allocation) costs as much as the arithmetic; here a
// step allocates nothing and runs straight loops.
//
// Layout: each sample is processed alone, channel-major (NCHW). A conv layer
// copies its input into a zero-bordered buffer whose rows are Wp = W + 2 pad
// wide; its output then lives at the same row stride ("wide" rows, the last
// K - 1 columns of each holding values nobody reads), so that the convolution
// is one flat correlation: out[i] = sum_t w[t] in[i + off[t]] over a plane of
// Ho * Wp values, in blocks of 8-float vectors with no edge cases. The
// weight gradient is the same correlation read the other way, and the input
// gradient a forward convolution of the zero-bordered output gradient with
// the flipped kernels.
//
// Threads: a batch is cut into chunks of samples whose size depends on the
// batch size only; each chunk's gradient is summed in sample order into its
// own buffer, and the chunks are added in order, so the result is the same bit
// for bit whatever the number of threads. tests/engine/fast_cnn_test.cpp holds
// this path to libtorch step by step.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/activations.hpp"
#include "engine/fast_cnn_kernels.hpp"
#include "engine/fast_common.hpp"
#include "engine/net.hpp"
#include "engine/optimizer_state.hpp"

namespace aisb {

namespace {

using act::Act;

int64_t round_up(int64_t v, int64_t m) {
  return (v + m - 1) / m * m;
}

// A small persistent pool: run(k, f) calls f(worker, i) for i < k on the
// calling thread and the pool's, and returns when all are done. Which worker
// takes which i does not matter to the results (each i writes its own place).
class Pool {
 public:
  explicit Pool(int threads) {
    for (int t = 1; t < threads; ++t) threads_.emplace_back([this, t] { serve(t); });
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  [[nodiscard]] int size() const { return static_cast<int>(threads_.size()) + 1; }

  // Calls f(worker, i) for every i < count; f is not copied (no allocation).
  template <class F>
  void run(int64_t count, F& f) {
    run(
        count, [](void* c, int worker, int64_t i) { (*static_cast<F*>(c))(worker, i); }, &f);
  }

 private:
  using Job = void (*)(void*, int, int64_t);

  void run(int64_t count, Job job, void* context) {
    if (threads_.empty() || count <= 1) {
      for (int64_t i = 0; i < count; ++i) job(context, 0, i);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = job;
      context_ = context;
      count_ = count;
      next_.store(0);
      busy_ = static_cast<int>(threads_.size());
      ++generation_;
    }
    wake_.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return busy_ == 0; });
  }

  void work(int worker) {
    for (int64_t i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1)) job_(context_, worker, i);
  }

  void serve(int worker) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      work(worker);
      {
        std::lock_guard<std::mutex> lock(mu_);
        --busy_;
      }
      done_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  Job job_ = nullptr;
  void* context_ = nullptr;
  int64_t count_ = 0;
  std::atomic<int64_t> next_{0};
  int busy_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

// Where a layer's output lives in a worker's buffers: channel c, row y,
// column x at c * plane + y * row + x.
struct View {
  int c = 0, h = 0, w = 0;
  int64_t row = 0, plane = 0;
};

void copy_view(const float* src, const View& s, float* dst, int64_t dst_row, int64_t dst_plane) {
  for (int c = 0; c < s.c; ++c) {
    for (int y = 0; y < s.h; ++y) {
      const float* from = src + c * s.plane + y * s.row;
      std::copy(from, from + s.w, dst + c * dst_plane + y * dst_row);
    }
  }
}

class FastCnn final : public Net {
 public:
  FastCnn(const JobSpec& job, const ModelInfo& info, const Dataset& data, const WeightSet& init, int threads)
      : data_(data),
        classification_(data.classification),
        features_(data.features),
        lr_(static_cast<float>(job.training.learning_rate)),
        reg_rate_(static_cast<float>(job.training.regularization_rate)) {
    const auto& t = job.training;
    optimizer_ = fast::parse_optimizer(t.optimizer);
    reg_ = fast::parse_regularization(t.regularization, reg_rate_);
    if (info.input.size() != 3) throw std::logic_error("the fast CNN takes images");
    View in{static_cast<int>(info.input[0]), static_cast<int>(info.input[1]), static_cast<int>(info.input[2]),
            info.input[2], info.input[1] * info.input[2]};
    size_t offset = 0, tensor = 0;
    for (const auto& li : info.layers) {
      Layer l;
      const LayerSpec& s = li.spec;
      l.act = act::parse_activation(s.activation);
      l.in = in;
      l.probe_shape = li.out;
      if (s.type == "conv2d") {
        if (s.stride != 1 || in.c == 0) throw std::logic_error("the fast CNN takes convolutions of stride 1 only");
        l.kind = Kind::conv;
        const int k = s.kernel, pad = s.padding == "same" ? (k - 1) / 2 : 0;
        l.k = k;
        l.cout = s.filters;
        l.wp = in.w + 2 * pad;
        const int64_t hp = in.h + 2 * pad, ho = hp - k + 1, wo = l.wp - k + 1;
        if (ho != li.out[1] || wo != li.out[2]) throw std::logic_error("the fast CNN's shapes disagree");
        l.pad = pad;
        l.n = round_up(ho * l.wp, 32);
        l.in_plane = round_up(std::max(hp * l.wp, (k - 1) * l.wp + (k - 1) + l.n), 8);
        l.taps = in.c * k * k;
        for (int ci = 0; ci < in.c; ++ci)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) l.off.push_back(ci * l.in_plane + ky * l.wp + kx);
        // The input's gradient: the output's, bordered by q = k - 1 - pad.
        const int q = k - 1 - pad;
        l.wq = wo + 2 * q;
        const int64_t hq = ho + 2 * q;
        l.nb = round_up(in.h * l.wq, 32);
        l.q_plane = round_up(std::max(hq * l.wq, (k - 1) * l.wq + (k - 1) + l.nb), 8);
        l.q = q;
        for (int co = 0; co < l.cout; ++co)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) l.off_back.push_back(co * l.q_plane + ky * l.wq + kx);
        l.out = View{l.cout, static_cast<int>(ho), static_cast<int>(wo), l.wp, l.n};
        l.size = static_cast<int64_t>(l.cout) * l.n;
        l.has_params = true;
      } else if (s.type == "maxpool2d") {
        l.kind = Kind::pool;
        l.k = s.size;
        const int ho = in.h / s.size, wo = in.w / s.size;
        l.out = View{in.c, ho, wo, wo, static_cast<int64_t>(ho) * wo};
        l.size = l.out.c * l.out.plane;
      } else if (s.type == "flatten") {
        l.kind = Kind::flatten;
        const int64_t n = static_cast<int64_t>(in.c) * in.h * in.w;
        l.out = View{static_cast<int>(n), 1, 1, 1, 1};
        l.size = n;
      } else if (s.type == "dense") {
        l.kind = Kind::dense;
        if (in.h != 1 || in.w != 1) throw std::logic_error("a dense layer needs a flat input");
        l.cout = static_cast<int>(li.out[0]);
        l.out = View{l.cout, 1, 1, 1, 1};
        l.size = l.cout;
        l.has_params = true;
      } else {
        throw std::logic_error("the fast CNN has no layer '" + s.type + "'");
      }
      if (l.has_params) {
        if (tensor + 2 > init.size()) throw std::logic_error("initial weights do not match the model");
        const NamedTensor& w = init[tensor];
        const NamedTensor& b = init[tensor + 1];
        l.w = offset;
        l.w_size = w.data.size();
        offset += l.w_size;
        l.b = offset;
        offset += b.data.size();
        l.w_name = w.name;
        l.b_name = b.name;
        l.w_shape = w.shape;
        l.b_shape = b.shape;
        l.regularized = !li.param_list.empty() && li.param_list[0].regularized;
        tensor += 2;
      }
      layers_.push_back(std::move(l));
      in = layers_.back().out;
    }
    if (tensor != init.size() || layers_.back().kind != Kind::dense)
      throw std::logic_error("initial weights do not match the model");
    outputs_ = layers_.back().cout;
    dense_from_ = layers_.size() - 1;
    while (dense_from_ > 0 && layers_[dense_from_ - 1].kind == Kind::dense) --dense_from_;
    params_.assign(offset, 0.0f);
    tensor = 0;
    for (const auto& l : layers_) {
      if (!l.has_params) continue;
      std::copy(init[tensor].data.begin(), init[tensor].data.end(), params_.begin() + static_cast<ptrdiff_t>(l.w));
      std::copy(init[tensor + 1].data.begin(), init[tensor + 1].data.end(),
                params_.begin() + static_cast<ptrdiff_t>(l.b));
      tensor += 2;
    }
    flipped_.resize(layers_.size());
    flip();
    grads_.assign(offset, 0.0f);
    if (optimizer_ != fast::Opt::sgd) m_.assign(offset, 0.0f);
    if (optimizer_ == fast::Opt::adam) v_.assign(offset, 0.0f);

    // As libtorch would (torch_net.cpp's make_net): one thread for a small
    // step, every core for a larger one.
    const bool small = info.flops_per_sample * t.batch_size < 4'000'000;
    if (threads <= 0) threads = small ? 1 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    chunk_ = chunk_size(t.batch_size);
    const int64_t chunks = (t.batch_size + chunk_ - 1) / chunk_;
    pool_ = std::make_unique<Pool>(threads);
    work_.resize(static_cast<size_t>(pool_->size()));
    for (auto& w : work_) allocate(w);
    chunk_grads_.assign(static_cast<size_t>(chunks), std::vector<float>(offset, 0.0f));
    losses_.assign(static_cast<size_t>(t.batch_size), 0.0);
  }

  [[nodiscard]] std::string device() const override { return "cpu"; }
  [[nodiscard]] const char* engine() const override { return "fast"; }

  double train_step(const int64_t* rows, int64_t n) override {
    const int64_t chunk = chunk_size(n);
    const int64_t chunks = (n + chunk - 1) / chunk;
    if (chunk > chunk_) {  // a batch larger than the job's
      chunk_ = chunk;
      for (auto& w : work_) allocate(w);
    }
    if (chunks > static_cast<int64_t>(chunk_grads_.size()))
      chunk_grads_.resize(static_cast<size_t>(chunks), std::vector<float>(params_.size(), 0.0f));
    if (n > static_cast<int64_t>(losses_.size())) losses_.resize(static_cast<size_t>(n));
    const float inv_n = 1.0f / static_cast<float>(n);
    auto job = [&](int worker, int64_t c) {
      Work& w = work_[static_cast<size_t>(worker)];
      std::vector<float>& g = chunk_grads_[static_cast<size_t>(c)];
      std::fill(g.begin(), g.end(), 0.0f);
      for (int64_t s = c * chunk; s < std::min(n, (c + 1) * chunk); ++s) {
        const int64_t row = rows[s];
        const float* x = data_.train.x.data() + row * features_;
        forward(w, x);
        float* d = w.da.back().data();
        losses_[static_cast<size_t>(s)] = output_loss_and_delta(w, data_.train.y[static_cast<size_t>(row)], inv_n, d);
        backward(w, g.data(), nullptr, s - c * chunk);
      }
      flush_dense(w, g.data(), static_cast<int>(std::min(n, (c + 1) * chunk) - c * chunk));
    };
    pool_->run(chunks, job);
    ++step_;
    constexpr size_t kRange = 16384;
    const size_t total = params_.size();
    auto step = [&](int, int64_t r) {
      const size_t from = static_cast<size_t>(r) * kRange;
      update(from, std::min(total, from + kRange), chunks);
    };
    pool_->run(static_cast<int64_t>((total + kRange - 1) / kRange), step);
    double loss = 0.0;
    for (int64_t s = 0; s < n; ++s) loss += losses_[static_cast<size_t>(s)];
    flip();
    return loss / static_cast<double>(n);
  }

  [[nodiscard]] std::vector<float> outputs(const float* x, int64_t n) override {
    std::vector<float> out(static_cast<size_t>(n * outputs_));
    forward_all(x, n, out.data());
    return out;
  }

  EvalResult evaluate(const Split& split) override {
    const int64_t n = split.size();
    if (n == 0) return {};
    std::vector<float> out(static_cast<size_t>(n * outputs_));
    forward_all(split.x.data(), n, out.data());
    return fast::evaluate<fast::LibMath>(split, classification_, outputs_, work_[0].probs.data(),
                                         [&](int64_t s) { return out.data() + s * outputs_; });
  }

  [[nodiscard]] Probe probe(const float* x) override {
    Probe p;
    Work& w = work_[0];
    forward(w, x);
    for (size_t i = 0; i + 1 < layers_.size(); ++i) {
      const Layer& l = layers_[i];
      Probe::Layer pl;
      pl.shape = l.probe_shape;
      pl.values.resize(static_cast<size_t>(shape_elements(l.probe_shape)));
      copy_view(w.a[i].data(), l.out, pl.values.data(), l.out.w, static_cast<int64_t>(l.out.h) * l.out.w);
      p.layers.push_back(std::move(pl));
    }
    const float* o = w.a.back().data();
    p.outputs.assign(o, o + outputs_);
    if (classification_) {
      p.klass = fast::argmax(o, outputs_);
      // |d out[klass] / d input|: backward from a one-hot, the parameters'
      // gradients left alone.
      float* d = w.da.back().data();
      std::fill(d, d + outputs_, 0.0f);
      d[p.klass] = 1.0f;
      w.dx.assign(static_cast<size_t>(features_), 0.0f);
      backward(w, nullptr, w.dx.data());
      p.saliency.resize(w.dx.size());
      for (size_t i = 0; i < w.dx.size(); ++i) p.saliency[i] = std::fabs(w.dx[i]);
    }
    return p;
  }

  [[nodiscard]] std::string save_state() const override { return optimizer_state::save("fcnn1", step_, m_, v_); }

  void load_state(const std::string& bytes) override {
    optimizer_state::load(bytes, "fcnn1", "fast CNN engine", step_, m_, v_);
  }

  [[nodiscard]] std::vector<float> gradient_norms() const override {
    std::vector<float> out;
    for (const auto& l : layers_) {
      if (!l.has_params) continue;
      out.push_back(fast::l2_norm(grads_.data() + l.w, l.w_size));
      out.push_back(fast::l2_norm(grads_.data() + l.b, static_cast<size_t>(l.cout)));
    }
    return out;
  }

  [[nodiscard]] WeightSet weights() const override {
    WeightSet out;
    for (const auto& l : layers_) {
      if (!l.has_params) continue;
      const auto w0 = params_.begin() + static_cast<ptrdiff_t>(l.w);
      const auto b0 = params_.begin() + static_cast<ptrdiff_t>(l.b);
      out.push_back({l.w_name, l.w_shape, std::vector<float>(w0, w0 + static_cast<ptrdiff_t>(l.w_size))});
      out.push_back({l.b_name, l.b_shape, std::vector<float>(b0, b0 + l.cout)});
    }
    return out;
  }

 private:
  enum class Kind { conv, pool, flatten, dense };

  struct Layer {
    Kind kind = Kind::dense;
    Act act = Act::linear;
    View in, out;          // where the input and the output live
    Shape probe_shape;     // the output's shape as torch gives it
    int64_t size = 0;      // floats of the output buffer
    int k = 0, cout = 0;   // conv kernel or pool size; conv filters or dense units
    int pad = 0, q = 0;    // conv: the input's border, the output gradient's border
    int64_t wp = 0;        // conv: row stride of the bordered input and of the output
    int64_t n = 0;         // conv: values computed per output channel (wide rows, rounded up)
    int64_t in_plane = 0;  // conv: floats per channel of the bordered input
    int taps = 0;          // conv: in channels x k x k
    std::vector<int64_t> off, off_back;
    int64_t wq = 0, nb = 0, q_plane = 0;  // conv: the input gradient's bordered output gradient
    bool has_params = false;
    bool regularized = false;
    size_t w = 0, b = 0, w_size = 0;  // offsets into params_
    std::string w_name, b_name;
    Shape w_shape, b_shape;
  };

  // One worker's buffers for one sample at a time.
  struct Work {
    std::vector<std::vector<float>> bordered;  // conv: the zero-bordered input
    std::vector<std::vector<float>> z, a, da;  // every layer: before and after the activation, the gradient of a
    std::vector<std::vector<int32_t>> argmax;  // pool: where each maximum came from
    std::vector<std::vector<float>> dq, din;   // conv: the bordered output gradient, the input gradient
    std::vector<float> dx;
    std::vector<float> probs;  // the softmax's
    // dense: a chunk's inputs and output gradients, for one weight-gradient
    // update a chunk; and a block of samples' values for evaluation
    std::vector<std::vector<float>> staged_x, staged_d, block_z, block_a;
    std::vector<float> block_in;
  };

  static constexpr int64_t kBlock = 16;  // samples a worker evaluates at once

  static int64_t chunk_size(int64_t batch) {
    // At most 16 chunks, of at least 8 samples: a function of the batch
    // size alone, never of the threads.
    constexpr int64_t kMinChunk = 8, kMaxChunks = 16;
    return std::max(kMinChunk, (batch + kMaxChunks - 1) / kMaxChunks);
  }

  void allocate(Work& w) const {
    const size_t nl = layers_.size();
    w.bordered.resize(nl);
    w.z.resize(nl);
    w.a.resize(nl);
    w.da.resize(nl);
    w.argmax.resize(nl);
    w.dq.resize(nl);
    w.din.resize(nl);
    for (size_t i = 0; i < nl; ++i) {
      const Layer& l = layers_[i];
      w.a[i].assign(static_cast<size_t>(l.size), 0.0f);
      w.da[i].assign(static_cast<size_t>(l.size), 0.0f);
      if (l.kind == Kind::conv || l.kind == Kind::dense) w.z[i].assign(static_cast<size_t>(l.size), 0.0f);
      if (l.kind == Kind::conv) {
        w.bordered[i].assign(static_cast<size_t>(l.in.c * l.in_plane), 0.0f);
        w.dq[i].assign(static_cast<size_t>(l.cout * l.q_plane), 0.0f);
        w.din[i].assign(static_cast<size_t>(l.in.c * l.nb), 0.0f);
      }
      if (l.kind == Kind::pool) w.argmax[i].assign(static_cast<size_t>(l.size), 0);
    }
    w.probs.assign(static_cast<size_t>(outputs_), 0.0f);
    w.staged_x.resize(nl);
    w.staged_d.resize(nl);
    w.block_z.resize(nl);
    w.block_a.resize(nl);
    for (size_t i = 0; i < nl; ++i) {
      const Layer& l = layers_[i];
      if (l.kind != Kind::dense) continue;
      w.staged_x[i].assign(static_cast<size_t>(chunk_ * l.in.c), 0.0f);
      w.staged_d[i].assign(static_cast<size_t>(chunk_ * l.cout), 0.0f);
      w.block_z[i].assign(static_cast<size_t>(kBlock * l.cout), 0.0f);
      w.block_a[i].assign(static_cast<size_t>(kBlock * l.cout), 0.0f);
    }
    if (dense_from_ < nl) w.block_in.assign(static_cast<size_t>(kBlock * layers_[dense_from_].in.c), 0.0f);
  }

  // Every conv's kernels for its input gradient but the first's (no layer
  // before it needs that gradient; the saliency flips them when it asks).
  void flip() {
    for (size_t i = 1; i < layers_.size(); ++i)
      if (layers_[i].kind == Kind::conv) flip_layer(i);
  }

  // Layer i's kernels for its input gradient: w[co][ci][ky][kx] as
  // wt[ci][co][k-1-ky][k-1-kx].
  void flip_layer(size_t i) {
    const Layer& l = layers_[i];
    std::vector<float>& f = flipped_[i];
    const int k = l.k, cin = l.in.c, kk = k * k;
    f.resize(static_cast<size_t>(cin) * l.cout * kk);
    const float* w = params_.data() + l.w;
    for (int co = 0; co < l.cout; ++co)
      for (int ci = 0; ci < cin; ++ci)
        for (int t = 0; t < kk; ++t)
          f[static_cast<size_t>((ci * l.cout + co) * kk + (kk - 1 - t))] = w[(co * cin + ci) * kk + t];
  }

  void flush_dense(Work& w, float* g, int m) {
    for (size_t i = 0; i < layers_.size(); ++i) {
      const Layer& l = layers_[i];
      if (l.kind != Kind::dense) continue;
      cnn_kernels::rank_update(g + l.w, l.cout, l.in.c, w.staged_d[i].data(), w.staged_x[i].data(), m);
    }
  }

  // Blocks of samples: each through the image layers alone, then the dense
  // layers for the whole block, each weight row used for every sample while
  // it is in the cache.
  void forward_all(const float* x, int64_t n, float* out) {
    auto job = [&](int worker, int64_t b) {
      Work& w = work_[static_cast<size_t>(worker)];
      const int64_t from = b * kBlock, m = std::min(n, (b + 1) * kBlock) - from;
      const int64_t nin = layers_[dense_from_].in.c;
      for (int64_t s = 0; s < m; ++s) {
        forward(w, x + (from + s) * features_, dense_from_);
        const float* flat = dense_from_ == 0 ? x + (from + s) * features_ : w.a[dense_from_ - 1].data();
        std::copy(flat, flat + nin, w.block_in.begin() + s * nin);
      }
      const float* in = w.block_in.data();
      for (size_t i = dense_from_; i < layers_.size(); ++i) {
        dense_forward(layers_[i], in, m, w.block_z[i].data(), w.block_a[i].data());
        in = w.block_a[i].data();
      }
      std::copy(in, in + m * outputs_, out + from * outputs_);
    };
    pool_->run((n + kBlock - 1) / kBlock, job);
  }

  // Through layers [0, end).
  void forward(Work& w, const float* x, size_t end = SIZE_MAX) {
    const float* in = x;
    for (size_t i = 0; i < std::min(end, layers_.size()); ++i) {
      const Layer& l = layers_[i];
      float* a = w.a[i].data();
      switch (l.kind) {
        case Kind::conv: {
          float* b = w.bordered[i].data();
          copy_view(in, l.in, b + l.pad * l.wp + l.pad, l.wp, l.in_plane);
          // ReLU in the kernel's stores (its backward needs only the output).
          const bool relu = l.act == Act::relu;
          float* z = relu ? a : w.z[i].data();
          cnn_kernels::correlate(b, l.off.data(), l.taps, params_.data() + l.w, params_.data() + l.b, z, l.n, l.cout,
                                 l.n, relu);
          if (!relu) activate(l.act, z, a, l.size);
          break;
        }
        case Kind::pool: {
          int32_t* idx = w.argmax[i].data();
          const int s = l.k;
          if (s == 2) {
            cnn_kernels::max_pool2(in, l.in.row, l.in.plane, l.out.c, l.out.h, l.out.w, a, idx);
          } else {
            cnn_kernels::max_pool(in, l.in.row, l.in.plane, s, l.out.c, l.out.h, l.out.w, a, idx);
          }
          break;
        }
        case Kind::flatten: {
          const View& v = l.in;
          copy_view(in, v, a, v.w, static_cast<int64_t>(v.h) * v.w);
          break;
        }
        case Kind::dense:
          dense_forward(l, in, 1, w.z[i].data(), a);
          break;
      }
      in = a;
    }
  }

  // A dense layer for m samples: their inputs in rows of l.in.c, z and a in
  // rows of l.cout.
  void dense_forward(const Layer& l, const float* in, int64_t m, float* z, float* a) const {
    const int64_t k = l.in.c;
    const float* wt = params_.data() + l.w;
    const float* bias = params_.data() + l.b;
    for (int o = 0; o < l.cout; ++o)
      for (int64_t s = 0; s < m; ++s) z[s * l.cout + o] = cnn_kernels::dot(wt + o * k, in + s * k, k) + bias[o];
    activate(l.act, z, a, m * l.cout);
  }

  static void activate(Act act, const float* z, float* a, int64_t n) {
    if (act == Act::relu) {
      cnn_kernels::relu(z, a, n);
    } else {
      act::activate(act, z, a, static_cast<int>(n));
    }
  }

  // d a / d z applied to the gradient in place.
  static void activation_backward(Act act, float* d, const float* z, const float* a, int64_t n) {
    if (act == Act::linear) return;
    if (act == Act::relu) {
      cnn_kernels::relu_grad(d, a, n);
      return;
    }
    for (int64_t i = 0; i < n; ++i) d[i] *= act::activation_grad(act, z[i], a[i]);
  }

  // From the gradient of the last layer's output (w.da.back()) down: adds
  // the parameters' gradients to `g` (unless null), and writes the input's
  // gradient to `dx` (unless null).
  // `slot`: the sample's place in its chunk; the dense layers' weight
  // gradients wait in the chunk's staging rows (flush_dense adds them).
  void backward(Work& w, float* g, float* dx, int64_t slot = -1) {
    for (size_t i = layers_.size(); i-- > 0;) {
      const Layer& l = layers_[i];
      const bool first = i == 0;
      if (first && dx == nullptr && g == nullptr) break;
      float* d = w.da[i].data();
      float* dprev = first ? dx : w.da[i - 1].data();  // null: the first layer's input needs none
      const float* in = first ? nullptr : w.a[i - 1].data();
      switch (l.kind) {
        case Kind::dense: {
          activation_backward(l.act, d, w.z[i].data(), w.a[i].data(), l.cout);
          const int64_t nin = l.in.c;
          if (first) throw std::logic_error("a dense first layer is the MLP's");
          if (g != nullptr) {
            float* gb = g + l.b;
            for (int o = 0; o < l.cout; ++o) gb[o] += d[o];
            if (slot >= 0) {
              std::copy(in, in + nin, w.staged_x[i].begin() + slot * nin);
              std::copy(d, d + l.cout, w.staged_d[i].begin() + slot * l.cout);
            } else {
              cnn_kernels::rank_update(g + l.w, l.cout, nin, d, in, 1);
            }
          }
          const float* wt = params_.data() + l.w;
          std::fill(dprev, dprev + nin, 0.0f);
          for (int o = 0; o < l.cout; ++o) cnn_kernels::axpy(dprev, d[o], wt + o * nin, nin);
          break;
        }
        case Kind::flatten: {
          if (dprev == nullptr) break;
          // Into the previous layer's rows; what lies between them stays zero.
          const View& v = l.in;
          copy_view(d, View{v.c, v.h, v.w, v.w, static_cast<int64_t>(v.h) * v.w}, dprev, v.row, v.plane);
          break;
        }
        case Kind::pool: {
          if (dprev == nullptr) break;
          if (first) {
            std::fill(dprev, dprev + features_, 0.0f);
          } else {
            std::fill(w.da[i - 1].begin(), w.da[i - 1].end(), 0.0f);
          }
          const int32_t* idx = w.argmax[i].data();
          for (int64_t o = 0; o < l.size; ++o) dprev[idx[o]] += d[o];
          break;
        }
        case Kind::conv: {
          activation_backward(l.act, d, w.z[i].data(), w.a[i].data(), l.size);
          if (g != nullptr) {
            cnn_kernels::correlate_grad(d, l.n, l.cout, w.bordered[i].data(), l.off.data(), l.taps, l.n, g + l.w,
                                        g + l.b);
          }
          if (dprev == nullptr) break;
          if (first) flip_layer(0);  // the saliency: the first layer's are not kept flipped
          // The output gradient, bordered, through the flipped kernels.
          float* q = w.dq[i].data();
          copy_view(d, l.out, q + l.q * l.wq + l.q, l.wq, l.q_plane);
          float* din = w.din[i].data();
          cnn_kernels::correlate(q, l.off_back.data(), l.cout * l.k * l.k, flipped_[i].data(), nullptr, din, l.nb,
                                 l.in.c, l.nb, false);
          copy_view(din, View{l.in.c, l.in.h, l.in.w, l.wq, l.nb}, dprev, l.in.row, l.in.plane);
          break;
        }
      }
    }
  }

  double output_loss_and_delta(Work& w, float target, float inv_n, float* d) const {
    return fast::loss_and_delta<fast::LibMath>(classification_, w.a.back().data(), outputs_, target, inv_n, d,
                                               w.probs.data());
  }

  // The chunks' gradients added in order, the regularization's added, and
  // the optimizer's step, for the parameters [from, to): element by element,
  // so ranges can go to different threads.
  void update(size_t from, size_t to, int64_t chunks) {
    float* g = grads_.data();
    std::copy(chunk_grads_[0].begin() + static_cast<ptrdiff_t>(from),
              chunk_grads_[0].begin() + static_cast<ptrdiff_t>(to), grads_.begin() + static_cast<ptrdiff_t>(from));
    for (int64_t c = 1; c < chunks; ++c) {
      const float* gc = chunk_grads_[static_cast<size_t>(c)].data();
      for (size_t i = from; i < to; ++i) g[i] += gc[i];
    }
    if (reg_ != fast::Reg::none) {
      for (const auto& l : layers_) {
        if (!l.has_params || !l.regularized) continue;
        fast::regularize(reg_, reg_rate_, params_.data(), g, std::max(from, l.w), std::min(to, l.w + l.w_size));
      }
    }
    fast::optimizer_step<fast::LibMath>(optimizer_, lr_, step_, params_.data(), g, m_.data(), v_.data(), from, to);
  }

  const Dataset& data_;
  bool classification_;
  int64_t features_;
  int outputs_ = 0;
  float lr_;
  float reg_rate_;
  fast::Opt optimizer_ = fast::Opt::sgd;
  fast::Reg reg_ = fast::Reg::none;
  int64_t step_ = 0;
  int64_t chunk_ = 8;
  size_t dense_from_ = 0;  // the first of the dense layers that end the network
  std::vector<Layer> layers_;
  std::vector<float> params_, grads_, m_, v_;
  std::vector<std::vector<float>> flipped_;  // per conv layer: its kernels for the input gradient
  std::unique_ptr<Pool> pool_;
  std::vector<Work> work_;
  std::vector<std::vector<float>> chunk_grads_;
  std::vector<double> losses_;
};

}  // namespace

std::unique_ptr<Net> make_fast_cnn(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                   const WeightSet& init, int threads) {
  return std::make_unique<FastCnn>(job, info, data, init, threads);
}

}  // namespace aisb
