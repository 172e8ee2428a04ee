#include "reference.h"

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <limits>

namespace wino::test {

std::vector<double> reference_conv(const ConvShape &s, const std::vector<float> &x, const std::vector<float> &w) {
    const int OH = s.out_h(), OW = s.out_w();
    std::vector<double> y(size_t(s.N) * s.K * OH * OW, 0.0);
    for (int n = 0; n < s.N; n++)
        for (int k = 0; k < s.K; k++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double acc = 0;
                    for (int c = 0; c < s.C; c++)
                        for (int r = 0; r < 3; r++)
                            for (int q = 0; q < 3; q++) {
                                int yy = i + r - s.padding, xx = j + q - s.padding;
                                if (yy < 0 || yy >= s.H || xx < 0 || xx >= s.W) continue;
                                double a = w[((size_t(k) * s.C + c) * 3 + r) * 3 + q];
                                double b = x[((size_t(n) * s.C + c) * s.H + yy) * s.W + xx];
                                acc += a * b;
                            }
                    y[((size_t(n) * s.K + k) * OH + i) * OW + j] = acc;
                }
    return y;
}

std::vector<double> error_scale(const ConvShape &s, const std::vector<float> &x, const std::vector<float> &w) {
    const size_t plane = size_t(s.out_h()) * s.out_w();
    std::vector<double> scale(size_t(s.N) * s.K * plane);
    for (int n = 0; n < s.N; n++)
        for (int k = 0; k < s.K; k++) {
            double sum = 0;
            for (int c = 0; c < s.C; c++) {
                double x_max = 0, w_abs = 0;
                for (size_t i = 0; i < size_t(s.H) * s.W; i++)
                    x_max = std::max(x_max, double(std::fabs(x[(size_t(n) * s.C + c) * s.H * s.W + i])));
                for (int t = 0; t < 9; t++) w_abs += std::fabs(w[(size_t(k) * s.C + c) * 9 + t]);
                sum += x_max * w_abs;
            }
            std::fill_n(scale.begin() + (size_t(n) * s.K + k) * plane, plane, sum);
        }
    return scale;
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

}  // namespace wino::test
