// Training a job to its trained-model file in a test, as `aisandbox-cli
// train --model` does: every event and the last checkpoint (with the
// optimizer's state) through a ModelRecorder, on the CPU.
#pragma once

#include "core/trained_model.hpp"
#include "engine/engine.hpp"

namespace aisb::test {

inline TrainedModel train_to_model(const JobSpec& job, RunSummary* summary = nullptr, TrainOptions options = {}) {
  options.device = "cpu";
  options.snapshot_hz = 0;
  options.checkpoint_seconds = 1e9;  // after the last epoch only
  ModelRecorder recorder(job);
  options.on_checkpoint = [&](const Checkpoint& c) {
    recorder.on_checkpoint(c.epoch, c.step, c.weights, c.buffers, c.optimizer);
  };
  RunControl control;
  const RunSummary s = train(job, options, control, [&](Event&& e) { recorder.on_event(e); });
  if (summary != nullptr) *summary = s;
  return recorder.model();
}

}  // namespace aisb::test
