// Schedule of the direct convolution: the honest baseline.
//
// A register-blocked micro-kernel like a GEMM's: a block of output channels
// (vectorized) times a row segment of output pixels (unrolled) stays in
// registers while the reduction over (c, ry, rx) streams past it. Weights are
// repacked once per call so a vector of output channels is one dense load.
#include <stdexcept>

#include "schedules.h"

namespace wino {

using namespace Halide;

void schedule_direct(const std::string &schedule, DirectStages &s, const Target &target) {
    if (schedule != "direct") throw std::invalid_argument("conv_direct: unknown schedule '" + schedule + "'");
    const RegisterBlock blk = register_block(machine_of(target));
    const int KB = blk.k(), XB = blk.columns, L = blk.lanes;

    Func out = s.output;
    Var x = s.x, y = s.y, k = s.k, n = s.n;
    Var xo("xo"), xi("xi"), ko("ko"), ki("ki"), kv("kv"), yn("yn");

    // Output: one register block per (xo, ko); rows of all images in parallel.
    // GuardWithIf: any H', W', K works; only the last block of a row is partial.
    out.split(k, ko, ki, KB, TailStrategy::GuardWithIf)
        .split(x, xo, xi, XB, TailStrategy::GuardWithIf)
        .split(ki, ki, kv, L)
        .reorder(kv, ki, xi, xo, ko, y, n)
        .vectorize(kv)
        .unroll(ki)
        .unroll(xi)
        .fuse(y, n, yn)
        .parallel(yn);

    // The accumulators: a fixed-size block (bound_extent), so it can live in
    // registers even for a partial block at the edge; the extra pixels read zero
    // padding and the extra channels zero weights, and are never stored.
    Var cv("cv"), cu("cu");
    s.conv.compute_at(out, xo)
        .bound_extent(k, KB)
        .bound_extent(x, XB)
        .split(k, cu, cv, L)
        .reorder(cv, cu, x, y, n)
        .vectorize(cv)
        .unroll(cu)
        .unroll(x);
    // Reduction outside the register block: c outermost, the 3x3 taps unrolled.
    RVar rx = s.r.x, ry = s.r.y, rc = s.r.z;
    s.conv.update()
        .split(k, cu, cv, L)
        .reorder(cv, cu, x, rx, ry, rc, y, n)
        .vectorize(cv)
        .unroll(cu)
        .unroll(x)
        .unroll(rx)
        .unroll(ry);

    // The three input rows of this output row, zero padding applied once here
    // instead of as a select inside the micro-kernel.
    s.in.compute_at(out, yn).vectorize(s.in.args()[0], L, TailStrategy::GuardWithIf);

    // Weights repacked with k innermost: w(k, rx, ry, c), zero beyond K.
    std::vector<Var> w = s.weights.args();  // (rx, ry, c, k)
    s.weights.compute_root()
        .reorder_storage(w[3], w[0], w[1], w[2])
        .reorder(w[3], w[0], w[1], w[2])
        .vectorize(w[3], L, TailStrategy::GuardWithIf)
        .parallel(w[2]);
}

}  // namespace wino
