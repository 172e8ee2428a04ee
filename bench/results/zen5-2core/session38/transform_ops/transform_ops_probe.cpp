// Session 38: the input (B_T) and output (A_T) transforms alone, compiled by Halide 14 for this
// host, with kron() as it was (each row on its own: kron_old below) and as shared_product makes
// it, to count the vector arithmetic LLVM emits (counts.txt: file, zmm add/sub/mul/fma
// instructions, zmm moves). Both stages unrolled over u and v, channels vectorized.
//   g++ -std=c++17 -O1 -I/usr/include/halide14 -I../../../../../generators transform_ops_probe.cpp \
//       ../../../../../generators/cook_toom.cpp -o probe -lHalide14 -lpthread -ldl
//   for m in 4 6; do for o in old new; do ./probe $m $o; ./probe $m $o A; done; done
//   for f in k_*.s; do echo "$f $(grep -cE 'v(add|sub|mul)ps.*zmm|vf(n?)m(add|sub)[0-9]*ps.*zmm' $f) $(grep -cE 'vmovups.*zmm|vmovaps.*zmm' $f)"; done
#include "Halide.h"
#include "transform.h"
#include <cstdio>
using namespace Halide;
using namespace wino;
// old kron: each row on its own, naive order
Transform2D kron_old(const Matrix &M, const Func &X, const Var &u, const Var &v, const std::vector<Var> &rest, const std::string &name) {
    std::vector<Expr> rest_args(rest.begin(), rest.end());
    auto args = [&](Expr a, Expr b) { std::vector<Expr> all{a, b}; all.insert(all.end(), rest_args.begin(), rest_args.end()); return all; };
    std::vector<Var> pure{u, v}; pure.insert(pure.end(), rest.begin(), rest.end());
    auto lc = [](const std::vector<Rational> &coeff, auto term) { Expr sum; for (size_t i = 0; i < coeff.size(); i++) { const Rational &a = coeff[i]; if (a.is_zero()) continue; Expr t = term(int(i));
        if (!sum.defined()) sum = a.is_one() ? t : a.is_minus_one() ? -t : Expr(float(a.to_double())) * t; else sum = a.is_one() ? sum + t : a.is_minus_one() ? sum - t : sum + Expr(float(a.to_double())) * t; } return sum; };
    Transform2D t{Func(name + "_rows"), Func(name)};
    auto pass = [&](const Var &row_var, auto term) { std::vector<Expr> rows; for (auto &row : M) rows.push_back(lc(row, term)); return mux(row_var, rows); };
    t.rows(pure) = pass(u, [&](int i) { return X(args(i, v)); });
    t.out(pure) = pass(v, [&](int j) { return t.rows(args(u, j)); });
    return t;
}
int main(int argc, char **argv) {
    int m = atoi(argv[1]); bool old = argv[2][0] == 'o'; bool output = argc > 3;
    auto w = cook_toom(m, 3);
    const Matrix &M = output ? w.A_T : w.B_T;
    int a = M[0].size();
    ImageParam in(Float(32), 3, "in");  // (c, i*j, t)
    Var i, j, c, t, u, v;
    Func d("d"); d(i, j, c, t) = in(c, i + a * j, t);
    Transform2D T = old ? kron_old(M, d, u, v, {c, t}, "V") : kron(M, d, u, v, {c, t}, "V");
    Func out("out"); out(c, u, v, t) = T.out(u, v, c, t);
    Var co, ci;
    out.bound(u, 0, (int)M.size()).bound(v, 0, (int)M.size()).reorder(c, u, v, t).split(c, co, ci, 16).reorder(ci, u, v, co, t).vectorize(ci).unroll(u).unroll(v);
    T.out.compute_at(out, co).bound_extent(c, 16).vectorize(c).unroll(u).unroll(v);
    T.rows.compute_at(out, co).bound_extent(c, 16).vectorize(c).unroll(u).unroll(v);
    Target target = get_host_target();
    out.compile_to_assembly(std::string("k_") + argv[1] + argv[2] + (output ? "A" : "B") + ".s", {in}, "k", target);
}
