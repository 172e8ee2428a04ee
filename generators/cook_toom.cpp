#include "cook_toom.h"

#include <algorithm>
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

namespace {

int combination_operations(const std::vector<Rational> &coeff) {
    const std::vector<int> order = emission_order(coeff);
    if (order.empty()) return 0;
    if (order.size() == 1) return coeff[order[0]].is_one() ? 0 : 1;
    // c·t + u with u's coefficient ±1 is one multiply-add; with none such,
    // the first product is a multiply of its own.
    const Rational &second = coeff[order[1]];
    const bool fused = second.is_one() || second.is_minus_one();
    return int(order.size()) - 1 + (fused ? 0 : 1);
}

// For a part with two or more terms and none of coefficient ±1: its first
// coefficient, which divided out leaves a ±1 term (c·x + y, one multiply-add,
// where c·x + c'·y took a multiply and a multiply-add); otherwise 1.
Rational unit_factor(const std::vector<Rational> &coeff) {
    Rational first(0);
    int terms = 0;
    for (const Rational &a : coeff) {
        if (a.is_zero()) continue;
        if (a.is_one() || a.is_minus_one()) return Rational(1);
        if (terms++ == 0) first = a;
    }
    return terms >= 2 ? first : Rational(1);
}

void scale(std::vector<Rational> &coeff, const Rational &c) {
    for (Rational &a : coeff) a = a / c;
}

// How two coefficients of a pair of columns (or rows) compare.
enum class Relation { Absent, Same, Opposite, Other };
Relation relate(const Rational &a, const Rational &b) {
    if (a.is_zero() && b.is_zero()) return Relation::Absent;
    if (a.is_zero() || b.is_zero()) return Relation::Other;
    if (a == b) return Relation::Same;
    return (a + b).is_zero() ? Relation::Opposite : Relation::Other;
}

}  // namespace

std::vector<int> emission_order(const std::vector<Rational> &coeff) {
    std::vector<int> order, rest;
    int scaled = -1, plus = -1, minus = -1;
    for (int i = 0; i < int(coeff.size()); i++) {
        const Rational &a = coeff[i];
        if (a.is_zero()) continue;
        if (a.is_one() && plus < 0) plus = i;
        else if (a.is_minus_one() && minus < 0) minus = i;
        else if (!a.is_one() && !a.is_minus_one() && scaled < 0) scaled = i;
        else rest.push_back(i);
    }
    const int unit = plus >= 0 ? plus : minus;
    if (plus >= 0 && minus >= 0) rest.insert(rest.begin(), minus);
    if (scaled >= 0) order.push_back(scaled);
    if (unit >= 0) order.push_back(unit);
    order.insert(order.end(), rest.begin(), rest.end());
    return order;
}

int LinearProgram::operations() const {
    int total = 0;
    for (const auto &node : nodes) total += combination_operations(node);
    return total;
}

int naive_operations(const Matrix &M) {
    int total = 0;
    for (const auto &row : M) total += combination_operations(row);
    return total;
}

LinearProgram shared_product(const Matrix &M) {
    const int rows = int(M.size()), cols = rows ? int(M[0].size()) : 0;
    const Rational zero(0), one(1), minus_one(-1);
    LinearProgram p;
    p.inputs = cols;
    int values = cols;
    // R[i]: row i of M over the values so far; every entry of a row is
    // moved onto shared values as they are made.
    std::vector<std::vector<Rational>> R = M;
    auto add_node = [&](std::vector<Rational> coeff) {
        coeff.resize(values, zero);
        p.nodes.push_back(std::move(coeff));
        for (auto &row : R) row.resize(values + 1, zero);
        return values++;
    };

    // Column pairs: x_k ± x_l, when that saves work over the rows using them.
    std::vector<bool> paired(cols, false);
    for (int k = 0; k < cols; k++) {
        for (int l = k + 1; l < cols && !paired[k]; l++) {
            if (paired[l]) continue;
            int same = 0, opp = 0;
            bool fits = true;
            for (int i = 0; i < rows && fits; i++) {
                const Relation r = relate(R[i][k], R[i][l]);
                same += r == Relation::Same;
                opp += r == Relation::Opposite;
                fits = r != Relation::Other;
            }
            // Each row saves one operation; each shared value costs one.
            if (!fits || same + opp - (same > 0) - (opp > 0) <= 0) continue;
            paired[k] = paired[l] = true;
            std::vector<Rational> sum(values, zero), difference(values, zero);
            sum[k] = one, sum[l] = one, difference[k] = one, difference[l] = minus_one;
            const int s = same ? add_node(sum) : -1;
            const int d = opp ? add_node(difference) : -1;
            for (auto &row : R) {
                const Rational a = row[k];
                if (a.is_zero()) continue;
                row[row[l] == a ? s : d] = a;
                row[k] = row[l] = zero;
            }
        }
    }

    // Row pairs: e + o and e - o.
    p.outputs.assign(rows, -1);
    for (int a = 0; a < rows; a++) {
        for (int b = a + 1; b < rows && p.outputs[a] < 0; b++) {
            if (p.outputs[b] >= 0) continue;
            std::vector<Rational> even(values, zero), odd(values, zero);
            int terms = 0, n_even = 0, n_odd = 0;
            bool fits = true;
            for (int j = 0; j < values && fits; j++) {
                const Relation r = relate(R[a][j], R[b][j]);
                terms += r != Relation::Absent;
                if (r == Relation::Same) even[j] = R[a][j], n_even++;
                if (r == Relation::Opposite) odd[j] = R[a][j], n_odd++;
                fits = r != Relation::Other;
            }
            // Apart: 2 (terms - 1); paired: (terms - 2) + 2.
            if (!fits || n_even == 0 || n_odd == 0 || terms < 3) continue;
            // A factor of one part moves into the last step (e ± c·o'):
            // F(4,3)'s rows 3 and 4 are (d4 - d2) ± -2·(d1 - d3).
            Rational ce = one, co = one;
            if (Rational c = unit_factor(odd); !c.is_one()) co = c, scale(odd, c);
            else if (Rational c = unit_factor(even); !c.is_one()) ce = c, scale(even, c);
            const int e = add_node(even), o = add_node(odd);
            std::vector<Rational> plus(values, zero), minus(values, zero);
            plus[e] = ce, plus[o] = co, minus[e] = ce, minus[o] = zero - co;
            p.outputs[a] = add_node(plus);
            p.outputs[b] = add_node(minus);
        }
    }
    for (int i = 0; i < rows; i++) {
        if (p.outputs[i] >= 0) continue;
        // A row that is one value as it stands (x_j, or a shared sum) needs no node.
        int only = -1, terms = 0;
        for (int j = 0; j < values; j++)
            if (!R[i][j].is_zero()) only = j, terms++;
        p.outputs[i] = terms == 1 && R[i][only].is_one() ? only : add_node(R[i]);
    }
    return p;
}

}  // namespace wino
