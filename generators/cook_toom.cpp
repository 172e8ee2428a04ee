#include "cook_toom.h"

#include <numeric>
#include <stdexcept>

namespace wino {

Rational::Rational(int64_t num, int64_t den) {
    if (den == 0) throw std::invalid_argument("Rational: zero denominator");
    if (den < 0) num = -num, den = -den;
    int64_t g = std::gcd(num < 0 ? -num : num, den);
    num_ = g ? num / g : 0;
    den_ = g ? den / g : 1;
}

std::string Rational::str() const {
    return den_ == 1 ? std::to_string(num_) : std::to_string(num_) + "/" + std::to_string(den_);
}

Rational operator+(Rational a, Rational b) { return {a.num_ * b.den_ + b.num_ * a.den_, a.den_ * b.den_}; }
Rational operator-(Rational a, Rational b) { return {a.num_ * b.den_ - b.num_ * a.den_, a.den_ * b.den_}; }
Rational operator*(Rational a, Rational b) { return {a.num_ * b.num_, a.den_ * b.den_}; }
Rational operator/(Rational a, Rational b) { return {a.num_ * b.den_, a.den_ * b.num_}; }

std::vector<Rational> interpolation_points(int count) {
    static const Rational table[] = {{0}, {1}, {-1}, {2}, {-2}, {1, 2}, {-1, 2},
                                     {3}, {-3}, {1, 3}, {-1, 3}, {4}, {-4}};
    const int available = int(sizeof(table) / sizeof(table[0]));
    if (count < 0 || count > available) {
        throw std::invalid_argument("cook_toom: transform needs " + std::to_string(count) +
                                    " finite points, only " + std::to_string(available) + " are defined");
    }
    return std::vector<Rational>(table, table + count);
}

namespace {

// Coefficients (lowest degree first) of prod_{l in roots} (x - roots_l).
std::vector<Rational> poly_from_roots(const std::vector<Rational> &roots) {
    std::vector<Rational> c{Rational(1)};
    for (const Rational &root : roots) {
        std::vector<Rational> next(c.size() + 1);
        for (size_t i = 0; i < c.size(); i++) {
            next[i + 1] = next[i + 1] + c[i];
            next[i] = next[i] - root * c[i];
        }
        c = next;
    }
    return c;
}

Rational power(Rational base, int e) {
    Rational result(1);
    for (int i = 0; i < e; i++) result = result * base;
    return result;
}

}  // namespace

WinogradMatrices cook_toom(int m, int r) {
    if (m < 1 || r < 1) throw std::invalid_argument("cook_toom: m and r must be >= 1");
    WinogradMatrices w;
    w.m = m;
    w.r = r;
    w.alpha = m + r - 1;
    const int n = w.alpha - 1;  // finite points; the last row/column is the point at infinity
    w.points = interpolation_points(n);
    const auto &p = w.points;

    w.A_T.assign(m, std::vector<Rational>(w.alpha));
    w.G.assign(w.alpha, std::vector<Rational>(r));
    w.B_T.assign(w.alpha, std::vector<Rational>(w.alpha));

    for (int j = 0; j < n; j++) {
        std::vector<Rational> others;
        Rational N(1);
        for (int l = 0; l < n; l++) {
            if (l == j) continue;
            others.push_back(p[l]);
            N = N * (p[j] - p[l]);
        }
        for (int i = 0; i < m; i++) w.A_T[i][j] = power(p[j], i);
        for (int k = 0; k < r; k++) w.G[j][k] = power(p[j], k) / N;
        std::vector<Rational> c = poly_from_roots(others);  // degree n - 1
        for (size_t t = 0; t < c.size(); t++) w.B_T[j][t] = c[t];
    }
    // The point at infinity picks the leading coefficients.
    w.A_T[m - 1][n] = Rational(1);
    w.G[n][r - 1] = Rational(1);
    std::vector<Rational> c = poly_from_roots(p);  // degree n
    for (size_t t = 0; t < c.size(); t++) w.B_T[n][t] = c[t];
    return w;
}

std::vector<std::vector<double>> to_double(const Matrix &M) {
    std::vector<std::vector<double>> out(M.size());
    for (size_t i = 0; i < M.size(); i++)
        for (const Rational &v : M[i]) out[i].push_back(v.to_double());
    return out;
}

}  // namespace wino
