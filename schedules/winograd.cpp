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
// and threads over tile rows of all images. Tensors are stored at their exact
// size (channel tails are guarded, not rounded up to a vector); with fewer
// channels than a vector, an op vectorizes across pixels or tiles instead.
// Whole tensors can pass 2^31 bytes, so these variants are compiled with
// Halide's large_buffers (the variant table).
void schedule_tensor(WinogradStages &s, const Target &target) {
    const int L = machine_of(target).lanes;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    const TailStrategy guard = TailStrategy::GuardWithIf;
    const Expr C = s.rc.x.extent();

    // Padding: the zero-padded input, channels innermost.
    const std::vector<Var> in = s.in.args();  // (x, y, c, n)
    Var yn("yn");
    s.in.compute_root()
        .reorder_storage(in[2], in[0], in[1], in[3])
        .reorder(in[2], in[0], in[1], in[3])
        .fuse(in[1], in[3], yn)
        .parallel(yn);
    s.in.specialize(C >= L).vectorize(in[2], L, guard);
    s.in.reorder(in[0], in[2], yn).vectorize(in[0], L, guard);
    // Input transform, both passes, across input channels.
    Var tyn("tyn");
    for (auto [f, unrolled] : {std::pair{s.V.rows, u}, std::pair{s.V.out, v}}) {
        f.compute_root()
            .reorder_storage(c, tx, ty, u, v, n)
            .reorder(c, unrolled, unrolled.same_as(u) ? v : u, tx, ty, n)
            .unroll(unrolled)
            .fuse(ty, n, tyn)
            .parallel(tyn);
        f.specialize(C >= L).vectorize(c, L, guard);
        f.reorder(tx, c).vectorize(tx, L, guard);
    }
    // Batched multiply: for each transform point, M = U · V with a vector of
    // output channels per step and the channel sum just outside it (a rank-1
    // update of M per channel). k is split at U's channel blocks first so a
    // vector of k is a dense load of U.
    Var kb("kb"), kk("kk");
    s.M.compute_root().reorder_storage(k, tx, ty, u, v, n).vectorize(k, L, guard).fuse(ty, n, tyn).parallel(tyn);
    s.M.update()
        .split(k, kb, kk, kWeightKBlock, guard)
        .reorder(kk, kb, s.rc, tx, u, v, ty, n)
        .vectorize(kk, L, guard)
        .fuse(ty, n, tyn)
        .parallel(tyn);
    // Output transform, both passes, across output channels.
    for (auto [f, unrolled] : {std::pair{s.Y.rows, u}, std::pair{s.Y.out, v}}) {
        f.compute_root()
            .reorder_storage(k, u, v, tx, ty, n)
            .reorder(k, unrolled, unrolled.same_as(u) ? v : u, tx, ty, n)
            .vectorize(k, L, guard)
            .unroll(unrolled)
            .fuse(ty, n, tyn)
            .parallel(tyn);
    }
    // Untiling into NKHW.
    s.output.vectorize(s.x, L, guard).fuse(s.y, s.k, yn).parallel(yn);
}

