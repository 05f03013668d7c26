// The fast CNN's hot loops (declared in fast_cnn_kernels.hpp): the flat
// correlation of a conv layer and its weight gradient, pooling and the dense
// layers' loops, over 8-float vectors. fast_cnn.cpp's comment says how the
// layers' buffers are laid out so that these loops have no edge cases.
#include "engine/fast_cnn_kernels.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace aisb::cnn_kernels {

// Compiled twice (AVX2 with FMA, and plain x86-64) and chosen when the
// program loads. No -march in the build: one binary for every PC.
#if defined(__linux__)
#define AISB_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
// PE files have no ifunc to choose a clone at load: Windows (MinGW) runs the
// plain x86-64 loops, the ones a PC without AVX2 runs on Linux.
#define AISB_HOT
#endif

using v8 = float __attribute__((vector_size(32)));

// Loads and stores by reference: a v8 returned by value from a function
// without AVX would change the ABI.
__attribute__((always_inline)) inline void load(v8& v, const float* p) {
  std::memcpy(&v, p, sizeof v);
}
__attribute__((always_inline)) inline void store(float* p, const v8& v) {
  std::memcpy(p, &v, sizeof v);
}
__attribute__((always_inline)) inline float lanes_sum(const v8& v) {
  return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

// Output channels [c, c + C) of correlate() below, 32 values at a time: 4 C
// accumulators, each input vector used C times.
template <int C>
__attribute__((always_inline)) inline void correlate_channels(const float* in, const int64_t* off, int taps,
                                                              const float* w, const float* bias, float* out,
                                                              int64_t out_plane, int c, int64_t n, const v8& floor) {
  const float* wc[C];
  float b[C];
  float* o[C];
  for (int j = 0; j < C; ++j) {
    wc[j] = w + static_cast<int64_t>(c + j) * taps;
    b[j] = bias != nullptr ? bias[c + j] : 0.0f;
    o[j] = out + (c + j) * out_plane;
  }
  for (int64_t i = 0; i < n; i += 32) {
    v8 acc[C][4];
    for (int j = 0; j < C; ++j)
      for (int u = 0; u < 4; ++u) acc[j][u] = v8{} + b[j];
    for (int t = 0; t < taps; ++t) {
      const float* s = in + off[t] + i;
      v8 x0, x1, x2, x3;
      load(x0, s);
      load(x1, s + 8);
      load(x2, s + 16);
      load(x3, s + 24);
      for (int j = 0; j < C; ++j) {
        const float k = wc[j][t];
        acc[j][0] += x0 * k;
        acc[j][1] += x1 * k;
        acc[j][2] += x2 * k;
        acc[j][3] += x3 * k;
      }
    }
    for (int j = 0; j < C; ++j)
      for (int u = 0; u < 4; ++u) store(o[j] + i + 8 * u, floor > acc[j][u] ? floor : acc[j][u]);
  }
}

// out[c][i] = bias[c] + sum_t w[c][t] * in[off[t] + i] for c < cout, i < n
// (n a multiple of 32), through ReLU when `relu` (a NaN stays a NaN, as in
// torch, so that a diverging run shows in its loss). Two output channels at a
// time, and the last one alone.
AISB_HOT void correlate(const float* in, const int64_t* off, int taps, const float* w, const float* bias, float* out,
                        int64_t out_plane, int cout, int64_t n, bool relu) {
  const v8 floor = v8{} - (relu ? 0.0f : INFINITY);
  int c = 0;
  for (; c + 2 <= cout; c += 2) correlate_channels<2>(in, off, taps, w, bias, out, out_plane, c, n, floor);
  if (c < cout) correlate_channels<1>(in, off, taps, w, bias, out, out_plane, c, n, floor);
}

template <int B>
__attribute__((always_inline)) inline void taps_grad(const float* dz, const float* in, const int64_t* off, int64_t n,
                                                     float* gw) {
  v8 acc[B];
  const float* src[B];
  for (int b = 0; b < B; ++b) {
    acc[b] = v8{};
    src[b] = in + off[b];
  }
  for (int64_t i = 0; i < n; i += 8) {
    v8 d;
    load(d, dz + i);
    for (int b = 0; b < B; ++b) {
      v8 x;
      load(x, src[b] + i);
      acc[b] += d * x;
    }
  }
  for (int b = 0; b < B; ++b) gw[b] += lanes_sum(acc[b]);
}

// gw[c][t] += sum_i dz[c][i] * in[off[t] + i]; gb[c] += sum_i dz[c][i].
AISB_HOT void correlate_grad(const float* dz, int64_t dz_plane, int cout, const float* in, const int64_t* off, int taps,
                             int64_t n, float* gw, float* gb) {
  for (int c = 0; c < cout; ++c) {
    const float* d = dz + c * dz_plane;
    v8 s{};
    for (int64_t i = 0; i < n; i += 8) {
      v8 x;
      load(x, d + i);
      s += x;
    }
    gb[c] += lanes_sum(s);
    float* g = gw + static_cast<int64_t>(c) * taps;
    // Blocks of at most 12 taps (12 accumulators, the input gradient and a
    // load fill 14 of AVX2's 16 registers), as even as can be: a block of
    // one would wait on its one accumulator.
    const int blocks = (taps + 11) / 12;
    for (int k = 0, t = 0; k < blocks; ++k) {
      const int size = taps / blocks + (k < taps % blocks ? 1 : 0);
      const int64_t* o = off + t;
      switch (size) {
        case 12:
          taps_grad<12>(d, in, o, n, g + t);
          break;
        case 11:
          taps_grad<11>(d, in, o, n, g + t);
          break;
        case 10:
          taps_grad<10>(d, in, o, n, g + t);
          break;
        case 9:
          taps_grad<9>(d, in, o, n, g + t);
          break;
        case 8:
          taps_grad<8>(d, in, o, n, g + t);
          break;
        case 7:
          taps_grad<7>(d, in, o, n, g + t);
          break;
        case 6:
          taps_grad<6>(d, in, o, n, g + t);
          break;
        case 5:
          taps_grad<5>(d, in, o, n, g + t);
          break;
        case 4:
          taps_grad<4>(d, in, o, n, g + t);
          break;
        case 3:
          taps_grad<3>(d, in, o, n, g + t);
          break;
        case 2:
          taps_grad<2>(d, in, o, n, g + t);
          break;
        default:
          taps_grad<1>(d, in, o, n, g + t);
          break;
      }
      t += size;
    }
  }
}

// sum_i a[i] * b[i]
AISB_HOT float dot(const float* a, const float* b, int64_t n) {
  v8 s0{}, s1{}, s2{}, s3{};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    v8 x0, x1, x2, x3, y0, y1, y2, y3;
    load(x0, a + i);
    load(x1, a + i + 8);
    load(x2, a + i + 16);
    load(x3, a + i + 24);
    load(y0, b + i);
    load(y1, b + i + 8);
    load(y2, b + i + 16);
    load(y3, b + i + 24);
    s0 += x0 * y0;
    s1 += x1 * y1;
    s2 += x2 * y2;
    s3 += x3 * y3;
  }
  for (; i + 8 <= n; i += 8) {
    v8 x, y;
    load(x, a + i);
    load(y, b + i);
    s0 += x * y;
  }
  float sum = lanes_sum((s0 + s1) + (s2 + s3));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// y[i] += a * x[i]
AISB_HOT void axpy(float* y, float a, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    v8 xv, yv;
    load(xv, x + i);
    load(yv, y + i);
    yv += xv * a;
    store(y + i, yv);
  }
  for (; i < n; ++i) y[i] += a * x[i];
}

