#include <initializer_list>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <immintrin.h>
#include <sys/mman.h>
static double run(float *a, size_t n) {
    double best = 1e9;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (int r = 0; r < 20; r++) {
        auto t0 = std::chrono::steady_clock::now();
        for (size_t i = 0; i < n; i += 64) {
            s0 = _mm512_add_ps(s0, _mm512_load_ps(a + i));
            s1 = _mm512_add_ps(s1, _mm512_load_ps(a + i + 16));
            s2 = _mm512_add_ps(s2, _mm512_load_ps(a + i + 32));
            s3 = _mm512_add_ps(s3, _mm512_load_ps(a + i + 48));
        }
        double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (t < best) best = t;
    }
    float out[16]; _mm512_storeu_ps(out, _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    if (out[0] == 12345) puts("");
    return n * 4 / best / 1e9;
}
int main() {
    for (int round = 0; round < 3; round++)
    for (double mb : {8.0, 16.8, 37.7, 128.0}) {
        size_t n = size_t(mb * 1e6 / 4) / 4096 * 4096;
        size_t bytes = (n * 4 + (2 << 20) - 1) / (2 << 20) * (2 << 20);
        float *a = (float *)aligned_alloc(2 << 20, bytes);
        float *b = (float *)aligned_alloc(2 << 20, bytes);
        int rc = madvise(b, bytes, MADV_HUGEPAGE);
        for (size_t i = 0; i < n; i++) a[i] = b[i] = 1.0f;
        printf("%6.1f MB: 4K %.1f GB/s, THP %.1f GB/s (madvise rc %d)\n", mb, run(a, n), run(b, n), rc);
        free(a); free(b);
    }
    FILE *f = fopen("/proc/self/smaps_rollup", "r"); char line[256]; while (fgets(line, 256, f)) if (strstr(line, "AnonHuge")) fputs(line, stdout);
}
