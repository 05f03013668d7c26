// Our own widgets, drawn with ImGui's draw lists (Debian has no ImPlot): a
// line plot with nice ticks, autofit, log-y, a legend that toggles series,
// a hover readout and min/max decimation; per-layer bars; a confusion-style
// grid. Their arithmetic lives in widgets/ (UI-free, tested).
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

namespace aisb::ui {

struct Series {
  std::string name;
  const std::vector<float>* x = nullptr;  // null: 0, 1, 2, ...
  const std::vector<float>* y = nullptr;
  ImU32 color = 0;
  bool* visible = nullptr;  // the legend toggles it; null: always shown
  bool secondary = false;   // drawn thinner and lighter
};

struct PlotOptions {
  bool log_y = false;
  bool legend = true;
  const char* x_label = nullptr;  // under the tick row, at its right end
  int digits = 3;                 // in the hover readout
  bool whole_x = false;           // x counts something (epochs, time steps): ticks at whole numbers only
  const char* y_label = nullptr;  // what the y axis measures, with its unit: above the tick column
};

void line_plot(const char* id, const std::vector<Series>& series, ImVec2 size, const PlotOptions& options = {});

// Horizontal bars, one per label, scaled to the largest value; values shown.
void bars(const char* id, const std::vector<std::string>& labels, const std::vector<float>& values, ImU32 color,
          float width);

}  // namespace aisb::ui
