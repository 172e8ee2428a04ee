// CUDA schedules of the same algorithms: direct, and Winograd tensor-level,
// staged and fused. Compiled ahead of time on the CPU machines for a CUDA
// target (variant rows with features=cuda-...); the driver compiles the PTX
// for the GPU it finds. Halide 14 keeps per-thread register accumulators
// across a block-level loop only within one warp (gpu_lanes), so the fused
// kernel is one-warp blocks whose accumulators are unrolled in registers,
// with what the lanes share staged in shared memory by the warp itself; the
// direct kernel and the multiply of the tensor-level and staged schedules
// instead run their whole reduction inside each thread of a 128-thread block
// (no block-level loop), reading their operands through L1.
// Every stage that runs on lanes puts its lane loop *outside* the loops it
// unrolls: Halide ends each lane loop with a barrier, so a lane loop
// innermost under an unrolled block becomes one barrier per statement (72
// per channel in F(4,3)'s products, which halved the fused kernel's speed).
// The channel block is the fastest-varying block index of the direct and
// fused kernels: blocks are handed to the multiprocessors in order, so those
// one multiprocessor holds at once mostly share a channel block, and the
// weights they read share L1 (fused F(4,3) at 8x64x56²: L1 hit rate 73% ->
// 80%).
#include <algorithm>
#include <stdexcept>

#include "layout.h"
#include "schedules.h"

