#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "engine/engine.hpp"
#include "support/job_fixtures.hpp"

namespace aisb {
namespace {

std::vector<Event> run(const JobSpec& job, TrainOptions options = {}, RunControl* control = nullptr) {
  RunControl own;
  std::vector<Event> events;
  train(job, options, control != nullptr ? *control : own, [&](Event&& e) { events.push_back(std::move(e)); });
  return events;
}

std::vector<Metrics> metrics_of(const std::vector<Event>& events) {
  std::vector<Metrics> out;
  for (const auto& e : events) {
    if (e.type == EventType::metrics) {
      Metrics m = e.metrics;
      m.elapsed = 0;  // wall time is the only thing allowed to differ
      m.steps_per_second = 0;
      out.push_back(m);
    }
  }
  return out;
}

void expect_well_formed(const std::vector<Event>& events) {
  ASSERT_FALSE(events.empty());
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, i + 1);
  EXPECT_EQ(events.back().type, EventType::done);
  for (size_t i = 0; i + 1 < events.size(); ++i) EXPECT_NE(events[i].type, EventType::done);
}

class BothPaths : public ::testing::TestWithParam<EnginePath> {
 protected:
  TrainOptions options() const {
    TrainOptions o;
    o.path = GetParam();
    o.device = "cpu";
    return o;
  }
};

TEST_P(BothPaths, EventsFollowTheSpec) {
  const auto events = run(test::xor_job(5), options());
  expect_well_formed(events);
  EXPECT_EQ(events[0].type, EventType::started);
  EXPECT_EQ(events[0].device, "cpu");
  EXPECT_EQ(events[0].parameters, 114);
  EXPECT_EQ(events[0].steps_per_epoch, 10);
  EXPECT_EQ(events[0].engine, GetParam() == EnginePath::fast ? "fast" : "torch");
  const auto m = metrics_of(events);
  ASSERT_EQ(m.size(), 6u);  // epoch 0 (the untrained network) and 5 epochs
  EXPECT_EQ(m.back().epoch, 5);
  EXPECT_EQ(m.back().step, 50);
  EXPECT_TRUE(m.back().test_accuracy && m.back().train_accuracy);
  EXPECT_FALSE(m.back().test_mae);
  const Event& done = events.back();
  EXPECT_EQ(done.reason, "completed");
  EXPECT_EQ(done.steps, 50);
  EXPECT_GT(done.steps_per_second, 0);
  EXPECT_TRUE(done.has_metrics);
}

TEST_P(BothPaths, DeterministicOnCpu) {
  const JobSpec job = test::xor_job(8);
  const auto a = metrics_of(run(job, options()));
  const auto b = metrics_of(run(job, options()));
  ASSERT_EQ(a.size(), 9u);
  EXPECT_EQ(a, b);  // bit for bit
  JobSpec other = job;
  other.training.seed = 99;
  EXPECT_NE(metrics_of(run(other, options())), a);
}

TEST_P(BothPaths, Learns) {
  const auto m = metrics_of(run(test::xor_job(60), options()));
  EXPECT_LT(m.back().train_loss, m.front().train_loss / 2);
  EXPECT_GE(*m.back().test_accuracy, 0.9);
}

TEST_P(BothPaths, ConfusionMatrixCountsTheTestSplit) {
  const auto events = run(test::xor_job(20), options());
  const Metrics* last = nullptr;
  for (const auto& e : events)
    if (e.type == EventType::metrics) last = &e.metrics;
  ASSERT_NE(last, nullptr);
  ASSERT_EQ(last->confusion.size(), 4u);  // two classes
  int64_t total = 0, diagonal = last->confusion[0] + last->confusion[3];
  for (const int64_t c : last->confusion) total += c;
  EXPECT_EQ(total, 100);  // xor_job: 200 samples, half for testing
  EXPECT_NEAR(static_cast<double>(diagonal) / static_cast<double>(total), *last->test_accuracy, 1e-9);
}

TEST_P(BothPaths, RegressionMetrics) {
  const auto m = metrics_of(run(test::plane_job(20), options()));
  ASSERT_FALSE(m.empty());
  EXPECT_TRUE(m.back().test_mae && m.back().train_mae && m.back().test_r2);
  EXPECT_FALSE(m.back().test_accuracy);
  EXPECT_GT(*m.back().test_r2, 0.8);
}

TEST_P(BothPaths, DivergesWithAStudentMessage) {
  JobSpec job = test::plane_job(50);
  job.model.layers = {{.type = "dense", .units = 8, .activation = "linear"}};
  job.training.learning_rate = 10;
  const auto events = run(job, options());
  expect_well_formed(events);
  const Event& done = events.back();
  EXPECT_EQ(done.reason, "diverged");
  EXPECT_NE(done.message.find("learning rate (10)"), std::string::npos) << done.message;
  EXPECT_NE(done.message.find("try a smaller one, such as 1"), std::string::npos) << done.message;
  EXPECT_NE(done.message_ko.find("학습률"), std::string::npos);
  EXPECT_LT(done.steps, 50 * 10);
}

TEST_P(BothPaths, CancelStopsAtOnce) {
  RunControl control;
  control.cancel();
  const auto events = run(test::xor_job(5), options(), &control);
  expect_well_formed(events);
  EXPECT_EQ(events.back().reason, "cancelled");
  EXPECT_EQ(events.back().steps, 0);
}

TEST_P(BothPaths, CancelFromAnotherThread) {
  RunControl control;
  std::vector<Event> events;
  std::thread t([&] {
    train(test::xor_job(100000), options(), control, [&](Event&& e) {
      if (e.type == EventType::metrics && e.metrics.epoch == 3) control.cancel();
      events.push_back(std::move(e));
    });
  });
  t.join();
  expect_well_formed(events);
  EXPECT_EQ(events.back().reason, "cancelled");
  EXPECT_EQ(events.back().metrics.epoch, 3);
}

INSTANTIATE_TEST_SUITE_P(Engine, BothPaths, ::testing::Values(EnginePath::fast, EnginePath::torch),
                         [](const auto& info) { return info.param == EnginePath::fast ? "fast" : "torch"; });

TEST(Trainer, PausedRunsTakeSingleSteps) {
  RunControl control(true);
  std::vector<Event> events;
  std::mutex m;
  std::thread t([&] {
    train(test::xor_job(1), {.snapshot_hz = 1000}, control, [&](Event&& e) {
      std::lock_guard lock(m);
      events.push_back(std::move(e));
    });
  });
  const auto last_snapshot_step = [&]() -> int64_t {
    std::lock_guard lock(m);
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->type == EventType::snapshot) return it->step;
    }
    return -1;
  };
  const auto wait_for = [&](int64_t step) {
    for (int i = 0; i < 500 && last_snapshot_step() != step; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return last_snapshot_step();
  };
  EXPECT_EQ(wait_for(0), 0);  // paused before the first step, with a snapshot to draw
  control.step();
  EXPECT_EQ(wait_for(1), 1);
  control.step(3);
  EXPECT_EQ(wait_for(4), 4);
  control.resume();
  t.join();
  EXPECT_EQ(events.back().reason, "completed");
  EXPECT_EQ(events.back().steps, 10);
}

