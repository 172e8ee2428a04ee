// Session 37 probe (not built by the project): conv2d with input and output at
// 64-byte boundaries or 4 floats past one, interleaved, 8 rounds x 10 calls.
// Built once against build/ as a temporary bench/ target (add_executable +
// target_link_libraries(... wino)); usage: align_probe VARIANT N,C,K,H,W [threads].
// RANDOM_IN / RANDOM_W: random data instead of constants.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <map>
#include <algorithm>
#include "wino/wino.h"
#include "wino/shape.h"
int main(int argc, char **argv) {
    const char *variant = argv[1];
    wino::ConvShape s = *wino::ConvShape::parse(argv[2]);
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    size_t nin = size_t(s.N) * s.C * s.H * s.W, nw = size_t(s.K) * s.C * 9, nout = size_t(s.N) * s.K * s.out_h() * s.out_w();
    wino::RunOptions o; o.threads = threads; o.layout = wino::variant(variant).layout;
    std::vector<float> w(nw, 0.01f); if (getenv("RANDOM_W")) for (float &f : w) f = float(rand()) / RAND_MAX * 2 - 1;
    auto prepared = wino::prepare_weights(variant, {w.data(), s.weights()}, o, s.input(o.layout), s.padding);
    float *in = (float *)aligned_alloc(64, (nin + 64) * 4), *out = (float *)aligned_alloc(64, (nout + 64) * 4);
    for (size_t i = 0; i < nin + 64; i++) in[i] = getenv("RANDOM_IN") ? float(rand()) / RAND_MAX * 2 - 1 : 0.5f; std::fill(out, out + nout + 64, 0.f);
    std::map<std::string, std::vector<double>> t;
    for (int round = 0; round < 8; round++)
    for (int io : {0, 4}) for (int oo : {0, 4}) {
        wino::ConstTensor x{in + io, s.input(o.layout)};
        wino::Tensor y{out + oo, s.output(o.layout)};
        auto &v = t["in+" + std::to_string(io) + " out+" + std::to_string(oo)];
        wino::conv2d(variant, x, prepared, y, s.padding, o);
        for (int r = 0; r < 10; r++) {
            auto a = std::chrono::steady_clock::now();
            wino::conv2d(variant, x, prepared, y, s.padding, o);
            v.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
        }
    }
    for (auto &[k, v] : t) { std::sort(v.begin(), v.end()); printf("%s %s %s: median %.4f ms, p10 %.4f\n", variant, argv[2], k.c_str(), v[v.size()/2], v[v.size()/10]); }
}
