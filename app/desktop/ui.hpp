// What every view shares: the string table, fonts, the palette and sizes in
// ems (so the whole UI scales with the zoom setting and the screen's DPI),
// plus a few drawing helpers. Only the UI thread touches any of it.
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

#include "core/spec.hpp"
#include "i18n/strings.hpp"
#include "widgets/colors.hpp"

namespace aisb::ui {

struct Fonts {
  ImFont* body = nullptr;
  ImFont* bold = nullptr;
  ImFont* small = nullptr;
  ImFont* heading = nullptr;
  ImFont* title = nullptr;
  ImFont* mono = nullptr;
  ImFont* number = nullptr;  // the big epoch counter
};

struct Palette {
  ImU32 background, panel, panel_alt, text, muted, border, accent, accent_text, good, bad, warn;
  ImU32 orange, blue;
  ImU32 diverged;  // a run whose loss blew up: neither finished (good) nor broken (bad)
};

struct Context {
  i18n::Strings strings;
  Fonts fonts;
  Palette palette{};
  bool dark = false;
  float zoom = 1.0f;       // the user's setting (large print = 1.25 and up)
  float dpi_scale = 1.0f;  // from the monitor
  float base_px = 17.0f;   // body text at zoom 1, dpi 1
  float fit = 1.0f;        // below 1500x940 (a 1024x768 projector) the UI shrinks, to 0.8 at most
  [[nodiscard]] float em() const { return base_px * zoom * dpi_scale * fit; }
};

Context& ctx();
inline float em(float n = 1.0f) {
  return ctx().em() * n;
}
inline const char* tr(const char* key) {
  return ctx().strings.get(key);
}
std::string trf(const char* key, const std::vector<std::string>& args);
inline const std::string& lang() {
  return ctx().strings.lang();
}

ImU32 rgb(colors::Rgb c, float alpha = 1.0f);
ImVec4 vec(ImU32 c);

// Applies the light or dark theme to ImGui's style, scaled to the em size.
void apply_theme(bool dark, float em_px);

// A rounded panel with a title, filling `size` (0 = remaining space). Panels
// lay themselves out to fit, so they do not scroll unless asked to.
bool begin_panel(const char* id, const char* title, ImVec2 size = ImVec2(0, 0), bool scroll = false);
void end_panel();

// A large call-to-action button in the accent colour.
bool primary_button(const char* label, ImVec2 size = ImVec2(0, 0));
// A round icon button drawn with primitives (no icon font needed).
enum class Icon { play, pause, step, reset, back, next, plus, minus };
bool icon_button(const char* id, Icon icon, float diameter, bool accent = false);

// One of a few choices as a small rounded label, filled when chosen. Pills
// in a row wrap to the next line when the next one would not fit.
bool pill(const char* label, bool chosen, bool first_in_row);

// A box around what is drawn between begin_box and end_box: an outline in
// `color` (with `fill`, a tint of it behind), `pad` em inside. begin_box
// returns the box's outer width; end_box moves below it, `after` em on.
struct Box {
  ImVec2 at;
  float width = 0, pad = 0;
  ImU32 color = 0;
  bool fill = false;
};
Box begin_box(ImU32 color, float pad = 0.8f, bool fill = false);
void end_box(const Box& box, float after = 0.5f);

// Text in a given font and colour.
void text(ImFont* font, ImU32 color, const char* s);
void text_wrapped(ImFont* font, ImU32 color, const char* s);
// A label, then a value right-aligned in the remaining width. With a
// glossary key ("glossary.epoch"), the label explains itself on hover.
void key_value(const char* key, const std::string& value, const char* term = nullptr);
// A figure with its caption above it, in a group (call SameLine between).
void stat(const char* label, const std::string& value, ImU32 color, const char* term = nullptr);
// A short muted caption above a control; with a glossary key, underlined
// with dots and explained on hover.
void caption(const char* s, const char* term = nullptr);
// The glossary's word and definition for `term` ("glossary.loss") as a
// tooltip while the last item is hovered (disabled ones too).
void glossary_tip(const char* term);
// The same tooltip, now (for what is drawn without an item).
void glossary_tooltip(const char* term);
// A dotted underline under the last item: "point at me to learn what I mean".
void dotted_underline();
// A slider as in TensorFlow Playground: a thin track, the part up to the
// value in the accent colour, a round thumb, and no text inside (the value
// is in the caption above), so the thumb never hides a number. True when
// the value changed.
bool slider_int(const char* id, int* value, int lo, int hi, float width);
// A combo whose closed face shows `preview` cut with "…" when it would
// run under the arrow. Pair with EndCombo as ImGui's.
bool begin_combo(const char* id, const char* preview, float width);
// The width a combo needs to show `text` beside its arrow.
float combo_width_for(const char* text);
// A dataset's name for people: the built-in ones from the string table,
// a file source ("csv:data/x.csv") as its path.
std::string dataset_label(const std::string& source);
// A sequence's or table's measurement (column) `index` for people: the
// catalog's names in the student's language, a file's column names as the
// file has them ("x3" where the source names none); and what its regression
// predicts ("" where unnamed).
std::string measure_label(const JobSpec& job, int index);
std::string target_label(const JobSpec& job);
// `s` in `font`, cut at a character and ended with "…" when it is wider
// than `max_width`.
std::string fit_text(const std::string& s, ImFont* font, float max_width);
// Small helper so views read as sentences: "1,234".
std::string thousands(long long v);
std::string fixed(double v, int digits);
// A time per epoch: "0.21 ms", "35.35 ms", "1.25 s", "12 s"; "–" when unknown (0).
std::string epoch_time_label(double seconds);

}  // namespace aisb::ui
