// Schedule of the direct convolution: the honest baseline.
//
// A register-blocked micro-kernel like a GEMM's: a block of output channels
// (vectorized) times a row segment of output pixels (unrolled) stays in
// registers while the reduction over (c, ry, rx) streams past it. The weights
// arrive packed in channel blocks (generators/layout.h): a vector of output
// channels is one dense load.
#include <cstdio>
#include <stdexcept>

#include "layout.h"
#include "schedules.h"

namespace wino {

using namespace Halide;

// Two micro-kernels (ScheduleParams::vectorize):
//  k: a vector of output channels x a 2-D block of pixels. Suits small planes
//     (7x7 to 28x28) with many channels; each output vector is stored across
//     L planes, which on power-of-two planes (32², 64²: planes 4-16 KB apart)
//     all fall into the same cache sets.
//  x: a vector of pixels along a row x a few output channels x rows. Suits
//     wide planes and few input channels (a first layer, C = 3): every store
//     is a dense row segment.
// With layout=nhwc (channels innermost) only k applies, and it needs no
// store=rows: a vector of output channels is one dense store.
void schedule_direct(const std::string &schedule, const ScheduleParams &p, DirectStages &s, const Target &target) {
    const bool nhwc = channels_last(p);
    if (nhwc && schedule != "direct")
        throw std::invalid_argument("conv_direct: layout=nhwc is scheduled by the CPU direct schedule only");
    if (schedule == "gpu_direct") return schedule_gpu_direct(s, p, target);
    if (schedule != "direct") throw std::invalid_argument("conv_direct: unknown schedule '" + schedule + "'");
    if (!p.vectorize.empty() && p.vectorize != "k" && p.vectorize != "x")
        throw std::invalid_argument("conv_direct: vectorize='" + p.vectorize + "', expected k or x");
    if (p.c_slice || !p.load.empty())
        throw std::invalid_argument("conv_direct: c_slice and load are GPU Winograd parameters");
    if (p.c_block) throw std::invalid_argument("conv_direct: c_block is the fused Winograd schedule's parameter");
    if (parallel_all(p) || parallel_points(p))
        throw std::invalid_argument("conv_direct: parallel=" + p.parallel +
                                    " is the fused schedule's (its input transform); expected bands, channels or groups");
    const bool groups = parallel_groups(p);
    const bool blocked_band = pads_channel_blocks(p);
    const bool along_x = p.vectorize == "x";
    if (nhwc && (along_x || p.store == "rows" || pads_image(p)))
        throw std::invalid_argument("conv_direct: layout=nhwc vectorizes output channels and pads bands: "
                                    "vectorize=x, store=rows and pad=image are for nchw");
    const Machine machine = machine_of(target);
    // Neighbouring taps share input pixels, and LLVM keeps the shared
    // broadcasts in registers across the (small) tap loops: direct_block
    // leaves them a third of the registers, or the accumulators spill.
    const RegisterBlock blk = direct_block(machine, along_x ? ScheduleParams{} : p);
    const RowBlock row = along_x ? row_block(machine, p) : RowBlock{};
    const int L = machine.lanes;
    // Register block: KB channels x XB x YB pixels.
    const int KB = along_x ? row.KU : blk.k(), XB = along_x ? L : blk.cols_x(), YB = along_x ? row.YB : blk.cols_y();
    // taps=rows (generators/algorithms.h): a block of one row bounds its
    // row taps' loop by the predicate; with more rows Halide tests it per
    // row inside the channel loop (vectorize=x, 3 rows: 2.7x slower at 56²,
    // JIT, Zen 5, bench/results/zen5-2core/session21/padded_taps).
    if (skips_padded_rows(p) && YB != 1)
        throw std::invalid_argument("conv_direct: taps=rows needs a register block of one row (block=Xx1), got " +
                                    std::to_string(YB) + " rows");
    // store=rows (vectorize=k): the register blocks of a vector's worth of
    // pixels along a row (XG = L pixels, L / XB blocks) go to a stack block
    // first, pixels innermost, and each of its rows is one vector store.
    // Stored straight from the registers, a vector of channels is spread over
    // L planes; on power-of-two planes (32², 64²: 4-16 KB apart) those stores
    // all fall into the same cache sets, and the output stage took more time
    // than the arithmetic (32x32, C=K=16: 0.079 of 0.145 ms).
    if (!p.store.empty() && (along_x || (p.store != "rows" && p.store != "channels")))
        throw std::invalid_argument("conv_direct: store='" + p.store +
                                    "': expected rows or channels, with vectorize=k (vectorize=x stores rows)");
    const bool rows = direct_stores_rows(machine, p);
    const int XG = rows ? L : XB;  // pixels per output block along x

    Func out = s.output;
    Var x = s.x, y = s.y, k = s.k, n = s.n;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), kb("kb"), kk("kk"), ko("ko"), ki("ki"), kv("kv");
    Var bxo("bxo"), byo("byo");

