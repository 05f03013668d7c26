// The libtorch engine lives in its own shared module (libaisb_torch.so),
// loaded the first time something needs it. Linking libtorch costs ~0.8 s at
// every process start (it pulls in ~290 libraries); checking a lesson,
// printing a job or training a playground network on the fast path should
// not pay that.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/net.hpp"

namespace aisb {

struct TorchApi {
  static constexpr int kAbi = 4;  // 2: Net::save_state / load_state; 3: Net::outputs; 4: Net::probe
  int abi = kAbi;
  std::unique_ptr<Net> (*make_net)(const JobSpec&, const ModelInfo&, const Dataset&, const WeightSet&,
                                   const std::string& device) = nullptr;
  bool (*cuda_available)() = nullptr;
  std::string (*version)() = nullptr;
  std::vector<std::pair<std::string, Shape>> (*parameters)(const ModelSpec&, const Shape&, int64_t) = nullptr;
};

// The loaded module's entry points, or null when it cannot be loaded (`why`
// then says why). Thread-safe; loads at most once.
const TorchApi* torch_api(std::string* why = nullptr);

}  // namespace aisb

// The one symbol the module exports.
extern "C" const aisb::TorchApi* aisb_torch_api();
