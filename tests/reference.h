// The independent reference: a float64 direct 3x3 convolution written from the
// definition, plus the helpers every test shares (random data, NaN poison,
// error measure). Nothing here uses the generators or Halide.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "wino/shape.h"

namespace wino::test {

using ConvShape = wino::ConvShape;  // the shape type the benchmark and profiler use too

// y[n][k][i][j] = Σ_{c, r, s} w[k][c][r][s] · x[n][c][i + r - p][j + s - p], zero outside x.
std::vector<double> reference_conv(const ConvShape &s, const std::vector<float> &x, const std::vector<float> &w);

// The scale an fp32 error of output (n, k, ., .) is measured against:
// Σ_c (Σ_taps |w[k][c]|) · max |x[n][c]|. Not the per-output Σ|w|·|x|: a
// Winograd tile mixes all 9 taps with every input of its window (they cancel
// only in exact arithmetic), so at an image edge, where few taps touch real
// pixels, the rounding is that of the whole tile (a 1x1 image once measured
// 1.8e-5 against its single tap).
std::vector<double> error_scale(const ConvShape &s, const std::vector<float> &x, const std::vector<float> &w);

// Error bound, relative to error_scale(): Σ_c (Σ_taps |w|) · max |x_c| per
// output plane (see above for why not per output). Direct: plain fp32
// accumulation. Winograd adds the rounding of its transforms, amplified by the
// size of their coefficients: F(2,3) uses the points 0, ±1 (entries ≤ 1);
// F(4,3) adds ±2 (B_T entries up to 5, G entries down to 1/24); F(6,3) adds
// ±1/2 (B_T up to 21/4, G down to 1/90, with heavy cancellation). Worst cases
// over eight random runs of test_variants' grid (1,320 cases): direct 1.3e-7, F(2,3)
// 1.2e-7, F(4,3) 2.4e-6, F(6,3) 3.6e-6; each bound is ~4-5x above. A single
// wrong tap or tile would be off by ~1/(9·C) of the scale, far above any bound.
// Used by the tests and by wino_tune, which checks every candidate before timing it.
double tolerance(int m);

// Fresh random data in [-1, 1): a new seed per call unless WINO_TEST_SEED is set.
class Random {
public:
    Random();
    uint64_t seed() const { return seed_; }
    std::vector<float> uniform(size_t count);

private:
    uint64_t seed_;
    std::mt19937_64 rng_;
};

std::vector<float> nan_filled(size_t count);

// A dense 4-D tensor of N x C x H x W values (C: channels) moved between NCHW
// and a layout's order ("nchw": copied; "nhwc": channels innermost). NaNs move
// with their elements, so a poisoned output stays poisoned where unwritten.
std::vector<float> to_layout(const std::vector<float> &nchw, int N, int C, int H, int W, const std::string &layout);
std::vector<float> from_layout(const std::vector<float> &t, int N, int C, int H, int W, const std::string &layout);

// max_scaled_error for layers whose whole float64 reference is too slow: the
// four corners of every output plane and `samples` random outputs (from
// `seed`), against the reference computed at those points only; infinite if
// any element of y is not finite.
double max_scaled_error_sampled(const ConvShape &s, const std::vector<float> &y, const std::vector<float> &x,
                                const std::vector<float> &w, int samples, uint64_t seed);

// Largest |y - ref| / scale over all elements (scale: error_scale()),
// infinite if any y is not finite (an element left unwritten stays NaN).
double max_scaled_error(const std::vector<float> &y, const std::vector<double> &ref,
                        const std::vector<double> &scale);

}  // namespace wino::test
