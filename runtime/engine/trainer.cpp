// The training loop both paths share: data, batches, epochs, evaluation,
// events, snapshots, control and divergence. It never sees a tensor.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/job_reader.hpp"
#include "core/rng.hpp"
#include "engine/engine.hpp"
#include "engine/inside.hpp"
#include "engine/net.hpp"

namespace aisb {

namespace {

using Clock = std::chrono::steady_clock;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

class Run {
 public:
  Run(const JobSpec& job, const TrainOptions& options, RunControl& control, const EventSink& sink)
      : job_(job), options_(options), control_(control), sink_(sink) {}

  RunSummary go() {
    try {
      Diagnostics diags = validate(job_);
      if (diags.has_errors()) return finish("failed", "the job is not valid: " + diags.first_error(), "");
      const ModelInfo info = describe_model(job_, diags);
      const Dataset data = make_dataset(job_);
      WeightSet init = initial_weights(info, job_.training.seed);
      const WeightSet* start = options_.resume ? &options_.resume->weights : options_.initial_weights.get();
      if (start != nullptr) {
        const WeightSet& given = *start;
        bool fits = given.size() == init.size();
        for (size_t i = 0; fits && i < init.size(); ++i) {
          fits = given[i].name == init[i].name && given[i].shape == init[i].shape &&
                 given[i].data.size() == init[i].data.size();
        }
        if (!fits) return finish("failed", "the starting weights do not match the model", "");
        init = given;
      }
      // "auto" means the fastest place for this model: a small dense network
      // or a small CNN trains fastest on the CPU's fast path, which never
      // loads libtorch.
      const bool fits = fast_path_fits(job_, info);
      const bool fast = options_.path == EnginePath::fast ||
                        (options_.path == EnginePath::automatic && options_.device != "cuda" && fits);
      constexpr const char* kFastOnly =
          "the fast engine trains small networks of dense, conv2d (stride 1), maxpool2d and flatten layers only";
      if (fast && !fits) return finish("failed", kFastOnly, "");
      if (fast && options_.device == "cuda") return finish("failed", "the fast engine runs on the CPU only", "");
      std::unique_ptr<Net> net = fast ? make_fast_net(job_, info, data, init)
                                      : make_torch_net(job_, info, data, init, resolve_device(options_.device));
      if (options_.resume) {
        if (options_.resume->epoch < 0 || options_.resume->epoch > job_.training.epochs || options_.resume->step < 0) {
          return finish("failed", "the checkpoint does not belong to this job", "");
        }
        net->load_state(options_.resume->optimizer);
        net->load_buffers(options_.resume->buffers);
      } else if (options_.initial_buffers) {
        net->load_buffers(*options_.initial_buffers);
      }
      return loop(*net, data, info);
    } catch (const std::exception& e) {
      return finish("failed", e.what(), "");
    }
  }

