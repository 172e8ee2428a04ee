#include "cost_fit.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace wino::detail {

std::vector<double> fit_nonnegative(const std::vector<std::vector<double>> &features, const std::vector<double> &ms,
                                    const std::vector<double> &prior, double ridge) {
    const size_t n = prior.size();
    if (features.size() != ms.size()) throw std::invalid_argument("fit_nonnegative: one time per feature row");
    for (size_t i = 0; i < ms.size(); i++)
        if (features[i].size() != n || !(ms[i] > 0))
            throw std::invalid_argument("fit_nonnegative: each row needs " + std::to_string(n) +
                                        " features and a positive time");
    // Columns scaled to unit typical size first: the terms differ by orders
    // of magnitude (vector operations against a per-call constant of 1).
    std::vector<double> col(n, 0.0);
    for (size_t i = 0; i < ms.size(); i++)
        for (size_t j = 0; j < n; j++) col[j] = std::max(col[j], std::abs(features[i][j]) / ms[i]);
    for (size_t j = 0; j < n; j++)
        if (!(col[j] > 0)) col[j] = 1;
    // Normal equations of the scaled problem: Q u = c, with w_j = u_j / col_j.
    std::vector<double> Q(n * n, 0.0), c(n, 0.0);
    for (size_t i = 0; i < ms.size(); i++) {
        std::vector<double> a(n);
        for (size_t j = 0; j < n; j++) a[j] = features[i][j] / ms[i] / col[j];
        for (size_t j = 0; j < n; j++) {
            c[j] += a[j];  // the target of every row is 1 (ms[i] / ms[i])
            for (size_t k = 0; k < n; k++) Q[j * n + k] += a[j] * a[k];
        }
    }
    // The ridge rows, in the scaled units: ridge * (u_j - prior_j col_j) / s_j.
    for (size_t j = 0; j < n; j++) {
        const double s = prior[j] > 0 ? prior[j] * col[j] : 1.0;
        const double r = ridge / s;
        Q[j * n + j] += r * r;
        c[j] += r * r * prior[j] * col[j];
    }
    std::vector<double> u(n);
    for (size_t j = 0; j < n; j++) u[j] = std::max(0.0, prior[j] * col[j]);
    for (int sweep = 0; sweep < 10000; sweep++) {
        double moved = 0;
        for (size_t j = 0; j < n; j++) {
            if (!(Q[j * n + j] > 0)) continue;
            double g = -c[j];
            for (size_t k = 0; k < n; k++) g += Q[j * n + k] * u[k];
            const double next = std::max(0.0, u[j] - g / Q[j * n + j]);
            moved = std::max(moved, std::abs(next - u[j]));
            u[j] = next;
        }
        if (moved < 1e-13) break;
    }
    // A term no point has (zero in every row) gets no weight: nothing measured it.
    std::vector<double> w(n, 0.0);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < ms.size(); i++)
            if (features[i][j] != 0) {
                w[j] = u[j] / col[j];
                break;
            }
    return w;
}

}  // namespace wino::detail
