// bench_csv FILE TARGET [WINDOW]: how long a CSV takes to become samples and
// how much memory that needs, for bench/csv.py (issue 13's targets: under a
// second and under 3x the file's size for 100,000 rows x 20 columns). Reads
// the file, parses it (read_csv), builds the samples with default features
// (build_table; a sequence when WINDOW is given) and computes each input's
// mean and standard deviation, as standardisation would. Prints one JSON
// line. Peak memory is the process's high-water mark (VmHWM) minus its
// resident size before the file was read, so the file's own bytes count.
#include <sys/resource.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "data/csv_table.hpp"

namespace {

// A field of /proc/self/status, in bytes.
long long status_bytes(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string k = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(k, 0) == 0) return std::atoll(line.c_str() + k.size()) * 1024;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_csv FILE TARGET [WINDOW]\n");
    return 2;
  }
  using clock = std::chrono::steady_clock;
  const long long baseline = status_bytes("VmRSS");
  const auto t0 = clock::now();
  std::string bytes;
  {
    std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
    bytes.resize(static_cast<size_t>(in.tellg()));
    in.seekg(0);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  const auto file_bytes = static_cast<long long>(bytes.size());
  aisb::Diagnostics diags;
  const auto t1 = clock::now();
  std::optional<aisb::CsvTable> table = aisb::read_csv(bytes, argv[1], diags);
  const auto t2 = clock::now();
  if (!table) {
    std::fprintf(stderr, "%s\n", diags.first_error().c_str());
    return 1;
  }
  aisb::DatasetSpec d;
  d.source = std::string("csv:") + argv[1];
  d.target = argv[2];
  d.window = argc > 3 ? std::atoi(argv[3]) : 0;
  const aisb::CsvColumn* target = table->column(d.target);
  const std::string task = target ? aisb::suggested_task(*target) : "regression";
  // The file's bytes stay alive through the build, as in a loader that
  // hashes and parses one buffer: the measured peak is the worse case.
  std::optional<aisb::TableData> data = aisb::build_table(*table, d, task, argv[1], diags);
  if (!data) {
    std::fprintf(stderr, "%s\n", diags.first_error().c_str());
    return 1;
  }
  const auto t3 = clock::now();
  const size_t width = data->inputs.size();
  std::vector<double> mean(width, 0.0), sq(width, 0.0);
  const size_t values = data->x.size();
  for (size_t i = 0; i < values; ++i) mean[i % width] += data->x[i];
  const double per = static_cast<double>(values / width);
  for (double& m : mean) m /= per;
  for (size_t i = 0; i < values; ++i) {
    const double e = data->x[i] - mean[i % width];
    sq[i % width] += e * e;
  }
  double std_sum = 0;
  for (double s : sq) std_sum += std::sqrt(s / per);
  const auto t4 = clock::now();
  const long long peak = status_bytes("VmHWM") - baseline;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf(
      "{\"file_bytes\": %lld, \"seconds\": %.4f, \"cpu_seconds\": %.4f, \"load_seconds\": %.4f, \"read_seconds\": "
      "%.4f, "
      "\"build_seconds\": %.4f, \"standardise_seconds\": %.4f, \"peak_rss_bytes\": %lld, \"baseline_rss_bytes\": %lld, "
      "\"peak_ratio\": %.3f, \"rows\": %lld, \"columns\": %zu, \"samples\": %lld, \"inputs\": %zu, \"task\": \"%s\", "
      "\"encoding\": \"%s\", \"dropped_rows\": %lld, \"std_sum\": %.6g}\n",
      file_bytes, secs(t0, t4), cpu, secs(t0, t1), secs(t1, t2), secs(t2, t3), secs(t3, t4), peak, baseline,
      static_cast<double>(peak) / static_cast<double>(file_bytes), static_cast<long long>(table->rows()),
      table->columns.size(), static_cast<long long>(data->samples()), width, task.c_str(), table->encoding.c_str(),
      static_cast<long long>(data->dropped_rows), std_sum);
  return 0;
}
