#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/event.hpp"

namespace aisb {
namespace {

Event round_trip(const Event& e) {
  Diagnostics d;
  const std::string text = to_json(e).dump();
  Event back = event_from_json(nlohmann::json::parse(text), d);
  EXPECT_FALSE(d.has_errors()) << d.first_error();
  return back;
}

TEST(Events, EveryTypeRoundTrips) {
  Event started{.type = EventType::started, .seq = 1, .device = "cpu", .parameters = 114, .steps_per_epoch = 25,
                .engine = "fast"};
  EXPECT_EQ(round_trip(started), started);

  Event metrics{.type = EventType::metrics, .seq = 2};
  metrics.metrics = {.epoch = 3, .step = 75, .train_loss = 0.5, .test_loss = 0.625, .elapsed = 0.25,
                     .steps_per_second = 300, .train_accuracy = 0.75, .test_accuracy = 0.5,
                     .confusion = {3, 1, 0, 4}};
  EXPECT_EQ(round_trip(metrics), metrics);
  EXPECT_EQ(to_json(metrics)["confusion"], nlohmann::json::parse("[[3, 1], [0, 4]]"));

  Event regression{.type = EventType::metrics, .seq = 3};
  regression.metrics = {.epoch = 1, .train_mae = 0.25, .test_mae = 0.5, .test_r2 = 0.875};
  EXPECT_EQ(round_trip(regression), regression);

  Event snapshot{.type = EventType::snapshot, .seq = 4, .step = 75};
  snapshot.weights = {{"layers.0.weight", {2, 2}, {1.5f, -2.0f, 0.25f, 0.0f}}, {"layers.0.bias", {2}, {0.5f, 1.0f}}};
  snapshot.gradients = {0.125f, 0.5f};
  EXPECT_EQ(round_trip(snapshot), snapshot);

  Event log{.type = EventType::log, .seq = 5, .level = "warning", .message = "hello", .message_ko = "안녕"};
  EXPECT_EQ(round_trip(log), log);

  Event done{.type = EventType::done, .seq = 6, .reason = "diverged", .steps = 75, .seconds = 0.5,
             .steps_per_second = 150, .has_metrics = true};
  done.metrics = metrics.metrics;
  done.metrics.steps_per_second = 150;
  done.message = "too large";
  EXPECT_EQ(round_trip(done), done);
}

TEST(Events, JsonHasTheFieldsOfTheSpec) {
  Event e{.type = EventType::metrics, .seq = 9};
  e.metrics.test_accuracy = 1.0;
  e.metrics.train_accuracy = 1.0;
  const auto j = to_json(e);
  for (const char* k : {"type", "seq", "epoch", "step", "train_loss", "test_loss", "elapsed", "steps_per_second",
                        "train_accuracy", "test_accuracy"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_FALSE(j.contains("test_mae"));
}

TEST(Events, BadJsonIsReportedNotThrown) {
  Diagnostics d;
  event_from_json(nlohmann::json::parse(R"({"type":"metrics","epoch":"one"})"), d);
  ASSERT_TRUE(d.has_errors());
  EXPECT_EQ(d.all()[0].path, "epoch");
  Diagnostics d2;
  event_from_json(nlohmann::json::parse(R"({"type":"party"})"), d2);
  EXPECT_TRUE(d2.has_errors());
  Diagnostics d3;
  event_from_json(nlohmann::json::parse(R"([1,2])"), d3);
  EXPECT_TRUE(d3.has_errors());
  for (const char* bad : {R"([[1, 2]])", R"([[1, -2], [3, 4]])", R"([[1, 2], [3]])", R"([[1.5]])", R"([])", R"(7)"}) {
    Diagnostics dc;
    event_from_json(nlohmann::json::parse(std::string(R"({"type":"metrics","confusion":)") + bad + "}"), dc);
    ASSERT_TRUE(dc.has_errors()) << bad;
    EXPECT_EQ(dc.all()[0].path, "confusion") << bad;
  }
}

}  // namespace
}  // namespace aisb
