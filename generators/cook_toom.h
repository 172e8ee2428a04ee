// Cook–Toom construction of the Winograd minimal-filtering matrices F(m, r).
//
// For m outputs of an r-tap correlation the algorithm needs alpha = m + r - 1
// evaluation points: alpha - 1 finite points p_j and the point at infinity.
// With N_j = prod_{l != j} (p_j - p_l):
//   A_T[i][j] = p_j^i                         (m x alpha; infinity column: e_{m-1})
//   G[j][k]   = p_j^k / N_j                   (alpha x r; infinity row: e_{r-1})
//   B_T[j][.] = coefficients of prod_{l != j} (x - p_l)
//               (alpha x alpha; infinity row: coefficients of prod_l (x - p_l))
// so that y = A_T [ (G g) ⊙ (B_T d) ] computes y_i = sum_k g_k d_{i+k}.
// (This is the transpose of the Toom–Cook polynomial multiplication algorithm.)
//
// Entries are exact rationals; this header has no Halide dependency so the
// matrix tests and the float64 reference can use it too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wino {

// An exact rational number p/q, q > 0, in lowest terms.
class Rational {
public:
    Rational(int64_t num = 0, int64_t den = 1);
    int64_t num() const { return num_; }
    int64_t den() const { return den_; }
    double to_double() const { return double(num_) / double(den_); }
    bool is_zero() const { return num_ == 0; }
    bool is_one() const { return num_ == 1 && den_ == 1; }
    bool is_minus_one() const { return num_ == -1 && den_ == 1; }
    std::string str() const;

    friend Rational operator+(Rational a, Rational b);
    friend Rational operator-(Rational a, Rational b);
    friend Rational operator*(Rational a, Rational b);
    friend Rational operator/(Rational a, Rational b);
    friend bool operator==(Rational a, Rational b) { return a.num_ == b.num_ && a.den_ == b.den_; }

private:
    int64_t num_, den_;
};

using Matrix = std::vector<std::vector<Rational>>;

struct WinogradMatrices {
    int m = 0;      // outputs per tile (1-D)
    int r = 0;      // filter taps
    int alpha = 0;  // m + r - 1, the transform size
    std::vector<Rational> points;  // the alpha - 1 finite interpolation points
    Matrix B_T;     // alpha x alpha: input transform
    Matrix G;       // alpha x r:     filter transform
    Matrix A_T;     // m x alpha:     output transform
};

// The finite interpolation points used for a transform of size alpha:
// 0, 1, -1, 2, -2, 1/2, -1/2, 3, -3, ... (small magnitudes keep the error low).
std::vector<Rational> interpolation_points(int count);

// Throws std::invalid_argument for m < 1 or r < 1, or if alpha exceeds the
// supported point list.
WinogradMatrices cook_toom(int m, int r);

std::vector<std::vector<double>> to_double(const Matrix &M);

}  // namespace wino
