// Compiled with -march=native (see bench/CMakeLists.txt): the kernel can use
// the widest FMA this CPU has. It runs at the width of the variants' own
// vectors, so that a build for a narrower target than the CPU's (AVX2 code
// on an AVX-512 machine, as a Zen 3 user gets) is measured against the peak
// of the code it runs.
#include "peak.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace wino::bench {

namespace {

#if defined(__AVX512F__)
constexpr int kNativeBytes = 64;
#elif defined(__AVX__)
constexpr int kNativeBytes = 32;
#else
constexpr int kNativeBytes = 16;
#endif

// 12 independent chains hide the FMA latency (4-5 cycles) on 2 FMA pipes,
// and fit the 16 vector registers of AVX2 with the two operands.
constexpr int kChains = 12;

typedef float vec4 __attribute__((vector_size(16)));
typedef float vec8 __attribute__((vector_size(std::min(kNativeBytes, 32))));
typedef float vec16 __attribute__((vector_size(kNativeBytes)));

template <typename Vec>
float fma_loop(long iterations, float seed) {
    constexpr int lanes = sizeof(Vec) / 4;
    Vec acc[kChains], a, b;
    for (int l = 0; l < lanes; l++) a[l] = 0.999f, b[l] = seed * 1e-3f;
    for (int i = 0; i < kChains; i++)
        for (int l = 0; l < lanes; l++) acc[i][l] = seed + i;
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < kChains; i++) acc[i] = acc[i] * a + b;  // contracts to one FMA
        // Keeps the loop from being folded, and both operands in registers:
        // with only `a` held, GCC read `b` from the stack in every FMA, and
        // on an Intel Xeon (2 vCPUs, session 34) those loads held the loop
        // to 140 GFLOP/s where registers alone reach 214.
        asm volatile("" : "+v"(a), "+v"(b));
    }
    float sum = 0;
    for (int i = 0; i < kChains; i++)
        for (int l = 0; l < lanes; l++) sum += acc[i][l];
    return sum;
}

// The width the peak is measured at for code of `lanes`-lane vectors: the
// same, but no wider than this CPU's.
int fma_peak_lanes(int lanes) {
    int bytes = 16;
    while (bytes < kNativeBytes && bytes < 4 * lanes) bytes *= 2;
    return bytes / 4;
}

}  // namespace

Peak measure_fma_peak(int threads, int lanes, double seconds) {
    lanes = fma_peak_lanes(lanes);  // no wider than this CPU's vectors
    float (*const loop)(long, float) = lanes == 16 ? fma_loop<vec16> : lanes == 8 ? fma_loop<vec8> : fma_loop<vec4>;
    seconds /= 2;  // per trial
    using clock = std::chrono::steady_clock;
    // Calibrate the iteration count on one thread.
    long iterations = 1 << 16;
    for (;;) {
        auto t0 = clock::now();
        volatile float sink = loop(iterations, 1.0f);
        (void)sink;
        double dt = std::chrono::duration<double>(clock::now() - t0).count();
        if (dt > seconds / 4 || iterations > (1L << 34)) {
            iterations = long(iterations * seconds / std::max(dt, 1e-9));
            break;
        }
        iterations *= 4;
    }
    // Best of several short trials: on a shared machine a trial can lose its
    // core for a while; the peak is the fastest the cores can go.
    double best = 0;
    for (int trial = 0; trial < 7; trial++) {
        std::vector<std::thread> pool;
        auto t0 = clock::now();
        for (int t = 0; t < threads; t++)
            pool.emplace_back([=] { volatile float sink = loop(iterations, 1.0f + t); (void)sink; });
        for (auto &th : pool) th.join();
        double dt = std::chrono::duration<double>(clock::now() - t0).count();
        double flops = 2.0 * lanes * kChains * double(iterations) * threads;
        best = std::max(best, flops / dt / 1e9);
    }
    return {threads, lanes, best};
}

}  // namespace wino::bench
