// libFuzzer target: the lesson reader (toml++ and our conversion), the one
// validator, shape inference, and the JSON readers of jobs and events. Any
// bytes must give diagnostics, never a crash, a hang or unbounded memory; and
// whatever the reader accepts must survive a JSON round trip unchanged.
//
// Built with clang (-DAISB_FUZZ=ON, see docs/fuzzing.md); tests/fuzz/replay.cpp
// runs the same function over the corpus in every `make test`.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event.hpp"
#include "core/job_reader.hpp"
#include "core/json_text.hpp"
#include "lesson/lesson.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace aisb;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const LessonResult r = parse_lesson(text, "fuzz.toml");
  (void)format_diagnostics(r, "fuzz.toml");
  if (r.ok()) {
    Diagnostics d;
    const JobSpec back = read_job(to_json(r.lesson.job), d);
    if (d.has_errors() || !(back == r.lesson.job)) std::abort();  // accepted once, accepted always
    Diagnostics shape;
    (void)describe_model(back, shape);
  }

  // As every program reads JSON from elsewhere: depth-bounded first.
  const auto j = parse_json(text);
  if (!j.is_discarded()) {
    Diagnostics d;
    (void)read_job(j, d);
    Diagnostics e;
    (void)event_from_json(j, e);
  }
  return 0;
}
