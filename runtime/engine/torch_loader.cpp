#if AISB_HAVE_TORCH
#include <dlfcn.h>
#endif

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/user_dirs.hpp"
#include "engine/engine.hpp"
#include "engine/torch_module.hpp"

namespace aisb {

namespace {

namespace fs = std::filesystem;

#if AISB_HAVE_TORCH
constexpr const char* kModule = "libaisb_torch.so";

std::vector<fs::path> candidates() {
  std::vector<fs::path> out;
  if (const char* env = std::getenv("AISB_TORCH_MODULE"); env != nullptr && *env) out.emplace_back(env);
  if (const fs::path dir = program_dir(); !dir.empty()) {
    out.push_back(dir / kModule);                                      // next to the program
    out.push_back(dir.parent_path() / "lib" / "aisandbox" / kModule);  // an installed tree, wherever it moved
  }
  out.push_back(fs::path(AISB_TORCH_MODULE_BUILD_DIR) / kModule);
  out.push_back(fs::path(AISB_TORCH_MODULE_INSTALL_DIR) / kModule);
  return out;
}

struct Loaded {
  const TorchApi* api = nullptr;
  std::string why;
};

Loaded load() {
  Loaded l;
  std::string tried;
  for (const auto& path : candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      l.why = std::string("cannot load ") + path.string() + ": " + ::dlerror();
      return l;
    }
    auto* entry = reinterpret_cast<const TorchApi* (*)()>(::dlsym(handle, "aisb_torch_api"));
    const TorchApi* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->abi != TorchApi::kAbi) {
      l.why = path.string() + " is not a libtorch engine of this version of AI Sandbox";
      return l;
    }
    l.api = api;
    return l;
  }
  l.why = std::string("the libtorch engine (") + kModule + ") is not installed next to this program";
  return l;
}
#else
struct Loaded {
  const TorchApi* api = nullptr;
  std::string why;
};

// A build without libtorch (Windows: Debian has none for it).
Loaded load() {
  return {nullptr,
          "this build of AI Sandbox has no libtorch, which this lesson needs: train it at the compute center "
          "(aisandbox-cli submit, or the app's Center button)"};
}
#endif

const TorchApi& require() {
  std::string why;
  const TorchApi* api = torch_api(&why);
  if (api == nullptr) throw std::runtime_error(why);
  return *api;
}

}  // namespace

const TorchApi* torch_api(std::string* why) {
  static const Loaded loaded = load();
  if (loaded.api == nullptr && why != nullptr) *why = loaded.why;
  return loaded.api;
}

std::unique_ptr<Net> make_torch_net(const JobSpec& job, const ModelInfo& info, const Dataset& data,
                                    const WeightSet& init, const std::string& device) {
  return require().make_net(job, info, data, init, device);
}

bool torch_built() {
#if AISB_HAVE_TORCH
  return true;
#else
  return false;
#endif
}

bool cuda_available() {
  const TorchApi* api = torch_api();
  return api != nullptr && api->cuda_available();
}

std::string torch_version() {
  const TorchApi* api = torch_api();
  return api != nullptr ? api->version() : "not installed";
}

std::string resolve_device(const std::string& requested) {
  if (requested == "cpu") return "cpu";
  if (requested == "cuda") {
    if (!cuda_available()) {
      throw std::invalid_argument(
          "this computer cannot train on a GPU: the linked libtorch has no CUDA or no NVIDIA GPU was found; use "
          "--device cpu (or auto)");
    }
    return "cuda:0";
  }
  if (requested == "auto" || requested.empty()) return cuda_available() ? "cuda:0" : "cpu";
  throw std::invalid_argument("unknown device '" + requested + "'; use auto, cpu or cuda");
}

std::vector<std::pair<std::string, Shape>> torch_parameters(const ModelSpec& model, const Shape& input,
                                                            int64_t outputs) {
  return require().parameters(model, input, outputs);
}

}  // namespace aisb
