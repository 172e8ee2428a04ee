// kron(): the one transform the three Winograd stages share.
//
// Z = M · X · Mᵀ applied to the two leading dimensions of X, for any matrix M
// (B_T for the input, G for the filter, A_T for the output). Each output row is
// emitted as a sum with constant coefficients: zero terms are dropped, ±1
// becomes a plain add or subtract, and sums two rows share are written once
// (shared_product), so once a schedule unrolls the point loops Halide sees
// exactly the arithmetic the transform needs.
#pragma once

#include "Halide.h"
#include "cook_toom.h"
#include "stages.h"

namespace wino {

// Σ_i coeff[i] · term(i), skipping zero coefficients, without multiplies by
// ±1, in emission_order (cook_toom.h): c·x + y, which LLVM contracts into one
// multiply-add.
template <typename Term>
Halide::Expr linear_combination(const std::vector<Rational> &coeff, Term term) {
    Halide::Expr sum;
    for (int i : emission_order(coeff)) {
        const Rational &a = coeff[i];
        Halide::Expr t = term(i);
        if (!sum.defined()) {
            sum = a.is_one() ? t : a.is_minus_one() ? -t : Halide::Expr(float(a.to_double())) * t;
        } else {
            sum = a.is_one() ? sum + t
                : a.is_minus_one() ? sum - t
                : sum + Halide::Expr(float(a.to_double())) * t;
        }
    }
    return sum.defined() ? sum : Halide::Expr(0.0f);
}

// The rows of M · x, x_i = term(i), through shared_product's program: the
// values two rows share are the same Exprs in both, which LLVM computes once
// where the schedule unrolls the rows into one block.
template <typename Term>
std::vector<Halide::Expr> matrix_times(const Matrix &M, Term term) {
    const LinearProgram program = shared_product(M);
    std::vector<Halide::Expr> values;
    for (int i = 0; i < program.inputs; i++) values.push_back(term(i));
    for (const auto &node : program.nodes)
        values.push_back(linear_combination(node, [&](int i) { return values[i]; }));
    std::vector<Halide::Expr> rows;
    for (int i : program.outputs) rows.push_back(values[i]);
    return rows;
}

// Z(u, v, rest...) = Σ_i Σ_j M[u][i] · M[v][j] · X(i, j, rest...), u, v < rows(M).
inline Transform2D kron(const Matrix &M, const Halide::Func &X, const Halide::Var &u,
                        const Halide::Var &v, const std::vector<Halide::Var> &rest,
                        const std::string &name) {
    using Halide::Expr;
    std::vector<Expr> rest_args(rest.begin(), rest.end());
    auto args = [&](Expr a, Expr b) {
        std::vector<Expr> all{a, b};
        all.insert(all.end(), rest_args.begin(), rest_args.end());
        return all;
    };
    std::vector<Halide::Var> pure{u, v};
    pure.insert(pure.end(), rest.begin(), rest.end());

    Transform2D t{Halide::Func(name + "_rows"), Halide::Func(name)};
    // mux() picks the row; with u (v) unrolled over constant bounds it folds away.
    auto pass = [&](const Halide::Var &row_var, auto term) {
        std::vector<Expr> rows = matrix_times(M, term);
        return rows.size() == 1 ? rows[0] : Halide::mux(row_var, rows);
    };
    t.rows(pure) = pass(u, [&](int i) { return X(args(i, v)); });
    t.out(pure) = pass(v, [&](int j) { return t.rows(args(u, j)); });
    return t;
}

}  // namespace wino
