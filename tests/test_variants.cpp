// Every compiled variant against the float64 reference, on a grid of shapes
// that covers degenerate sizes (1, 2), channel counts that fill no vector
// (1, 3, 17), tiles cut by the image edge (5, 31), batches and both paddings.
#include <gtest/gtest.h>

#include <cstdio>

#include "reference.h"
#include "wino/wino.h"

namespace {

using wino::test::ConvShape;

// Error bound, relative to Σ|w|·|x| of each output (the scale of the rounding
// in any fp32 evaluation of that sum). Direct: plain fp32 accumulation.
// Winograd adds the rounding of its transforms, amplified by the size of their
// coefficients: F(2,3) uses the points 0, ±1 (entries ≤ 1); F(4,3) adds ±2
// (B_T entries up to 5, G entries down to 1/24); F(6,3) adds ±1/2 (B_T entries
// up to 21/4, G down to 1/90, with heavy cancellation). So the bound grows
// about an order of magnitude per step of m. Worst cases measured over three
// random runs of this grid (WINO_TEST_SEED unset): direct 2.6e-7, F(2,3)
// 3.3e-7, F(4,3) 4.7e-6, F(6,3) 2.7e-5; each bound is ~4-6x above.
double tolerance(int m) {
    switch (m) {
    case 0: return 1e-6;
    case 2: return 2e-6;
    case 4: return 2e-5;
    default: return 1.5e-4;
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
                                              wino::test::reference_conv(s, x, w, true));
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