namespace wino {

using namespace Halide;

namespace {

constexpr int kWarp = 32;
const TailStrategy kGuard = TailStrategy::GuardWithIf;

constexpr int kMultiplyThreads = 128;                   // threads per block of the multiply
constexpr int kChannelThreads = 4;   // the staged transforms, a tile per thread: 32 tiles x 4 channels per block
constexpr int kRowsThreads = 128;    // the staged transforms through shared memory (GpuRowsBlock), per block

// Vectorizes `var` of `f` (a stage or a definition) across `T` tiles, as
// float4s where T allows (T = 8: two), float2 for T = 2, else unrolled.
template <typename F>
void vectorize_tiles(F f, const VarOrRVar &var, int T) {
    if (T % 4 == 0) {
        f.vectorize(var, 4).unroll(var);
    } else if (T == 2) {
        f.vectorize(var);
    } else {
        f.unroll(var);
    }
}

// The batched multiply M(u, v) = U(u, v) · V(u, v), one matrix product per
// transform point, register-blocked as Halide's apps/cuda_mat_mul blocks a
// matrix product: each thread accumulates K_t output channels (k_vectors
// float4, default 2) x T tiles along tx (K_t·T registers) over the input
// channels, c_slice at a time (default 4; 8 keeps twice the loads in flight
// for 164-168 registers at K_t = 8: the kernel 0.79-0.95x, h200-11),
// reading per channel K_t/4 float4 of U (k innermost) and T/4 float4 of V
// (tiles innermost): 12 loads per 128
// multiply-adds at K_t = 8, T = 4, against 9 per 8 in the one-warp product it
// replaced (lanes over 32 output channels, 8 tiles per lane). Across a warp,
// the threads along k read one U row (128 bytes) and those along tx
// consecutive float4 of V. A block is
// one U block (32 channels) x as many groups of T tiles along tx as the
// plane has (at most 8) x rows of tiles (ty, n) for the rest of its 128
// threads, so a narrow plane wastes no thread. V and M are stored tiles
// innermost (tx, ty, channel, u, v, n), tx rounded up to whole vectors.
void schedule_gpu_multiply(WinogradStages &s, Func M_out, const std::string &schedule, const ScheduleParams &p) {
    const int T = gpu_tiles(schedule, p), k_vectors = gpu_k_vectors(schedule, p), c_slice = gpu_c_slice(schedule, p);
    const int k_per_thread = 4 * k_vectors, k_threads = kWeightKBlock / k_per_thread;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, n = s.n, k = s.k, c = s.c;
    const Expr grid_x = (s.output.output_buffer().dim(0).extent() + s.m - 1) / s.m;
    const Expr threads_x = clamp((grid_x + T - 1) / T, 1, 8);
    const Expr threads_r = max(1, (kMultiplyThreads / k_threads) / threads_x);
    Var r("r"), rb("rb"), rt("rt"), kb("kb"), kt("kt"), kv("kv");
    Var txb("txb"), txt("txt"), txv("txv"), uv("uv"), kuv("kuv");
    M_out.compute_root()
        .reorder_storage(tx, ty, k, u, v, n)
        .align_storage(tx, 4)
        .align_bounds(k, kWeightKBlock)  // whole U blocks: no guard on k
        .align_bounds(tx, T)             // whole vectors of tiles per thread: no guard inside one
        .reorder(tx, k, ty, n, u, v)
        .fuse(ty, n, r)
        .split(k, kb, kt, kWeightKBlock)
        .split(kt, kt, kv, k_per_thread)
        .split(tx, txb, txv, T)
        .split(txb, txb, txt, threads_x, kGuard)
        .split(r, rb, rt, threads_r, kGuard)
        .fuse(u, v, uv)
        .fuse(rb, kb, kuv)
        .reorder(txv, kv, kt, txt, rt, txb, kuv, uv)
        .gpu_blocks(txb, kuv, uv)
        .gpu_threads(kt, txt, rt)
        .unroll(kv);
    vectorize_tiles(M_out, txv, T);
    // The accumulators, vectors of output channels (one U load each) times
    // unrolled tiles; all in registers, so storing them as vectors of tiles
    // costs no shuffle.
    Var ko("ko"), ki("ki");
    s.M.compute_at(M_out, kt)
        .store_in(MemoryType::Register)
        .bound_extent(k, k_per_thread)
        .bound_extent(tx, T)
        .bound_extent(ty, 1)
        .bound_extent(n, 1)
        .split(k, ko, ki, 4)
        .vectorize(ki)
        .unroll(ko)
        .unroll(tx);
    RVar rco("rco"), rci("rci");
    s.M.update()
        .split(s.rc.x, rco, rci, c_slice, kGuard)
        .split(k, ko, ki, 4)
        .reorder(ki, ko, tx, rci, rco)
        .vectorize(ki)
        .unroll(ko)
        .unroll(tx)
        .unroll(rci);
    Func V_slice = s.V.out.in(s.M);
    V_slice.compute_at(s.M, rco)
        .store_in(MemoryType::Register)
        .bound_extent(c, c_slice)
        .bound_extent(tx, T)
        .reorder(tx, c)
        .unroll(c);
    vectorize_tiles(V_slice, tx, T);
}

}  // namespace

// Direct, register-blocked per thread: each thread owns one output pixel
// column of `rows` rows x `channels` output channels (rows·channels
// accumulators) and runs the whole reduction (c, ry, rx) itself, as the
// Winograd multiply does, so a block can hold many warps (no block-level
// loop). It reads through L1, nothing staged: the lanes of a warp take 32
// consecutive pixels along x (coalesced input loads and output stores) and
// read the same weights (one broadcast float4 per 4 output channels and
// tap). Per input channel, at 4 rows x 16 channels: (4 + 2) x 3 input loads
// and 9 x 4 float4 of weights for 576 multiply-adds. A block is 32 pixels x
// 4 row groups (GpuDirectBlock); the channel block is the fastest-varying block
// index. It replaced a one-warp kernel (lanes along x, 4 rows x 8 channels
// per lane, the input staged in shared memory per 8 channels): the best of
// four blocks ran 2.3-7.0x faster than it on all 13 layers of one call
// (bench/results/h200-9/vmap; C = 3 at 224²: 0.047 -> 0.020 ms).
void schedule_gpu_direct(DirectStages &s, const ScheduleParams &p, const Target &) {
    const GpuDirectBlock b = gpu_direct_block(p);
    Func out = s.output;
    const Var x = s.x, y = s.y, k = s.k, n = s.n;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), yt("yt"), kb("kb"), kk("kk"), ko("ko"), ki("ki"), kq("kq"),
        yn("yn");
    // k is split at the weights' channel blocks first, so that the weights'
    // k % kWeightKBlock and k / kWeightKBlock fold into dense float4 loads.
    out.split(x, xo, xi, GpuDirectBlock::kThreadsX, kGuard)
        .split(y, yo, yi, b.rows, kGuard)
        .split(yo, yo, yt, GpuDirectBlock::kRowThreads, kGuard)
        .split(k, kb, kk, kWeightKBlock, kGuard)
        .split(kk, ko, ki, b.channels)
        .reorder(ki, yi, xi, yt, ko, kb, xo, yo, n)
        .fuse(ko, kb, kq)
        .fuse(yo, n, yn)
        .gpu_blocks(kq, xo, yn)
        .gpu_threads(xi, yt)
        .unroll(ki)
        .unroll(yi);