    // Bands of output pixels, whole rows when the padded input they read
    // (C channels per pixel) fits the budget, else chunks of rows: the input
    // is padded once per band and reused by every channel block, and the
    // band's memory does not grow with the image; with threads, smaller
    // bands (2-D too) where they even out the threads' shares (band_shape_of,
    // chosen at run time for the call's shape). Bands of all images run in
    // parallel; channel blocks inside a band too (parallel=channels), which
    // gives small images with many channels (7x7, C=512) tasks for many cores.
    const Expr C = s.r.z.extent(), K = out.output_buffer().dim(2).extent();
    const Expr W = out.output_buffer().dim(0).extent(), H = out.output_buffer().dim(1).extent();
    const Expr N = out.output_buffer().dim(3).extent();
    // parallel=groups: the weights' channel blocks in groups, outermost, one
    // group task per thread (direct_group_blocks), each padding the bands it
    // reads itself. A call's oneTBB loop of at most one task per thread gives
    // a task to the same thread call after call (bench/results/h200-37), so
    // each thread can keep its group's weights in its L2 from call to call,
    // as oneDNN's static OpenMP schedule does; with channel blocks nested in
    // bands, whichever thread steals a block reads its weights from L3 (it
    // paid on one layer of one host only: bench/results/h200-39). The
    // bands then only fill the threads the groups leave idle: band_shape
    // counts the groups twice, as one task per thread is enough. (kblocks is
    // at least 1: K >= 1.)
    const Expr kblocks = channel_blocks(K, KB);
    const Expr per_group = (kblocks + clamp(s.threads, 1, kblocks) - 1) / clamp(s.threads, 1, kblocks);  // direct_group_blocks
    const Expr group_count = (kblocks + per_group - 1) / per_group;
    const BandShape bands = band_shape(W, H, N, direct_band_channels(p, C) * 4 * (YB + 2) / YB, XG, YB, band_bytes(p),
                                       groups ? 2 * group_count : select(parallel_channels(p), kblocks, 1),
                                       s.threads);

