// Schedule of the direct convolution: the honest baseline.
//
// A register-blocked micro-kernel like a GEMM's: a block of output channels
// (vectorized) times a row segment of output pixels (unrolled) stays in
// registers while the reduction over (c, ry, rx) streams past it. The weights
// arrive packed in channel blocks (generators/layout.h): a vector of output
// channels is one dense load.
#include <stdexcept>
#include <cstdlib>

#include "layout.h"
#include "schedules.h"

namespace wino {

using namespace Halide;

void schedule_direct(const std::string &schedule, const ScheduleParams &p, DirectStages &s, const Target &target) {
    if (schedule != "direct") throw std::invalid_argument("conv_direct: unknown schedule '" + schedule + "'");
    // Neighbouring taps share input pixels, and LLVM keeps the shared
    // broadcasts in registers across the (small) tap loops: give them a third
    // of the registers, or the accumulators spill.
    RegisterBlock blk = register_block(machine_of(target), p);
    if (p.block.empty()) blk.columns = blk.columns * 2 / 3;
    const int KB = blk.k(), XB = blk.cols_x(), YB = blk.cols_y(), L = blk.lanes;

    Func out = s.output;
    Var x = s.x, y = s.y, k = s.k, n = s.n;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), kb("kb"), kk("kk"), ko("ko"), ki("ki"), kv("kv");
    Var bxo("bxo"), bxi("bxi"), byo("byo"), byi("byi");

    // Bands of output pixels, whole rows when the padded input they read
    // (C channels per pixel) fits the budget, else chunks of rows: the input
    // is padded once per band and reused by every channel block, and the
    // band's memory does not grow with the image. Bands of all images run in
    // parallel; channel blocks inside a band too (parallel=channels), which
    // gives small images with many channels (7x7, C=512) tasks for many cores.
    const Expr C = s.r.z.extent(), K = out.output_buffer().dim(2).extent();
    const Expr W = out.output_buffer().dim(0).extent(), H = out.output_buffer().dim(1).extent();
    const Expr N = out.output_buffer().dim(3).extent();
    const Expr kblocks = (K + kWeightKAlign - 1) / kWeightKAlign;
    const BandShape bands = band_shape(W, H, N, C * 4 * (YB + 2) / YB, XB, YB, band_bytes(p),
                                       select(parallel_channels(p), kblocks, 1), s.threads);

    // Output: one register block of XB x YB pixels x KB channels per (xo, ko).
    // GuardWithIf: any H', W', K works; only blocks at the edges are partial.
    // k is split at the weights' channel blocks first, so k % kWeightKAlign
    // and k / kWeightKAlign fold.
    // Bands are whole register blocks: split the block loops, not the pixels,
    // so that no guard lands inside the unrolled block.
    out.split(k, kb, kk, kWeightKAlign, TailStrategy::GuardWithIf)
        .split(kk, ko, ki, KB, TailStrategy::GuardWithIf)
        .split(x, xo, xi, XB, TailStrategy::GuardWithIf)
        .split(y, yo, yi, YB, TailStrategy::GuardWithIf)
        .split(xo, bxo, xo, max(1, bands.x / XB), TailStrategy::GuardWithIf)
        .split(yo, byo, yo, max(1, bands.y / YB), TailStrategy::GuardWithIf)
        .split(ki, ki, kv, L)
        .reorder(kv, ki, xi, yi, xo, ko, yo, kb, bxo, byo, n)
        .vectorize(kv)
        .unroll(ki)
        .unroll(xi)
        .unroll(yi)
        // Bands in x, bands in y, images: nested parallel loops, not fused
        // (Halide 14 cannot prove a fused band index in range when the band
        // count is symbolic, and rejects the call); the pool balances nesting.
        .parallel(bxo)
        .parallel(byo)
        .parallel(n);
    if (parallel_channels(p)) out.parallel(kb);

    // The accumulators: a fixed-size block (bound_extent), so it can live in
    // registers even for a partial block at the edge; the extra pixels read zero
    // padding and the extra channels zero weights, and are never stored.
    Var cv("cv"), cu("cu");
    s.conv.compute_at(out, xo)
        .bound_extent(k, KB)
        .bound_extent(x, XB)
        .bound_extent(y, YB)
        .reorder_storage(k, x, y, n)  // channel vectors dense: the block maps onto registers
        .split(k, cu, cv, L)
        .reorder(cv, cu, x, y, n)
        .vectorize(cv)
        .unroll(cu)
        .unroll(x)
        .unroll(y);
    // Reduction outside the register block: c outermost. The 3x3 tap loops
    // stay loops: unrolled, the pixels neighbouring taps share took registers
    // and the accumulators spilled.
    RVar rx = s.r.x, ry = s.r.y, rc = s.r.z;
    s.conv.update()
        .split(k, cu, cv, L)
        .reorder(cv, cu, x, y, rx, ry, rc, n)
        .vectorize(cv)
        .unroll(cu)
        .unroll(x)
        .unroll(y);

    // The input this band reads, zero padding applied once here instead of as
    // a select inside the micro-kernel.
    s.in.compute_at(out, bxo).vectorize(s.in.args()[0], L, TailStrategy::RoundUp);
}

void schedule_weight_packing(PackStages &s, const Target &target) {
    const int L = machine_of(target).lanes;
    Var ko("ko"), kv("kv");
    // A vector of output channels is a dense store; one parallel task per
    // channel block walks (rx, ry, c) in memory order, so its reads of KCRS
    // (32 rows 9·C floats apart) advance through sequential streams.
    s.output.split(s.ki, ko, kv, L)
        .reorder(kv, ko, s.rx, s.ry, s.c, s.kb)
        .vectorize(kv)
        .unroll(ko)
        .parallel(s.kb);
}

}  // namespace wino
