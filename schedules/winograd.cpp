// Schedules of Winograd convolution: the tensor-level formulation and the fused
// (schedule-level) one. Both compute exactly the same stages (generators/).
#include <stdexcept>

#include "schedules.h"

namespace wino {

using namespace Halide;

namespace {

// Tensor level: every stage is its own whole-tensor operation, materialized at
// root, as a framework that runs one op at a time would. Each op still gets
// reasonable loops: a layout whose innermost dimension is the one it vectorizes,
// vector code, and threads over an outer dimension. Nothing is fused.
void schedule_tensor(WinogradStages &s, const Target &target) {
    const int L = machine_of(target).lanes;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    const TailStrategy guard = TailStrategy::GuardWithIf;

    // Input transform, both passes: vectorized across tiles of a row.
    for (Func f : {s.V.rows, s.V.out}) {
        f.compute_root()
            .reorder_storage(tx, ty, u, v, c, n)
            .reorder(tx, u, v, ty, c, n)
            .vectorize(tx, L, guard)
            .parallel(c);
    }
    // Batched multiply: for each transform point, M = U · V with a vector of
    // output channels per step and the channel sum just outside it.
    s.M.compute_root().reorder_storage(k, tx, ty, u, v, n).vectorize(k, L, guard).parallel(ty);
    s.M.update().reorder(k, s.rc, tx, u, v, ty, n).vectorize(k, L, guard).parallel(ty);
    // Output transform, both passes: vectorized across output channels.
    for (Func f : {s.Y.rows, s.Y.out}) {
        f.compute_root()
            .reorder_storage(k, u, v, tx, ty, n)
            .reorder(k, u, v, tx, ty, n)
            .vectorize(k, L, guard)
            .parallel(ty);
    }
    // Untiling into NKHW.
    s.output.vectorize(s.x, L, guard).parallel(s.y);
}

// Fused: per row of tiles, transform the input once for all channels; then per
// block of tiles x block of output channels, run the batched multiply as a
// register-blocked micro-kernel and apply the output transform on the way out.
void schedule_fused(WinogradStages &s, const Target &target) {
    const RegisterBlock blk = register_block(machine_of(target));
    const int L = blk.lanes, KB = blk.k(), TB = blk.columns;
    const int m = s.m, alpha = s.alpha;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    const TailStrategy guard = TailStrategy::GuardWithIf;

    // Output loops: tiles of m x m pixels, blocks of TB tiles along a row,
    // blocks of KB channels; rows of tiles across images in parallel.
    Func out = s.output;
    Var otx("otx"), xi("xi"), oty("oty"), yi("yi"), txo("txo"), txi("txi");
    Var ko("ko"), ki("ki"), kv("kv"), tyn("tyn");
    out.split(s.x, otx, xi, m, guard)
        .split(s.y, oty, yi, m, guard)
        .split(otx, txo, txi, TB, guard)
        .split(k, ko, ki, KB, guard)
        .split(ki, ki, kv, L)
        .reorder(kv, ki, xi, yi, txi, ko, txo, oty, n)
        .vectorize(kv)
        .unroll(ki)
        .unroll(xi)
        .unroll(yi)
        .fuse(oty, n, tyn)
        .parallel(tyn);

    // Output transform, per tile and channel block: the first pass into a small
    // stack block, the second pass inlined into the store.
    Var yv("yv"), yu("yu");
    s.Y.rows.compute_at(out, txi)
        .bound_extent(k, KB)
        .split(k, yu, yv, L)
        .reorder(yv, yu, u, v)
        .vectorize(yv)
        .unroll(yu)
        .unroll(u)
        .unroll(v);

    // Products for one block of TB tiles x KB channels, all alpha² points,
    // stored with channels innermost for the output transform's vector loads.
    Func M_block = s.M.in();
    Var mu("mu"), mv("mv");
    M_block.compute_at(out, ko)
        .bound_extent(k, KB)
        .bound_extent(tx, TB)
        .bound_extent(u, alpha)
        .bound_extent(v, alpha)
        .reorder_storage(k, tx, u, v, ty, n)
        .split(k, mu, mv, L)
        .reorder(mv, mu, tx, u, v, ty, n)
        .vectorize(mv)
        .unroll(mu)
        .unroll(tx);
    // The micro-kernel, once per transform point: KB x TB accumulators in
    // registers while the channel reduction runs outside them.
    s.M.compute_at(M_block, u)
        .split(k, mu, mv, L)
        .reorder(mv, mu, tx, u, v, ty, n)
        .vectorize(mv)
        .unroll(mu)
        .unroll(tx);
    s.M.update()
        .split(k, mu, mv, L)
        .reorder(mv, mu, tx, s.rc, u, v, ty, n)
        .vectorize(mv)
        .unroll(mu)
        .unroll(tx);

    // Input transform: once per row of tiles for every input channel, reused by
    // every channel block. Vectorized across tiles (RoundUp: extra tiles read the
    // zero padding), stored tiles-innermost for the micro-kernel's broadcasts.
    const int TL = L < 8 ? L : 8;
    Var vo("vo"), vi("vi");
    s.V.out.compute_at(out, tyn)
        .reorder_storage(tx, c, u, v, ty, n)
        .split(tx, vo, vi, TL, TailStrategy::RoundUp)
        .reorder(vi, u, v, vo, c, ty, n)
        .vectorize(vi)
        .unroll(u)
        .unroll(v);
    s.V.rows.compute_at(s.V.out, vo)
        .bound_extent(tx, TL)
        .reorder(tx, u, v)
        .vectorize(tx)
        .unroll(u)
        .unroll(v);

    // The alpha input rows this row of tiles reads, zero padding applied once.
    s.in.compute_at(out, tyn).vectorize(s.in.args()[0], L, guard);
}

}  // namespace

void schedule_winograd(const std::string &schedule, WinogradStages &s, const Target &target) {
    if (schedule == "tensor") {
        schedule_tensor(s, target);
    } else if (schedule == "fused") {
        schedule_fused(s, target);
    } else {
        throw std::invalid_argument("conv_winograd: unknown schedule '" + schedule + "'");
    }
}

}  // namespace wino
