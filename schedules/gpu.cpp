// CUDA schedules of the same algorithms: direct, Winograd tensor-level and
// Winograd fused. Compiled ahead of time on the CPU machines for a CUDA
// target (variant rows with features=cuda-...); the driver compiles the PTX
// for the GPU it finds. Halide 14 keeps per-thread register accumulators
// across a block-level loop only within one warp (gpu_lanes), so each block
// here is one warp of 32 lanes whose accumulators are unrolled in registers;
// what the lanes share is staged in shared memory by the warp itself.
// Every stage that runs on lanes puts its lane loop *outside* the loops it
// unrolls: Halide ends each lane loop with a barrier, so a lane loop
// innermost under an unrolled block becomes one barrier per statement (72
// per channel in F(4,3)'s products, which halved the fused kernel's speed).
// The channel block is the fastest-varying block index: blocks are handed to
// the multiprocessors in order, so those one multiprocessor holds at once
// mostly share a channel block, and the weights they read share L1 (fused
// F(4,3) at 8x64x56²: L1 hit rate 73% -> 80%; direct 5-8% faster).
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "layout.h"
#include "schedules.h"

namespace wino {

using namespace Halide;

namespace {

constexpr int kWarp = 32;
const TailStrategy kGuard = TailStrategy::GuardWithIf;

// Tiles per lane of the fused schedule: "Tx1" in p.block (default 2).
int tiles_per_lane(const ScheduleParams &p, int fallback) {
    if (p.block.empty()) return fallback;
    int t = 0, one = 0;
    char tail;
    if (std::sscanf(p.block.c_str(), "%dx%d%c", &t, &one, &tail) != 2 || t < 1 || t > 8 || one != 1)
        throw std::invalid_argument("GPU fused: block '" + p.block + "' must be Tx1, 1 <= T <= 8 tiles per lane");
    return t;
}

}  // namespace

// Direct: a warp computes 32 pixels along a row (one per lane, coalesced
// loads and stores in NCHW) x YB rows x KU output channels, YB·KU
// accumulators per lane. The padded input of CB input channels is staged in
// shared memory by the warp; the weights are the same for every lane (one
// broadcast load each).
void schedule_gpu_direct(DirectStages &s, const ScheduleParams &p, const Target &) {
    (void)p;
    const int YB = 4, KU = 8, CB = 8;
    Func out = s.output;
    const Var x = s.x, y = s.y, k = s.k, n = s.n;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), ko("ko"), ki("ki"), kn("kn");
    out.split(x, xo, xi, kWarp, kGuard)
        .split(y, yo, yi, YB, kGuard)
        .split(k, ko, ki, KU, kGuard)
        .reorder(ki, yi, xi, ko, xo, yo, n)
        .fuse(yo, n, kn)
        .gpu_blocks(ko, xo, kn)  // ko innermost: the blocks on one multiprocessor share weights
        .gpu_lanes(xi)
        .unroll(ki)
        .unroll(yi);

    const RVar rx = s.r.x, ry = s.r.y, rc = s.r.z;
    RVar rco("rco"), rci("rci");
    s.conv.compute_at(out, ko)
        .store_in(MemoryType::Register)
        .bound_extent(x, kWarp)
        .bound_extent(y, YB)
        .bound_extent(k, KU)
        .bound_extent(n, 1)
        .reorder(k, y, x, n)
        .gpu_lanes(x)
        .unroll(k)
        .unroll(y);
    s.conv.update()
        .split(rc, rco, rci, CB, kGuard)
        .reorder(k, y, rx, ry, rci, x, rco)
        .gpu_lanes(x)
        .unroll(k)
        .unroll(y)
        .unroll(rx)
        .unroll(ry);

    // (32 + 2) x (YB + 2) pixels of CB channels per slice, loaded by the lanes along x.
    const std::vector<Var> in = s.in.args();
    Var ixo("ixo"), ixi("ixi");
    s.in.compute_at(s.conv, rco).store_in(MemoryType::GPUShared).split(in[0], ixo, ixi, kWarp).gpu_lanes(ixi);
}

// Tensor level: every stage its own kernel over the whole tensor, each with
// the loops a GPU op library would give it: lanes over the innermost
// dimension of the stage's layout (channels for the transforms, pixels for
// padding and untiling), and the batched multiply as a register-blocked
// matrix product per transform point (lanes = 32 output channels, 8 tiles
// per lane).
void schedule_gpu_tensor(WinogradStages &s, const Target &) {
    const Var u = s.u, v = s.v, tx = s.tx, ty = s.ty, c = s.c, n = s.n, k = s.k;
    Var o("o"), i("i"), b1("b1"), b2("b2");

    const std::vector<Var> in = s.in.args();  // (x, y, c, n)
    s.in.compute_root()
        .split(in[0], o, i, kWarp, kGuard)
        .fuse(in[2], in[3], b2)
        .gpu_blocks(o, in[1], b2)
        .gpu_lanes(i);
    // A transform pass: lanes over the channels (c for the input, k for the
    // output), stored channels innermost, the index its mux() selects on unrolled.
    auto transform_pass = [&](Func f, const Var &channel, const Var &unrolled, const std::vector<Var> &storage) {
        f.compute_root()
            .reorder_storage(storage)
            .split(channel, o, i, kWarp, kGuard)
            .reorder(i, unrolled, unrolled.same_as(u) ? v : u, tx, o, ty, n)
            .unroll(unrolled)
            .fuse(o, ty, b1)
            .fuse(b1, n, b2)
            .gpu_blocks(tx, b2)
            .gpu_lanes(i);
    };
    transform_pass(s.V.rows, c, u, {c, tx, ty, u, v, n});
    transform_pass(s.V.out, c, v, {c, tx, ty, u, v, n});
    const int T = 8;
    Func M_out = s.M.in();
    Var txo("txo"), txi("txi"), ko("ko"), ki("ki"), uv("uv"), kn("kn");
    M_out.compute_root()
        .reorder_storage(k, tx, ty, u, v, n)
        .split(tx, txo, txi, T, kGuard)
        .split(k, ko, ki, kWarp, kGuard)
        .reorder(ki, txi, txo, ty, u, v, ko, n)
        .fuse(u, v, uv)
        .fuse(ko, n, kn)
        .fuse(txo, ty, b1)
        .gpu_blocks(b1, uv, kn)
        .gpu_lanes(ki)
        .unroll(txi);
    s.M.compute_at(M_out, b1)
        .store_in(MemoryType::Register)
        .bound_extent(k, kWarp)
        .bound_extent(tx, T)
        .bound_extent(ty, 1)
        .bound_extent(u, 1)
        .bound_extent(v, 1)
        .bound_extent(n, 1)
        .reorder(tx, k)
        .gpu_lanes(k)
        .unroll(tx);
    s.M.update().reorder(tx, s.rc.x, k, u, v, ty, n).gpu_lanes(k).unroll(tx);
    transform_pass(s.Y.rows, k, u, {k, u, v, tx, ty, n});
    transform_pass(s.Y.out, k, v, {k, u, v, tx, ty, n});
    s.output.compute_root()
        .split(s.x, o, i, kWarp, kGuard)
        .fuse(s.k, s.n, b2)
        .gpu_blocks(o, s.y, b2)
        .gpu_lanes(i);
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
    const int m = s.m, alpha = s.alpha, T = tiles_per_lane(p, 2), CB = std::max(1, kWarp / T);
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