    // The accumulators: whole float4s of channels (weights are zero beyond
    // K), `rows` rows; the reduction's taps unrolled, input channels a loop.
    const RVar rx = s.r.x, ry = s.r.y, rc = s.r.z;
    Var kv("kv"), ku("ku");
    s.conv.compute_at(out, xi)
        .store_in(MemoryType::Register)
        .bound_extent(x, 1)
        .bound_extent(y, b.rows)
        .bound_extent(k, b.channels)
        .bound_extent(n, 1)
        .split(k, ku, kv, 4)
        .reorder(kv, ku, y, x, n)
        .vectorize(kv)
        .unroll(ku)
        .unroll(y);
    s.conv.update()
        .split(k, ku, kv, 4)
        .reorder(kv, ku, y, rx, ry, x, rc, n)
        .vectorize(kv)
        .unroll(ku)
        .unroll(y)
        .unroll(rx)
        .unroll(ry);
}

// Tensor level: every stage its own kernel over the whole tensor, each with
// the loops a GPU op library would give it: lanes over the innermost
// dimension of the stage's layout (pixels for padding and untiling, tiles for
// the transforms, which are stored tiles innermost), and the batched multiply
// as a register-blocked matrix product per transform point (above).
void schedule_gpu_tensor(WinogradStages &s, const ScheduleParams &p, const Target &) {
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    Var o("o"), i("i"), t("t"), b2("b2");

    const std::vector<Var> in = s.in.args();  // (x, y, c, n)
    s.in.compute_root()
        .split(in[0], o, i, kWarp, kGuard)
        .fuse(in[2], in[3], b2)
        .gpu_blocks(o, in[1], b2)
        .gpu_lanes(i);
    // A transform pass: lanes over the tiles (tx, ty), stored tiles innermost,
    // the index its mux() selects on unrolled.
    // (The multiply reads V as whole vectors of tiles: V's tx is aligned, and
    // not fused with ty, see the staged schedule.)
    auto transform_pass = [&](Func f, const Var &channel, const Var &unrolled, const std::vector<Var> &storage,
                              bool aligned = false) {
        f.compute_root().reorder_storage(storage).reorder(unrolled, unrolled.same_as(u) ? v : u, tx, ty, channel, n);
        if (aligned) {
            f.align_storage(tx, 4).fuse(ty, n, t).split(tx, o, i, kWarp, kGuard).gpu_blocks(o, channel, t);
        } else {
            f.fuse(tx, ty, t).split(t, o, i, kWarp, kGuard).gpu_blocks(o, channel, n);
        }
        f.unroll(unrolled).gpu_lanes(i);
    };
    transform_pass(s.V.rows, c, u, {tx, ty, c, u, v, n});
    transform_pass(s.V.out, c, v, {tx, ty, c, u, v, n}, /*aligned=*/true);
    schedule_gpu_multiply(s, s.M.in(), "gpu_tensor", p);
    transform_pass(s.Y.rows, k, u, {tx, ty, k, u, v, n});
    transform_pass(s.Y.out, k, v, {tx, ty, k, u, v, n});
    s.output.compute_root()
        .split(s.x, o, i, kWarp, kGuard)
        .fuse(s.k, s.n, b2)
        .gpu_blocks(o, s.y, b2)
        .gpu_lanes(i);
}

