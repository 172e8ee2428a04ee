#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <vector>
#include <algorithm>
// U: (36 points, 16 kb, 512 c, 32 ki) floats. Read pattern A: for kb: for p: chunk(p,kb) (plain).
// pattern B: for p: for kb: chunk(p,kb) (points; sequential).
int main() {
  const int P = 36, KB = 16, C = 512, KI = 32;
  const size_t chunk = size_t(C) * KI;
  std::vector<float> U(size_t(P) * KB * chunk, 1.0f);
  std::vector<float> V(C * 8, 1.0f);
  auto run = [&](bool plain) {
    __m512 acc[16];
    for (auto &a : acc) a = _mm512_setzero_ps();
    for (int o = 0; o < (plain ? KB : P); o++)
      for (int i = 0; i < (plain ? P : KB); i++) {
        int p = plain ? i : o, kb = plain ? o : i;
        const float *u = &U[(size_t(p) * KB + kb) * chunk];
        for (int c = 0; c < C; c++) {
          __m512 u0 = _mm512_loadu_ps(u + c * KI), u1 = _mm512_loadu_ps(u + c * KI + 16);
          for (int t = 0; t < 8; t++) {
            __m512 v = _mm512_set1_ps(V[c * 8 + t]);
            acc[2 * t] = _mm512_fmadd_ps(u0, v, acc[2 * t]);
            acc[2 * t + 1] = _mm512_fmadd_ps(u1, v, acc[2 * t + 1]);
          }
        }
      }
    float s = 0; for (auto &a : acc) s += _mm512_reduce_add_ps(a);
    return s;
  };
  for (int rep = 0; rep < 3; rep++)
  for (int plain = 0; plain < 2; plain++) {
    std::vector<double> ts; float s = 0;
    for (int it = 0; it < 30; it++) {
      auto t0 = std::chrono::steady_clock::now(); s += run(plain);
      ts.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ts.begin(), ts.end());
    printf("%s median %.3f ms min %.3f (%.1f GB/s) %g\n", plain ? "plain (kb outer)" : "points (p outer)", ts[15], ts[0], U.size() * 4 / ts[15] / 1e6, s);
  }
}
