// One training session as the app's views see it: the job being edited, its
// data, the run (through a Backend, on another thread) and everything the
// views draw from it (curves, the latest weights, decision maps). The UI
// thread calls update() once per frame; nothing here blocks or touches the
// UI, so GoogleTest drives it without a window.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/backend.hpp"
#include "core/diagnostics.hpp"
#include "core/shape.hpp"
#include "core/spec.hpp"
#include "core/trained_model.hpp"
#include "data/dataset.hpp"
#include "engine/grid.hpp"

namespace aisb::app {

enum class RunState { idle, running, paused, finished };

// The curves: one entry per evaluated epoch.
struct History {
  std::vector<float> epoch, train_loss, test_loss;
  // accuracy for classification, mean absolute error for regression
  std::vector<float> train_score, test_score;
  void clear();
  // A point for m.epoch; points from that epoch on are replaced (a run that
  // goes on from a trained model evaluates its last epoch again).
  void add(const Metrics& m);
  [[nodiscard]] size_t size() const { return epoch.size(); }
};

class GridWorker;
template <class In, class Out>
class LatestWorker;
struct DataRequest;
struct DataResult;
struct ProbeRequest;

class Session {
 public:
  Session();  // trains on this computer
  explicit Session(std::unique_ptr<Backend> backend);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // A new job: validated, its data generated, the run reset to its start.
  void load(const JobSpec& job);
  // A changed job from the controls: the same, but the data is regenerated
  // only when the dataset changed.
  void apply(const JobSpec& job);
  [[nodiscard]] const JobSpec& job() const { return job_; }

  // Where a job's csv: and images: paths start: the lesson's folder, or the
  // folder of a file the student dropped. Set it before load() or apply().
  // A file source is read (data/user_data.hpp, resolve_data) on the data
  // worker whenever what its facts depend on changed (the file, the folder,
  // the columns, the target, the task); a job whose facts are filled in
  // already (load_lesson's) is taken as it is.
  void set_data_folder(std::filesystem::path folder) { data_folder_ = std::move(folder); }
  [[nodiscard]] const std::filesystem::path& data_folder() const { return data_folder_; }
  // True while the job's file is being read: the model's shape waits for its
  // columns or classes, and play() waits too.
  [[nodiscard]] bool resolving() const { return resolving_; }
  // What reading the job's file found: errors (the first is problem()) and
  // warnings (rows left out, photos that could not be read), with data
  // places in `where`. Empty for generated data.
  [[nodiscard]] const Diagnostics& data_problems() const { return data_problems_; }

  // The first problem the validator found (with its key path), or empty.
  [[nodiscard]] const std::string& problem() const { return problem_; }
  // The same in the student's language ("ko" or "en"), as the app shows it.
  [[nodiscard]] std::string problem_in(std::string_view lang) const;
  [[nodiscard]] bool valid() const { return problem_.empty(); }
  [[nodiscard]] const ModelInfo& info() const { return info_; }
  // The job's data, for the views. 2-D point sets are made at once; images
  // and sequences on a worker thread (the compute-center lesson's took 1.4 s),
  // and until they are ready data() is null and preparing_data() true. (A
  // run makes its own data on its own thread.)
  [[nodiscard]] const Dataset* data() const { return data_ ? &*data_ : nullptr; }
  [[nodiscard]] bool preparing_data() const { return data_pending_; }
  // A request to one of the session's workers waits to be handed over by the
  // next update() (latest_worker.hpp).
  [[nodiscard]] bool handing_over() const;
  // Counts each new dataset, so views redraw what they drew from the data.
  [[nodiscard]] uint64_t data_version() const { return data_version_; }
  [[nodiscard]] int64_t steps_per_epoch() const;
  // Before a run: a guess from the model's size; during one: measured.
  [[nodiscard]] double seconds_per_epoch() const;

