// Compiled for the library's baseline like the rest of the runtime: each
// vector width's kernel carries its own target attribute, and the widest this
// CPU runs (at WINO_CPU_LEVEL) is picked at run time, so that one library runs
// on every x86-64. The peak is measured at the width of the variants' own
// vectors, so that a build for a narrower target than the CPU's (AVX2 code on
// an AVX-512 machine, as a Zen 3 user gets) is measured against the peak of
// the code it runs.
#include "fma_peak.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "cpu_features.h"

namespace wino::detail {

namespace {

// 12 independent chains hide the FMA latency (4-5 cycles) on 2 FMA pipes,
// and fit the 16 vector registers of AVX2 with the two operands.
constexpr int kChains = 12;

typedef float vec4 __attribute__((vector_size(16)));
typedef float vec8 __attribute__((vector_size(32)));
typedef float vec16 __attribute__((vector_size(64)));

template <typename Vec>
[[gnu::always_inline]] inline float fma_loop(long iterations, float seed) {
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

__attribute__((target("avx512f"))) float fma_loop16(long iterations, float seed) {
    return fma_loop<vec16>(iterations, seed);
}
__attribute__((target("avx2,fma"))) float fma_loop8(long iterations, float seed) {
    return fma_loop<vec8>(iterations, seed);
}
__attribute__((target("fma"))) float fma_loop4_fma(long iterations, float seed) {
    return fma_loop<vec4>(iterations, seed);
}
float fma_loop4(long iterations, float seed) { return fma_loop<vec4>(iterations, seed); }  // SSE: a multiply and an add

// This CPU's widest vectors, in lanes, at the level WINO_CPU_LEVEL allows.
int widest_lanes() {
    if (cpu_can_use("avx512")) return 16;
    if (cpu_can_use("avx2-fma")) return 8;
    return 4;
}

// The width the peak is measured at for code of `lanes`-lane vectors: the
// same, but no wider than this CPU's.
int fma_peak_lanes(int lanes) {
    int l = 4;
    while (l < widest_lanes() && l < lanes) l *= 2;
    return l;
}

}  // namespace

FmaPeak measure_fma_peak(int threads, int lanes, double seconds) {
    lanes = fma_peak_lanes(lanes);  // no wider than this CPU's vectors
    const bool fma = lanes > 4 || cpu_can_use("fma");
    float (*const loop)(long, float) = lanes == 16 ? fma_loop16 : lanes == 8 ? fma_loop8 : fma ? fma_loop4_fma : fma_loop4;
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

}  // namespace wino::detail
