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

// y = M · x as a straight-line program of linear combinations that share work
// between the rows (what kron() emits; a row written out on its own repeats
// what its neighbours compute):
// - two columns k, l that every row weighs equally or oppositely (A_T's
//   columns for the points p and -p) become x_k + x_l and x_k - x_l, each
//   computed once;
// - then two rows that agree on some terms and are opposite on the others
//   (B_T's rows for p and -p) become e + o and e - o.
// Values 0..inputs-1 are x; node i is value inputs + i, a combination of the
// values before it. For F(4,3) B_T takes 12 operations instead of 16 and
// A_T 10 instead of 14; for F(6,3) 24 instead of 36 and 20 instead of 32.
struct LinearProgram {
    int inputs = 0;
    std::vector<std::vector<Rational>> nodes;  // node i: coefficients of values 0 .. inputs + i - 1
    std::vector<int> outputs;                  // row i of M is value outputs[i]
    // Adds, subtracts, multiplies and multiply-adds, each combination emitted
    // in emission_order.
    int operations() const;
};
// The order a combination's terms are summed in (indices of its nonzero
// coefficients): a scaled term first, then one of coefficient +1 (else -1),
// then the rest, so that c·x + y is one multiply-add and -x + y is y - x.
std::vector<int> emission_order(const std::vector<Rational> &coeff);
LinearProgram shared_product(const Matrix &M);
int naive_operations(const Matrix &M);  // the same count, each row on its own

}  // namespace wino
