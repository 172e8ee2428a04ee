// The stages of each algorithm, handed from the algorithm (generators/) to a
// schedule (schedules/). An algorithm fills one of these and never schedules;
// a schedule receives it and never changes what is computed.
#pragma once

#include "Halide.h"
#include "layout.h"

namespace wino {

// Whether a layer has channels enough for one of the widest CPU vectors
// (layout.h): then a channel tail's last vector can end at channel C - 1
// instead of reaching past it. An algorithm selects on it and its schedule
// specializes on it; built here by both, so that Halide folds the select in
// each specialization.
inline Halide::Expr fills_channel_vector(const Halide::Expr &C) { return C >= kWidestChannelVector; }

// A separable 2-D transform Z = M · X · Mᵀ over the two leading "point"
// dimensions of X, computed in two passes (see transform.h).
struct Transform2D {
    Halide::Func rows;  // first pass:  rows(u, j, rest...) = Σ_i M[u][i] X(i, j, rest...)
    Halide::Func out;   // second pass: out(u, v, rest...)  = Σ_j M[v][j] rows(u, j, rest...)
};

// Direct 3x3 convolution: output(x, y, k, n) = Σ_{c, ry, rx} w(rx, ry, c, k) · in(x+rx, y+ry, c, n),
// on weights packed in output-channel blocks (layout.h).
struct DirectStages {
    Halide::Expr threads;  // the thread count of the call: a schedule sizes its parallel tasks by it
    Halide::Func in;       // input shifted by the padding, zero outside
    Halide::Func in_blocked;  // pad=blocks: in as in_blocked(ci, x, y, co, n), 16 channels a block (algorithms.h); else undefined
    Halide::Func conv;     // the reduction
    Halide::Func output;
    Halide::RDom r;        // (rx, ry, c)
    Halide::Var x{"x"}, y{"y"}, k{"k"}, n{"n"};
};

// Winograd F(m x m, 3 x 3) on pre-transformed weights U (layout.h):
//   V = B_T d B (per tile), M = Σ_c U ⊙ V, Y = A_T M A, output = Y untiled.
struct WinogradStages {
    int m = 0, alpha = 0;
    Halide::Expr threads;  // the thread count of the call: a schedule sizes its parallel tasks by it
    Halide::Func in;       // input shifted by the padding, zero outside
    Halide::Func d;        // tiled input: d(i, j, tx, ty, c, n), alpha x alpha per tile
    Transform2D V;         // input transform:  V(u, v, tx, ty, c, n)
    Halide::Func M;        // batched multiply: M(u, v, k, tx, ty, n)
    Halide::RDom rc;       // the channel reduction of M
    Transform2D Y;         // output transform: Y(u, v, k, tx, ty, n), u, v < m
    Halide::Func output;   // output(x, y, k, n)
    Halide::Var x{"x"}, y{"y"}, k{"k"}, n{"n"}, c{"c"};
    Halide::Var u{"u"}, v{"v"}, tx{"tx"}, ty{"ty"};
};

// Direct convolution's weight packing: KCRS into output-channel blocks
// W(ki, rx, ry, c, kb), or W(ki, c, rx, ry, kb) for NHWC variants (layout.h),
// zero beyond K.
struct PackStages {
    Halide::Func output;
    Halide::Var ki{"ki"}, rx{"rx"}, ry{"ry"}, c{"c"}, kb{"kb"};
    bool channels_last = false;  // W(ki, c, rx, ry, kb), not W(ki, rx, ry, c, kb)
};

// The Winograd filter transform U = G g Gᵀ, stored in output-channel blocks
// U(ki, c, u, v, kb) (layout.h).
struct FilterStages {
    int m = 0, alpha = 0;
    Halide::Func g;        // weights, zero for k >= K
    Transform2D U;         // U(u, v, c, k)
    Halide::Func output;   // output(ki, c, u, v, kb)
    Halide::Var k{"k"}, c{"c"}, u{"u"}, v{"v"}, ki{"ki"}, kb{"kb"};
};

}  // namespace wino
