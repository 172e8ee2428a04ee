// Runs wino::conv2d (the selector "auto" and one named variant) and checks
// the result against a plain direct convolution written here. Exit status 0
// when both agree to fp32 rounding.
#include <wino/aligned.h>
#include <wino/wino.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

int main() {
    const int N = 2, C = 5, K = 7, H = 13, W = 11, P = 1;
    const int OH = H + 2 * P - 2, OW = W + 2 * P - 2;
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> dist(-1, 1);
    wino::AlignedFloats x(N * C * H * W), w(K * C * 9), y(N * K * OH * OW);
    for (float &v : x) v = dist(rng);
    for (float &v : w) v = dist(rng);

    std::vector<double> ref(y.size(), 0.0);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double acc = 0;
                    for (int c = 0; c < C; c++)
                        for (int r = 0; r < 3; r++)
                            for (int s = 0; s < 3; s++) {
                                const int yy = i + r - P, xx = j + s - P;
                                if (yy >= 0 && yy < H && xx >= 0 && xx < W)
                                    acc += double(w[((k * C + c) * 3 + r) * 3 + s]) * x[((n * C + c) * H + yy) * W + xx];
                            }
                    ref[((n * K + k) * OH + i) * OW + j] = acc;
                }

    int failures = 0;
    for (const char *variant : {"auto", "wino_fused_f4"}) {
        std::fill(y.begin(), y.end(), NAN);
        try {
            wino::conv2d(variant, {x.data(), {N, C, H, W}}, {w.data(), {K, C, 3, 3}}, {y.data(), {N, K, OH, OW}}, P);
        } catch (const wino::Error &e) {
            std::fprintf(stderr, "%s: %s\n", variant, e.what());
            return 1;
        }
        double worst = 0;
        for (size_t i = 0; i < y.size(); i++) worst = std::fmax(worst, std::fabs(y[i] - ref[i]));
        const bool ok = worst < 1e-4;  // |x|, |w| < 1, 45 terms: fp32 rounding is ~1e-6
        std::printf("%-14s max |difference| %.2e %s\n", variant, worst, ok ? "ok" : "WRONG");
        failures += !ok;
    }
    std::printf("%zu variants compiled in; this CPU runs %s\n", wino::variants().size(),
                wino::variants().front().target.c_str());
    return failures ? 1 : 0;
}