 private:
  RunSummary loop(Net& net, const Dataset& data, const ModelInfo& info) {
    const int64_t batch = std::min<int64_t>(job_.training.batch_size, data.train.size());
    // Batch norm cannot learn from a batch of one: leave out a last sample
    // that would be alone (it is reshuffled into a full batch next epoch).
    const bool batchnorm = std::any_of(job_.model.layers.begin(), job_.model.layers.end(),
                                       [](const LayerSpec& l) { return l.type == "batchnorm"; });
    const int64_t n_train = data.train.size() - (batchnorm && batch > 1 && data.train.size() % batch == 1 ? 1 : 0);
    const int64_t steps_per_epoch = (n_train + batch - 1) / batch;
    {
      Event e;
      e.type = EventType::started;
      e.device = net.device();
      e.parameters = info.params;
      e.steps_per_epoch = steps_per_epoch;
      e.engine = net.engine();
      e.standardization = data.standardization;
      emit(std::move(e));
    }
    for (const Diagnostic& w : data.report.all()) {   // files a folder held that could not be read
      if (w.severity != Severity::warning) continue;  // notes were told when the data was read
      Event e;
      e.type = EventType::log;
      e.level = "warning";
      e.message = w.where + ": " + describe_diagnostic(w, "en");
      e.message_ko = w.where + ": " + describe_diagnostic(w, "ko");
      emit(std::move(e));
    }
    start_ = Clock::now();
    last_snapshot_ = start_;
    last_checkpoint_ = start_;
    const int first_epoch = options_.resume ? options_.resume->epoch + 1 : 1;
    steps_ = options_.resume ? options_.resume->step : 0;
    first_step_ = steps_;
    if (!evaluate(net, data, first_epoch - 1)) return diverged();
    snapshot(net, data);

    std::vector<int64_t> order(static_cast<size_t>(data.train.size()));
    std::iota(order.begin(), order.end(), int64_t{0});
    Rng rng(job_.training.seed, streams::order);
    // A resumed run shuffles the epochs it skips, so the order it goes on
    // with is the one the uninterrupted run would have used.
    for (int e = 1; e < first_epoch; ++e) rng.shuffle(order);
    const double snapshot_interval = options_.snapshot_hz > 0 ? 1.0 / options_.snapshot_hz : 0.0;
    const auto on_block = [&] { snapshot(net, data); };

    for (int epoch = first_epoch; epoch <= job_.training.epochs; ++epoch) {
      rng.shuffle(order);
      for (int64_t at = 0; at < n_train; at += batch) {
        const int64_t n = std::min(batch, n_train - at);
        if (!control_.wait_turn(on_block)) return cancelled();
        const double loss = net.train_step(order.data() + at, n);
        ++steps_;
        if (!std::isfinite(loss)) return diverged();
        if (snapshot_interval > 0) {
          const auto now = Clock::now();
          if (std::chrono::duration<double>(now - last_snapshot_).count() >= snapshot_interval) {
            last_snapshot_ = now;
            emit_snapshot(net, data);
          }
        }
      }
      if (!evaluate(net, data, epoch)) return diverged();
      if (options_.on_checkpoint && options_.checkpoint_seconds >= 0) {
        const auto now = Clock::now();
        if (epoch == job_.training.epochs ||
            std::chrono::duration<double>(now - last_checkpoint_).count() >= options_.checkpoint_seconds) {
          last_checkpoint_ = now;
          options_.on_checkpoint(Checkpoint{epoch, steps_, net.weights(), net.buffers(), net.save_state()});
        }
      }
    }
    if (options_.final_snapshot || options_.snapshot_hz > 0) emit_snapshot(net, data);
    return finish("completed", "", "");
  }

  double active_seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count() - control_.blocked_seconds();
  }

  bool evaluate(Net& net, const Dataset& data, int epoch) {
    const EvalResult train = net.evaluate(data.train);
    const EvalResult test = net.evaluate(data.test);
    Metrics m;
    m.epoch = epoch;
    m.step = steps_;
    // A file's regression target was scaled for training: the metrics go
    // back to the file's units (R² does not change).
    const double unit = data.standardization.target_scale;
    m.train_loss = train.loss * (data.classification ? 1.0 : unit * unit);
    m.test_loss = test.loss * (data.classification ? 1.0 : unit * unit);
    m.elapsed = active_seconds();
    m.steps_per_second = m.elapsed > 0 ? static_cast<double>(steps_ - first_step_) / m.elapsed : 0.0;
    if (data.classification) {
      m.train_accuracy = train.accuracy;
      m.test_accuracy = test.accuracy;
      m.confusion = test.confusion;
    } else {
      m.train_mae = train.mae * unit;
      m.test_mae = test.mae * unit;
      m.test_r2 = test.r2;
    }
    if (!std::isfinite(train.loss) || !std::isfinite(test.loss)) return false;
    if (inside_on()) {
      // The views' answers in the data's own units (a class index as is).
      predictions_epoch_ = epoch;
      const size_t n = std::min(test.predicted.size(), static_cast<size_t>(kInsidePredictions));
      predictions_.assign(test.predicted.begin(), test.predicted.begin() + static_cast<ptrdiff_t>(n));
      if (!data.classification) {
        for (float& v : predictions_) v = v * unit + data.standardization.target_mean;
      }
    }
    last_ = m;
    has_metrics_ = true;
    Event e;
    e.type = EventType::metrics;
    e.metrics = m;
    emit(std::move(e));
    return true;
  }

  // Snapshots at the start and whenever training blocks, when the views want them.
  void snapshot(Net& net, const Dataset& data) {
    if (options_.snapshot_hz > 0) emit_snapshot(net, data);
  }

  [[nodiscard]] bool inside_on() const { return options_.inside_hz > 0 && options_.snapshot_hz > 0; }