// Fused: per band of tiles, transform the input once for all channels (kept
// in L2); then per block of KB output channels, for each transform point
// (u, v), run the batched multiply as a register-blocked micro-kernel over all
// tiles of the band, so that slice of U (C x KB floats) is read from cache by
// every tile block instead of streamed from memory per tile; finally apply the
// output transform per tile on the way to the output.
void schedule_fused(WinogradStages &s, const ScheduleParams &p, const Target &target) {
    if (!p.vectorize.empty() && p.vectorize != "k")
        throw std::invalid_argument("conv_winograd: the fused schedule vectorizes output channels (vectorize=k) only");
    const RegisterBlock blk = register_block(machine_of(target), p);
    const int L = blk.lanes, KB = blk.k(), TBx = blk.cols_x(), TBy = blk.cols_y();
    const int m = s.m, alpha = s.alpha;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    const TailStrategy guard = TailStrategy::GuardWithIf, round_up = TailStrategy::RoundUp;

    // Bands of tiles (band_shape). Every band streams all of U (alpha² x C x K
    // floats) once, and re-reads its transformed input V (alpha² x C floats
    // per tile) once per channel block. So a band holds as many tiles as keep
    // V within the budget (~512 KB of L2), or within an eighth of U when U is
    // larger (C=K=256 at 14x14: one band reading U once beat two bands reading
    // it twice): whole tile rows when they fit, else chunks of a row, so V
    // never grows with the image. Then smaller bands if the call's threads
    // need more tasks, or share them more evenly (band_shape_of, chosen at
    // run time for the call's shape: 1x64x56² at 2 threads, 7x1 blocks, four
    // bands of 7 x 7 tiles, not 14 x 4, 4, 4, 2).
    Func out = s.output;
    const Expr C = s.rc.x.extent(), K = out.output_buffer().dim(2).extent();
    const Expr N = out.output_buffer().dim(3).extent();
    const Expr tiles_x = (out.output_buffer().dim(0).extent() + m - 1) / m;
    const Expr tiles_y = (out.output_buffer().dim(1).extent() + m - 1) / m;
    const Expr C_stored = (C + L - 1) / L * L;  // V holds whole channel vectors
    const Expr U_bytes = cast<int64_t>(alpha * alpha * 4) * C * K;
    const Expr budget = max(cast<int64_t>(band_bytes(p)), U_bytes / 8);
    const Expr kblocks = channel_blocks(K, KB);  // the channel loop below
    // parallel=groups: the channel blocks of KB that groups are made of.
    // band_shape counts them twice: one group task per thread is enough, and
    // every band more reads U once more.
    const bool groups = parallel_groups(p), points = parallel_points(p);
    const Expr kunits = kblocks * register_blocks_per_channel_block(KB);
    const BandShape bands = band_shape(tiles_x, tiles_y, N, alpha * alpha * 4 * C_stored, TBx, TBy, budget,
                                       groups   ? 2 * kunits
                                       : points ? point_tasks(alpha, K, KB)
                                                : select(parallel_channels(p), kblocks, 1),
                                       s.threads);

    // Output loops: tiles of m x m pixels, bands of tiles across images in
    // parallel, blocks of KB channels inside a band, then tiles. k is split
    // into register blocks of KB first, then those into U's channel blocks
    // (kb), as direct's: the guard on a register block depends on nothing
    // inside it, so Halide tests it around the whole block, its products
    // included, and a channel tail skips the blocks past K. (Split at U's
    // blocks first, a block of 16 channels computed both of a 32-channel
    // block's register blocks: K = 16 computed 32, AVX2's default blocks on
    // every tail. JIT, Zen 5: 1x16x32² F(4,3) on AVX2 0.032 -> 0.019 ms; on
    // AVX-512, 4x2 blocks of one vector 0.021 -> 0.013, the others level.)
    // k % kWeightKBlock and k / kWeightKBlock still fold to loop variables.
    // A register block that does not divide U's blocks (k_vectors=3: 48
    // channels, for K = 40 or 48 where blocks of 32 computed 64) is a
    // channel block of its own: its vectors of
    // U still lie within one of U's blocks (they start at multiples of L), and
    // its last block's lanes past the packed U read a clamped block
    // (generators/algorithms.h), computed and never stored.
    // The output is stored either as vectors of channels (each spread over L
    // planes, one element per plane; the default), or as rows (store=rows,
    // any m): the output transforms of G tiles side by side
    // (fused_row_group: G·m pixels, whole vectors) go to a stack block with
    // pixels innermost, and each row of the block is a run of vector stores.
    // Rows write whole cache lines: on power-of-two planes (32², 64²), whose
    // planes lie 4-16 KB apart in the same cache sets, per-channel stores left
    // partly written lines to be evicted and fetched again (64x64: the output
    // stage took half the time).
    if (!p.store.empty() && p.store != "rows" && p.store != "channels")
        throw std::invalid_argument("store='" + p.store + "': expected rows or channels");
    // Channels innermost (layout=nhwc), a vector of output channels is one
    // dense store and the padded input's channel vectors dense loads: rows
    // of pixels (store=rows) would scatter instead.
    const bool nhwc = channels_last(p);
    if (nhwc && p.store == "rows")
        throw std::invalid_argument("conv_winograd: layout=nhwc stores vectors of channels; store=rows is for nchw");
    // pad=inline: no padded copy; the input transform loads each vector of
    // channels through the boundary condition, whose select Halide's loop
    // partitioning lifts out of the tiles that lie inside the image. From
    // NCHW a vector of channels would be a gather of L planes per load.
    const bool inline_pad = pads_inline(p);
    if (inline_pad && !nhwc)
        throw std::invalid_argument("conv_winograd: pad=inline loads vectors of channels from the input: layout=nhwc only");
    const bool rows = fused_stores_rows(machine_of(target), p, m);
    const int G = rows ? fused_row_group(machine_of(target), m) : 1;  // tiles per output group

    Var otx("otx"), xi("xi"), oty("oty"), yi("yi"), bxo("bxo"), txi("txi"), byo("byo"), tyi("tyi");
    Var kb("kb"), ko("ko"), ki("ki"), kv("kv"), txg("txg"), txj("txj"), xv("xv");
    out.split(s.x, otx, xi, m, guard)
        .split(s.y, oty, yi, m, guard)
        .split(otx, bxo, txi, bands.x, guard)
        .split(oty, byo, tyi, bands.y, guard)
        .split(k, ko, ki, KB, guard)
        .split(ko, kb, ko, register_blocks_per_channel_block(KB), guard);  // kblocks of them
    if (rows) {
        out.split(txi, txg, txj, G, guard)
            .fuse(xi, txj, xv)  // G tiles of m pixels: whole vectors along the row
            .reorder(xv, yi, ki, txg, tyi, ko, kb, bxo, byo, n)
            .vectorize(xv);
    } else {
        out.split(ki, ki, kv, L).reorder(kv, xi, yi, ki, txi, tyi, ko, kb, bxo, byo, n).vectorize(kv);
        txg = txi;
    }
    // Bands in x, bands in y, images: nested parallel loops, not fused
    // (Halide 14 cannot prove a fused band index in range when the band
    // count is symbolic, and rejects the call); the pool balances nesting.
    out.parallel(bxo).parallel(byo).parallel(n);
    const Expr band_count = (tiles_x + bands.x - 1) / bands.x * ((tiles_y + bands.y - 1) / bands.y) * N;
    // Channel blocks in parallel too: a layer with few bands still uses every
    // core; with bands a multiple of the threads, the inner loop runs in order
    // on the worker that runs the band (runtime/halide_hooks.cpp,
    // runs_in_order), else idle threads take some of a band's blocks and read
    // its transformed input from the band's core. parallel=groups instead cuts
    // a band's blocks of KB channels into as many groups as the threads need
    // (channel_groups), each a task that transforms the band's input itself
    // (below): every core then reads a transformed input it wrote, where with
    // channel blocks in parallel the other cores wait for one core's
    // transform and then read it out of that core's cache. Each group reads
    // only its own channels' slice of U.
    Var kbg("kbg"), kbi("kbi"), kbk("kbk");
    if (groups) {
        const Expr group_count = clamp((s.threads + band_count - 1) / band_count, 1, kunits);
        out.fuse(ko, kb, kbk).split(kbk, kbg, kbi, (kunits + group_count - 1) / group_count, guard).parallel(kbg);
    } else if (parallel_channels(p)) {
        out.parallel(kb);
    }

    // Output transform, per group of tiles and channel block, both passes
    // into a small stack block; the store above is then a plain loop over its
    // pixels. The loops over channel vectors and tiles stay loops (not
    // unrolled) so that the guards of partial tiles and channel blocks split
    // only those small loops: guarded inside unrolled code, Halide 14 split
    // the enclosing tile and channel-block loops instead, duplicating the
    // transform and the batched multiply (fused F(6,3) took 7 s to compile;
    // now under 1 s). Each pass unrolls only the index its mux() selects on
    // (the first pass u, the second v), which folds the coefficients; the
    // other index stays a loop, which keeps the code alpha times smaller.
    Var yv("yv"), yu("yu");
    auto per_group = [&](Func f, const Var &unrolled, const Var &looped) {
        f.compute_at(out, txg)
            .bound_extent(k, KB)
            .bound_extent(tx, G)
            .bound_extent(ty, 1)
            .split(k, yu, yv, L)
            .reorder(yv, yu, unrolled, looped, tx)
            .vectorize(yv)
            .unroll(yu)
            .unroll(unrolled);
    };
    per_group(s.Y.rows, u, v);
    per_group(s.Y.out, v, u);
    s.Y.rows.reorder_storage(k, u, v, tx, ty, n);
    // Rows: pixels (u, then tile) innermost, so a row of the group is dense.
    if (rows) s.Y.out.reorder_storage(u, tx, v, k, ty, n);
    else s.Y.out.reorder_storage(k, u, v, tx, ty, n);
    s.Y.out.bound_extent(u, m).bound_extent(v, m);

    // Products for the whole band and one channel block, all alpha² points,
    // channels innermost for the output transform's vector loads. Its loops put
    // the transform point outermost and tile blocks (TBx x TBy, RoundUp: extra
    // tiles read zero padding) inside.
    Func M_band = s.M.in();
    Var mu("mu"), mv("mv"), bx("bx"), by("by"), bxi("bxi"), byi("byi"), kq("kq"), kr("kr"), uv("uv");
    if (points) {
        // parallel=points: computed per band for every output channel, each
        // transform point and block of KB channels a task (their U slices and
        // V planes are apart), then the output transform per channel block.
        // A band's channel blocks alone left a 14² plane (one band) 8 tasks
        // for 16 threads at C = K = 256. Points and channel blocks are one
        // fused parallel loop: nested (a loop of points, each a loop of
        // blocks) a band made 1 + alpha² forks and joins of the pool, 309
        // per call at 1x64x56² on 2 threads (Zen 5: 0.359 -> 0.350 ms there,
        // 1x256x14² 0.343 -> 0.296; RunStats::fork_joins). A point's channel
        // blocks are consecutive tasks, reusing its V slice from L1, though
        // U holds each block's points in turn (layout.h): each task's slice
        // of U then starts a stream of its own. Blocks outer (U read in
        // order, V from beyond L2) measured 0-11% slower (Zen 5, 1x512x7²
        // and 1x256x14², 1-2 threads; bench/results/zen5-2core/session45).
        M_band.compute_at(out, bxo)
            .align_bounds(k, KB)
            .reorder_storage(k, tx, ty, u, v, n)
            .split(k, kq, kr, KB, round_up)
            .split(kr, mu, mv, L)
            .split(tx, bx, bxi, TBx, round_up)
            .split(ty, by, byi, TBy, round_up)
            .reorder(mv, mu, bxi, byi, bx, by, kq, u, v, n)
            .fuse(u, v, uv)
            .fuse(kq, uv, kq)
            .parallel(kq);
    } else {
        M_band.compute_at(out, groups ? kbi : ko)
            .bound_extent(k, KB)
            .reorder_storage(k, tx, ty, u, v, n)
            .split(k, mu, mv, L)
            .split(tx, bx, bxi, TBx, round_up)
            .split(ty, by, byi, TBy, round_up)
            .reorder(mv, mu, bxi, byi, bx, by, u, v, n);
    }
    M_band.vectorize(mv).unroll(mu).unroll(bxi).unroll(byi);
    // The micro-kernel, per transform point and tile block: KB x TBx x TBy
    // accumulators in registers while the channel reduction runs outside them.
    // One stage of it: KB channels as unrolled vectors, the tiles `x` and `y`
    // of a block unrolled, then the loops `outer` (the reduction first, in an
    // update).
    auto micro_kernel = [&](Stage stage, const VarOrRVar &x, const VarOrRVar &y, std::vector<VarOrRVar> outer) {
        outer.insert(outer.begin(), {mv, mu, x, y});
        stage.split(k, mu, mv, L).reorder(outer).vectorize(mv).unroll(mu).unroll(x).unroll(y);
    };
    const int c_block = fused_c_block(p);
    if (c_block && points) throw std::invalid_argument("conv_winograd: c_block is not for parallel=points");
    if (!c_block) {
        s.M.compute_at(M_band, bx).reorder_storage(k, tx, ty, u, v, n);
        micro_kernel(s.M, tx, ty, {u, v, n});
        micro_kernel(s.M.update(), tx, ty, {s.rc, u, v, n});
    } else {
        // c_block=B: per transform point, the channel loop in blocks of B,
        // each swept over all of the band's tile blocks, so that a block of
        // U (B x KB floats) comes from memory once and is read again from L1
        // by the other tile blocks (without blocks, the first tile block
        // reads U's slice from memory and the others from L2). Meant for U
        // streamed from beyond L2 (1x512x7², F(2,3): 16 MiB per call); it
        // measured a few percent either way (bench/results/h200-50). A
        // block's sums are a Func of their own (rfactor): a tile block's
        // accumulators at constant places, which stay in registers, going
        // to M and back once per block (summed in M directly, LLVM kept
        // them in memory: 2.0 ms against 1.1).
        RVar rco("rco"), rci("rci");
        Var txo("txo"), txi("txi"), tyo("tyo"), tyi("tyi"), cb("cb");
        Func blocks = s.M.update().split(s.rc, rco, rci, c_block, guard).rfactor(rco, cb);
        s.M.compute_at(M_band, u)
            .reorder_storage(k, tx, ty, u, v, n)
            .split(tx, txo, txi, TBx, round_up)
            .split(ty, tyo, tyi, TBy, round_up);
        micro_kernel(s.M, txi, tyi, {txo, tyo, u, v, n});
        s.M.update().split(tx, txo, txi, TBx, round_up).split(ty, tyo, tyi, TBy, round_up);
        micro_kernel(s.M.update(), txi, tyi, {txo, tyo, rco, u, v, n});  // rco: now the loop over blocks
        blocks.compute_at(s.M, txo).bound_extent(k, KB);
        micro_kernel(blocks, tx, ty, {u, v, n, cb});
        micro_kernel(blocks.update(), tx, ty, {rci, u, v, n, cb});
    }

    // Input transform: once per band for every input channel, reused by every
    // channel block, vectorized across input channels: every load is a dense
    // vector and no work is lost to rounding rows of 2-14 tiles up to a vector
    // (vectorized across tiles instead, F(4,3) wasted half the transform at
    // 14x14 and needed shuffles for the stride-m loads). Stored channels
    // innermost.
    //
    // The input this band reads, zero padding applied once, transposed to
    // channels innermost for the transform's vector loads. One vector of
    // channels at a time sweeps the rows: L input planes stream in parallel
    // (all C at once outran the hardware prefetcher at N=8).
    //
    // A band's transform runs on the thread that runs the band, before its
    // channel blocks fan out. With fewer bands than threads (one small image
    // on many cores) that serial part bounds the call; parallel=all then
    // makes each vector of input channels a task of its own (padding, then
    // the transform of all the band's tiles). Only then: run with bands to
    // spare, it cost (16-core Xeon, 16 threads, 1x64x64² F(4,3) 4x2: 0.37
    // ms against 0.25), likely because another thread transforms part of a
    // band's input and leaves it in another core's cache. parallel=groups
    // (above) moves the padding and transform into each group of channel
    // blocks instead, so every task transforms what it reads.
    // A channel tail (C not a multiple of L), pad=bands: with C >= 16 (the
    // algorithm's fills_channel_vector) the last vector is shifted to end at
    // channel C - 1 (ShiftInwards; it recomputes some of the vector before
    // it), so that the padded copy, whose algorithm then reads channels
    // unclamped, loads dense vectors of channels that exist. Rounded up, the
    // copy's last vector went through the boundary condition's clamped
    // channel index, a gather LLVM spells lane by lane: 1x24->40 at 19x23,
    // F(6,3) 4x2 by 3 vectors, the copy 27% of the call; shifted, 0.043 ->
    // 0.036 ms at 1 thread, 0.027 -> 0.022 at 2 (Intel Xeon). With fewer
    // channels, rounded up (the pad's zeros). pad=inline stays guarded: the
    // same shift made its rows 4-25% slower on three tail layers there.
    Var co("co"), cv("cv");
    const TailStrategy c_tail = inline_pad ? guard : round_up;
    const Expr whole_vector = fills_channel_vector(C);
    s.V.out.compute_at(out, groups ? kbg : bxo).reorder_storage(c, tx, ty, u, v, n);
    std::vector<Stage> V_stages;  // the shifted specialization (pad=bands), then the default
    if (!inline_pad) {
        V_stages.push_back(s.V.out.specialize(whole_vector));
        V_stages.back().split(c, co, cv, L, TailStrategy::ShiftInwards);
    }
    V_stages.push_back(s.V.out);
    V_stages.back().split(c, co, cv, L, c_tail);
    for (Stage stage : V_stages) stage.vectorize(cv).unroll(v);
    // V and M_band hold alpha² planes of a band's tiles; a tile's transform
    // writes (V) or reads (M) one vector in each. When a band's tiles fill a
    // multiple of 4 KiB per plane (4x2 blocks at 56², C = 64: 16 x 2 tiles
    // of 256 bytes), all alpha² vectors fall into one L1 set and each access
    // evicts the next (Zen 5, 1x64x56², block 4x2: 0.66-0.72 ms against
    // 0.54 padded; 14² and 28² 4x2 4-15% faster, JIT A/B).
    // So their storage gets an odd number of tiles per row and rows per
    // band, and V an odd number of 64-byte lines per tile from C = 256 on,
    // where C / 16 lines per tile would still leave the planes 4 sets or
    // fewer.
    // A band's tiles along x as both hold them: whole groups of G tiles
    // (the output transform's), then whole register blocks (RoundUp).
    const auto up = [](const Expr &a, int b) { return (a + b - 1) / b * b; };
    const auto odd = [](const Expr &e) { return e + (e + 1) % 2; };
    const Expr band_tx = odd(up(up(bands.x, G), TBx)), band_ty = odd(bands.y);
    const Expr lines = (C_stored + 15) / 16;
    s.V.out.bound_storage(c, select(lines % 2 == 0 && lines >= 16, lines + 1, lines) * 16)
        .bound_storage(tx, band_tx)
        .bound_storage(ty, band_ty);
    M_band.bound_storage(tx, band_tx).bound_storage(ty, band_ty);
    if (inline_pad) {
        Var rco("rco"), rcv("rcv");
        s.V.rows.bound_storage(c, L).reorder_storage(c, u, v, tx, ty, n).split(c, rco, rcv, L, guard)
            .reorder(rcv, u, v, rco).vectorize(rcv).unroll(u);
    } else {
        const std::vector<Var> a = s.in.args();
        s.in.reorder_storage(a[2], a[0], a[1], a[3]);
        schedule_channel_vector_padding(s.in.specialize(whole_vector), a, L, /*pixel_major=*/nhwc,
                                        TailStrategy::ShiftInwards);
        schedule_channel_vector_padding(s.in, a, L, /*pixel_major=*/nhwc);
        s.V.rows.bound_extent(c, L).reorder_storage(c, u, v, tx, ty, n).reorder(c, u, v).vectorize(c).unroll(u);
    }
    if (parallel_all(p)) {
        // One task per channel vector, or all of them in one: a split by a
        // factor chosen at run time, so both cases run the same code. With a
        // specialize() instead (two copies of the loop, compiled apart),
        // results differed in the last bit between thread counts.
        const Expr vectors_per_task = select(band_count < s.threads, 1, (C + L - 1) / L);
        Var cot("cot"), coi("coi");
        for (Stage stage : V_stages)
            stage.reorder(cv, v, u, tx, ty, co, n).split(co, cot, coi, vectors_per_task, guard).parallel(cot);
        s.V.rows.compute_at(s.V.out, tx);
        if (!inline_pad) s.in.compute_at(s.V.out, coi);
    } else {
        for (Stage stage : V_stages) stage.reorder(cv, v, u, co, tx, ty, n);
        s.V.rows.compute_at(s.V.out, co);
        if (!inline_pad) s.in.compute_at(out, groups ? kbg : bxo);
    }
}

}  // namespace

