// Session 34's load probe, a record (not built): the fused multiply's
// micro-kernel alone, U and V in L1: per input channel, KV vector loads of
// U, COLS broadcasts of V, KV x COLS FMAs into registers.
//   g++ -O3 -march=native -o load_probe load_probe.cpp && ./load_probe
// This machine (Intel Xeon, 2 vCPUs; register-only FMA peak ~214 GFLOP/s):
//   7x1 (kv 2, 7 columns: 14 FMAs per 9 loads)   168 GFLOP/s (78%)
//   4x1 (kv 3, 4 columns: 12 per 7)              166
//   6x1 (kv 4, 6 columns: 24 per 10)             180-182 (85%)
//   3x1 (kv 4, 3 columns: 12 per 7)              164-166
//   14x1 (kv 1, 14 columns: 14 per 15)           149-151
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <immintrin.h>
// Load-side probes: how fast FMAs go when their operands come from L1.
alignas(64) float U[4096 * 2], V[16][4096];
// D: the fused micro-kernel's mix: per channel, KV vector loads of U, COLS broadcasts of V, KV*COLS FMAs.
template <int KV, int COLS>
__attribute__((noinline)) float kernel(long reps, int C) {
    __m512 acc[KV * COLS];
    for (int i = 0; i < KV * COLS; i++) acc[i] = _mm512_setzero_ps();
    for (long r = 0; r < reps; r++) {
        for (int c = 0; c < C; c++) {
            __m512 u[KV];
#pragma GCC unroll 8
            for (int k = 0; k < KV; k++) u[k] = _mm512_load_ps(&U[(c * KV + k) * 16 % 8192]);
#pragma GCC unroll 16
            for (int j = 0; j < COLS; j++) {
                __m512 b = _mm512_set1_ps(V[j][c]);
#pragma GCC unroll 8
                for (int k = 0; k < KV; k++) acc[j * KV + k] = _mm512_fmadd_ps(u[k], b, acc[j * KV + k]);
            }
        }
        asm volatile("" ::: "memory");
    }
    float s = 0;
    for (int i = 0; i < KV * COLS; i++) s += _mm512_reduce_add_ps(acc[i]);
    return s;
}
template <int KV, int COLS>
void run(const char *name) {
    const int C = 64;
    long reps = 2000000;
    for (int t = 0; t < 3; t++) {
        auto t0 = std::chrono::steady_clock::now();
        volatile float s = kernel<KV, COLS>(reps, C);
        double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s kv=%d cols=%d: %.1f GFLOP/s\n", name, KV, COLS, reps * C * KV * COLS * 32.0 / dt / 1e9);
    }
}
int main() {
    for (int i = 0; i < 8192; i++) U[i] = 1e-3f * (i % 7);
    for (int j = 0; j < 16; j++) for (int i = 0; i < 4096; i++) V[j][i] = 1e-3f * ((i + j) % 5);
    run<2, 7>("7x1");
    run<3, 4>("4x1");
    run<4, 6>("6x1");
    run<4, 3>("3x1");
    run<1, 14>("14x1");
}