  void emit_snapshot(Net& net, const Dataset& data) {
    Event e;
    e.type = EventType::snapshot;
    e.step = steps_;
    e.weights = net.weights();
    if (steps_ > 0) e.gradients = net.gradient_norms();
    if (inside_on()) {
      Inside in;
      // The latest evaluation's answers ride the first snapshot after it,
      // with a fresh probe; otherwise a probe when a sample is chosen anew,
      // else at the bounded rate.
      if (predictions_epoch_ > sent_epoch_) {
        in.epoch = predictions_epoch_;
        in.predictions = predictions_;
        sent_epoch_ = predictions_epoch_;
      }
      probe(net, data, in, in.has_predictions());
      if (in.has_probe() || in.has_predictions()) e.inside = std::move(in);
    }
    emit(std::move(e));
  }

  // Probes the chosen test sample into `in` when it is due: a new choice at
  // once, `forced` (an evaluation's snapshot) always, else at most inside_hz
  // times a second and only while probing took under 5% of the time since
  // the last probe.
  void probe(Net& net, const Dataset& data, Inside& in, bool forced) {
    const int64_t n = data.test.size();
    if (n <= 0) return;
    int64_t want = options_.probe_sample ? options_.probe_sample() : 0;
    want = want < 0 ? 0 : std::min(want, n - 1);
    const auto now = Clock::now();
    const double since = std::chrono::duration<double>(now - last_probe_).count();
    if (want == probed_sample_ && !forced && (since < 1.0 / options_.inside_hz || since < 20.0 * probe_cost_)) return;
    const Probe p = net.probe(data.test.x.data() + want * data.features);
    fill_probe(in, p, job_.model, data.input_shape, want);
    probed_sample_ = want;
    last_probe_ = Clock::now();
    probe_cost_ = std::chrono::duration<double>(last_probe_ - now).count();
  }

  RunSummary diverged() {
    const double lr = job_.training.learning_rate;
    const std::string step = std::to_string(steps_);
    return finish("diverged",
                  "Training stopped at step " + step +
                      " because the loss grew too large to compute (it became infinite or NaN). The learning rate (" +
                      number(lr) + ") is probably too high: try a smaller one, such as " + number(lr / 10) + ".",
                  "손실 값이 너무 커져서 더 계산할 수 없게 되어 " + step + "번째 단계에서 학습을 멈췄어요. 학습률(" +
                      number(lr) + ")이 너무 큰 것 같아요. " + number(lr / 10) + "처럼 더 작은 값으로 해 보세요.");
  }

  RunSummary cancelled() { return finish("cancelled", "", ""); }

  RunSummary finish(const std::string& reason, const std::string& message, const std::string& message_ko) {
    RunSummary s;
    s.reason = reason;
    s.steps = steps_;
    s.seconds = started() ? active_seconds() : 0.0;
    s.last = last_;
    s.has_metrics = has_metrics_;
    s.message = message;
    Event e;
    e.type = EventType::done;
    e.reason = reason;
    e.steps = s.steps;
    e.seconds = s.seconds;
    // The speed of this process's share of the work (a resumed run counts
    // only the steps it ran itself).
    e.steps_per_second = s.seconds > 0 ? static_cast<double>(s.steps - first_step_) / s.seconds : 0.0;
    e.has_metrics = has_metrics_;
    e.metrics = last_;
    e.metrics.steps_per_second = e.steps_per_second;
    e.message = message;
    e.message_ko = message_ko;
    emit(std::move(e));
    return s;
  }

  [[nodiscard]] bool started() const { return start_ != Clock::time_point{}; }

  void emit(Event&& e) {
    e.seq = ++seq_;
    sink_(std::move(e));
  }

  const JobSpec& job_;
  const TrainOptions& options_;
  RunControl& control_;
  const EventSink& sink_;
  uint64_t seq_ = 0;
  int64_t steps_ = 0;
  int64_t first_step_ = 0;  // steps done before this process (a resumed run)
  Clock::time_point start_{};
  Clock::time_point last_snapshot_{};
  Clock::time_point last_checkpoint_{};
  Metrics last_;
  bool has_metrics_ = false;
  // The inside views: the last evaluation's test answers and the last probe.
  std::vector<float> predictions_;
  int predictions_epoch_ = -1, sent_epoch_ = -1;
  int64_t probed_sample_ = -1;
  Clock::time_point last_probe_{};
  double probe_cost_ = 0.0;
};

}  // namespace

RunSummary train(const JobSpec& job, const TrainOptions& options, RunControl& control, const EventSink& sink) {
  return Run(job, options, control, sink).go();
}

}  // namespace aisb