  // Where runs happen: "auto", "cpu", "cuda" (this computer) or "center"
  // (the backend given to set_remote; this computer when there is none).
  void set_device(const std::string& device) { device_ = device; }
  void set_remote(std::unique_ptr<Backend> remote);
  [[nodiscard]] bool has_remote() const { return remote_ != nullptr; }
  // Shows a run already at the center (after the app restarted): the job's
  // spec is loaded, then its events replay from the first.
  bool attach(const JobSpec& job, const std::string& job_id);
  // True while the run on screen happens at the center.
  [[nodiscard]] bool remote_run() const { return active_ == remote_.get() && remote_ != nullptr; }
  [[nodiscard]] const std::string& device() const { return device_; }
  // Whether training here goes through libtorch (else the fast CPU path).
  [[nodiscard]] bool needs_torch() const;
  // Epochs a second to show (0: as fast as the computer can).
  void set_speed(double epochs_per_second);
  [[nodiscard]] double speed() const { return speed_; }

  void play();  // from the start when idle or finished; else resumes
  void pause();
  void step();   // one optimizer step (starting paused when idle)
  void reset();  // back to the starting weights, curves cleared
  // Sets one weight (element `index` of the tensor `param`) while nothing is
  // training; the next run starts from the weights as they are then, and a
  // paused or finished run is left behind (its curves cleared). False when
  // training runs or there is no such weight.
  bool set_weight(const std::string& param, size_t index, float value);
  // True when the next run starts from edited weights, not the seed's.
  [[nodiscard]] bool edited() const { return start_from_ != nullptr; }

  // Takes the events that arrived; true when anything the views show changed.
  bool update();
  [[nodiscard]] RunState state() const { return state_; }
  [[nodiscard]] const History& history() const { return history_; }
  [[nodiscard]] const std::optional<Metrics>& latest() const { return latest_; }
  [[nodiscard]] const WeightSet& weights() const { return weights_; }
  // Counts each new set of weights (views redraw what they drew from them).
  [[nodiscard]] uint64_t weights_version() const { return weights_version_; }
  [[nodiscard]] const std::vector<float>& gradients() const { return gradients_; }
  [[nodiscard]] int64_t steps() const { return steps_; }
  [[nodiscard]] const std::optional<Event>& started() const { return started_; }
  [[nodiscard]] const std::optional<Event>& done() const { return done_; }
  [[nodiscard]] const std::vector<Event>& logs() const { return logs_; }

  // The trained model (issue 14): the weights, curves and where training
  // stood, of the last run that finished here (on this computer or at the
  // center) or of a model opened from a file. Null before a run ends, while
  // one goes, and after anything changes the network.
  [[nodiscard]] const std::shared_ptr<const TrainedModel>& trained_model() const { return model_; }
  // Shows a trained model as at the end of its run: its job, its weights,
  // its curves and last metrics (the confusion matrix among them); the state
  // is `finished`. A file source's data is looked for in `data_folder` (the
  // lesson's folder, or the model file's); where it is not, the model still
  // shows and answers, without data (data_missing()), and cannot train.
  // False (with problem()) when the model's job does not validate here.
  bool open_model(std::shared_ptr<const TrainedModel> model, const std::filesystem::path& data_folder = {});
  // True while what is on screen is a model opened (from a file, the
  // center, a lesson's weights) rather than a run trained here: a lesson's
  // goal is not reached by opening it.
  [[nodiscard]] bool opened_model() const { return opened_; }
  // True while the open model's own data file is not on this computer.
  [[nodiscard]] bool data_missing() const { return data_missing_; }
  // Trains the trained model `extra_epochs` more, on this computer, from its
  // weights and optimizer state: the curves go on from where they were, and
  // the result equals one longer run (engine/predict.hpp). False when there
  // is nothing to continue (can_continue()).
  bool continue_training(int extra_epochs);
  [[nodiscard]] bool can_continue() const;

  // The inside views (issue 15): the test sample they show (an index into
  // the test split), and what the run said last of it (its maps, outputs and
  // saliency) and of the whole test split (its answers after an epoch). A
  // run probes a new choice at once, paused too; a finished run or an
  // opened model is probed on a worker thread from the trained model.
  void choose_sample(int64_t test_index);
  // A cell of the confusion matrix: chooses the next test sample after the
  // chosen one (round to the start) whose true class is `truth` and that
  // the last answers called `said`; false (nothing chosen) when none is.
  bool choose_next(int truth, int said);
  [[nodiscard]] int64_t chosen_sample() const { return chosen_; }
  [[nodiscard]] const Inside& inside() const { return inside_; }
  // Count each new probe (the maps, the saliency) and each new set of test
  // answers, so views redraw what they drew from them.
  [[nodiscard]] uint64_t probe_version() const { return probe_version_; }
  [[nodiscard]] uint64_t answers_version() const { return answers_version_; }

