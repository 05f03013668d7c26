// The CSV reader and table builder (data/csv_table.hpp) under libFuzzer:
// every file a student could hand in, then the samples three lessons would
// build from it (a table with default features, a sequence with a group and
// an order, empty cells filled with means). Any crash, hang, leak or
// sanitizer report is a bug; errors in `diags` are the expected answer. The
// replay test (replay.cpp) runs the corpus in csv_corpus/ on every test run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "data/csv_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace aisb;
  Diagnostics diags;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::optional<CsvTable> table = read_csv(bytes, "fuzz.csv", diags);
  if (!table || table->columns.empty()) return 0;
  const CsvColumn& first = table->columns.front();

  DatasetSpec d;
  d.source = "csv:fuzz.csv";
  d.target = first.name;
  build_table(*table, d, suggested_task(first), "fuzz.csv", diags);
  build_table(*table, d, suggested_task(first) == "regression" ? "classification" : "regression", "fuzz.csv", diags);

  DatasetSpec seq = d;
  seq.window = 3;
  seq.horizon = 1 + static_cast<int>(size % 3);
  if (table->columns.size() > 1) seq.group = table->columns[1].name;
  if (table->columns.size() > 2) seq.order = table->columns[2].name;
  build_table(*table, seq, suggested_task(first), "fuzz.csv", diags);

  DatasetSpec mean = d;
  mean.missing = "mean";
  for (size_t c = 1; c < table->columns.size() && c < 4; ++c) mean.features.push_back(table->columns[c].name);
  build_table(*table, mean, suggested_task(first), "fuzz.csv", diags);
  return 0;
}
