// The Winograd matrices, checked in float64 against the definition of
// correlation: 1-D for each m, then the 2-D nesting used by the pipelines.
#include <gtest/gtest.h>

#include <cmath>

#include "cook_toom.h"
#include "reference.h"

namespace {

using wino::cook_toom;
using wino::to_double;
using Mat = std::vector<std::vector<double>>;

std::vector<double> random_doubles(wino::test::Random &rng, size_t n) {
    std::vector<float> f = rng.uniform(n);
    return {f.begin(), f.end()};
}

std::vector<double> matvec(const Mat &M, const std::vector<double> &x) {
    std::vector<double> y(M.size(), 0.0);
    for (size_t i = 0; i < M.size(); i++)
        for (size_t j = 0; j < x.size(); j++) y[i] += M[i][j] * x[j];
    return y;
}

// M · X · Mᵀ for row-major square-ish X.
Mat sandwich(const Mat &M, const Mat &X) {
    Mat T(M.size(), std::vector<double>(X[0].size(), 0.0)), Z(M.size(), std::vector<double>(M.size(), 0.0));
    for (size_t i = 0; i < M.size(); i++)
        for (size_t j = 0; j < X[0].size(); j++)
            for (size_t a = 0; a < X.size(); a++) T[i][j] += M[i][a] * X[a][j];
    for (size_t i = 0; i < M.size(); i++)
        for (size_t j = 0; j < M.size(); j++)
            for (size_t b = 0; b < X[0].size(); b++) Z[i][j] += T[i][b] * M[j][b];
    return Z;
}

class CookToom : public ::testing::TestWithParam<int> {};

TEST_P(CookToom, MatricesHaveTheShapesOfFm3) {
    const int m = GetParam();
    auto w = cook_toom(m, 3);
    EXPECT_EQ(w.alpha, m + 2);
    EXPECT_EQ(w.B_T.size(), size_t(w.alpha));
    EXPECT_EQ(w.B_T[0].size(), size_t(w.alpha));
    EXPECT_EQ(w.G.size(), size_t(w.alpha));
    EXPECT_EQ(w.G[0].size(), 3u);
    EXPECT_EQ(w.A_T.size(), size_t(m));
    EXPECT_EQ(w.A_T[0].size(), size_t(w.alpha));
    EXPECT_EQ(w.points.size(), size_t(w.alpha - 1));
}

TEST_P(CookToom, OneDimensionalAlgorithmIsCorrelation) {
    const int m = GetParam();
    auto w = cook_toom(m, 3);
    Mat A_T = to_double(w.A_T), G = to_double(w.G), B_T = to_double(w.B_T);
    wino::test::Random rng;
    SCOPED_TRACE("seed " + std::to_string(rng.seed()));
    for (int trial = 0; trial < 20; trial++) {
        std::vector<double> g = random_doubles(rng, 3), d = random_doubles(rng, w.alpha);
        std::vector<double> Gg = matvec(G, g), Bd = matvec(B_T, d), prod(w.alpha);
        for (int i = 0; i < w.alpha; i++) prod[i] = Gg[i] * Bd[i];
        std::vector<double> y = matvec(A_T, prod);
        for (int i = 0; i < m; i++) {
            double ref = g[0] * d[i] + g[1] * d[i + 1] + g[2] * d[i + 2];
            EXPECT_NEAR(y[i], ref, 1e-12) << "m=" << m << " output " << i;
        }
    }
}

TEST_P(CookToom, TwoDimensionalNestingIs2DCorrelation) {
    const int m = GetParam();
    auto w = cook_toom(m, 3);
    Mat A_T = to_double(w.A_T), G = to_double(w.G), B_T = to_double(w.B_T);
    wino::test::Random rng;
    SCOPED_TRACE("seed " + std::to_string(rng.seed()));
    Mat g(3), d(w.alpha);
    for (auto &row : g) row = random_doubles(rng, 3);
    for (auto &row : d) row = random_doubles(rng, w.alpha);
    // Y = A_T [ (G g Gᵀ) ⊙ (B_T d B) ] A
    Mat U = sandwich(G, g), V = sandwich(B_T, d), M = U;
    for (int i = 0; i < w.alpha; i++)
        for (int j = 0; j < w.alpha; j++) M[i][j] = U[i][j] * V[i][j];
    Mat Y = sandwich(A_T, M);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double ref = 0;
            for (int r = 0; r < 3; r++)
                for (int s = 0; s < 3; s++) ref += g[r][s] * d[i + r][j + s];
            EXPECT_NEAR(Y[i][j], ref, 1e-11) << "m=" << m << " output (" << i << ", " << j << ")";
        }
}

TEST(CookToomPoints, AreDistinctSmallRationals) {
    auto p = wino::interpolation_points(7);
    for (size_t i = 0; i < p.size(); i++)
        for (size_t j = i + 1; j < p.size(); j++) EXPECT_FALSE(p[i] == p[j]);
    EXPECT_THROW(wino::interpolation_points(100), std::invalid_argument);
    EXPECT_THROW(cook_toom(0, 3), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(F_m_3, CookToom, ::testing::Values(2, 3, 4, 5, 6),
                         [](const auto &info) { return "m" + std::to_string(info.param); });

}  // namespace
