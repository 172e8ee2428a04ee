// The benchmark suite's shapes, shared by wino_bench and wino_profile.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace wino::bench {

struct Shape {
    int N, C, K, H, W;
    static constexpr int kPadding = 1;  // "same" convolution, as in ResNet
    int out_h() const { return H + 2 * kPadding - 2; }
    int out_w() const { return W + 2 * kPadding - 2; }
    std::string str() const {
        return "N" + std::to_string(N) + "_C" + std::to_string(C) + "_K" + std::to_string(K) + "_" +
               std::to_string(H) + "x" + std::to_string(W);
    }
    // Direct-equivalent work: 2 flops per multiply-add of a direct convolution.
    double flops() const { return 2.0 * N * K * C * double(out_h()) * out_w() * 9; }
};

// The original finding's two shapes, then ResNet-style layers.
inline const std::vector<Shape> &default_shapes() {
    static const std::vector<Shape> shapes = {
        {1, 16, 16, 32, 32},  {1, 64, 64, 64, 64},  {1, 64, 64, 56, 56}, {1, 128, 128, 28, 28},
        {1, 256, 256, 14, 14}, {1, 512, 512, 7, 7}, {8, 64, 64, 56, 56},
    };
    return shapes;
}

// Parses "N,C,K,H,W" (positive integers).
inline bool parse_shape(const std::string &text, Shape &s) {
    char tail;
    return std::sscanf(text.c_str(), "%d,%d,%d,%d,%d%c", &s.N, &s.C, &s.K, &s.H, &s.W, &tail) == 5 && s.N > 0 &&
           s.C > 0 && s.K > 0 && s.H > 0 && s.W > 0;
}

}  // namespace wino::bench