// g[o][i] += sum_s d[s][o] * x[s][i] for s < m, in the order of s: a dense
// layer's weight gradient for a chunk of samples, each row of g read and
// written once instead of once a sample.
AISB_HOT void rank_update(float* g, int out, int64_t in, const float* d, const float* x, int m) {
  for (int o = 0; o < out; ++o) {
    float* row = g + o * in;
    int64_t i = 0;
    for (; i + 8 <= in; i += 8) {
      v8 acc;
      load(acc, row + i);
      for (int s = 0; s < m; ++s) {
        v8 xv;
        load(xv, x + s * in + i);
        acc += xv * d[s * out + o];
      }
      store(row + i, acc);
    }
    for (; i < in; ++i) {
      float acc = row[i];
      for (int s = 0; s < m; ++s) acc += d[s * out + o] * x[s * in + i];
      row[i] = acc;
    }
  }
}

// d[i] *= (a[i] > 0) for ReLU's backward over a whole buffer (a: its output).
AISB_HOT void relu_grad(float* d, const float* a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] = a[i] > 0.0f ? d[i] : 0.0f;
}

AISB_HOT void relu(const float* z, float* a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] = 0.0f > z[i] ? 0.0f : z[i];
}

using v8i = int32_t __attribute__((vector_size(32)));

