// aisandbox: the desktop app (SPEC.md section 1). Thin: parse the command
// line, open the window, run frames until closed (or, with --screenshot,
// until the frame to save).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/utf8_args.hpp"
#include "desktop/app.hpp"
#include "desktop/platform.hpp"
#include "engine/engine.hpp"

namespace {

bool has_display() {
#ifdef _WIN32
  return true;  // a Windows session always has its desktop
#endif
  for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY"}) {
    const char* d = std::getenv(v);
    if (d != nullptr && *d != '\0') return true;
  }
  return false;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const auto t0 = std::chrono::steady_clock::now();
  aisb::cli::Utf8Args utf8(argc, argv);  // UTF-8 on Windows too
  argc = utf8.argc();
  argv = utf8.argv();
  CLI::App cli{"AI Sandbox: build small neural networks and watch them learn", "aisandbox"};
  cli.allow_windows_style_options(false);  // on Windows too: "/path/to/x" is a path, not an option
  // A callback: asking libtorch for its version loads it, which only --version should pay for.
  cli.set_version_flag("--version", [] {
    return std::string("aisandbox ") + AISB_VERSION + "\nlibtorch " + aisb::torch_version() +
           (aisb::cuda_available() ? ", CUDA usable" : ", CPU only (no usable GPU)");
  });
  aisb::ui::AppOptions o;
  std::string screenshot, size = "1600x1000", stats, theme = "light";
  int frames = 0;
  cli.add_option("--lesson", o.lesson, "Open this lesson file (else the lesson browser)")
      ->check(aisb::cli::existing_file);
  cli.add_option("--edit", o.edit, "Open this lesson file in the authoring view (TOML beside the live lesson)")
      ->check(aisb::cli::existing_file);
  cli.add_option("--lessons", o.lessons, "Offer the lessons and courses in this folder (e.g. a teacher's own)")
      ->check(aisb::cli::existing_dir);
  cli.add_option("--lang", o.lang, "Language: ko or en (default: from the locale)")->check(CLI::IsMember({"ko", "en"}));
  cli.add_flag("--autoplay", o.autoplay, "Start training at once");
  cli.add_option("--step", o.step,
                 "With --lesson: open it at this step (1 is the first), with the view and sample the step names")
      ->check(CLI::Range(1, 1000));
  cli.add_option("--device", o.device,
                 "Where to train: auto, cpu, cuda, or center (the compute center you logged in to)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda", "center"}));
  cli.add_option("--open", o.open,
                 "Open a panel at start: center (log in, your runs), class (a teacher's class view; roster or "
                 "class-lessons: on that pane), glossary, data (the playground's \"Use my own data\"), try (\"Try "
                 "it\" on the trained network), models (\"Open a trained model\"), keep (save or export the "
                 "trained model), save (\"Save as lesson\") or about (version, libtorch, licences)")
      ->check(CLI::IsMember({"center", "class", "roster", "class-lessons", "glossary", "data", "try", "models", "keep",
                             "save", "about"}));
  cli.add_flag("--playground", o.playground, "Open the free playground");
  cli.add_option("--data", o.data,
                 "Use my own data: a CSV file or a folder of photos (one folder per class), as if dropped on the "
                 "window; its preview opens (with --autoplay: the network trains on it)")
      ->check(aisb::cli::existing_path);
  cli.add_option("--model", o.model,
                 "Open this trained-model file (.aimodel, from aisandbox-cli train --model or the app's Save): "
                 "the network, its curves and its views as at the end of its run, ready to try and to train on")
      ->check(aisb::cli::existing_file);
  cli.add_option("--try-draw", o.try_draw,
                 "For tests and demos: draw these strokes on the \"Try it\" canvas once it shows: points \"x,y\" "
                 "in the picture's pixels apart by spaces, strokes apart by ';' (with --open try)");
  std::string speed = "normal";
  cli.add_option("--speed", speed, "How fast training runs: slow, normal, fast or max (as fast as it can)")
      ->check(CLI::IsMember({"slow", "normal", "fast", "max"}));
  cli.add_option("--theme", theme, "light (for projectors) or dark")->check(CLI::IsMember({"light", "dark"}));
  cli.add_option("--zoom", o.zoom, "Text size, 1 = normal, 1.5 = large print")->check(CLI::Range(0.75f, 2.0f));
  cli.add_option("--screenshot", screenshot, "Render --frames frames, save the last as PNG, exit");
  cli.add_option("--frames", frames, "Frames to render before --screenshot (default 120)")
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--size", size, "Window size WxH (default 1600x1000)");
  cli.add_option("--stats", stats, "Write frame-time statistics (JSON) here at exit, for bench/");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  int width = 0, height = 0;
  if (std::sscanf(size.c_str(), "%dx%d", &width, &height) != 2 || width < 320 || height < 240 || width > 8192 ||
      height > 8192) {
    std::cerr << "aisandbox: --size: expected WxH between 320x240 and 8192x8192, got '" << size << "'\n";
    return 2;
  }
  o.dark = theme == "dark";
  o.speed = speed == "slow" ? 0 : speed == "normal" ? 1 : speed == "fast" ? 2 : 3;
  if (!screenshot.empty() && frames == 0) frames = 120;
  if (!has_display()) {
    std::cerr << "aisandbox: there is no display here (DISPLAY is not set).\n"
                 "  Train in the terminal instead:  aisandbox-cli train LESSON.toml\n"
                 "  or draw off-screen under Xvfb:   xvfb-run aisandbox --screenshot out.png\n";
    return 3;
  }

  try {
    aisb::ui::Platform platform({.width = width, .height = height});
    platform.set_ignore_mouse(!screenshot.empty());
    const double window_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    aisb::ui::App app(platform, o);
    const double app_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!app.startup_error().empty()) std::cerr << "aisandbox: " << app.startup_error() << "\n";
    std::vector<double> frame_ms, draw_ms;
    double first_frame_ms = 0;
    int frame = 0;
    while (platform.begin_frame(app.busy() || frames > 0)) {
      const auto f0 = std::chrono::steady_clock::now();
      app.draw();
      draw_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - f0).count());
      ++frame;
      const bool last = frames > 0 && frame >= frames;
      if (last && !stats.empty()) platform.verify_next_frame();
      platform.end_frame(last ? screenshot : std::string());
      const auto f1 = std::chrono::steady_clock::now();
      // The frame times are those of the running app: not the first frame
      // (the start, first_frame_ms) nor a last one drawn twice and read
      // back to check the partial redraw.
      if (frame > 1 && !(last && !stats.empty())) {
        frame_ms.push_back(std::chrono::duration<double, std::milli>(f1 - f0).count());
      }
      if (frame == 1) first_frame_ms = std::chrono::duration<double, std::milli>(f1 - t0).count();
      if (last) break;
    }
    if (!stats.empty()) {
      const auto& done = app.session().done();
      const auto& latest = app.session().latest();
      std::ofstream out(aisb::path_of_utf8(stats));
      out << "{\"frames\": " << frame_ms.size() << ", \"window_ms\": " << window_ms << ", \"app_ms\": " << app_ms
          << ", \"first_frame_ms\": " << first_frame_ms << ", \"frame_ms_p50\": " << percentile(frame_ms, 0.5)
          << ", \"frame_ms_p99\": " << percentile(frame_ms, 0.99) << ", \"frame_ms_max\": " << percentile(frame_ms, 1.0)
          << ", \"draw_ms_p50\": " << percentile(draw_ms, 0.5) << ", \"draw_ms_p99\": " << percentile(draw_ms, 0.99)
          << ", \"steps_per_second\": "
          << (done     ? done->steps_per_second
              : latest ? latest->steps_per_second
                       : 0.0)
          << ", \"partial_redraw\": " << (platform.partial_redraw() ? "true" : "false")
          << ", \"redraw_mismatch_px\": " << platform.redraw_mismatch() << ", \"state\": \""
          << aisb::app::to_string(app.session().state()) << "\"";
      // What "Try it" shows, to be held to a Predictor of the test's own.
      if (const aisb::ui::TryReport t = app.try_report(); t.open) {
        nlohmann::json j = {{"answered", t.answered},     {"input", t.input},
                            {"canvas", t.canvas},         {"class", t.klass},
                            {"class_name", t.class_name}, {"probabilities", t.probabilities},
                            {"value", t.value},           {"script_done", t.script_done}};
        out << ", \"try\": " << j.dump();
      }
      out << ", \"inside\": " << app.inside_report().dump();
      out << "}\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "aisandbox: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