void schedule_winograd(const std::string &schedule, const ScheduleParams &p, WinogradStages &s,
                       const Target &target) {
    if (p.c_slice && schedule != "gpu_tensor" && schedule != "gpu_staged")
        throw std::invalid_argument("conv_winograd: c_slice is the GPU multiply's parameter (gpu_tensor, gpu_staged)");
    if (!p.load.empty() && schedule != "gpu_staged")
        throw std::invalid_argument("conv_winograd: load is the GPU staged schedule's parameter");
    if (!p.taps.empty()) throw std::invalid_argument("conv_winograd: taps is the direct schedule's parameter");
    if (!p.pad.empty() && schedule != "fused")
        throw std::invalid_argument("conv_winograd: pad is the fused and direct schedules' parameter");
    if (channels_last(p) && schedule != "fused")
        throw std::invalid_argument("conv_winograd: layout=nhwc is scheduled by the fused schedule only");
    if (schedule == "tensor") {
        if (!p.block.empty() || p.k_vectors || p.band_kb || !p.parallel.empty() || !p.vectorize.empty() ||
            !p.store.empty() || p.c_block)
            throw std::invalid_argument("conv_winograd: the tensor schedule takes no schedule parameters");
        schedule_tensor(s, target);
    } else if (schedule == "fused") {
        schedule_fused(s, p, target);
    } else if (schedule == "gpu_tensor") {
        schedule_gpu_tensor(s, p, target);
    } else if (schedule == "gpu_staged") {
        schedule_gpu_staged(s, p, target);
    } else if (schedule == "gpu_fused") {
        schedule_gpu_fused(s, p, target);
    } else {
        throw std::invalid_argument("conv_winograd: unknown schedule '" + schedule + "'");
    }
}

}  // namespace wino
