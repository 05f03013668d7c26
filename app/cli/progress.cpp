#include "cli/progress.hpp"

#include <algorithm>

namespace aisb::cli {

std::string format_rate(double r) {
  char buf[32];
  if (r >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", r / 1e6);
  else if (r >= 1e4) std::snprintf(buf, sizeof buf, "%.1fk", r / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", r);
  return buf;
}

namespace {

std::string metric_text(const Metrics& m) {
  char buf[160];
  if (m.test_accuracy) {
    std::snprintf(buf, sizeof buf, "loss %.4f / %.4f  accuracy %.1f%% / %.1f%%", m.train_loss, m.test_loss,
                  100.0 * m.train_accuracy.value_or(0), 100.0 * *m.test_accuracy);
  } else {
    std::snprintf(buf, sizeof buf, "loss %.4f / %.4f  MAE %.4f  R² %.3f", m.train_loss, m.test_loss,
                  m.test_mae.value_or(0), m.test_r2.value_or(0));
  }
  return buf;
}

}  // namespace

Progress::Progress(std::FILE* out, bool tty, int epochs, std::string title)
    : out_(out), tty_(tty), epochs_(std::max(1, epochs)), title_(std::move(title)) {}

void Progress::on_event(const Event& e) {
  switch (e.type) {
    case EventType::started:
      std::fprintf(out_, "%s: training on %s (%s engine), %lld parameters, %lld steps per epoch\n", title_.c_str(),
                   e.device.c_str(), e.engine.c_str(), static_cast<long long>(e.parameters),
                   static_cast<long long>(e.steps_per_epoch));
      break;
    case EventType::metrics: draw(e.metrics, e.metrics.epoch == epochs_); break;
    case EventType::log: std::fprintf(out_, "%s%s: %s\n", tty_ && drawn_ ? "\n" : "", e.level.c_str(), e.message.c_str()); break;
    case EventType::done: summary(e); break;
    case EventType::snapshot: break;
  }
  std::fflush(out_);
}

void Progress::draw(const Metrics& m, bool force) {
  if (!tty_) {
    // A log file gets about ten lines, not thousands.
    if (m.epoch >= next_line_epoch_ || force) {
      std::fprintf(out_, "epoch %d/%d  %s  %s steps/s\n", m.epoch, epochs_, metric_text(m).c_str(),
                   format_rate(m.steps_per_second).c_str());
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
  std::fprintf(out_, "\r\033[2K%s %d/%d  %s  %s steps/s", bar.c_str(), m.epoch, epochs_, metric_text(m).c_str(),
               format_rate(m.steps_per_second).c_str());
  drawn_ = true;
}

void Progress::summary(const Event& done) {
  if (tty_ && drawn_) std::fputc('\n', out_);
  if (done.reason == "completed") {
    std::fprintf(out_, "done: %lld steps in %.2f s (%s steps/s)", static_cast<long long>(done.steps), done.seconds,
                 format_rate(done.steps_per_second).c_str());
  } else {
    std::fprintf(out_, "%s after %lld steps", done.reason.c_str(), static_cast<long long>(done.steps));
  }
  if (done.has_metrics) std::fprintf(out_, " | epoch %d: %s", done.metrics.epoch, metric_text(done.metrics).c_str());
  std::fputc('\n', out_);
  if (!done.message.empty()) std::fprintf(out_, "%s\n", done.message.c_str());
}

}  // namespace aisb::cli
