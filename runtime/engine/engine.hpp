// The engine's public face: train a job and hear about it through events.
// Nothing here includes torch; only the engine's own .cpp files do.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/event.hpp"
#include "core/shape.hpp"
#include "core/spec.hpp"

namespace aisb {

// Which implementation trains: `fast` is the allocation-free CPU path for
// small dense networks, `torch` is libtorch with autograd (every layer type,
// CPU or CUDA). `automatic` picks fast whenever it can.
enum class EnginePath { automatic, fast, torch };

// Where a run stands after an evaluated epoch: enough to carry it on in a new
// process (the worker's checkpoint). On the CPU a resumed run continues
// exactly as the uninterrupted one would have (weights, optimizer state and
// the shuffling order are restored); dropout masks under libtorch are not.
struct Checkpoint {
  int epoch = 0;     // the last epoch done
  int64_t step = 0;  // optimizer steps done
  WeightSet weights;
  WeightSet buffers;      // Net::buffers(): batch norm's running statistics
  std::string optimizer;  // Net::save_state()
};

struct TrainOptions {
  std::string device = "auto";  // auto | cpu | cuda
  EnginePath path = EnginePath::automatic;
  double snapshot_hz = 10.0;   // while training, at most this many snapshots a second; 0 for none
  bool final_snapshot = true;  // a snapshot of the trained weights just before done
  // The inside views (issue 15), with snapshots on: the first snapshot
  // after an evaluation carries the test split's answers and a probe of the
  // chosen test sample (feature maps, outputs, saliency); otherwise a probe
  // rides along a snapshot when a sample is chosen anew, or at most
  // `inside_hz` times a second while probing takes under 5% of the time.
  // 0: none. Training is the same with or without them.
  double inside_hz = 2.0;
  // The test sample to probe, asked before each probe (a view's choice may
  // change while training runs); unset or negative: the first.
  std::function<int64_t()> probe_sample;
  // Start from these weights instead of the seed's (a student edited one in
  // the network view); they must match the model, else the run fails.
  std::shared_ptr<const WeightSet> initial_weights;
  // With them, batch norm's running statistics (a saved model's).
  std::shared_ptr<const WeightSet> initial_buffers;
  // Carry on from a checkpoint: training starts after its epoch (the first
  // metrics event is that epoch's evaluation again).
  std::shared_ptr<const Checkpoint> resume;
  // Called on the training thread after an evaluated epoch, at most once per
  // `checkpoint_seconds` (and after the last epoch), when set.
  std::function<void(const Checkpoint&)> on_checkpoint;
  double checkpoint_seconds = 30.0;
};

// Steers a run from another thread: pause, resume, single steps, cancel.
// The trainer asks wait_turn() before every optimizer step; while running,
// that is one atomic load.
class RunControl {
 public:
  explicit RunControl(bool start_paused = false) : paused_(start_paused) {}
  void pause();
  void resume();
  void step(int count = 1);  // while paused: let `count` more steps run, then pause again
  void cancel();
  // While paused, runs wait_turn's on_block once more (the views want a
  // fresh snapshot: a new sample to probe); nothing while running.
  void refresh();
  // At most this many optimizer steps a second (0: as fast as it can), so a
  // student can watch a small network learn; may change while running. Time
  // spent waiting for the pace counts as blocked, not as training.
  void set_pace(double steps_per_second);
  [[nodiscard]] double pace() const { return pace_.load(); }
  [[nodiscard]] bool paused() const { return paused_.load(); }
  [[nodiscard]] bool cancelled() const { return cancelled_.load(); }

  // Blocks while paused; false once cancelled. `on_block` runs (on the
  // trainer's thread) just before it blocks, so the views get a fresh state.
  bool wait_turn(const std::function<void()>& on_block = {});
  // Seconds spent blocked in wait_turn, excluded from speed figures.
  [[nodiscard]] double blocked_seconds() const { return blocked_seconds_; }

 private:
  std::atomic<bool> paused_;
  std::atomic<bool> cancelled_{false};
  std::atomic<double> pace_{0.0};
  std::chrono::steady_clock::time_point next_due_{};  // the trainer's thread only
  std::mutex mutex_;
  std::condition_variable cv_;
  int pending_steps_ = 0;
  bool refresh_ = false;
  double blocked_seconds_ = 0.0;
};

using EventSink = std::function<void(Event&&)>;

struct RunSummary {
  std::string reason;  // completed | cancelled | diverged | failed
  int64_t steps = 0;
  double seconds = 0.0;
  Metrics last;
  bool has_metrics = false;
  std::string message;
};

// Runs the job to its end on the calling thread. Every event goes to `sink`
// with seq counting from 1; the last is always `done`. Never throws for bad
// input: a job the validator refuses ends as done/failed with the reason.
RunSummary train(const JobSpec& job, const TrainOptions& options, RunControl& control, const EventSink& sink);

// What the linked libtorch offers.
bool cuda_available();
std::string torch_version();
// Whether this build has a libtorch engine at all (the Windows build has
// none: what needs it trains at the compute center). Loads nothing.
bool torch_built();

// "cpu" or "cuda:0" for a requested device; throws std::invalid_argument for
// "cuda" when libtorch has no CUDA, with a message a user understands.
std::string resolve_device(const std::string& requested);

// The parameters torch creates for a model: names and shapes, for tests that
// hold shape inference to torch.
std::vector<std::pair<std::string, Shape>> torch_parameters(const ModelSpec& model, const Shape& input,
                                                            int64_t outputs);

}  // namespace aisb