namespace {

// A transform's passes: one tile of one channel, in the thread's registers,
// computed at `at`'s thread loop `var`.
void per_thread(WinogradStages &s, Func f, Func at, const Var &var, const Var &channel) {
    f.compute_at(at, var)
        .store_in(MemoryType::Register)
        .bound_extent(channel, 1)
        .bound_extent(s.tx, 1)
        .bound_extent(s.ty, 1)
        .bound_extent(s.n, 1)
        .unroll(s.u)
        .unroll(s.v);
}

// The staged input transform with a tile of one channel per thread
// (load=tiles), each thread reading its own window of the input.
void schedule_gpu_input_tiles(WinogradStages &s) {
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n;
    Var tn("tn"), o("o"), i("i"), co("co"), ci("ci"), tno("tno"), tni("tni");
    // Lanes along a row of tiles (tx) across a warp. A narrow plane's row
    // (at most 4 tiles: 14² at F(4,3)) would leave 28 of 32 lanes idle; there
    // a warp takes 4 tiles of 8 rows of tiles (then the next images'), still
    // one channel's plane: at 32x256x14² this kernel went from 42 to 28 us
    // of the call's ~150 (ncu, bench/results/h200-10/ncu*.txt). Wider rows
    // keep a row per warp: rows of 7, 8 or 14 tiles shared by 4, 4 and 2
    // rows per warp ran 10-25% slower on the whole call (same run). Rows
    // along tx and the rows below are separate thread dimensions, not one
    // fused loop: Halide 14 sizes a loop over tx fused with ty by tx's
    // storage extent in units of its alignment when align_storage() is set
    // (a quarter of the tiles were computed). (Sizing the lanes to the row
    // and giving the rest of the block to input channels was slower,
    // bench/results/h200-9/ab: a warp then spans several channels' planes.)
    const Expr tiles_x = (s.output.output_buffer().dim(0).extent() + s.m - 1) / s.m;
    s.V.out.reorder(u, v, tx, c, ty, n).fuse(ty, n, tn);
    auto lanes = [&](Stage stage, int lanes_x) {
        stage.split(tx, o, i, lanes_x, kGuard).split(c, co, ci, kChannelThreads, kGuard);
        if (lanes_x < kWarp) {
            stage.split(tn, tno, tni, kWarp / lanes_x, kGuard)
                .reorder(u, v, i, tni, ci, o, co, tno)
                .gpu_blocks(o, co, tno)
                .gpu_threads(i, tni, ci);
        } else {
            stage.reorder(u, v, i, ci, o, co, tn).gpu_blocks(o, co, tn).gpu_threads(i, ci);
        }
        stage.unroll(u).unroll(v);
    };
    lanes(s.V.out.specialize(tiles_x <= 4), 4);
    lanes(s.V.out, kWarp);
    per_thread(s, s.V.rows, s.V.out, i, c);
}

// The staged input transform through shared memory (load=shared): a block
// of TX x TY tiles of KC input channels (the rows block) first copies its
// input patch, (TX·m + 2) x (TY·m + 2) pixels of each channel, into shared
// memory with lanes along its rows; then each thread transforms one tile of
// one channel from there. Each thread reading its own window issues loads
// whose lanes lie m floats apart, each touching up to 16 sectors. Extents are
// constant and both loop nests share one thread dimension, as in the rows
// output below. It pays on planes at most 4 tiles wide, whose rows of V are
// the block's rows: that kernel 28 -> 14.5 us at 32x256x14² (h200-11). On
// wider planes the block's 4-tile rows of V are half sectors and it took
// 60 us against 38 at 32x64x56² (128 registers against 80).
void schedule_gpu_input_shared(WinogradStages &s) {
    using B = GpuRowsBlock;
    constexpr int TX = B::kTiles, TY = B::kRows, KC = B::kChannels;
    const int m = s.m;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n;
    Var txo("txo"), txi("txi"), tyo("tyo"), tyi("tyi"), co("co"), ci("ci"), yn("yn"), t("t"), tc("tc");
    s.V.out.tile(tx, ty, txo, tyo, txi, tyi, TX, TY, kGuard)
        .split(c, co, ci, KC, kGuard)
        .reorder(u, v, txi, tyi, ci, txo, co, tyo, n)
        .fuse(tyo, n, yn)
        .fuse(txi, tyi, t)
        .fuse(t, ci, tc)
        .gpu_blocks(txo, co, yn)
        .gpu_threads(tc)
        .unroll(u)
        .unroll(v);
    // V.rows inlined (as Y.rows in the rows output: a register Func at a
    // fused thread loop is bounded at its first iteration in Halide 14).
    const std::vector<Var> a = s.in.args();  // (x, y, c, n)
    Var xy("xy"), xyc("xyc"), po("po"), pi("pi");
    s.in.in(s.d)  // d, V.rows: inlined into V.out
        .compute_at(s.V.out, txo)
        .store_in(MemoryType::GPUShared)
        .bound_extent(a[0], TX * m + 2)
        .bound_extent(a[1], TY * m + 2)
        .bound_extent(a[2], KC)
        .fuse(a[0], a[1], xy)
        .fuse(xy, a[2], xyc)
        .split(xyc, po, pi, kRowsThreads, kGuard)
        .gpu_threads(pi);
}

// The staged output transform with its stores along rows (store=rows): a
// block transforms TX x TY = 4 x 2 tiles of KC = 16 output channels, one
// (tile, channel) per thread, into shared memory; then its threads store the
// block's 4m x 2m pixels of each channel with lanes along the rows. One
// thread per tile (store=tiles) stores a tile's pixels m floats apart across
// lanes, so each store instruction writes parts of 16 sectors of 32 bytes:
// that kernel ran at 85% of L2 throughput while moving a third of its peak
// bytes (32x64x56², bench/results/h200-10/ncu_before.txt); this one took
// 30 us there against 37, 10 against 19 at 32x256x14² (h200-11). 8 x 1 tiles
// (a warp reading 8 consecutive tiles of M, 32-pixel rows) was as fast or
// slower on every layer of the same run, and doubles the multiply on planes
// 4 tiles wide (M is computed for every tile the transform reads).
// Every extent is constant (bound_extent: the edges compute tiles that M
// holds anyway, up to its alignment, or a row of tiles beyond it when the
// plane has an odd number) and both loop nests run on one thread dimension
// of kRowsThreads: Halide 14 sizes a block per dimension as its largest loop,
// and loops whose extents shrink at the plane's edges, fused into one
// thread loop, got bounds that grew with the plane, and shared-memory sizes
// and M regions it could not bound correctly (failed launches, faults).
void schedule_gpu_output_rows(WinogradStages &s) {
    using B = GpuRowsBlock;
    constexpr int TX = B::kTiles, TY = B::kRows, KC = B::kChannels;
    const int m = s.m;
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, k = s.k, n = s.n, x = s.x, y = s.y;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), ko("ko"), ki("ki"), kt("kt"), yn("yn"), xy("xy"), th("th"), t("t"),
        tk("tk");
    // Stores: TX·m x TY·m pixels x KC channels per block, lanes along x,
    // kRowsThreads threads, each a column of KC / k_threads channels.
    const int store_threads = TX * m * TY * m, k_threads = std::max(1, kRowsThreads / store_threads);
    s.output.compute_root()
        .tile(x, y, xo, yo, xi, yi, TX * m, TY * m, kGuard)
        .split(k, ko, ki, KC, kGuard)
        .split(ki, kt, ki, KC / k_threads)
        .reorder(ki, xi, yi, kt, xo, ko, yo, n)
        .fuse(yo, n, yn)
        .fuse(xi, yi, xy)
        .fuse(xy, kt, th)
        .gpu_blocks(xo, ko, yn)
        .gpu_threads(th)
        .unroll(ki);
    // The transform, one (tile, channel) per thread, into shared memory
    // stored as the stores read it: a row of pixels (u, tx) contiguous.
    s.Y.out.compute_at(s.output, xo)
        .store_in(MemoryType::GPUShared)
        .bound_extent(tx, TX)
        .bound_extent(ty, TY)
        .bound_extent(k, KC)
        .reorder_storage(u, tx, v, ty, k, n)
        .reorder(u, v, tx, ty, k, n)
        .fuse(tx, ty, t)
        .fuse(t, k, tk)
        .gpu_threads(tk)
        .unroll(u)
        .unroll(v);
    // Y.rows is inlined: one expression per pixel over M, whose loads LLVM
    // shares. (Computed at the fused thread loop, Halide 14 bounded its
    // registers at tile 0 and every other thread failed a bounds assertion.)
}

