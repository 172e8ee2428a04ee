// Schedules of Winograd convolution: the tensor-level formulation and the fused
// (schedule-level) one. Both compute exactly the same stages (generators/).
#include <stdexcept>

#include "layout.h"
#include "schedules.h"

namespace wino {

using namespace Halide;

namespace {

// Tensor level: every stage is its own whole-tensor operation, materialized at
// root, as a framework that runs one op at a time would: pad, input transform
// (two passes), batched multiply, output transform (two passes), untile. Nothing
// is fused. Each op still gets the loops a good op library would give it: a
// layout whose innermost dimension is a vector of channels (dense loads at
// any image size; vectorizing across the tiles of a row instead left 14-tile
// rows entirely to scalar tail code), the index its mux() selects on unrolled,
// and threads over tile rows.
void schedule_tensor(WinogradStages &s, const Target &target) {
    const int L = machine_of(target).lanes;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    const TailStrategy guard = TailStrategy::GuardWithIf, round_up = TailStrategy::RoundUp;

    // Padding: the zero-padded input, channels innermost.
    const std::vector<Var> in = s.in.args();  // (x, y, c, n)
    s.in.compute_root()
        .reorder_storage(in[2], in[0], in[1], in[3])
        .reorder(in[2], in[0], in[1], in[3])
        .vectorize(in[2], L, round_up)
        .parallel(in[1]);
    // Input transform, both passes, across input channels.
    for (auto [f, unrolled] : {std::pair{s.V.rows, u}, std::pair{s.V.out, v}}) {
        f.compute_root()
            .reorder_storage(c, tx, ty, u, v, n)
            .reorder(c, unrolled, unrolled.same_as(u) ? v : u, tx, ty, n)
            .vectorize(c, L, round_up)
            .unroll(unrolled)
            .parallel(ty);
    }
    // Batched multiply: for each transform point, M = U · V with a vector of
    // output channels per step and the channel sum just outside it (a rank-1
    // update of M per channel). k is split at U's channel blocks first so a
    // vector of k is a dense load of U.
    Var kb("kb"), kk("kk");
    s.M.compute_root().reorder_storage(k, tx, ty, u, v, n).vectorize(k, L, guard).parallel(ty);
    s.M.update()
        .split(k, kb, kk, kWeightKAlign, guard)
        .reorder(kk, kb, s.rc, tx, u, v, ty, n)
        .vectorize(kk, L, guard)
        .parallel(ty);
    // Output transform, both passes, across output channels.
    for (auto [f, unrolled] : {std::pair{s.Y.rows, u}, std::pair{s.Y.out, v}}) {
        f.compute_root()
            .reorder_storage(k, u, v, tx, ty, n)
            .reorder(k, unrolled, unrolled.same_as(u) ? v : u, tx, ty, n)
            .vectorize(k, L, guard)
            .unroll(unrolled)
            .parallel(ty);
    }
    // Untiling into NKHW.
    s.output.vectorize(s.x, L, guard).parallel(s.y);
}

// Fused: per band of tile rows, transform the input once for all channels
// (kept in L2); then per block of KB output channels, for each transform point
// (u, v), run the batched multiply as a register-blocked micro-kernel over all
// tiles of the band, so that slice of U (C x KB floats) is read from cache by
// every tile block instead of streamed from memory per tile; finally apply the
// output transform per tile on the way to the output.
void schedule_fused(WinogradStages &s, const std::string &block, const Target &target) {
    const RegisterBlock blk = register_block(machine_of(target), block);
    const int L = blk.lanes, KB = blk.k(), TBx = blk.cols_x(), TBy = blk.cols_y();
    const int m = s.m, alpha = s.alpha;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    const TailStrategy guard = TailStrategy::GuardWithIf, round_up = TailStrategy::RoundUp;

    // Band height R (tile rows, a multiple of TBy). Every band streams all of
    // U (alpha² x C x K floats) once, and re-reads its transformed input V
    // (alpha² x tiles x C floats) once per channel block. So a band holds as
    // many rows as keep V within ~512 KB of L2, or within an eighth of U when U
    // is larger (C=K=256 at 14x14: one band reading U once beat two bands
    // reading it twice). With a single channel block (K <= 32) there is no
    // parallelism inside a band, so then at most half the image per band.
    Func out = s.output;
    const Expr C = s.rc.x.extent(), K = out.output_buffer().dim(2).extent();
    const Expr tiles_x = (out.output_buffer().dim(0).extent() + m - 1) / m;
    const Expr tiles_y = (out.output_buffer().dim(1).extent() + m - 1) / m;
    const Expr V_row_bytes = alpha * alpha * 4 * tiles_x * C;
    const Expr U_bytes = cast<int64_t>(alpha * alpha * 4) * C * K;
    const Expr budget = max(cast<int64_t>(512 * 1024), U_bytes / 8);
    const Expr rows_in_cache = cast<int>(min(budget / V_row_bytes, cast<int64_t>(1 << 20)));
    const Expr max_rows = select(K <= kWeightKAlign,
                                 (tiles_y + 2 * TBy - 1) / (2 * TBy),  // half the image
                                 (tiles_y + TBy - 1) / TBy);           // all of it
    const Expr R = TBy * max(1, min(rows_in_cache / TBy, max_rows));

    // Output loops: tiles of m x m pixels, bands of R tile rows across images in
    // parallel, blocks of KB channels inside a band, then tiles.
    Var otx("otx"), xi("xi"), oty("oty"), yi("yi"), tyo("tyo"), tyi("tyi");
    // k is split at U's channel blocks first (then into KB), so k % kWeightKAlign
    // and k / kWeightKAlign fold to loop variables.
    Var kb("kb"), kk("kk"), ko("ko"), ki("ki"), kv("kv"), band("band");
    out.split(s.x, otx, xi, m, guard)
        .split(s.y, oty, yi, m, guard)
        .split(oty, tyo, tyi, R, guard)
        .split(k, kb, kk, kWeightKAlign, guard)
        .split(kk, ko, ki, KB, round_up)  // exact: KB divides kWeightKAlign
        .split(ki, ki, kv, L)
        .reorder(kv, xi, yi, ki, otx, tyi, ko, kb, tyo, n)
        .vectorize(kv)
        .fuse(tyo, n, band)
        .parallel(band)
        // Channel blocks in parallel too: a layer with one band (small images)
        // still uses every core; with enough bands, the inner loop runs
        // serially on the worker that runs the band (runtime/halide_hooks.cpp).
        .parallel(kb);

    // Output transform, per tile and channel block, both passes into a small
    // stack block; the store above is then a plain loop over the tile's pixels.
    // The loops over channel vectors and pixels stay loops (not unrolled) so
    // that the guards of partial tiles and channel blocks split only those
    // small loops: guarded inside unrolled code, Halide 14 split the enclosing
    // tile and channel-block loops instead, duplicating the transform and the
    // batched multiply (fused F(6,3) took 7 s to compile; now under 1 s).
    // Each pass unrolls only the index its mux() selects on (the first pass
    // u, the second v), which folds the coefficients; the other index stays a
    // loop, which keeps the code alpha times smaller.
    Var yv("yv"), yu("yu");
    auto per_tile = [&](Func f, const Var &unrolled, const Var &looped) {
        f.compute_at(out, otx)
            .bound_extent(k, KB)
            .bound_extent(tx, 1)
            .bound_extent(ty, 1)
            .reorder_storage(k, u, v, tx, ty, n)
            .split(k, yu, yv, L)
            .reorder(yv, yu, unrolled, looped)
            .vectorize(yv)
            .unroll(yu)
            .unroll(unrolled);
    };
    per_tile(s.Y.rows, u, v);
    per_tile(s.Y.out, v, u);
    s.Y.out.bound_extent(u, m).bound_extent(v, m);

    // Products for the whole band and one channel block, all alpha² points,
    // channels innermost for the output transform's vector loads. Its loops put
    // the transform point outermost and tile blocks (TBx x TBy, RoundUp: extra
    // tiles read zero padding) inside.
    Func M_band = s.M.in();
    Var mu("mu"), mv("mv"), bx("bx"), by("by"), bxi("bxi"), byi("byi");
    M_band.compute_at(out, ko)
        .bound_extent(k, KB)
        .reorder_storage(k, tx, ty, u, v, n)
        .split(k, mu, mv, L)
        .split(tx, bx, bxi, TBx, round_up)
        .split(ty, by, byi, TBy, round_up)
        .reorder(mv, mu, bxi, byi, bx, by, u, v, n)
        .vectorize(mv)
        .unroll(mu)
        .unroll(bxi)
        .unroll(byi);
    // The micro-kernel, per transform point and tile block: KB x TBx x TBy
    // accumulators in registers while the channel reduction runs outside them.
    s.M.compute_at(M_band, bx)
        .reorder_storage(k, tx, ty, u, v, n)
        .split(k, mu, mv, L)
        .reorder(mv, mu, tx, ty, u, v, n)
        .vectorize(mv)
        .unroll(mu)
        .unroll(tx)
        .unroll(ty);
    s.M.update()
        .split(k, mu, mv, L)
        .reorder(mv, mu, tx, ty, s.rc, u, v, n)
        .vectorize(mv)
        .unroll(mu)
        .unroll(tx)
        .unroll(ty);

    // Input transform: once per band for every input channel, reused by every
    // channel block, vectorized across input channels: every load is a dense
    // vector and no work is lost to rounding rows of 2-14 tiles up to a vector
    // (vectorized across tiles instead, F(4,3) wasted half the transform at
    // 14x14 and needed shuffles for the stride-m loads). RoundUp: channels past
    // C read zero padding and are never used. Stored channels innermost.
    Var co("co"), cv("cv");
    s.V.out.compute_at(out, band)
        .reorder_storage(c, tx, ty, u, v, n)
        .split(c, co, cv, L, round_up)
        .reorder(cv, v, u, co, tx, ty, n)
        .vectorize(cv)
        .unroll(v);
    s.V.rows.compute_at(s.V.out, co)
        .bound_extent(c, L)
        .reorder_storage(c, u, v, tx, ty, n)
        .reorder(c, u, v)
        .vectorize(c)
        .unroll(u);

    // The input rows this band reads, zero padding applied once, transposed to
    // channels innermost for the transform's vector loads. One vector of
    // channels at a time sweeps the rows: L input planes stream in parallel
    // (all C at once outran the hardware prefetcher at N=8).
    const std::vector<Var> in = s.in.args();  // (x, y, c, n)
    Var ico("ico"), icv("icv");
    s.in.compute_at(out, band)
        .reorder_storage(in[2], in[0], in[1], in[3])
        .split(in[2], ico, icv, L, round_up)
        .reorder(icv, in[0], in[1], ico, in[3])
        .vectorize(icv);
}

}  // namespace

void schedule_winograd(const std::string &schedule, const std::string &block, WinogradStages &s,
                       const Target &target) {
    if (schedule == "tensor") {
        if (!block.empty()) throw std::invalid_argument("conv_winograd: the tensor schedule takes no block");
        schedule_tensor(s, target);
    } else if (schedule == "fused") {
        schedule_fused(s, block, target);
    } else {
        throw std::invalid_argument("conv_winograd: unknown schedule '" + schedule + "'");
    }
}

}  // namespace wino
