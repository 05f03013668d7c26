// The inside views' data (issue 15) as the trainer makes it: a probe of the
// chosen test sample through every layer, the saliency, the test split's
// answers after each evaluation; training the same with or without them;
// a probe on demand while paused; and the snapshot's inside read back with
// its bounds.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/event.hpp"
#include "data/dataset.hpp"
#include "engine/engine.hpp"
#include "engine/predict.hpp"
#include "support/job_fixtures.hpp"
#include "support/train_to_model.hpp"

namespace aisb {
namespace {

JobSpec steel_job(int epochs) {
  return test::steel_job(
      180, epochs,
      {test::conv(4), test::pool(2), test::conv(8), test::pool(2), test::layer("flatten"), test::dense(16)});
}

JobSpec battery_job(int epochs) {
  JobSpec j;
  j.lesson = "test-battery";
  j.dataset.source = "battery-fade";
  j.dataset.samples = 160;
  j.dataset.test_fraction = 0.25;
  j.dataset.seed = 4;
  j.model.task = "regression";
  j.model.inputs = {};
  j.model.layers = {test::recurrent("lstm", 8), test::dense(8, "tanh")};
  j.training.optimizer = "adam";
  j.training.learning_rate = 0.01;
  j.training.batch_size = 16;
  j.training.epochs = epochs;
  j.training.seed = 1;
  return j;
}

struct Seen {
  RunSummary summary;
  std::vector<Event> events;
  [[nodiscard]] std::vector<const Event*> snapshots() const {
    std::vector<const Event*> out;
    for (const auto& e : events) {
      if (e.type == EventType::snapshot) out.push_back(&e);
    }
    return out;
  }
  [[nodiscard]] const Event* last_snapshot() const {
    const auto s = snapshots();
    return s.empty() ? nullptr : s.back();
  }
};

Seen run(const JobSpec& job, TrainOptions options, RunControl* control = nullptr) {
  Seen r;
  RunControl own;
  std::mutex m;
  r.summary = train(job, options, control != nullptr ? *control : own, [&](Event&& e) {
    const std::lock_guard lock(m);
    r.events.push_back(std::move(e));
  });
  return r;
}

TEST(Inside, AProbeShowsEveryLayerTheSaliencyAndTheAnswersAfterEachEpoch) {
  const JobSpec job = steel_job(3);
  TrainOptions o;
  o.device = "cpu";
  o.snapshot_hz = 1000;
  o.probe_sample = [] { return int64_t{7}; };
  const Seen r = run(job, o);
  ASSERT_EQ(r.summary.reason, "completed") << r.summary.message;
  const Dataset data = make_dataset(job);

  // Every evaluation's answers reach a snapshot, and they agree with the
  // epoch's own accuracy and confusion matrix.
  int answered = 0;
  for (const Event* s : r.snapshots()) {
    if (!s->inside || !s->inside->has_predictions()) continue;
    const Inside& in = *s->inside;
    ASSERT_EQ(static_cast<int64_t>(in.predictions.size()), data.test.size());
    const Metrics* m = nullptr;
    for (const auto& e : r.events) {
      if (e.type == EventType::metrics && e.metrics.epoch == in.epoch) m = &e.metrics;
    }
    ASSERT_NE(m, nullptr) << "epoch " << in.epoch;
    int64_t right = 0;
    std::vector<int64_t> confusion(36, 0);
    for (size_t i = 0; i < in.predictions.size(); ++i) {
      const int p = static_cast<int>(in.predictions[i]), t = static_cast<int>(data.test.y[i]);
      ASSERT_GE(p, 0);
      ASSERT_LT(p, 6);
      right += p == t ? 1 : 0;
      ++confusion[static_cast<size_t>(t * 6 + p)];
    }
    EXPECT_NEAR(static_cast<double>(right) / static_cast<double>(data.test.size()), *m->test_accuracy, 1e-9);
    EXPECT_EQ(confusion, m->confusion);
    ++answered;
  }
  EXPECT_EQ(answered, 4);  // before training and after each of 3 epochs

  // The last snapshot probes sample 7: conv, pool, conv, pool (flatten left
  // out), dense; each map within its channel's range; outputs as the net
  // gives them; the saliency an image with somewhere to look.
  const Event* last = r.last_snapshot();
  ASSERT_TRUE(last != nullptr && last->inside && last->inside->has_probe());
  const Inside& in = *last->inside;
  EXPECT_EQ(in.sample, 7);
  ASSERT_EQ(in.maps.size(), 5U);
  const std::vector<std::vector<int64_t>> shapes = {{4, 64, 64}, {4, 32, 32}, {8, 32, 32}, {8, 16, 16}, {16}};
  const std::vector<int> layers = {0, 1, 2, 3, 5};
  for (size_t i = 0; i < in.maps.size(); ++i) {
    const LayerMap& m = in.maps[i];
    EXPECT_EQ(m.layer, layers[i]);
    EXPECT_EQ(m.shape, shapes[i]);
    const int64_t channels = m.shape.size() == 3 ? m.shape[0] : 1;
    EXPECT_EQ(m.channels_shown, channels);
    EXPECT_EQ(static_cast<int64_t>(m.bytes.size()), shape_elements(m.shape));
    for (size_t c = 0; c < m.lo.size(); ++c) EXPECT_LE(m.lo[c], m.hi[c]);
  }
  // ReLU after a convolution: nothing below zero.
  for (float lo : in.maps[0].lo) EXPECT_GE(lo, 0.0f);
  ASSERT_EQ(in.outputs.size(), 6U);
  EXPECT_EQ(in.klass, static_cast<int>(std::max_element(in.outputs.begin(), in.outputs.end()) - in.outputs.begin()));
  ASSERT_EQ(in.saliency_shape, (std::vector<int64_t>{64, 64}));
  ASSERT_EQ(in.saliency.size(), 64U * 64U);
  int bright = 0;
  for (char c : in.saliency) bright += static_cast<uint8_t>(c) > 64 ? 1 : 0;
  EXPECT_GT(bright, 0);
  EXPECT_LT(bright, 64 * 64);  // it looks somewhere, not everywhere
  EXPECT_EQ(*std::max_element(in.saliency.begin(), in.saliency.end(),
                              [](char a, char b) { return static_cast<uint8_t>(a) < static_cast<uint8_t>(b); }),
            static_cast<char>(255));

  // The same probe from the trained model (the app's, after a run): equal
  // outputs and maps.
  const TrainedModel model = test::train_to_model(job);
  Predictor predictor(model);
  const Inside again = predictor.probe(data.test.x.data() + 7 * data.features, 7);
  EXPECT_EQ(again.outputs, in.outputs);
  EXPECT_EQ(again.maps, in.maps);
  EXPECT_EQ(again.saliency, in.saliency);
}

TEST(Inside, TrainingIsTheSameWithOrWithoutTheViews) {
  for (const JobSpec& job : {steel_job(2), test::xor_job(5)}) {  // libtorch, and the fast path
    TrainOptions with, without;
    with.device = without.device = "cpu";
    with.snapshot_hz = 1000;
    with.inside_hz = 1000;
    int64_t turn = 0;
    with.probe_sample = [&turn] { return turn++ % 13; };  // a new sample at every look
    without.snapshot_hz = 1000;
    without.inside_hz = 0;
    const Seen a = run(job, with), b = run(job, without);
    ASSERT_EQ(a.summary.reason, "completed");
    ASSERT_EQ(b.summary.reason, "completed");
    ASSERT_TRUE(a.last_snapshot() && b.last_snapshot());
    EXPECT_EQ(a.last_snapshot()->weights, b.last_snapshot()->weights) << job.dataset.source;
    EXPECT_EQ(a.summary.last.test_loss, b.summary.last.test_loss);
    EXPECT_FALSE(b.last_snapshot()->inside.has_value());
    int probes = 0;
    for (const Event* s : a.snapshots()) probes += s->inside && s->inside->has_probe() ? 1 : 0;
    // A new sample at every look is probed at every snapshot.
    EXPECT_EQ(probes, static_cast<int>(a.snapshots().size())) << job.dataset.source;
    EXPECT_GE(probes, 2);
  }
}

TEST(Inside, ASequenceRunAnswersInTheDataUnitsAndHasNoMapsOfPixels) {
  const JobSpec job = battery_job(3);
  TrainOptions o;
  o.device = "cpu";
  o.snapshot_hz = 1000;
  const Seen r = run(job, o);
  ASSERT_EQ(r.summary.reason, "completed") << r.summary.message;
  const Dataset data = make_dataset(job);
  const Event* last = r.last_snapshot();
  ASSERT_TRUE(last != nullptr && last->inside && last->inside->has_predictions());
  const Inside& in = *last->inside;
  EXPECT_EQ(in.epoch, 3);
  ASSERT_EQ(static_cast<int64_t>(in.predictions.size()), data.test.size());
  // The MAE of the answers against the truth, in the data's units, is the run's.
  const Standardization& st = data.standardization;
  double abs = 0;
  for (size_t i = 0; i < in.predictions.size(); ++i) {
    abs += std::fabs(in.predictions[i] - (data.test.y[i] * st.target_scale + st.target_mean));
  }
  EXPECT_NEAR(abs / static_cast<double>(in.predictions.size()), *r.summary.last.test_mae,
              1e-4 * std::max(1.0, *r.summary.last.test_mae));
  EXPECT_TRUE(in.saliency.empty());
  ASSERT_TRUE(in.has_probe());
  ASSERT_EQ(in.maps.size(), 2U);  // the LSTM's last state and the dense layer
  EXPECT_EQ(in.maps[0].shape, (std::vector<int64_t>{8}));
}

TEST(Inside, APausedRunProbesANewChoiceAtOnce) {
  const JobSpec job = steel_job(2);
  std::atomic<int64_t> chosen{0};
  TrainOptions o;
  o.device = "cpu";
  o.snapshot_hz = 5;
  o.probe_sample = [&chosen] { return chosen.load(); };
  RunControl control(/*start_paused=*/true);
  std::mutex m;
  std::vector<int64_t> probed;
  std::thread trainer([&] {
    train(job, o, control, [&](Event&& e) {
      const std::lock_guard lock(m);
      if (e.type == EventType::snapshot && e.inside && e.inside->has_probe()) probed.push_back(e.inside->sample);
    });
  });
  const auto wait_for = [&](int64_t sample) {
    for (int i = 0; i < 2000; ++i) {
      {
        const std::lock_guard lock(m);
        if (!probed.empty() && probed.back() == sample) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };
  EXPECT_TRUE(wait_for(0));
  chosen = 11;
  control.refresh();
  EXPECT_TRUE(wait_for(11));
  chosen = 3;
  control.refresh();
  EXPECT_TRUE(wait_for(3));
  control.cancel();
  trainer.join();
}

TEST(Inside, ASnapshotsInsideReadsBackAndItsBoundsHold) {
  const JobSpec job = steel_job(1);
  TrainOptions o;
  o.device = "cpu";
  o.snapshot_hz = 1000;
  const Seen r = run(job, o);
  const Event* last = r.last_snapshot();
  ASSERT_TRUE(last != nullptr && last->inside);
  const nlohmann::json j = to_json(*last);
  Diagnostics diags;
  const Event back = event_from_json(nlohmann::json::parse(j.dump()), diags);
  EXPECT_FALSE(diags.has_errors()) << diags.first_error();
  ASSERT_TRUE(back.inside);
  EXPECT_EQ(back.inside->maps, last->inside->maps);
  EXPECT_EQ(back.inside->saliency, last->inside->saliency);
  EXPECT_EQ(back.inside->predictions, last->inside->predictions);

  // Someone else's stream: every lie is an error at its key path, not a crash.
  const auto refused = [&](const std::function<void(nlohmann::json&)>& lie, const std::string& where) {
    nlohmann::json bad = j;
    lie(bad);
    Diagnostics d;
    (void)event_from_json(bad, d);
    EXPECT_TRUE(d.has_errors()) << where;
    EXPECT_NE(d.first_error().find(where), std::string::npos) << d.first_error();
  };
  refused([](auto& b) { b["inside"]["maps"][0]["data"] = "AAAA"; }, "inside.maps[0]");
  refused([](auto& b) { b["inside"]["maps"][0]["shape"] = {100000, 64, 64}; }, "inside.maps[0]");
  refused([](auto& b) { b["inside"]["maps"][0]["channels_shown"] = 100; }, "inside.maps[0]");
  refused([](auto& b) { b["inside"]["maps"][0]["lo"] = {1}; }, "inside.maps[0]");
  refused([](auto& b) { b["inside"]["saliency"]["shape"] = {1024, 1024}; }, "inside.saliency");
  refused([](auto& b) { b["inside"]["predictions"]["values"] = std::vector<float>(3000, 1.0f); }, "inside.predictions");
  refused([](auto& b) { b["inside"]["outputs"] = {"x"}; }, "inside.outputs");
  refused([](auto& b) { b["inside"]["sample"] = -5; }, "inside.sample");
  refused(
      [](auto& b) {
        const nlohmann::json one = b["inside"]["maps"][4];
        for (int i = 0; i < 80; ++i) b["inside"]["maps"].push_back(one);
      },
      "inside.maps");
}

}  // namespace
}  // namespace aisb
