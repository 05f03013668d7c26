#include "session/session.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/catalog.hpp"
#include "core/files.hpp"
#include "core/job_reader.hpp"
#include "data/user_data.hpp"
#include "engine/net.hpp"
#include "engine/predict.hpp"
#include "session/grid_worker.hpp"
#include "session/latest_worker.hpp"
#include "session/own_data.hpp"

namespace aisb::app {

const char* to_string(RunState s) {
  switch (s) {
    case RunState::idle:
      return "idle";
    case RunState::running:
      return "running";
    case RunState::paused:
      return "paused";
    case RunState::finished:
      return "finished";
  }
  return "?";
}

void History::clear() {
  epoch.clear();
  train_loss.clear();
  test_loss.clear();
  train_score.clear();
  test_score.clear();
}

void History::add(const Metrics& m) {
  while (!epoch.empty() && epoch.back() >= static_cast<float>(m.epoch)) {
    epoch.pop_back();
    train_loss.pop_back();
    test_loss.pop_back();
    train_score.pop_back();
    test_score.pop_back();
  }
  epoch.push_back(static_cast<float>(m.epoch));
  train_loss.push_back(static_cast<float>(m.train_loss));
  test_loss.push_back(static_cast<float>(m.test_loss));
  train_score.push_back(static_cast<float>(m.train_accuracy.value_or(m.train_mae.value_or(0.0))));
  test_score.push_back(static_cast<float>(m.test_accuracy.value_or(m.test_mae.value_or(0.0))));
}

struct Session::CheckpointSlot {
  std::mutex mutex;
  std::optional<Checkpoint> last;
};

struct DataRequest {
  JobSpec job;
  uint64_t ticket = 0;
  std::optional<std::filesystem::path> resolve_from;  // a file source to read first, from this folder
};

struct DataResult {
  uint64_t ticket = 0;
  std::optional<Dataset> data;
  std::string error;
  bool resolved = false;             // a file source was read (facts and problems below)
  std::optional<DatasetSpec> facts;  // the dataset with its facts, when the file could be read
  Diagnostics problems;
};

namespace {

// What a file source's facts depend on: where it is read from, which file,
// and what is taken from it.
std::string data_key(const JobSpec& job, const std::filesystem::path& folder) {
  const DatasetSpec& d = job.dataset;
  std::string k = folder.string() + '\x1f' + d.source + '\x1f' + d.target + '\x1f' + d.missing + '\x1f' +
                  std::to_string(d.window) + '\x1f' + std::to_string(d.horizon) + '\x1f' + d.group + '\x1f' + d.order +
                  '\x1f' + job.model.task;
  for (const auto& f : d.features) k += '\x1e' + f;
  return k;
}

// The folder a resolved source was read from, from its location.
std::filesystem::path folder_of(const DatasetSpec& d) {
  std::filesystem::path p = path_of_utf8(d.location);
  for (const auto& part : path_of_utf8(source_path(d))) {
    if (!part.empty()) p = p.parent_path();
  }
  return p;
}

}  // namespace

// The chosen test sample through a trained model, for the inside views.
struct ProbeRequest {
  std::shared_ptr<const TrainedModel> model;
  std::vector<float> x;  // the sample as training saw it
  int64_t sample = 0;
};

namespace {

void forget_facts(DatasetSpec& d) {
  d.data_sha256.clear();
  d.input_names.clear();
  d.class_names.clear();
  d.location.clear();
}

}  // namespace

Session::Session()
    : Session([] {
        // Training here gives way to the frames (at the same speed: they need
        // little of the CPU, but need it at once).
        auto local = std::make_unique<LocalBackend>();
        local->yield_to_frames(true);
        return local;
      }()) {}

Session::Session(std::unique_ptr<Backend> backend)
    : backend_(std::move(backend)),
      active_(backend_.get()),
      grid_worker_(std::make_unique<GridWorker>()),
      data_worker_(std::make_unique<LatestWorker<DataRequest, DataResult>>(
          [](DataRequest& in) {
            DataResult out;
            out.ticket = in.ticket;
            if (in.resolve_from) {
              // The file first: its columns or classes size the model.
              out.resolved = true;
              if (!resolve_data(in.job, *in.resolve_from, out.problems)) {
                out.error = out.problems.first_error();
                if (out.error.empty()) out.error = "the data of '" + in.job.dataset.source + "' cannot be read";
                return std::optional<DataResult>(std::move(out));
              }
              out.facts = in.job.dataset;
              if (validate(in.job).has_errors())
                return std::optional<DataResult>(std::move(out));  // said by the session
            }
            try {
              out.data = make_dataset(in.job);
            } catch (const std::exception& e) {
              out.error = e.what();
            }
            return std::optional<DataResult>(std::move(out));
          },
          WorkerPriority::normal)),  // the student waits for it
      probe_worker_(std::make_unique<LatestWorker<ProbeRequest, Inside>>(
          [predictor = std::shared_ptr<Predictor>(),
           of = std::shared_ptr<const TrainedModel>()](ProbeRequest& in) mutable -> std::optional<Inside> {
            try {
              // One network per model, built again only for another model.
              if (!predictor || of != in.model) {
                predictor.reset();
                predictor = std::make_shared<Predictor>(*in.model);
                of = in.model;
              }
              return predictor->probe(in.x.data(), in.sample);
            } catch (const std::exception&) {
              return std::nullopt;  // a model that cannot answer shows no maps
            }
          },
          WorkerPriority::lower)) {}

Session::~Session() {
  backend_->cancel();
  backend_.reset();  // joins the training thread before the grid worker goes
  if (remote_) remote_->cancel();
  remote_.reset();
}

void Session::set_remote(std::unique_ptr<Backend> remote) {
  leave_run();
  remote_ = std::move(remote);
  active_ = backend_.get();
}

bool Session::attach(const JobSpec& job, const std::string& job_id) {
  if (!remote_) return false;
  load(job);
  if (!problem_.empty()) return false;
  clear_run();
  recorder_.emplace(job_);  // a run watched to its end is a trained model too
  active_ = remote_.get();
  if (!active_->attach(job_id)) {
    active_ = backend_.get();
    return false;
  }
  discard_ = false;
  state_ = RunState::running;
  return true;
}

void Session::set_wake(std::function<void()> wake) {
  wake_ = wake;
  grid_worker_->set_wake(wake);
  probe_worker_->set_wake(wake);
  data_worker_->set_wake(std::move(wake));
}

void Session::load(const JobSpec& job) {
  data_missing_ = false;
  job_ = job;
  // A lesson read from its folder comes with its data's facts: taken as they are.
  if (is_file_source(job_.dataset) && data_resolved(job_.dataset) && !job_.dataset.location.empty()) {
    if (data_folder_.empty()) data_folder_ = folder_of(job_.dataset);
    resolved_key_ = data_key(job_, data_folder_);
  }
  rebuild(true);
}

void Session::apply(const JobSpec& job) {
  data_missing_ = false;
  const bool data_changed = !(job.dataset == job_.dataset) || !data_;
  job_ = job;
  rebuild(data_changed);
}

std::string Session::problem_in(std::string_view lang) const {
  if (problem_.empty()) return {};
  if (!problem_diag_) return problem_;
  return data_problem_text(*problem_diag_, lang);
}

void Session::check_job() {
  Diagnostics diags = validate(job_);
  info_ = describe_model(job_, diags);
  problem_ = diags.has_errors() ? diags.first_error() : std::string();
  problem_diag_.reset();
  for (const Diagnostic& d : diags.all()) {
    if (d.severity == Severity::error) {
      problem_diag_ = d;
      break;
    }
  }
}

void Session::rebuild(bool regenerate_data) {
  // Leave the old run, but show no weights yet: the old model's would be
  // posted against the new job (and computed for nothing).
  start_from_.reset();
  leave_run();
  // A file source whose facts were read for something else (another file,
  // target or task) is read again, on the data worker.
  bool resolve = false;
  if (data_missing_) {
    // A trained model whose data is not here: its facts are taken as they
    // are, and there is no data to make.
    data_problems_ = Diagnostics{};
  } else if (is_file_source(job_.dataset)) {
    if (!data_resolved(job_.dataset) || data_key(job_, data_folder_) != resolved_key_) {
      forget_facts(job_.dataset);
      resolved_key_.clear();
      resolve = true;
      regenerate_data = true;
    }
  } else {
    resolved_key_.clear();
    data_problems_ = Diagnostics{};
  }
  resolving_ = false;
  check_job();
  if (regenerate_data) {
    data_.reset();
    ++data_ticket_;
    data_pending_ = false;
  }
  if (resolve) {
    // Until the file is read the model has no shape: no problem, no weights.
    data_problems_ = Diagnostics{};
    grid_supported_ = false;
    grid_ = GridMaps{};
    ++grid_version_;
    weights_.clear();
    if (problem_.empty()) {
      info_ = ModelInfo{};
      resolving_ = true;
      data_pending_ = true;
      data_worker_->post({job_, data_ticket_, data_folder_});
    }
    set_speed(speed_);
    return;
  }
  if (problem_.empty() && !data_ && !data_pending_ && !data_missing_) {
    const SourceInfo* source = find_source(job_.dataset.source);
    if (source != nullptr && source->kind == DataKind::points) {
      try {  // a few milliseconds: at once, so a slider never shows empty data
        data_ = make_dataset(job_);
        ++data_version_;
      } catch (const std::exception& e) {
        problem_ = e.what();
      }
    } else {
      data_pending_ = true;
      data_worker_->post({job_, data_ticket_});
    }
  }
  grid_supported_ = problem_.empty() && aisb::grid_supported(job_);
  grid_ = GridMaps{};
  ++grid_version_;
  weights_.clear();
  if (problem_.empty()) show_weights(initial_weights(info_, job_.training.seed));
  set_speed(speed_);  // steps an epoch may have changed
}

int64_t Session::steps_per_epoch() const {
  if (!data_ || job_.training.batch_size <= 0) return 0;
  const int64_t n = data_->train.size();
  const int64_t b = std::min<int64_t>(job_.training.batch_size, n);
  return b > 0 ? (n + b - 1) / b : 0;
}

double Session::seconds_per_epoch() const {
  if (latest_ && latest_->epoch > 0 && latest_->elapsed > 0) return latest_->elapsed / latest_->epoch;
  if (!problem_.empty() || !data_) return 0.0;
  // A guess from the arithmetic: each step costs a fixed overhead plus its
  // multiply-adds; the fast CPU path has little overhead, libtorch more.
  const bool fast = !needs_torch();
  const double overhead = fast ? 2e-6 : 1.5e-4;
  const double rate = fast ? 1.0e9 : 4.0e9;
  const double batch = std::min<double>(job_.training.batch_size, static_cast<double>(data_->train.size()));
  const double train = static_cast<double>(steps_per_epoch()) *
                       (overhead + batch * static_cast<double>(training_flops_per_sample(info_)) / rate);
  const double eval = static_cast<double>(data_->train.size() + data_->test.size()) *
                      static_cast<double>(info_.flops_per_sample) / rate;
  return train + eval;
}

bool Session::needs_torch() const {
  return device_ == "cuda" || !fast_path_fits(job_, info_);
}

void Session::set_speed(double epochs_per_second) {
  speed_ = std::max(0.0, epochs_per_second);
  backend_->set_pace(speed_ * static_cast<double>(steps_per_epoch()));
}

void Session::show_weights(WeightSet weights) {
  weights_ = std::move(weights);
  ++weights_version_;
  if (grid_supported_) grid_worker_->post(job_, weights_);
}

void Session::clear_run() {
  history_.clear();
  latest_.reset();
  started_.reset();
  done_.reset();
  logs_.clear();
  gradients_.clear();
  steps_ = 0;
  inside_ = Inside{};
  ++probe_version_;
  ++answers_version_;
}

void Session::choose_sample(int64_t test_index) {
  const int64_t n = data_ ? data_->test.size() : 0;
  chosen_ = std::clamp<int64_t>(test_index, 0, std::max<int64_t>(0, n - 1));
  chosen_for_run_->store(chosen_);
  if (state_ == RunState::running || state_ == RunState::paused) {
    active_->probe(chosen_);
  } else {
    probe_model();
  }
}

bool Session::choose_next(int truth, int said) {
  if (!data_ || !inside_.has_predictions()) return false;
  const int64_t count = std::min<int64_t>(data_->test.size(), static_cast<int64_t>(inside_.predictions.size()));
  for (int64_t step = 1; step <= count; ++step) {
    const int64_t i = (chosen_ + step) % count;
    if (static_cast<int>(data_->test.y[static_cast<size_t>(i)]) == truth &&
        static_cast<int>(inside_.predictions[static_cast<size_t>(i)]) == said) {
      choose_sample(i);
      return true;
    }
  }
  return false;
}

void Session::probe_model() {
  if (!model_ || !data_ || data_->test.size() == 0) return;
  const int64_t per = data_->features;
  const float* x = data_->test.x.data() + chosen_ * per;
  probe_worker_->post(ProbeRequest{model_, std::vector<float>(x, x + per), chosen_});
}

void Session::take_inside(const Inside& in) {
  if (in.has_probe()) {
    inside_.sample = in.sample;
    inside_.maps = in.maps;
    inside_.outputs = in.outputs;
    inside_.klass = in.klass;
    inside_.saliency_shape = in.saliency_shape;
    inside_.saliency = in.saliency;
    ++probe_version_;
  }
  if (in.has_predictions()) {
    inside_.epoch = in.epoch;
    inside_.predictions = in.predictions;
    ++answers_version_;
  }
}

void Session::start(bool paused) {
  TrainOptions options;
  options.device = device_ == "center" ? "auto" : device_;
  options.initial_weights = start_from_;
  run(std::move(options), paused, nullptr);
}

void Session::run(TrainOptions options, bool paused, const TrainedModel* from) {
  if (from == nullptr) {
    clear_run();
  } else {
    // The curves go on; what the last run said does not.
    latest_.reset();
    started_.reset();
    done_.reset();
    logs_.clear();
    gradients_.clear();
  }
  model_.reset();
  opened_ = false;
  recorder_.emplace(job_);
  if (from != nullptr) recorder_->continue_from(*from);
  // The engine's checkpoint after the last epoch carries the optimizer's
  // state, so that the model can go on later exactly (a slot per run: a
  // cancelled run's late checkpoint lands in its own).
  auto slot = std::make_shared<CheckpointSlot>();
  checkpoint_ = slot;
  options.checkpoint_seconds = 1e9;
  options.probe_sample = [chosen = chosen_for_run_] { return chosen->load(); };
  options.on_checkpoint = [slot](const Checkpoint& c) {
    std::lock_guard lock(slot->mutex);
    slot->last = c;
  };
  // Going on from a model happens here: the center starts every run afresh.
  active_ = from == nullptr && device_ == "center" && remote_ ? remote_.get() : backend_.get();
  active_->start(job_, options, paused && !remote_run());
  discard_ = false;
  state_ = paused ? RunState::paused : RunState::running;
}

void Session::record(const std::vector<Event>& events, const Event* snapshot, bool done) {
  if (!recorder_) return;
  for (const Event& e : events) {
    if (e.type != EventType::snapshot && e.type != EventType::done) recorder_->on_event(e);
  }
  if (snapshot != nullptr) recorder_->on_event(*snapshot);
  if (!done || !done_) return;
  if (checkpoint_) {
    std::lock_guard lock(checkpoint_->mutex);
    if (const auto& c = checkpoint_->last)
      recorder_->on_checkpoint(c->epoch, c->step, c->weights, c->buffers, c->optimizer);
  }
  recorder_->on_event(*done_);
  if (recorder_->complete()) {
    model_ = std::make_shared<const TrainedModel>(recorder_->model());
  } else if (auto fetched = active_ != nullptr ? active_->trained_model() : nullptr) {
    model_ = std::move(fetched);  // a center's run too large to stream its weights
  }
  recorder_.reset();
  checkpoint_.reset();
}

bool Session::open_model(std::shared_ptr<const TrainedModel> model, const std::filesystem::path& data_folder) {
  if (!model) return false;
  JobSpec job = model->job;
  bool missing = false;
  if (is_file_source(job.dataset)) {
    // The file is where the job names it, from the folder given.
    std::error_code ec;
    const std::filesystem::path file = (data_folder / path_of_utf8(source_path(job.dataset))).lexically_normal();
    if (!data_folder.empty() && std::filesystem::exists(file, ec)) {
      job.dataset.location = file.string();
      data_folder_ = data_folder;
    } else {
      missing = true;
    }
  }
  if (missing) {
    job_ = std::move(job);
    data_missing_ = true;
    rebuild(true);
  } else {
    load(job);
  }
  if (!problem_.empty()) return false;
  model_ = std::move(model);
  show_weights(model_->weights);
  for (const Metrics& m : model_->curves) history_.add(m);
  if (model_->has_metrics) {
    latest_ = model_->metrics;
  } else if (!model_->curves.empty()) {
    latest_ = model_->curves.back();
  }
  steps_ = model_->steps_done;
  state_ = RunState::finished;
  opened_ = true;
  probe_model();  // the inside views of an opened model (or when its data is ready)
  return true;
}

bool Session::can_continue() const {
  return model_ != nullptr && problem_.empty() && !resolving_ && !data_missing_ &&
         (state_ == RunState::finished || state_ == RunState::idle);
}

bool Session::continue_training(int extra_epochs) {
  if (!can_continue()) return false;
  const std::shared_ptr<const TrainedModel> from = model_;
  TrainOptions options;
  options.device = device_ == "center" ? "auto" : device_;
  // The weights and the optimizer's state (or, from another engine, the
  // weights alone); the job's epochs raised.
  job_.training.epochs = aisb::continue_training(*from, extra_epochs, options).training.epochs;
  run(std::move(options), false, from.get());
  return true;
}

void Session::play() {
  if (!problem_.empty() || resolving_ || data_missing_) return;
  if (state_ == RunState::paused) {
    active_->resume();
    state_ = RunState::running;
  } else if (state_ == RunState::idle || state_ == RunState::finished) {
    start(false);
  }
}

void Session::pause() {
  if (state_ != RunState::running || remote_run()) return;  // a center's run does not pause
  active_->pause();
  state_ = RunState::paused;
}

void Session::step() {
  if (!problem_.empty() || resolving_ || data_missing_ || (device_ == "center" && remote_)) return;  // nor step
  if (state_ == RunState::idle || state_ == RunState::finished) start(true);
  if (state_ == RunState::running) pause();
  active_->step();
}

void Session::reset() {
  start_from_.reset();
  leave_run();
  if (problem_.empty() && info_.ok) show_weights(initial_weights(info_, job_.training.seed));
}

void Session::leave_run() {
  if (state_ == RunState::running || state_ == RunState::paused) {
    active_->cancel();
    discard_ = true;
  }
  state_ = RunState::idle;
  clear_run();
  model_.reset();
  opened_ = false;
  recorder_.reset();
  checkpoint_.reset();
}

bool Session::set_weight(const std::string& param, size_t index, float value) {
  if (state_ == RunState::running || !problem_.empty()) return false;
  WeightSet w = weights_;
  auto it = std::find_if(w.begin(), w.end(), [&](const NamedTensor& t) { return t.name == param; });
  if (it == w.end() || index >= it->data.size() || !std::isfinite(value)) return false;
  it->data[index] = value;
  leave_run();
  start_from_ = std::make_shared<const WeightSet>(w);
  show_weights(std::move(w));
  return true;
}

bool Session::update() {
  bool changed = false;
  inbox_.clear();
  active_->poll(inbox_);
  if (discard_) {
    inbox_.clear();
    if (!active_->running()) discard_ = false;
  }
  Event* last_snapshot = nullptr;
  bool finished = false;
  for (Event& e : inbox_) {
    changed = true;
    switch (e.type) {
      case EventType::started:
        started_ = e;
        break;
      case EventType::metrics:
        history_.add(e.metrics);
        latest_ = e.metrics;
        steps_ = std::max(steps_, e.metrics.step);
        break;
      case EventType::snapshot:
        // The newest weights (a center's snapshot may carry only the inside).
        if (!e.weights.empty()) last_snapshot = &e;
        if (e.inside) take_inside(*e.inside);
        break;
      case EventType::log:
        logs_.push_back(e);
        break;
      case EventType::done:
        steps_ = e.steps;
        done_ = std::move(e);
        state_ = RunState::finished;
        finished = true;
        break;
    }
  }
  record(inbox_, last_snapshot, finished);
  // Only the newest weights matter: older snapshots of this frame are skipped.
  if (last_snapshot != nullptr) {
    steps_ = std::max(steps_, last_snapshot->step);
    gradients_ = last_snapshot->gradients;
    show_weights(std::move(last_snapshot->weights));
  }
  if (auto d = data_worker_->take(); d && d->ticket == data_ticket_ && data_pending_) {
    data_pending_ = false;
    if (d->resolved) {
      // The file told what the model's inputs and outputs are: the job is
      // checked again with them, and the network gets its starting weights.
      resolving_ = false;
      data_problems_ = std::move(d->problems);
      if (d->facts) {
        job_.dataset = std::move(*d->facts);
        resolved_key_ = data_key(job_, data_folder_);
        check_job();
        if (problem_.empty()) show_weights(initial_weights(info_, job_.training.seed));
      } else {
        problem_ = d->error;
        problem_diag_.reset();
        for (const Diagnostic& p : data_problems_.all()) {
          if (p.severity == Severity::error) {
            problem_diag_ = p;
            break;
          }
        }
      }
    }
    if (problem_.empty() && d->data) {
      data_ = std::move(d->data);
      // A lesson's file read without a preview: what it left out is told here.
      if (data_problems_.all().empty()) data_problems_ = data_->report;
      ++data_version_;
      set_speed(speed_);  // the pace follows the steps an epoch has
      chosen_ = std::clamp<int64_t>(chosen_, 0, std::max<int64_t>(0, data_->test.size() - 1));
      chosen_for_run_->store(chosen_);
      if (state_ == RunState::finished && !inside_.has_probe()) probe_model();
    } else if (problem_.empty()) {
      problem_ = d->error;
      problem_diag_.reset();
    }
    changed = true;
  }
  if (auto probed = probe_worker_->take(); probed && state_ != RunState::running) {
    take_inside(*probed);
    changed = true;
  }
  if (auto maps = grid_worker_->take()) {
    grid_ = std::move(*maps);
    ++grid_version_;
    changed = true;
  }
  return changed;
}

bool Session::handing_over() const {
  return data_worker_->handing_over() || probe_worker_->handing_over() || grid_worker_->handing_over();
}

void Session::settle() {
  data_worker_->drain();
  probe_worker_->drain();
  grid_worker_->drain();
}

}  // namespace aisb::app
