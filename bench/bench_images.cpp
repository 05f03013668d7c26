// `bench_images FOLDER HEIGHT WIDTH CHANNELS [THREADS]`: lists a photo
// folder (one subfolder per class) and decodes and resizes every image as a
// lesson's `source = "images:FOLDER"` would, then prints one JSON line:
// {"seconds": S, "images": N, "threads": T}. bench/images.py runs it against
// the same work in Python with PIL. THREADS 0 (the default): one per core.
// What it does not trust: its arguments (a bad one is a usage message).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "data/image_folder.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: bench_images FOLDER HEIGHT WIDTH CHANNELS [THREADS]\n";
    return 2;
  }
  int height = 0, width = 0, channels = 0, threads = 0;
  try {
    height = std::stoi(argv[2]);
    width = std::stoi(argv[3]);
    channels = std::stoi(argv[4]);
    if (argc > 5) threads = std::stoi(argv[5]);
  } catch (const std::exception&) {
    std::cerr << "bench_images: HEIGHT, WIDTH, CHANNELS and THREADS are whole numbers\n";
    return 2;
  }
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  const auto start = std::chrono::steady_clock::now();
  aisb::Diagnostics diags;
  const auto listing = aisb::list_images(argv[1], "bench", diags);
  std::optional<aisb::Images> images;
  if (listing) images = aisb::read_images(argv[1], *listing, height, width, channels, "bench", diags, threads);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const aisb::Diagnostic& d : diags.all()) std::cerr << aisb::describe_diagnostic(d, "en") << "\n";
  if (!images) return 1;
  std::printf("{\"seconds\": %.3f, \"images\": %zu, \"threads\": %d}\n", seconds, images->size(), threads);
  return 0;
}
