// The human view of a run in a terminal: a live progress bar on a TTY, a few
// plain lines otherwise, and a final summary that says which numbers are the
// training data's and which the test data's, and whether each of the
// lesson's goals is met. In the CLI's language (usage.hpp).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/event.hpp"
#include "lesson/lesson.hpp"

namespace aisb::cli {

class Progress {
 public:
  Progress(std::FILE* out, bool tty, int epochs, std::string title);
  // The lesson's step goals (step index, goal): the summary says for each
  // whether the final metrics meet it.
  void set_goals(std::vector<std::pair<size_t, Goal>> goals) { goals_ = std::move(goals); }
  void on_event(const Event& e);

 private:
  void draw(const Metrics& m, bool force);
  void summary(const Event& done);

  std::FILE* out_;
  bool tty_;
  int epochs_;
  std::string title_;
  std::string lang_;
  std::vector<std::pair<size_t, Goal>> goals_;
  bool drawn_ = false;
  int next_line_epoch_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

std::string format_rate(double steps_per_second);
// "training loss 0.0047, accuracy 99.0% | test loss 0.0071, accuracy 98.6%" in `lang`.
std::string metric_text(const Metrics& m, const std::string& lang);
// "test accuracy at least 0.95" in `lang`.
std::string describe_goal(const Goal& g, const std::string& lang);
// Every step goal of `lesson`, for Progress::set_goals.
std::vector<std::pair<size_t, Goal>> step_goals(const Lesson& lesson);

}  // namespace aisb::cli
