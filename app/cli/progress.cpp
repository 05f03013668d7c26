#include "cli/progress.hpp"

#include <algorithm>

#include "cli/usage.hpp"
#include "core/messages.hpp"

namespace aisb::cli {

std::string format_rate(double r) {
  char buf[32];
  if (r >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", r / 1e6);
  else if (r >= 1e4)
    std::snprintf(buf, sizeof buf, "%.1fk", r / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", r);
  return buf;
}

namespace {

std::string fixed(const char* format, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string optional_fixed(const char* format, const std::optional<double>& v) {
  return v ? fixed(format, *v) : std::string("-");
}

// A goal's threshold or a metric's value: short, and exact enough to compare.
std::string goal_number(double v) {
  return fixed("%.4g", v);
}

// The student-facing text of an event in `lang`.
const std::string& event_message(const Event& e, const std::string& lang) {
  return lang == "ko" && !e.message_ko.empty() ? e.message_ko : e.message;
}

}  // namespace

std::string metric_text(const Metrics& m, const std::string& lang) {
  if (m.test_accuracy) {
    const auto percent = [](const std::optional<double>& v) { return optional_fixed("%.1f%%", v ? *v * 100 : v); };
    return message_text(
        "cli.metrics_classification", lang,
        {fixed("%.4f", m.train_loss), percent(m.train_accuracy), fixed("%.4f", m.test_loss), percent(m.test_accuracy)});
  }
  return message_text("cli.metrics_regression", lang,
                      {fixed("%.4f", m.train_loss), optional_fixed("%.4f", m.train_mae), fixed("%.4f", m.test_loss),
                       optional_fixed("%.4f", m.test_mae), optional_fixed("%.3f", m.test_r2)});
}

std::string describe_goal(const Goal& g, const std::string& lang) {
  const std::string metric = message_text("metric." + g.metric, lang);
  if (g.at_least && g.at_most) {
    return message_text("goal.desc_between", lang, {metric, goal_number(*g.at_least), goal_number(*g.at_most)});
  }
  if (g.at_least) return message_text("goal.desc_at_least", lang, {metric, goal_number(*g.at_least)});
  return message_text("goal.desc_at_most", lang, {metric, goal_number(g.at_most.value_or(0))});
}

std::vector<std::pair<size_t, Goal>> step_goals(const Lesson& lesson) {
  std::vector<std::pair<size_t, Goal>> goals;
  for (size_t i = 0; i < lesson.steps.size(); ++i) {
    if (lesson.steps[i].goal) goals.emplace_back(i, *lesson.steps[i].goal);
  }
  return goals;
}

Progress::Progress(std::FILE* out, bool tty, int epochs, std::string title)
    : out_(out), tty_(tty), epochs_(std::max(1, epochs)), title_(std::move(title)), lang_(language()) {}

void Progress::on_event(const Event& e) {
  switch (e.type) {
    case EventType::started:
      std::fprintf(
          out_, "%s\n",
          message_text("cli.started", lang_,
                       {title_, e.device, e.engine, std::to_string(e.parameters), std::to_string(e.steps_per_epoch)})
              .c_str());
      break;
    case EventType::metrics:
      draw(e.metrics, e.metrics.epoch == epochs_);
      break;
    case EventType::log:
      std::fprintf(out_, "%s%s: %s\n", tty_ && drawn_ ? "\n" : "", e.level.c_str(), event_message(e, lang_).c_str());
      break;
    case EventType::done:
      summary(e);
      break;
    case EventType::snapshot:
      break;
  }
  std::fflush(out_);
}

void Progress::draw(const Metrics& m, bool force) {
  const std::vector<std::string> args = {std::to_string(m.epoch), std::to_string(epochs_), metric_text(m, lang_),
                                         format_rate(m.steps_per_second)};
  if (!tty_) {
    // A log file gets about ten lines, not thousands.
    if (m.epoch >= next_line_epoch_ || force) {
      std::fprintf(out_, "%s\n", message_text("cli.epoch_line", lang_, args).c_str());
      next_line_epoch_ = m.epoch + std::max(1, epochs_ / 10);
    }
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int width = 24;
  const int filled = static_cast<int>(static_cast<double>(width) * m.epoch / epochs_);
  std::string bar;
  for (int i = 0; i < width; ++i) bar += i < filled ? "█" : "░";
  std::fprintf(out_, "\r\033[2K%s %s", bar.c_str(), message_text("cli.bar_line", lang_, args).c_str());
  drawn_ = true;
}

void Progress::summary(const Event& done) {
  if (tty_ && drawn_) std::fputc('\n', out_);
  std::string line;
  if (done.reason == "completed") {
    line = message_text("cli.done", lang_,
                        {std::to_string(done.steps), fixed("%.2f", done.seconds), format_rate(done.steps_per_second)});
  } else {
    const std::string reason =
        find_message("reason." + done.reason) != nullptr ? message_text("reason." + done.reason, lang_) : done.reason;
    line = message_text("cli.stopped", lang_, {reason, std::to_string(done.steps)});
  }
  if (done.has_metrics) {
    line +=
        message_text("cli.final_epoch", lang_, {std::to_string(done.metrics.epoch), metric_text(done.metrics, lang_)});
  }
  std::fprintf(out_, "%s\n", line.c_str());
  if (const std::string& why = event_message(done, lang_); !why.empty()) std::fprintf(out_, "%s\n", why.c_str());
  if (!done.has_metrics) return;
  // The lesson's goals against the final metrics.
  for (const auto& [step, goal] : goals_) {
    const std::optional<double> value = metric_value(done.metrics, goal.metric);
    const std::string shown = value ? goal_number(*value) : message_text("cli.no_value", lang_);
    std::fprintf(out_, "%s\n",
                 message_text(goal_reached(goal, done.metrics) ? "cli.goal_met" : "cli.goal_missed", lang_,
                              {std::to_string(step + 1), describe_goal(goal, lang_), shown})
                     .c_str());
  }
}

}  // namespace aisb::cli
