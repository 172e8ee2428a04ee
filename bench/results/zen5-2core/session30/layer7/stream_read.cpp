#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <immintrin.h>
#include <vector>
int main(int argc, char **argv) {
    for (double mb : {0.5, 1.5, 8.0, 16.8, 24.0, 37.7, 128.0}) {
        size_t n = size_t(mb * 1e6 / 4) / 64 * 64;
        float *a = (float *)aligned_alloc(64, n * 4);
        for (size_t i = 0; i < n; i++) a[i] = 1.0f;
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
        printf("%6.1f MB: %.1f GB/s (best of 20) %g\n", mb, n * 4 / best / 1e9, out[0]);
        free(a);
    }
}
