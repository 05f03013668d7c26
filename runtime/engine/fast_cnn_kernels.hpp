// The fast CNN's hot loops, for fast_cnn.cpp alone. fast_cnn_kernels.cpp
// compiles each twice (AVX2 with FMA, and plain x86-64) and the program takes
// one when it loads (Linux; Windows runs the plain ones). Only plain floats
// cross this interface; each function's comment there says what it computes.
#pragma once

#include <cstdint>

namespace aisb::cnn_kernels {

// A conv layer's output (ReLU'd when `relu`) as one flat correlation.
void correlate(const float* in, const int64_t* off, int taps, const float* w, const float* bias, float* out,
               int64_t out_plane, int cout, int64_t n, bool relu);
// Its weight and bias gradients, added to gw and gb.
void correlate_grad(const float* dz, int64_t dz_plane, int cout, const float* in, const int64_t* off, int taps,
                    int64_t n, float* gw, float* gb);

float dot(const float* a, const float* b, int64_t n);
void axpy(float* y, float a, const float* x, int64_t n);
// A dense layer's weight gradient for a chunk of m samples.
void rank_update(float* g, int out, int64_t in, const float* d, const float* x, int m);

void relu(const float* z, float* a, int64_t n);
void relu_grad(float* d, const float* a, int64_t n);

// Max pooling into compact planes, with where each maximum came from:
// windows of 2 x 2, and of s x s.
void max_pool2(const float* in, int64_t row, int64_t plane, int c, int ho, int wo, float* out, int32_t* idx);
void max_pool(const float* in, int64_t row, int64_t plane, int s, int c, int ho, int wo, float* out, int32_t* idx);

}  // namespace aisb::cnn_kernels
