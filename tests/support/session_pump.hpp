// Tests of the app's session drive it as the UI's frame loop does.
#pragma once

#include <chrono>
#include <thread>

#include "session/session.hpp"

namespace aisb::app {

// Pumps update() like the UI's frame loop until `done` or a few seconds pass.
template <class Pred>
bool pump(Session& s, Pred done, int ms = 10000) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    s.update();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

}  // namespace aisb::app
