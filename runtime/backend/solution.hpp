// Running a lesson's [solution] and holding it to the lesson's goals: the
// checker warns about a goal no solution reaches, and `make test` trains every
// shipped lesson's solution.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "lesson/lesson.hpp"

namespace aisb {

struct GoalResult {
  size_t step = 0;  // index into lesson.steps
  Goal goal;
  std::optional<double> best;  // the best value the run reached (max for at_least, min for at_most)
  bool reached = false;        // at some evaluated epoch
};

struct SolutionReport {
  std::string reason;   // the run's done reason
  std::string message;  // its message, if any
  std::vector<GoalResult> goals;
  [[nodiscard]] bool all_reached() const;
};

// Trains lesson.solution (which must be set) on the calling thread.
SolutionReport run_solution(const Lesson& lesson,
                            const TrainOptions& options = {.snapshot_hz = 0, .final_snapshot = false});

// "reaches test_accuracy 0.91 at best, not at least 0.95"
std::string describe_shortfall(const GoalResult& g);

}  // namespace aisb
