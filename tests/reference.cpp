#include "reference.h"

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <limits>

namespace wino::test {

double tolerance(int m) {
    switch (m) {
    case 0: return 6e-7;
    case 2: return 6e-7;
    case 4: return 1e-5;
    default: return 2e-5;
    }
}

namespace {

// Output (n, k, i, j) in float64, from the definition.
double reference_at(const ConvShape &s, const std::vector<float> &x, const std::vector<float> &w, int n, int k, int i,
                    int j) {
    double acc = 0;
    for (int c = 0; c < s.C; c++)
        for (int r = 0; r < 3; r++)
            for (int q = 0; q < 3; q++) {
                const int yy = i + r - s.padding, xx = j + q - s.padding;
                if (yy < 0 || yy >= s.H || xx < 0 || xx >= s.W) continue;
                const double a = w[((size_t(k) * s.C + c) * 3 + r) * 3 + q];
                const double b = x[((size_t(n) * s.C + c) * s.H + yy) * s.W + xx];
                acc += a * b;
            }
    return acc;
}

// max |x[n][c]| for every (n, c).
std::vector<double> channel_max(const ConvShape &s, const std::vector<float> &x) {
    std::vector<double> out(size_t(s.N) * s.C, 0.0);
    const size_t plane = size_t(s.H) * s.W;
    for (size_t nc = 0; nc < out.size(); nc++)
        for (size_t i = 0; i < plane; i++) out[nc] = std::max(out[nc], double(std::fabs(x[nc * plane + i])));
    return out;
}

// Σ_c (Σ_taps |w[k][c]|) · max |x[n][c]|: the scale of output plane (n, k).
double plane_scale(const ConvShape &s, const std::vector<double> &x_max, const std::vector<float> &w, int n, int k) {
    double sum = 0;
    for (int c = 0; c < s.C; c++) {
        double w_abs = 0;
        for (int t = 0; t < 9; t++) w_abs += std::fabs(w[(size_t(k) * s.C + c) * 9 + t]);
        sum += x_max[size_t(n) * s.C + c] * w_abs;
    }
    return sum;
}

}  // namespace

std::vector<double> reference_conv(const ConvShape &s, const std::vector<float> &x, const std::vector<float> &w) {
    const int OH = s.out_h(), OW = s.out_w();
    std::vector<double> y(size_t(s.N) * s.K * OH * OW, 0.0);
    for (int n = 0; n < s.N; n++)
        for (int k = 0; k < s.K; k++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) y[((size_t(n) * s.K + k) * OH + i) * OW + j] = reference_at(s, x, w, n, k, i, j);
    return y;
}

std::vector<double> error_scale(const ConvShape &s, const std::vector<float> &x, const std::vector<float> &w) {
    const size_t plane = size_t(s.out_h()) * s.out_w();
    const std::vector<double> x_max = channel_max(s, x);
    std::vector<double> scale(size_t(s.N) * s.K * plane);
    for (int n = 0; n < s.N; n++)
        for (int k = 0; k < s.K; k++)
            std::fill_n(scale.begin() + (size_t(n) * s.K + k) * plane, plane, plane_scale(s, x_max, w, n, k));
    return scale;
}

double max_scaled_error_sampled(const ConvShape &s, const std::vector<float> &y, const std::vector<float> &x,
                                const std::vector<float> &w, int samples, uint64_t seed) {
    const int OH = s.out_h(), OW = s.out_w();
    if (y.size() != size_t(s.N) * s.K * OH * OW) return std::numeric_limits<double>::infinity();
    for (float v : y)
        if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();
    const std::vector<double> x_max = channel_max(s, x);
    double worst = 0;
    auto check = [&](int n, int k, int i, int j) {
        const double got = y[((size_t(n) * s.K + k) * OH + i) * OW + j];
        const double err = std::fabs(got - reference_at(s, x, w, n, k, i, j));
        worst = std::max(worst, err / std::max(plane_scale(s, x_max, w, n, k), 1e-30));
    };
    for (int n = 0; n < s.N; n++)
        for (int k = 0; k < s.K; k++)
            for (auto [i, j] : {std::pair{0, 0}, {0, OW - 1}, {OH - 1, 0}, {OH - 1, OW - 1}}) check(n, k, i, j);
    std::mt19937_64 rng(seed);
    for (int t = 0; t < samples; t++)
        check(int(rng() % s.N), int(rng() % s.K), int(rng() % OH), int(rng() % OW));
    return worst;
}

Random::Random() {
    const char *fixed = std::getenv("WINO_TEST_SEED");
    seed_ = fixed ? std::strtoull(fixed, nullptr, 10) : std::random_device{}();
    rng_.seed(seed_);
}

std::vector<float> Random::uniform(size_t count) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> v(count);
    for (float &f : v) f = dist(rng_);
    return v;
}

std::vector<float> nan_filled(size_t count) {
    return std::vector<float>(count, std::numeric_limits<float>::quiet_NaN());
}

double max_scaled_error(const std::vector<float> &y, const std::vector<double> &ref,
                        const std::vector<double> &scale) {
    if (y.size() != ref.size()) return std::numeric_limits<double>::infinity();
    double worst = 0;
    for (size_t i = 0; i < y.size(); i++) {
        if (!std::isfinite(y[i])) return std::numeric_limits<double>::infinity();
        // A tiny floor keeps all-zero windows (scale 0) from dividing by zero.
        worst = std::max(worst, std::fabs(y[i] - ref[i]) / std::max(scale[i], 1e-30));
    }
    return worst;
}

std::vector<float> to_layout(const std::vector<float> &nchw, int N, int C, int H, int W, const std::string &layout) {
    if (layout != "nhwc") return nchw;
    std::vector<float> t(nchw.size());
    for (size_t n = 0; n < size_t(N); n++)
        for (size_t c = 0; c < size_t(C); c++)
            for (size_t y = 0; y < size_t(H); y++)
                for (size_t x = 0; x < size_t(W); x++)
                    t[((n * H + y) * W + x) * C + c] = nchw[((n * C + c) * H + y) * W + x];
    return t;
}

std::vector<float> from_layout(const std::vector<float> &t, int N, int C, int H, int W, const std::string &layout) {
    if (layout != "nhwc") return t;
    std::vector<float> nchw(t.size());
    for (size_t n = 0; n < size_t(N); n++)
        for (size_t c = 0; c < size_t(C); c++)
            for (size_t y = 0; y < size_t(H); y++)
                for (size_t x = 0; x < size_t(W); x++)
                    nchw[((n * C + c) * H + y) * W + x] = t[((n * H + y) * W + x) * C + c];
    return nchw;
}

}  // namespace wino::test
