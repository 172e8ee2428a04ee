// Compiled with -march=native (see bench/CMakeLists.txt) so the kernel uses the
// widest FMA this CPU has, like the Halide `host` target does.
#include "peak.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace wino::bench {

namespace {

#if defined(__AVX512F__)
constexpr int kBytes = 64;
#elif defined(__AVX__)
constexpr int kBytes = 32;
#else
constexpr int kBytes = 16;
#endif
constexpr int kLanes = kBytes / 4;
typedef float vec __attribute__((vector_size(kBytes)));

// 12 independent chains hide the FMA latency (4-5 cycles) on 2 FMA pipes.
constexpr int kChains = 12;

float fma_loop(long iterations, float seed) {
    vec acc[kChains], a, b;
    for (int l = 0; l < kLanes; l++) a[l] = 0.999f, b[l] = seed * 1e-3f;
    for (int i = 0; i < kChains; i++)
        for (int l = 0; l < kLanes; l++) acc[i][l] = seed + i;
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < kChains; i++) acc[i] = acc[i] * a + b;  // contracts to one FMA
        asm volatile("" : "+x"(a));  // keep the loop from being folded
    }
    float sum = 0;
    for (int i = 0; i < kChains; i++)
        for (int l = 0; l < kLanes; l++) sum += acc[i][l];
    return sum;
}

}  // namespace

Peak measure_fma_peak(int threads, double seconds) {
    seconds /= 2;  // per trial
    using clock = std::chrono::steady_clock;
    // Calibrate the iteration count on one thread.
    long iterations = 1 << 16;
    for (;;) {
        auto t0 = clock::now();
        volatile float sink = fma_loop(iterations, 1.0f);
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
            pool.emplace_back([=] { volatile float sink = fma_loop(iterations, 1.0f + t); (void)sink; });
        for (auto &th : pool) th.join();
        double dt = std::chrono::duration<double>(clock::now() - t0).count();
        double flops = 2.0 * kLanes * kChains * double(iterations) * threads;
        best = std::max(best, flops / dt / 1e9);
    }
    return {threads, kLanes, best};
}

}  // namespace wino::bench