TEST(Trainer, SnapshotsAreRateLimited) {
  TrainOptions o;
  o.snapshot_hz = 10;
  const auto events = run(test::xor_job(300), o);
  int snapshots = 0;
  for (const auto& e : events) snapshots += e.type == EventType::snapshot;
  const double seconds = events.back().seconds;
  EXPECT_GE(snapshots, 2);  // the start and the end
  EXPECT_LE(snapshots, 10 * seconds + 3);
  const Event* last = nullptr;
  for (const auto& e : events) {
    if (e.type == EventType::snapshot) last = &e;
  }
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->step, events.back().steps);  // the trained weights come last
  ASSERT_EQ(last->weights.size(), 6u);
  ASSERT_EQ(last->gradients.size(), 6u);  // the per-layer learning view
  for (float g : last->gradients) EXPECT_GT(g, 0.0f);
  EXPECT_EQ(last->weights[0].name, "layers.0.weight");
  EXPECT_EQ(last->weights[0].shape, (std::vector<int64_t>{8, 2}));
}

TEST(Trainer, InvalidJobsFailWithAReason) {
  JobSpec job = test::xor_job();
  job.model.layers[0].units = 0;
  const auto events = run(job);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason, "failed");
  EXPECT_NE(events[0].message.find("model.layers[0].units"), std::string::npos);
}

TEST(Trainer, FastEngineRefusesWhatItCannotRun) {
  JobSpec job = test::xor_job();
  job.model.layers.push_back({.type = "dropout", .rate = 0.2});
  const auto events = run(job, {.path = EnginePath::fast});
  EXPECT_EQ(events.back().reason, "failed");
  // and automatic picks torch for it
  const auto auto_events = run(job, {.device = "cpu"});
  EXPECT_EQ(auto_events.front().engine, "torch");
  EXPECT_EQ(auto_events.back().reason, "completed");
}