  // Decision maps of the latest weights (2-D dense networks), computed on a
  // worker thread; the version counts each new set of maps.
  [[nodiscard]] bool grid_supported() const { return grid_supported_; }
  [[nodiscard]] const GridMaps& grid() const { return grid_; }
  [[nodiscard]] uint64_t grid_version() const { return grid_version_; }
  // Blocks until the data and the maps of the latest weights are computed;
  // the next update() takes them (tests, screenshots).
  void settle();
  // Called from worker threads when something new waits for update(), so the
  // UI can wake from an idle wait.
  void set_wake(std::function<void()> wake);

 private:
  void rebuild(bool regenerate_data);
  void check_job();  // validates job_: problem_, info_, the starting weights
  void show_weights(WeightSet weights);
  void start(bool paused);
  // Starts a run with `options`; `from` (a trained model to go on from)
  // keeps the curves and the recorder's history.
  void run(TrainOptions options, bool paused, const TrainedModel* from);
  // Feeds this frame's events to the run's recorder; a finished run becomes
  // the trained model.
  void record(const std::vector<Event>& events, const Event* snapshot, bool done);
  void leave_run();                    // cancels a run still going; clears what it showed
  void clear_run();                    // forgets the curves, metrics and events of the last run
  void take_inside(const Inside& in);  // what a snapshot or a probe said
  void probe_model();                  // the chosen sample through the trained model, on the worker

  std::unique_ptr<Backend> backend_;  // this computer
  std::unique_ptr<Backend> remote_;   // the compute center, when the app has one
  Backend* active_ = nullptr;         // the one the run on screen uses
  std::unique_ptr<GridWorker> grid_worker_;
  std::unique_ptr<LatestWorker<DataRequest, DataResult>> data_worker_;
  uint64_t data_ticket_ = 0;  // the newest data request; older results are dropped
  bool data_pending_ = false;
  JobSpec job_;
  std::filesystem::path data_folder_;
  std::string resolved_key_;  // what the job's file facts were read for (data_key)
  bool resolving_ = false;
  Diagnostics data_problems_;
  std::optional<Diagnostic> problem_diag_;  // problem_, to be said in the student's language
  std::string problem_;
  ModelInfo info_;
  std::optional<Dataset> data_;
  uint64_t data_version_ = 0;
  std::shared_ptr<const WeightSet> start_from_;  // edited starting weights
  std::string device_ = "auto";
  double speed_ = 0.0;
  RunState state_ = RunState::idle;
  bool discard_ = false;  // events of a cancelled run still in the queue
  History history_;
  std::optional<Metrics> latest_;
  WeightSet weights_;
  uint64_t weights_version_ = 0;
  std::vector<float> gradients_;
  int64_t steps_ = 0;
  std::optional<Event> started_, done_;
  std::vector<Event> logs_;
  std::vector<Event> inbox_;
  bool grid_supported_ = false;
  GridMaps grid_;
  uint64_t grid_version_ = 0;
  std::function<void()> wake_;
  // The trained model: recorded from the run's events and, for its
  // optimizer state, the engine's last checkpoint (handed over from the
  // training thread through `checkpoint_`).
  struct CheckpointSlot;
  std::shared_ptr<CheckpointSlot> checkpoint_;
  std::optional<ModelRecorder> recorder_;
  std::shared_ptr<const TrainedModel> model_;
  bool data_missing_ = false;
  bool opened_ = false;
  int64_t chosen_ = 0;
  std::shared_ptr<std::atomic<int64_t>> chosen_for_run_ = std::make_shared<std::atomic<int64_t>>(0);
  Inside inside_;
  uint64_t probe_version_ = 0;
  uint64_t answers_version_ = 0;
  std::unique_ptr<LatestWorker<ProbeRequest, Inside>> probe_worker_;
};

const char* to_string(RunState s);

}  // namespace aisb::app
