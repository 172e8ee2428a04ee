// Every compiled variant against the float64 reference, on a grid of shapes
// that covers degenerate sizes (1, 2), channel counts that fill no vector
// (1, 3, 17), tiles cut by the image edge (5, 31), batches and both paddings.
#include <gtest/gtest.h>

#include <cstdio>

#include "reference.h"
#include "wino/wino.h"

namespace {

using wino::test::ConvShape;

// Error bound, relative to error_scale(): Σ_c (Σ_taps |w|) · max |x_c| per
// output plane (reference.h says why not per output). Direct: plain fp32
// accumulation. Winograd adds the rounding of its transforms, amplified by the
// size of their coefficients: F(2,3) uses the points 0, ±1 (entries ≤ 1);
// F(4,3) adds ±2 (B_T entries up to 5, G entries down to 1/24); F(6,3) adds
// ±1/2 (B_T up to 21/4, G down to 1/90, with heavy cancellation). Worst cases
// over eight random runs of this grid (1,320 cases): direct 1.3e-7, F(2,3)
// 1.2e-7, F(4,3) 2.4e-6, F(6,3) 3.6e-6; each bound is ~4-5x above. A single
// wrong tap or tile would be off by ~1/(9·C) of the scale, far above any bound.
double tolerance(int m) {
    switch (m) {
    case 0: return 6e-7;
    case 2: return 6e-7;
    case 4: return 1e-5;
    default: return 2e-5;
    }
}

std::vector<ConvShape> shape_grid() {
    std::vector<ConvShape> grid;
    const std::vector<std::array<int, 5>> base = {
        // N, C, K, H, W
        {1, 1, 1, 1, 1},   {1, 3, 1, 2, 2},    {2, 1, 3, 5, 5},    {1, 17, 17, 5, 2},
        {2, 3, 17, 31, 64}, {1, 17, 3, 64, 31}, {2, 16, 16, 12, 12}, {1, 3, 33, 7, 9},
        {1, 64, 40, 14, 14},
    };
    for (auto [N, C, K, H, W] : base)
        for (int p : {0, 1})
            if (H + 2 * p >= 3 && W + 2 * p >= 3) grid.push_back({N, C, K, H, W, p});
    return grid;
}

class VariantMatchesReference
    : public ::testing::TestWithParam<std::tuple<std::string, ConvShape>> {};

TEST_P(VariantMatchesReference, OnRandomData) {
    const auto &[name, s] = GetParam();
    const int m = wino::variant(name).m;
    wino::test::Random rng;
    SCOPED_TRACE("seed " + std::to_string(rng.seed()) + " (WINO_TEST_SEED reproduces)");
    std::vector<float> x = rng.uniform(size_t(s.N) * s.C * s.H * s.W);
    std::vector<float> w = rng.uniform(size_t(s.K) * s.C * 9);
    std::vector<float> y = wino::test::nan_filled(size_t(s.N) * s.K * s.out_h() * s.out_w());

    wino::conv2d(name, {x.data(), s.input()}, {w.data(), s.weights()}, {y.data(), s.output()}, s.padding);

    double err = wino::test::max_scaled_error(y, wino::test::reference_conv(s, x, w),
                                              wino::test::error_scale(s, x, w));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", err);
    RecordProperty("max_scaled_error", buf);
    EXPECT_LE(err, tolerance(m)) << name << " on " << s.str();
}

std::vector<std::string> variant_names() {
    std::vector<std::string> names;
    for (const auto &v : wino::variants()) names.push_back(v.name);
    return names;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantMatchesReference,
                         ::testing::Combine(::testing::ValuesIn(variant_names()), ::testing::ValuesIn(shape_grid())),
                         [](const auto &info) {
                             return std::get<0>(info.param) + "_" + std::get<1>(info.param).str();
                         });

}  // namespace
