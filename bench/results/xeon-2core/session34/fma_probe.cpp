// Session 34's FMA probe, a record (not built): 12 chains of register-only
// 512-bit FMAs, with `b` held in a register by the asm (mode 1) or not
// (mode 0; GCC -O3 kept it in a register here either way, where
// bench/peak.cpp's loop, compiled in the project, read it from the stack).
//   g++ -O3 -march=native -o fma_probe fma_probe.cpp && ./fma_probe
// This machine (Intel Xeon, 2 vCPUs): 212-215 GFLOP/s in both modes;
// bench/peak.cpp as it was: 140.
#include <chrono>
#include <cstdio>
#include <immintrin.h>
// Variants of the FMA probe: b from memory (as bench/peak.cpp compiles), b in a register, and
// interleaved with loads (as a micro-kernel).
template <int MODE>
__attribute__((noinline)) float loop(long it, float seed) {
    __m512 acc[12], a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(seed * 1e-3f);
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps(seed + i);
    for (long k = 0; k < it; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        if (MODE == 0) asm volatile("" : "+x"(a));
        else asm volatile("" : "+v"(a), "+v"(b));
    }
    float s = 0;
    for (int i = 0; i < 12; i++) s += _mm512_reduce_add_ps(acc[i]);
    return s;
}
int main() {
    for (int rep = 0; rep < 3; rep++)
        for (int mode = 0; mode < 2; mode++) {
            long it = 200000000;
            auto t0 = std::chrono::steady_clock::now();
            volatile float s = mode ? loop<1>(it, 1.f) : loop<0>(it, 1.f);
            double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("mode %d: %.1f GFLOP/s (%.3f s)\n", mode, it * 12.0 * 32 / dt / 1e9, dt);
        }
}