// The staged output transform with a tile of one output channel per thread
// (store=tiles).
void schedule_gpu_output_tiles(WinogradStages &s) {
    const int m = s.m;
    const Var k = s.k, n = s.n;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), ko("ko"), ki("ki"), t("t"), tn("tn"), o("o"), i("i");
    s.output.compute_root()
        .split(s.x, xo, xi, m, kGuard)
        .split(s.y, yo, yi, m, kGuard)
        .reorder(xi, yi, xo, yo, n, k)
        .fuse(xo, yo, t)
        .fuse(t, n, tn)
        .split(tn, o, i, kWarp, kGuard)
        .split(k, ko, ki, kChannelThreads, kGuard)
        .reorder(xi, yi, i, ki, o, ko)
        .gpu_blocks(o, ko)
        .gpu_threads(i, ki)
        .unroll(xi)
        .unroll(yi);
    for (Func f : {s.Y.rows, s.Y.out}) per_thread(s, f, s.output, i, k);
}

}  // namespace

// Staged: the tensor-level stages in three kernels, each transform fused with
// its neighbours in registers: the input transform (padding, tiling and both
// passes), the multiply as above, and the output transform (both passes and
// the untiling). Each transform thread owns one tile of one channel; threads
// along a warp take consecutive tiles, so they read the input and write V,
// and read M, in consecutive addresses; the output is stored a tile per
// thread, or with store=rows in rows of pixels through shared memory
// (schedule_gpu_output_rows, above). V and M still go
// through global memory, nothing else does: for 32x64x56² F(4,3), about 260 MB
// of intermediates written and read back against about 590 in the
// tensor-level schedule's seven kernels (scripts/report.py's model).
void schedule_gpu_staged(WinogradStages &s, const ScheduleParams &p, const Target &) {
    s.V.out.compute_root()
        .reorder_storage(s.tx, s.ty, s.c, s.u, s.v, s.n)
        .align_storage(s.tx, 4);  // the multiply reads whole vectors of tiles
    if (gpu_load_shared("gpu_staged", p)) {
        schedule_gpu_input_shared(s);
    } else {
        schedule_gpu_input_tiles(s);
    }
    schedule_gpu_multiply(s, s.M.in(), "gpu_staged", p);
    if (gpu_store_rows("gpu_staged", p)) {
        schedule_gpu_output_rows(s);
    } else {
        schedule_gpu_output_tiles(s);
    }
}

