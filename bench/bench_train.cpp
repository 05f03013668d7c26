// Training speed of the engine on the playground network, as the CLI and the
// app run it (train + test evaluation after every epoch, events included).
// Prints one JSON object; bench/run.sh compares it with the peers.
//
//   bench_train [--epochs N] [--repeat R] [--dump-data FILE]
//   bench_train --job JOB.json --dump-raw DIR
//   bench_train --job JOB.json --inside R
// The second form writes a job's data set as raw float32 files and meta.json,
// so that bench/peer_torch_job.py trains a peer on exactly the same samples.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/job_reader.hpp"
#include "data/dataset.hpp"
#include "engine/engine.hpp"

namespace {

using namespace aisb;

// The network of the issue: xor, 2-8-8 tanh, SGD, batch 10.
JobSpec playground_job(int epochs) {
  JobSpec j;
  j.lesson = "bench-xor";
  j.dataset = {.source = "xor", .samples = 500, .noise = 0.0, .test_fraction = 0.5, .seed = 1};
  j.model.task = "classification";
  j.model.inputs = {"x1", "x2"};
  j.model.layers = {{.type = "dense", .units = 8, .activation = "tanh"},
                    {.type = "dense", .units = 8, .activation = "tanh"}};
  j.training = {.optimizer = "sgd", .learning_rate = 0.03, .batch_size = 10, .epochs = epochs, .seed = 1};
  return j;
}

struct Measure {
  double steps_per_second = 0;
  double test_accuracy = 0;
  int snapshots = 0;
};

Measure measure(const JobSpec& job, EnginePath path, double snapshot_hz, int repeat, double inside_hz = 0) {
  Measure best;
  for (int r = 0; r < repeat; ++r) {
    RunControl control;
    std::vector<Event> queue;  // what a UI queue would hold
    queue.reserve(1024);
    Measure m;
    TrainOptions o{.device = "cpu", .path = path, .snapshot_hz = snapshot_hz, .final_snapshot = false};
    o.inside_hz = inside_hz;
    int64_t turn = 0;
    o.probe_sample = [&turn] { return turn++ / 50; };  // a student clicking through samples now and then
    train(job, o, control, [&](Event&& e) {
      if (e.type == EventType::snapshot) ++m.snapshots;
      if (e.type == EventType::done) {
        m.steps_per_second = e.steps_per_second;
        m.test_accuracy = e.metrics.test_accuracy.value_or(0);
      }
      if (queue.size() == queue.capacity()) queue.clear();  // the UI drains once per frame
      queue.push_back(std::move(e));
    });
    if (m.steps_per_second > best.steps_per_second) best = m;
  }
  return best;
}

void dump_data(const JobSpec& job, const std::string& file) {
  const Dataset d = make_dataset(job);
  const nlohmann::json j = {{"train_x", d.train.x},
                            {"train_y", d.train.y},
                            {"test_x", d.test.x},
                            {"test_y", d.test.y},
                            {"features", d.features}};
  std::ofstream(file) << j.dump();
}

void write_floats(const std::string& file, const std::vector<float>& v) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  if (!out) throw std::runtime_error("cannot write " + file);
}

int dump_raw(const std::string& job_file, const std::string& dir) {
  Diagnostics diags;
  const JobSpec job = read_job(nlohmann::json::parse(std::ifstream(job_file)), diags);
  if (diags.has_errors()) {
    std::fprintf(stderr, "%s: not a valid job spec\n", job_file.c_str());
    return 1;
  }
  const Dataset d = make_dataset(job);
  write_floats(dir + "/train_x.f32", d.train.x);
  write_floats(dir + "/train_y.f32", d.train.y);
  write_floats(dir + "/test_x.f32", d.test.x);
  write_floats(dir + "/test_y.f32", d.test.y);
  const nlohmann::json meta = {{"input_shape", d.input_shape},
                               {"outputs", d.outputs},
                               {"classification", d.classification},
                               {"train", d.train.size()},
                               {"test", d.test.size()}};
  std::ofstream(dir + "/meta.json") << meta.dump();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 2000, repeat = 3, inside = 0;
  std::string dump, job_file, raw_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--job")) job_file = argv[i + 1];
    if (!std::strcmp(argv[i], "--dump-raw")) raw_dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--epochs"))
      epochs = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--repeat"))
      repeat = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--inside"))
      inside = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--dump-data"))
      dump = argv[i + 1];
  }
  if (!job_file.empty() && !raw_dir.empty()) return dump_raw(job_file, raw_dir);
  if (!job_file.empty() && inside > 0) {
    // The inside views' cost: the app's 10 snapshots a second, with and
    // without probes and test answers, runs interleaved, best of each.
    Diagnostics diags;
    const JobSpec job = read_job(nlohmann::json::parse(std::ifstream(job_file)), diags);
    if (diags.has_errors()) return 1;
    Measure with, without;
    for (int r = 0; r < inside; ++r) {
      // Each goes first every other time: the first run of a pair warms what the second finds warm.
      const Measure a = r % 2 == 0 ? measure(job, EnginePath::automatic, 10, 1, 0) : Measure{};
      const Measure b = measure(job, EnginePath::automatic, 10, 1, 2);
      const Measure a2 = r % 2 == 1 ? measure(job, EnginePath::automatic, 10, 1, 0) : a;
      if (a2.steps_per_second > without.steps_per_second) without = a2;
      if (b.steps_per_second > with.steps_per_second) with = b;
    }
    std::printf("%s\n", nlohmann::json{{"without_steps_per_second", without.steps_per_second},
                                       {"with_steps_per_second", with.steps_per_second}}
                            .dump()
                            .c_str());
    return 0;
  }
  if (!dump.empty()) {
    dump_data(playground_job(1), dump);
    return 0;
  }
  const JobSpec fast_job = playground_job(epochs);
  const JobSpec torch_job = playground_job(std::max(1, epochs / 10));
  const Measure fast = measure(fast_job, EnginePath::automatic, 0, repeat);
  const Measure fast_snap = measure(fast_job, EnginePath::automatic, 10, repeat);
  const Measure torch = measure(torch_job, EnginePath::torch, 0, repeat);
  const nlohmann::json out = {{"fast_steps_per_second", fast.steps_per_second},
                              {"fast_test_accuracy", fast.test_accuracy},
                              {"fast_snapshots10_steps_per_second", fast_snap.steps_per_second},
                              {"fast_snapshots10_count", fast_snap.snapshots},
                              {"torch_steps_per_second", torch.steps_per_second},
                              {"torch_test_accuracy", torch.test_accuracy},
                              {"torch_version", torch_version()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