// 2 x 2 max pooling of `c` planes (rows `row` apart, planes `plane` apart)
// into compact ho x wo planes, with where each maximum came from (an index
// into `in`). As torch: the first maximum in the window's row-major order,
// or a NaN. Eight outputs at a time from two pairs of input vectors.
AISB_HOT void max_pool2(const float* in, int64_t row, int64_t plane, int c, int ho, int wo, float* out, int32_t* idx) {
  for (int ch = 0; ch < c; ++ch) {
    for (int oy = 0; oy < ho; ++oy) {
      const int64_t base = ch * plane + 2 * oy * row;
      const float* r0 = in + base;
      const float* r1 = r0 + row;
      float* o = out + (static_cast<int64_t>(ch) * ho + oy) * wo;
      int32_t* at = idx + (static_cast<int64_t>(ch) * ho + oy) * wo;
      int ox = 0;
      for (; ox + 8 <= wo; ox += 8) {
        v8 x0, x1, y0, y1;
        load(x0, r0 + 2 * ox);
        load(x1, r0 + 2 * ox + 8);
        load(y0, r1 + 2 * ox);
        load(y1, r1 + 2 * ox + 8);
        const v8 a = __builtin_shufflevector(x0, x1, 0, 2, 4, 6, 8, 10, 12, 14);
        const v8 b = __builtin_shufflevector(x0, x1, 1, 3, 5, 7, 9, 11, 13, 15);
        const v8 cc = __builtin_shufflevector(y0, y1, 0, 2, 4, 6, 8, 10, 12, 14);
        const v8 d = __builtin_shufflevector(y0, y1, 1, 3, 5, 7, 9, 11, 13, 15);
        const v8i first = v8i{0, 2, 4, 6, 8, 10, 12, 14} + static_cast<int32_t>(base + 2 * ox);
        v8 best = a;
        v8i where = first;
        v8i m = (b > best) | (b != b);
        best = m ? b : best;
        where = m ? first + 1 : where;
        m = (cc > best) | (cc != cc);
        best = m ? cc : best;
        where = m ? first + static_cast<int32_t>(row) : where;
        m = (d > best) | (d != d);
        best = m ? d : best;
        where = m ? first + static_cast<int32_t>(row + 1) : where;
        store(o + ox, best);
        std::memcpy(at + ox, &where, sizeof where);
      }
      for (; ox < wo; ++ox) {
        const float v[4] = {r0[2 * ox], r0[2 * ox + 1], r1[2 * ox], r1[2 * ox + 1]};
        const int64_t w[4] = {base + 2 * ox, base + 2 * ox + 1, base + row + 2 * ox, base + row + 2 * ox + 1};
        int k = 0;
        for (int j = 1; j < 4; ++j) k = (v[j] > v[k] || std::isnan(v[j])) ? j : k;
        o[ox] = v[k];
        at[ox] = static_cast<int32_t>(w[k]);
      }
    }
  }
}

// Any other size, one window at a time.
AISB_HOT void max_pool(const float* in, int64_t row, int64_t plane, int s, int c, int ho, int wo, float* out,
                       int32_t* idx) {
  for (int ch = 0; ch < c; ++ch) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        float best = -INFINITY;
        int64_t at = ch * plane + oy * s * row + ox * s;
        for (int dy = 0; dy < s; ++dy) {
          const int64_t r = ch * plane + (oy * s + dy) * row + ox * s;
          for (int dx = 0; dx < s; ++dx) {
            const float v = in[r + dx];
            const bool take = v > best || std::isnan(v);
            best = take ? v : best;
            at = take ? r + dx : at;
          }
        }
        const int64_t o = (static_cast<int64_t>(ch) * ho + oy) * wo + ox;
        out[o] = best;
        idx[o] = static_cast<int32_t>(at);
      }
    }
  }
}

#undef AISB_HOT

}  // namespace aisb::cnn_kernels
