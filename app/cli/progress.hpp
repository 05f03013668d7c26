// The human view of a run in a terminal: a live progress bar on a TTY, a few
// plain lines otherwise, and a final summary.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "core/event.hpp"

namespace aisb::cli {

class Progress {
 public:
  Progress(std::FILE* out, bool tty, int epochs, std::string title);
  void on_event(const Event& e);

 private:
  void draw(const Metrics& m, bool force);
  void summary(const Event& done);

  std::FILE* out_;
  bool tty_;
  int epochs_;
  std::string title_;
  bool drawn_ = false;
  int next_line_epoch_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

std::string format_rate(double steps_per_second);

}  // namespace aisb::cli
