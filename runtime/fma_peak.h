// The machine's fp32 FMA peak, measured: every benchmark states its GFLOP/s
// against it, and a call's thread count (threads_for_work) turns the cost
// model's vector operations into time with it.
#pragma once

namespace wino::detail {

struct FmaPeak {
    int threads;
    int lanes;      // fp32 lanes of the vectors the kernel used
    double gflops;  // fp32 GFLOP/s, 2 flops per FMA lane
};

// Runs an FMA-only kernel (independent accumulators, no memory traffic) on
// `threads` threads at once for about `seconds`, best of a few trials, in
// vectors of `lanes` fp32 lanes, or of this CPU's widest if narrower (4, 8
// or 16, at the level WINO_CPU_LEVEL allows; FmaPeak::lanes says which).
FmaPeak measure_fma_peak(int threads, int lanes, double seconds = 0.2);

}  // namespace wino::detail
