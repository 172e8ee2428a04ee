// The Winograd matrices, checked in float64 against the definition of
// correlation: 1-D for each m, then the 2-D nesting used by the pipelines.
#include <gtest/gtest.h>

#include <cmath>
#include <utility>

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

// kron()'s straight-line program: every row of M exactly, from values
// computed before it, with no more operations than the rows written apart.
TEST_P(CookToom, SharedProductComputesEveryRowExactly) {
    const int m = GetParam();
    const auto w = cook_toom(m, 3);
    wino::test::Random rng;
    SCOPED_TRACE("seed " + std::to_string(rng.seed()));
    for (const auto &[name, M] : {std::pair{"B_T", w.B_T}, std::pair{"A_T", w.A_T}, std::pair{"G", w.G}}) {
        SCOPED_TRACE(std::string(name) + ", m=" + std::to_string(m));
        const wino::LinearProgram p = wino::shared_product(M);
        ASSERT_EQ(p.inputs, int(M[0].size()));
        ASSERT_EQ(p.outputs.size(), M.size());
        for (int trial = 0; trial < 10; trial++) {
            // Small integers: the program and M · x agree exactly in rationals.
            std::vector<wino::Rational> value;
            for (float f : rng.uniform(M[0].size())) value.emplace_back(int64_t(std::lround(f * 50)));
            const std::vector<wino::Rational> x = value;
            for (size_t i = 0; i < p.nodes.size(); i++) {
                ASSERT_EQ(p.nodes[i].size(), p.inputs + i) << "node " << i << " reads only the values before it";
                wino::Rational sum(0);
                for (size_t j = 0; j < p.nodes[i].size(); j++) sum = sum + p.nodes[i][j] * value[j];
                value.push_back(sum);
            }
            for (size_t i = 0; i < M.size(); i++) {
                wino::Rational ref(0);
                for (size_t j = 0; j < x.size(); j++) ref = ref + M[i][j] * x[j];
                ASSERT_GE(p.outputs[i], 0);
                ASSERT_LT(size_t(p.outputs[i]), value.size());
                EXPECT_TRUE(value[p.outputs[i]] == ref)
                    << "row " << i << ": " << value[p.outputs[i]].str() << " against " << ref.str();
            }
        }
        EXPECT_LE(p.operations(), wino::naive_operations(M));
    }
    // The input and output transforms' rows for the points ±p share their
    // sums where the points come in such pairs (0, ±1, ±2[, ±1/2]: m = 4, 6).
    if (m == 4 || m == 6) {
        EXPECT_LT(wino::shared_product(w.B_T).operations(), wino::naive_operations(w.B_T));
        EXPECT_LT(wino::shared_product(w.A_T).operations(), wino::naive_operations(w.A_T));
    }
}

TEST(CookToomShared, CountsF43AsWritten) {
    const auto w = cook_toom(4, 3);
    EXPECT_EQ(wino::naive_operations(w.B_T), 16);
    EXPECT_EQ(wino::shared_product(w.B_T).operations(), 12);
    EXPECT_EQ(wino::naive_operations(w.A_T), 14);
    EXPECT_EQ(wino::shared_product(w.A_T).operations(), 10);
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
