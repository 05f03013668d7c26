#include <gtest/gtest.h>

#include "backend/backend.hpp"
#include "support/job_fixtures.hpp"

namespace aisb {
namespace {

// Drains events until `done` (or a generous deadline).
std::vector<Event> drain(Backend& b) {
  std::vector<Event> events;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    b.wait(std::chrono::milliseconds(50));
    b.poll(events);
    if (!events.empty() && events.back().type == EventType::done) break;
  }
  return events;
}

TEST(LocalBackend, RunsOnItsOwnThreadAndQueuesEvents) {
  LocalBackend b;
  EXPECT_FALSE(b.running());
  b.start(test::xor_job(10), {});
  const auto events = drain(b);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().type, EventType::started);
  EXPECT_EQ(events.back().reason, "completed");
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, i + 1);
  EXPECT_FALSE(b.running());
}

TEST(LocalBackend, SameMetricsAsTheEngineCalledDirectly) {
  const JobSpec job = test::xor_job(5);
  std::vector<Event> direct;
  RunControl control;
  train(job, {}, control, [&](Event&& e) { direct.push_back(std::move(e)); });
  LocalBackend b;
  b.start(job, {});
  const auto queued = drain(b);
  std::vector<double> a, c;
  for (const auto& e : direct) {
    if (e.type == EventType::metrics) a.push_back(e.metrics.test_loss);
  }
  for (const auto& e : queued) {
    if (e.type == EventType::metrics) c.push_back(e.metrics.test_loss);
  }
  EXPECT_EQ(a, c);
}

TEST(LocalBackend, PauseStepResume) {
  LocalBackend b;
  b.start(test::xor_job(2), {.snapshot_hz = 0}, /*start_paused=*/true);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<Event> events;
  b.poll(events);
  for (const auto& e : events) EXPECT_NE(e.type, EventType::done);
  EXPECT_TRUE(b.running());
  b.step();
  b.resume();
  events = drain(b);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().reason, "completed");
  EXPECT_EQ(events.back().steps, 20);
}

TEST(LocalBackend, CancelAndRestart) {
  LocalBackend b;
  b.start(test::xor_job(100000), {});
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  b.cancel();
  auto events = drain(b);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().reason, "cancelled");
  // A new run starts with a fresh event stream.
  b.start(test::xor_job(2), {});
  events = drain(b);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().seq, 1u);
  EXPECT_EQ(events.back().reason, "completed");
}

TEST(LocalBackend, StartingAgainCancelsTheRunningOne) {
  LocalBackend b;
  b.start(test::xor_job(100000), {});
  b.start(test::xor_job(1), {});
  const auto events = drain(b);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().seq, 1u);
  EXPECT_EQ(events.back().reason, "completed");
  EXPECT_EQ(events.back().steps, 10);
}

TEST(LocalBackend, DestroyingARunningBackendStopsIt) {
  auto b = std::make_unique<LocalBackend>();
  b->start(test::xor_job(100000), {});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  b.reset();  // must not hang or crash
  SUCCEED();
}

}  // namespace
}  // namespace aisb
