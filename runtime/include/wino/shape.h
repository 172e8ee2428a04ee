// A convolution's shape: what the benchmark, the profiler, the tuner and the
// tests describe problems with. Plain data, no dependency on the library.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace wino {

struct ConvShape {
    int N = 1, C = 1, K = 1, H = 1, W = 1;  // input (N, C, H, W), weights (K, C, 3, 3)
    int padding = 1;                        // 0 or 1 on each side ("same" at 1)

    int out_h() const { return H + 2 * padding - 2; }
    int out_w() const { return W + 2 * padding - 2; }
    std::vector<int64_t> input() const { return {N, C, H, W}; }
    std::vector<int64_t> weights() const { return {K, C, 3, 3}; }
    std::vector<int64_t> output() const { return {N, K, out_h(), out_w()}; }
    // The same tensors' shapes in a layout's order: "nchw" as above, "nhwc"
    // (N, H, W, C) and (N, H', W', K).
    std::vector<int64_t> input(const std::string &layout) const { return in_layout(input(), layout); }
    std::vector<int64_t> output(const std::string &layout) const { return in_layout(output(), layout); }
    // A 4-D shape in NCHW order, put in `layout`'s order (nhwc: N, H, W, C).
    static std::vector<int64_t> in_layout(const std::vector<int64_t> &nchw, const std::string &layout) {
        if (layout != "nhwc" || nchw.size() != 4) return nchw;
        return {nchw[0], nchw[2], nchw[3], nchw[1]};
    }
    // The inverse: a 4-D shape in `layout`'s order, in NCHW order.
    static std::vector<int64_t> to_nchw(const std::vector<int64_t> &shape, const std::string &layout) {
        if (layout != "nhwc" || shape.size() != 4) return shape;
        return {shape[0], shape[3], shape[1], shape[2]};
    }
    // Direct-equivalent work: 2 flops per multiply-add of a direct convolution.
    double flops() const { return 2.0 * N * K * C * double(out_h()) * out_w() * 9; }
    // "N1_C64_K64_56x56", "_p0" appended at padding 0: a name for benchmarks and tests.
    std::string str() const {
        return "N" + std::to_string(N) + "_C" + std::to_string(C) + "_K" + std::to_string(K) + "_" +
               std::to_string(H) + "x" + std::to_string(W) + (padding == 1 ? "" : "_p" + std::to_string(padding));
    }
    // "N,C,K,H,W,P": what parse reads back.
    std::string spec() const {
        return std::to_string(N) + "," + std::to_string(C) + "," + std::to_string(K) + "," + std::to_string(H) + "," +
               std::to_string(W) + "," + std::to_string(padding);
    }
    // "N,C,K,H,W" or "N,C,K,H,W,P": positive sizes, padding 0 or 1; nullopt otherwise.
    static std::optional<ConvShape> parse(const std::string &text) {
        ConvShape s;
        char tail;
        const int got = std::sscanf(text.c_str(), "%d,%d,%d,%d,%d,%d%c", &s.N, &s.C, &s.K, &s.H, &s.W, &s.padding, &tail);
        if (got != 5 && got != 6) return std::nullopt;
        if (got == 5) s.padding = 1;
        if (s.N < 1 || s.C < 1 || s.K < 1 || s.H < 1 || s.W < 1 || (s.padding != 0 && s.padding != 1)) return std::nullopt;
        if (s.out_h() < 1 || s.out_w() < 1) return std::nullopt;
        return s;
    }
    bool operator==(const ConvShape &o) const {
        return N == o.N && C == o.C && K == o.K && H == o.H && W == o.W && padding == o.padding;
    }
};

}  // namespace wino
