// The trained-model reader (core/trained_model.hpp) under libFuzzer: any
// file a classmate or a website could hand a student as ".aimodel". Any
// crash, hang, leak or sanitizer report is a bug; errors in `diags` are the
// expected answer. A file the reader accepts must write back to a file that
// reads to the same model. The replay test runs model_corpus/ every time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/trained_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace aisb;
  Diagnostics diags;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const TrainedModel m = read_trained_model(text, diags);
  if (diags.has_errors()) return 0;
  Diagnostics again;
  const TrainedModel back = read_trained_model(model_file_text(m), again);
  if (again.has_errors() || !(back.weights == m.weights) || !(back.buffers == m.buffers) || !(back.job == m.job)) {
    std::abort();  // a model that does not survive its own round trip
  }
  return 0;
}
