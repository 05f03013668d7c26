#include "backend/solution.hpp"

#include <cstdio>

namespace aisb {

bool SolutionReport::all_reached() const {
  for (const auto& g : goals) {
    if (!g.reached) return false;
  }
  return reason == "completed";
}

SolutionReport run_solution(const Lesson& lesson, const TrainOptions& options) {
  SolutionReport report;
  for (size_t i = 0; i < lesson.steps.size(); ++i) {
    if (lesson.steps[i].goal) report.goals.push_back({i, *lesson.steps[i].goal, std::nullopt, false});
  }
  RunControl control;
  train(*lesson.solution, options, control, [&](Event&& e) {
    if (e.type == EventType::done) {
      report.reason = e.reason;
      report.message = e.message;
    }
    if (e.type != EventType::metrics) return;
    for (auto& g : report.goals) {
      const std::optional<double> v = metric_value(e.metrics, g.goal.metric);
      if (!v) continue;
      const bool lower_is_better = !g.goal.at_least && g.goal.at_most;
      if (!g.best || (lower_is_better ? *v < *g.best : *v > *g.best)) g.best = v;
      g.reached = g.reached || goal_reached(g.goal, e.metrics);
    }
  });
  return report;
}

std::string describe_shortfall(const GoalResult& g) {
  char best[32] = "nothing";
  if (g.best) std::snprintf(best, sizeof best, "%.4g", *g.best);
  std::string want;
  char buf[32];
  if (g.goal.at_least) {
    std::snprintf(buf, sizeof buf, "%g", *g.goal.at_least);
    want = std::string("at least ") + buf;
  }
  if (g.goal.at_most) {
    std::snprintf(buf, sizeof buf, "%g", *g.goal.at_most);
    want += (want.empty() ? "at most " : " and at most ") + std::string(buf);
  }
  return "the solution reaches " + g.goal.metric + " " + best + " at best, not " + want;
}

}  // namespace aisb
