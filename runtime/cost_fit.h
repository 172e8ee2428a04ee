// Fitting the cost model's weights to measured times (runtime/select.cpp).
#pragma once

#include <vector>

namespace wino::detail {

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