TEST(Trainer, DeviceChoice) {
  EXPECT_EQ(resolve_device("cpu"), "cpu");
  EXPECT_THROW(resolve_device("tpu"), std::invalid_argument);
  if (!cuda_available()) {
    EXPECT_EQ(resolve_device("auto"), "cpu");
    EXPECT_THROW(resolve_device("cuda"), std::invalid_argument);
    const auto events = run(test::xor_job(), {.device = "cuda"});
    EXPECT_EQ(events.back().reason, "failed");
    EXPECT_NE(events.back().message.find("GPU"), std::string::npos);
  } else {
    EXPECT_EQ(resolve_device("cuda"), "cuda:0");
    const auto events = run(test::xor_job(5), {.device = "cuda"});
    EXPECT_EQ(events.front().device, "cuda:0");
    EXPECT_EQ(events.back().reason, "completed");
  }
}

}  // namespace
TEST(Trainer, PaceHoldsTheStepRateAndCanBeLifted) {
  // xor_job: 100 training samples, batch 10 -> 10 steps an epoch.
  RunControl control;
  control.set_pace(400);  // 40 epochs a second
  std::vector<Event> events;
  const auto t0 = std::chrono::steady_clock::now();
  train(test::xor_job(10), {.snapshot_hz = 0}, control, [&](Event&& e) { events.push_back(std::move(e)); });
  const double paced = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(events.back().reason, "completed");
  EXPECT_EQ(events.back().steps, 100);
  EXPECT_GE(paced, 0.2);  // 100 steps at 400 a second take at least 0.25 s
  EXPECT_GT(events.back().steps_per_second, 400.0);  // waiting for the pace is not training time

  // Lifting the pace mid-run lets the rest go at full speed.
  RunControl lifted;
  lifted.set_pace(1);  // one step a second: 10000 epochs would take days
  std::vector<Event> more;
  std::thread t([&] {
    train(test::xor_job(10000), {.snapshot_hz = 0}, lifted, [&](Event&& e) { more.push_back(std::move(e)); });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  lifted.set_pace(0);
  t.join();
  EXPECT_EQ(more.back().reason, "completed");
  EXPECT_EQ(more.back().steps, 100000);
}

TEST_P(BothPaths, AResumedRunGoesOnExactlyAsTheUninterruptedOne) {
  // Adam, so the optimizer's state matters; checkpoints after every epoch.
  JobSpec job = test::xor_job(8);
  job.training.optimizer = "adam";
  job.training.learning_rate = 0.01;
  std::vector<Checkpoint> checkpoints;
  TrainOptions o = options();
  o.checkpoint_seconds = 0;
  o.on_checkpoint = [&](const Checkpoint& c) { checkpoints.push_back(c); };
  const auto whole = run(job, o);
  ASSERT_EQ(whole.back().reason, "completed");
  ASSERT_EQ(checkpoints.size(), 8u);
  EXPECT_EQ(checkpoints[2].epoch, 3);
  EXPECT_EQ(checkpoints[2].step, 30);

  TrainOptions r = options();
  r.resume = std::make_shared<const Checkpoint>(checkpoints[2]);
  const auto resumed = run(job, r);
  ASSERT_EQ(resumed.back().reason, "completed");
  std::vector<Metrics> a, b;
  for (const auto& e : whole)
    if (e.type == EventType::metrics && e.metrics.epoch >= 3) a.push_back(e.metrics);
  for (const auto& e : resumed)
    if (e.type == EventType::metrics) b.push_back(e.metrics);
  ASSERT_EQ(a.size(), b.size());  // epochs 3 (again) to 8
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].step, b[i].step);
    EXPECT_NEAR(a[i].train_loss, b[i].train_loss, 1e-6) << "epoch " << a[i].epoch;
    EXPECT_NEAR(a[i].test_loss, b[i].test_loss, 1e-6) << "epoch " << a[i].epoch;
  }
  EXPECT_EQ(resumed.back().steps, 80);
  // A checkpoint of another engine or of another model is refused.
  Checkpoint bad = checkpoints[2];
  bad.optimizer = "garbage";
  r.resume = std::make_shared<const Checkpoint>(bad);
  EXPECT_EQ(run(job, r).back().reason, "failed");
}

TEST_P(BothPaths, StartsFromGivenWeights) {
  // The final weights of one run, given as the start of another, continue
  // from there: the first evaluation of the second matches the last of the first.
  const auto first = run(test::xor_job(5), options());
  WeightSet trained;
  Metrics last;
  for (const auto& e : first) {
    if (e.type == EventType::snapshot) trained = e.weights;
    if (e.type == EventType::metrics) last = e.metrics;
  }
  TrainOptions o = options();
  o.initial_weights = std::make_shared<const WeightSet>(trained);
  const auto second = run(test::xor_job(1), o);
  ASSERT_EQ(second.back().reason, "completed");
  const Event* m0 = nullptr;
  for (const auto& e : second)
    if (e.type == EventType::metrics && m0 == nullptr) m0 = &e;
  ASSERT_NE(m0, nullptr);
  EXPECT_NEAR(m0->metrics.train_loss, last.train_loss, 1e-5);
  EXPECT_NEAR(m0->metrics.test_loss, last.test_loss, 1e-5);
  // Weights of another shape are refused with a reason.
  trained.pop_back();
  o.initial_weights = std::make_shared<const WeightSet>(trained);
  const auto bad = run(test::xor_job(1), o);
  EXPECT_EQ(bad.back().reason, "failed");
  EXPECT_NE(bad.back().message.find("starting weights"), std::string::npos);
}

}  // namespace aisb
