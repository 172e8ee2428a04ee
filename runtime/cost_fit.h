// Pieces of auto's cost model (runtime/select.cpp) that tests reach: the
// transforms' operation counts, and fitting the model's weights to measured
// times.
#pragma once

#include <vector>

namespace wino::detail {

// Vector operations per tile and channel vector of F(m x m, 3 x 3)'s
// transforms, as the generators emit them (zero coefficients dropped,
// generators/transform.h): 2·alpha·nnz(B_T) for the input's two passes,
// (alpha + m)·nnz(A_T) for the output's.
struct TransformOps {
    double input = 0, output = 0;
};
const TransformOps &transform_operations(int m);

// Non-negative weights w minimising
//   sum_i ((features[i] . w - ms[i]) / ms[i])^2  +  ridge^2 * sum_j ((w_j - prior[j]) / scale_j)^2
// over the points i: relative errors, so a 0.02 ms layer counts as much as a
// 20 ms one. The ridge term keeps a weight the points barely constrain (a
// term no calibration layer exercises) near its prior; scale_j is the prior,
// or for a zero prior the column's typical size. Cyclic coordinate descent
// on the normal equations, each weight clamped at 0: the problem is a small
// convex quadratic, so this converges to the exact optimum. A term that is
// zero on every point gets weight 0.
std::vector<double> fit_nonnegative(const std::vector<std::vector<double>> &features, const std::vector<double> &ms,
                                    const std::vector<double> &prior, double ridge);

}  // namespace wino::detail
