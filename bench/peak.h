// The machine's measured fp32 FMA peak: every benchmark states its GFLOP/s
// against this, measured in the same run.
#pragma once

namespace wino::bench {

struct Peak {
    int threads;
    int lanes;          // fp32 lanes of the vectors the kernel used
    double gflops;      // fp32 GFLOP/s, 2 flops per FMA lane
};

// The vector width, in fp32 lanes, the peak is measured at for code of
// `lanes`-lane vectors: the same, but no wider than this CPU's (4, 8 or 16).
int fma_peak_lanes(int lanes);

// Runs an FMA-only kernel (independent accumulators, no memory traffic) on
// `threads` threads at once for about `seconds`, best of a few trials, in
// vectors of fma_peak_lanes(lanes).
Peak measure_fma_peak(int threads, int lanes, double seconds = 0.2);

}  // namespace wino::bench
