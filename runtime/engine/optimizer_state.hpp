// The fast paths' optimizer state as checkpoint bytes: a 5-byte tag naming
// the engine, the step count, then the first and second moments (each with
// its length). One format, written and read in one place for both paths.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace aisb::optimizer_state {

inline std::string save(const char (&tag)[6], int64_t step, const std::vector<float>& m, const std::vector<float>& v) {
  std::string out(tag, 5);
  const auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  const uint64_t nm = m.size(), nv = v.size();
  put(&step, sizeof step);
  put(&nm, sizeof nm);
  put(m.data(), nm * sizeof(float));
  put(&nv, sizeof nv);
  put(v.data(), nv * sizeof(float));
  return out;
}

// Reads what save() gave with the same tag into step, m and v, whose sizes
// must match; throws std::runtime_error (`engine` names whose state it is
// not) and leaves them as they were on any problem.
inline void load(const std::string& bytes, const char (&tag)[6], const char* engine, int64_t& step,
                 std::vector<float>& m, std::vector<float>& v) {
  size_t at = 5;
  const auto get = [&](void* p, size_t n) {
    if (at + n > bytes.size()) throw std::runtime_error("the checkpoint's optimizer state is cut short");
    std::memcpy(p, bytes.data() + at, n);
    at += n;
  };
  if (bytes.compare(0, 5, tag, 5) != 0)
    throw std::runtime_error(std::string("the checkpoint's optimizer state is not the ") + engine + "'s");
  int64_t s = 0;
  uint64_t nm = 0, nv = 0;
  get(&s, sizeof s);
  get(&nm, sizeof nm);
  if (nm != m.size()) throw std::runtime_error("the checkpoint's optimizer state does not match the model");
  std::vector<float> mm(nm), vv;
  get(mm.data(), nm * sizeof(float));
  get(&nv, sizeof nv);
  if (nv != v.size()) throw std::runtime_error("the checkpoint's optimizer state does not match the model");
  vv.resize(nv);
  get(vv.data(), nv * sizeof(float));
  if (at != bytes.size()) throw std::runtime_error("the checkpoint's optimizer state has bytes left over");
  m = std::move(mm);
  v = std::move(vv);
  step = s;
}

}  // namespace aisb::optimizer_state