    // Output: one register block per (xo, ko). GuardWithIf: any H', W', K
    // works; only blocks at the edges are partial. k is split into register
    // blocks first, then those into the weights' channel blocks (kb): the
    // guard on ko depends on nothing inside it, so Halide tests it around the
    // whole block, and a channel tail (K = 16, 40) skips the blocks past K
    // instead of computing them and dropping their stores (it computed a
    // whole weight block: twice the work at K = 16). A register block that
    // does not divide the weights' blocks (k_vectors=3: 48 channels, one
    // block for K = 40 where two of 32 computed 64) is its own channel block:
    // its weight indices do not fold, and its last block's lanes past the
    // packed weights read a clamped block (generators/algorithms.h).
    // Bands are whole register blocks: split the block loops, not the pixels,
    // so that no guard lands inside the unrolled block.
    out.split(k, ko, ki, KB, TailStrategy::GuardWithIf)
        .split(ko, kb, ko, register_blocks_per_channel_block(KB), TailStrategy::GuardWithIf)
        .split(x, xo, xi, XG, TailStrategy::GuardWithIf)
        .split(y, yo, yi, YB, TailStrategy::GuardWithIf)
        .split(xo, bxo, xo, max(1, bands.x / XG), TailStrategy::GuardWithIf)
        .split(yo, byo, yo, max(1, bands.y / YB), TailStrategy::GuardWithIf);
    // The loops outside a band's register blocks: its channel blocks, the
    // bands, (with parallel=groups) the groups, the images.
    Var kbg("kbg"), kbi("kbi");
    std::vector<VarOrRVar> outer{kb, bxo, byo, n};
    if (groups) {
        out.split(kb, kbg, kbi, per_group, TailStrategy::GuardWithIf);
        outer = {kbi, bxo, byo, kbg, n};
    }
    auto order = [&](std::vector<VarOrRVar> inner) {
        inner.insert(inner.end(), outer.begin(), outer.end());
        return inner;
    };
    if (along_x) {
        // ko unrolled: with its value a constant, k % kWeightKBlock folds,
        // and the KU weight broadcasts share one address register (as a
        // loop, KU separate addresses ran out of registers and spilled).
        out.reorder(order({xi, ki, yi, xo, ko, yo})).vectorize(xi).unroll(ki).unroll(yi).unroll(ko);
    } else if (rows) {
        out.reorder(order({xi, yi, ki, xo, ko, yo})).vectorize(xi).unroll(yi);  // copies rows of the stack block
    } else {
        out.split(ki, ki, kv, L)
            .reorder(order({kv, ki, xi, yi, xo, ko, yo}))
            .vectorize(kv)
            .unroll(ki)
            .unroll(xi)
            .unroll(yi);
    }
    // Bands in x, bands in y, images: nested parallel loops, not fused
    // (Halide 14 cannot prove a fused band index in range when the band
    // count is symbolic, and rejects the call); the pool balances nesting.
    out.parallel(bxo).parallel(byo).parallel(n);
    if (groups) out.parallel(kbg);
    else if (parallel_channels(p)) out.parallel(kb);