// Fused: a warp owns 32 output channels (one per lane) and T tiles; each lane
// keeps all alpha² transform points of its T tiles in registers while the
// channel reduction runs, CB input channels at a time: the warp transforms
// those channels' input tiles into shared memory (one (tile, channel) per
// lane), then every lane reads them (a broadcast) against its own row of U
// (coalesced across lanes). The output transform runs per lane on its
// registers.
void schedule_gpu_fused(WinogradStages &s, const ScheduleParams &p, const Target &) {
    // CB input channels per slice: one (tile, channel) pair per lane.
    check_gpu_params("gpu_fused", p);
    const int m = s.m, alpha = s.alpha, T = gpu_tiles("gpu_fused", p), CB = std::max(1, kWarp / T);
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    Func out = s.output;
    Var otx("otx"), xi("xi"), oty("oty"), yi("yi"), txo("txo"), txi("txi"), ko("ko"), ki("ki"), kn("kn");
    out.split(s.x, otx, xi, m, kGuard)
        .split(s.y, oty, yi, m, kGuard)
        .split(otx, txo, txi, T, kGuard)
        .split(k, ko, ki, kWarp, kGuard)
        .reorder(xi, yi, txi, ki, ko, txo, oty, n)
        .fuse(oty, n, kn)
        .gpu_blocks(ko, txo, kn)
        .gpu_lanes(ki)
        .unroll(xi)
        .unroll(yi)
        .unroll(txi);

    // Output transform: per lane, on its registers.
    for (auto [f, unrolled] : {std::pair{s.Y.rows, u}, std::pair{s.Y.out, v}}) {
        f.compute_at(out, ki)
            .store_in(MemoryType::Register)
            .bound_extent(k, 1)
            .bound_extent(tx, T)
            .bound_extent(ty, 1)
            .bound_extent(n, 1)
            .unroll(u)
            .unroll(v)
            .unroll(tx);
    }

    // The products: alpha² x T accumulators per lane.
    RVar rco("rco"), rci("rci");
    s.M.compute_at(out, ko)
        .store_in(MemoryType::Register)
        .bound_extent(k, kWarp)
        .bound_extent(u, alpha)
        .bound_extent(v, alpha)
        .bound_extent(tx, T)
        .bound_extent(ty, 1)
        .bound_extent(n, 1)
        .reorder(u, v, tx, k)
        .gpu_lanes(k)
        .unroll(u)
        .unroll(v)
        .unroll(tx);
    s.M.update()
        .split(s.rc.x, rco, rci, CB, kGuard)
        .reorder(u, v, tx, rci, k, rco)
        .gpu_lanes(k)
        .unroll(u)
        .unroll(v)
        .unroll(tx);

    // The input transform of CB channels x T tiles, one (tile, channel) per
    // lane, into shared memory; its first pass in that lane's registers.
    Var tc("tc");
    s.V.out.compute_at(s.M, rco)
        .store_in(MemoryType::GPUShared)
        .bound_extent(c, CB)
        .bound_extent(tx, T)
        .reorder(v, u, tx, c, ty, n)
        .fuse(tx, c, tc)
        .gpu_lanes(tc)
        .unroll(v);
    s.V.rows.compute_at(s.V.out, tc).store_in(MemoryType::Register).unroll(u).unroll(v);
}

}  // namespace wino
