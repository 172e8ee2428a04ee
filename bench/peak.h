// The machine's measured fp32 FMA peak: every benchmark states its GFLOP/s
// against this, measured in the same run.
#pragma once

namespace wino::bench {

struct Peak {
    int threads;
    int lanes;          // fp32 lanes of the vectors the kernel used
    double gflops;      // fp32 GFLOP/s, 2 flops per FMA lane
};

// Runs an FMA-only kernel (independent accumulators, no memory traffic) on
// `threads` threads at once for about `seconds`, best of a few trials, in
// vectors of `lanes` fp32 lanes, or of this CPU's widest if narrower (4, 8
// or 16; Peak::lanes says which).
Peak measure_fma_peak(int threads, int lanes, double seconds = 0.2);

}  // namespace wino::bench