    // The accumulators: a fixed-size block (bound_extent), so it can live in
    // registers even for a partial block at the edge; the extra pixels read zero
    // padding and the extra channels zero weights, and are never stored. The
    // reduction runs outside the block (its order below). The row taps stay
    // a loop, and the column taps too where LLVM does not unroll them:
    // unrolled, the pixels neighbouring taps share took registers and the
    // accumulators spilled.
    const RVar rx = s.r.x, ry = s.r.y, rc = s.r.z;
    const bool column_taps = nhwc && direct_unrolls_column_taps(machine, blk);
    if (rows) {
        // The stack block (KB channels x L pixels x YB rows: 2 KB for direct_rows on AVX-512),
        // filled one register block at a time.
        Var sx("sx"), sxi("sxi"), cu("cu"), cv("cv");
        Func staged = s.conv.in(out);
        staged.compute_at(out, xo)
            .bound_extent(k, KB)
            .bound_extent(x, L)
            .bound_extent(y, YB)
            .reorder_storage(x, k, y, n)
            .split(x, sx, sxi, XB)
            .split(k, cu, cv, L)
            .reorder(cv, cu, sxi, y, sx, n)
            .vectorize(cv)
            .unroll(cu)
            .unroll(sxi)
            .unroll(y);
        s.conv.compute_at(staged, sx);
    } else {
        s.conv.compute_at(out, xo);
    }
    s.conv.bound_extent(k, KB).bound_extent(x, XB).bound_extent(y, YB);
    if (along_x) {
        s.conv.reorder_storage(x, k, y, n).vectorize(x).unroll(k).unroll(y);
        // Rows inside channels: the few input vectors of a tap stay in registers
        // while each weight broadcast is used once per row.
        s.conv.update().reorder(x, y, k, rx, ry, rc, n).vectorize(x).unroll(k).unroll(y);
    } else {
        Var cv("cv"), cu("cu");
        s.conv.reorder_storage(k, x, y, n)  // channel vectors dense: the block maps onto registers
            .split(k, cu, cv, L)
            .reorder(cv, cu, x, y, n)
            .vectorize(cv)
            .unroll(cu)
            .unroll(x)
            .unroll(y);
        // Input channels outermost: each channel's taps are read in memory
        // order (W is (ki, rx, ry, c, kb)), and LLVM unrolls the 3 column
        // taps, so a row's XB + 2 broadcasts serve all three (on the 7x1
        // block, 9 broadcasts and 6 vector loads per 42 FMAs). From NHWC,
        // input channels inside the taps instead: the broadcasts of
        // consecutive channels are adjacent floats of one pixel, so a cache
        // line serves 16 of them (with all the taps innermost there, 7x1 and
        // 8x1 blocks ran 1.4-2.7x slower: JIT, Zen 5, 1 thread,
        // bench/results/zen5-2core/session19); and where the registers hold
        // them (direct_unrolls_column_taps), the column taps unrolled inside
        // the channels, for the same sharing of broadcasts: with them
        // outside, the 7x1 block's 9 loads per 14 FMAs ran 4-8% behind NCHW
        // on an Intel Xeon, whose loads bound it (JIT, 1 thread, bench/
        // results/xeon-2core/session35). Its weights are packed channels
        // inside taps (W(ki, c, rx, ry, kb)), which serves both orders.
        s.conv.update()
            .split(k, cu, cv, L)
            .reorder(!nhwc          ? std::vector<VarOrRVar>{cv, cu, x, y, rx, ry, rc, n}
                     : column_taps ? std::vector<VarOrRVar>{cv, cu, x, y, rx, rc, ry, n}
                                   : std::vector<VarOrRVar>{cv, cu, x, y, rc, rx, ry, n})
            .vectorize(cv)
            .unroll(cu)
            .unroll(x)
            .unroll(y);
        if (column_taps) s.conv.update().unroll(rx);
        if (blocked_band) {
            // The channels as blocks x lanes of in_blocked (layout.h): inside
            // a block, a broadcast's address is a constant offset from one
            // pointer per row; the block index moves it once per 16 channels.
            // A channel tail's last block tests its lanes (GuardWithIf).
            RVar rco("rco"), rci("rci");
            s.conv.update()
                .split(rc, rco, rci, kInputChannelBlock, TailStrategy::GuardWithIf)
                .reorder(column_taps ? std::vector<VarOrRVar>{rx, rci, rco, ry}
                                     : std::vector<VarOrRVar>{rci, rco, rx, ry});
        }
    }

