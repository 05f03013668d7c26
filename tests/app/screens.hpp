// What the tests that draw real frames share: a virtual X server (Xvfb,
// Mesa's software OpenGL) for the whole test program, and reading back the
// PNG the app saved. Register the server once per test program:
//   const auto* const kX = ::testing::AddGlobalTestEnvironment(new aisb::test::XServer);
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <stb_image.h>

namespace aisb::test {

// One Xvfb for the whole suite; it picks a free display itself.
class XServer : public ::testing::Environment {
 public:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      const std::string fd = std::to_string(fds[1]);
      const int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      ::execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-noreset",
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string number;
    char c = 0;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') number += c;
    ::close(fds[0]);
    ASSERT_FALSE(number.empty()) << "Xvfb did not start: install it with installer/deps.sh";
    display = ":" + number;
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  static inline std::string display;

 private:
  pid_t pid_ = -1;
};

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> px;
  [[nodiscard]] const unsigned char* at(int x, int y) const { return &px[static_cast<size_t>((y * w + x) * 4)]; }
};

inline Image load(const std::filesystem::path& p) {
  Image im;
  int n = 0;
  unsigned char* data = stbi_load(p.c_str(), &im.w, &im.h, &n, 4);
  if (data == nullptr) return im;
  im.px.assign(data, data + static_cast<size_t>(im.w * im.h * 4));
  stbi_image_free(data);
  return im;
}

// Pixels in the box [x0, x1) x [y0, y1) (fractions of the image) close to
// the colour (r, g, b).
inline double share(const Image& im, double x0, double y0, double x1, double y1, int r, int g, int b, int tol = 40) {
  int hits = 0, all = 0;
  for (int y = static_cast<int>(y0 * im.h); y < static_cast<int>(y1 * im.h); y += 2)
    for (int x = static_cast<int>(x0 * im.w); x < static_cast<int>(x1 * im.w); x += 2) {
      const unsigned char* p = im.at(x, y);
      ++all;
      hits += std::abs(p[0] - r) < tol && std::abs(p[1] - g) < tol && std::abs(p[2] - b) < tol;
    }
  return all > 0 ? static_cast<double>(hits) / all : 0.0;
}

}  // namespace aisb::test