    // The input this band reads, zero padding applied once here instead of as
    // a select inside the micro-kernel (pad=bands); or the whole image, zero-
    // filled and copied in, once per image (pad=image: no gathers at the
    // edges, but a serial step before the image's bands and a whole padded
    // image in memory).
    // pad=bands loads a row in vectors of padding_lanes() pixels, not L: the
    // vectors that straddle the left and right edges go through the boundary
    // condition's clamped index and load lane by lane, so on narrow planes
    // full vectors spend most of the padding there (32 of a 34-pixel row's
    // 48 lanes at 32², L = 16). 4 lanes: 1x16x32² direct_xvec 0.031 -> 0.027
    // ms at 1 thread (pad=image 0.026), 0.021 -> 0.018 at 2; 56² C = 64 1-2%
    // faster; 2 lanes slower than 4 (JIT, Zen 5, bench/results/zen5-2core/
    // session15).
    const Var ix = s.in.args()[0];
    if (pads_image(p)) {
        const RVar rx_pad(s.in.update().get_schedule().rvars()[0].var);  // the copy's x
        // Serial, per image. At 2 threads pad=image lost to pad=bands either
        // way (1x16x32²: copied in parallel 0.034 ms against 0.022, serially
        // 0.041 against 0.028, separate runs). At 1 thread it led pad=bands
        // until pad=bands took padding_lanes() at a time; now the two run
        // level there (bench/results/zen5-2core/session15).
        s.in.compute_at(out, n).vectorize(ix, L, TailStrategy::GuardWithIf);
        s.in.update().vectorize(rx_pad, L, TailStrategy::GuardWithIf);
    } else if (blocked_band) {
        // pad=blocks: the band's padded input in blocks of 16 channels, each
        // pixel's block a dense vector load from NHWC and a dense store (of
        // L lanes at a time). With C >= 16 a channel tail's last block is the
        // pixel's last 16 channels (the algorithm's select folds here); with
        // fewer it loads through the boundary condition, zeros past C.
        // Blocks inside pixels, as the input lies in memory.
        const std::vector<Var> b = s.in_blocked.args();  // (ci, x, y, co, n)
        Var cio("cio"), civ("civ");
        // Whole blocks: the lanes the reduction reads are promised to lie in
        // [0, 16) (algorithms.h), but bounds inference keeps the promise
        // symbolic, and a block of run-time width moved every broadcast of
        // the micro-kernel off its constant offset.
        s.in_blocked.compute_at(out, bxo).bound(b[0], 0, kInputChannelBlock);
        const auto blocks = [&](Stage stage) {
            stage.split(b[0], cio, civ, L, TailStrategy::RoundUp)
                .reorder(civ, cio, b[3], b[1], b[2], b[4])
                .vectorize(civ)
                .unroll(cio);
        };
        blocks(s.in_blocked.specialize(C >= kInputChannelBlock));
        blocks(s.in_blocked);
    } else if (nhwc) {
        // From NHWC, a pixel's channels are dense: vectors of channels, all
        // of a pixel's before the next pixel, stored the same way (the
        // micro-kernel's broadcasts then walk memory in order).
        // A first layer's few channels (RGB: C = 3) go in the narrowest
        // vector that holds them (channel_padding_widths): a vector that
        // reaches past C is a gather (its channel index is clamped), and one
        // of L = 16 lanes gathered 16 elements for 3 (Zen 5, 1x3->64 at 224²,
        // 1 thread: the padding 0.35 of 1.28 ms; in vectors of 4, 0.99 ms).
        s.in.compute_at(out, bxo);
        const std::vector<int> widths = channel_padding_widths(machine);
        for (size_t i = 0; i + 1 < widths.size(); i++) {
            Stage narrow = s.in.specialize(C <= widths[i]);
            schedule_channel_vector_padding(narrow, s.in.args(), widths[i], /*pixel_major=*/true);
        }
        schedule_channel_vector_padding(s.in, L, /*pixel_major=*/true);
    } else {
        s.in.compute_at(out, bxo).vectorize(ix, padding_lanes(machine), TailStrategy::RoundUp);
    }
}

void schedule_weight_packing(PackStages &s, const Target &target) {
    const int L = machine_of(target).lanes;
    Var ko("ko"), kv("kv");
    // A vector of output channels is a dense store; one parallel task per
    // channel block walks W in memory order, so its reads of KCRS (32 rows
    // 9·C floats apart) advance through sequential streams.
    s.output.split(s.ki, ko, kv, L)
        .reorder(s.channels_last ? std::vector<VarOrRVar>{kv, ko, s.c, s.rx, s.ry, s.kb}
                                 : std::vector<VarOrRVar>{kv, ko, s.rx, s.ry, s.c, s.kb})
        .vectorize(kv)
        .unroll(ko)
        .parallel(s.kb);
}

}  // namespace wino
