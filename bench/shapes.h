// The benchmark suite's shapes, the command-line pieces the tools share
// (wino_bench, wino_profile, wino_tune), and how they name the machine.
#pragma once

#include <CLI/CLI.hpp>

#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "wino/shape.h"
#include "wino/aligned.h"
#include "wino/wino.h"

namespace wino::bench {

// The original finding's two shapes (power-of-two planes), ResNet-style layers
// (56² to 7², N = 1 and 8), a channel-tail layer (C, K not multiples of a
// vector, odd sizes) and a first layer (C = 3 at 224²).
inline const std::vector<ConvShape> &default_shapes() {
    static const std::vector<ConvShape> shapes = {
        {1, 16, 16, 32, 32},   {1, 64, 64, 64, 64},  {1, 64, 64, 56, 56}, {1, 128, 128, 28, 28},
        {1, 256, 256, 14, 14}, {1, 512, 512, 7, 7},  {8, 64, 64, 56, 56}, {1, 24, 40, 19, 23},
        {1, 3, 64, 224, 224},
    };
    return shapes;
}

// The layers `wino_tune --calibrate` times by default: none of them in the
// default set, so the benchmark's `auto` rows judge the calibrated model on
// layers it was not fitted to. Each varies what the model's terms weigh:
// few channels and channel tails (the per-call cost, wasted register
// blocks), planes whose size is a multiple of 4 KiB (aliasing stores), many
// channels on small planes (the multiply; prepared weights of 4-21 MB, past
// L2, where F(4,3)'s streaming can cost more than F(2,3)'s extra multiply),
// N > 1, first layers' 3 channels, and large planes (112², 160²: many
// tasks at any thread count, where small layers offer few).
inline const std::vector<ConvShape> &calibration_shapes() {
    static const std::vector<ConvShape> shapes = {
        {1, 8, 24, 40, 40},    {1, 32, 32, 24, 24},  {1, 32, 48, 32, 32},  {1, 48, 48, 48, 64},
        {1, 40, 72, 30, 30},   {1, 96, 96, 20, 20},  {1, 64, 128, 16, 16}, {2, 64, 64, 36, 36},
        {1, 128, 64, 40, 40},  {1, 160, 160, 12, 12}, {1, 320, 320, 10, 10}, {1, 256, 256, 8, 8},
        {1, 384, 384, 9, 9},   {1, 448, 320, 6, 6},  {1, 3, 32, 96, 96},    {1, 3, 16, 64, 64},
        {1, 3, 32, 160, 160},  {1, 32, 32, 112, 112},
    };
    return shapes;
}

// The CPU's model name, as /proc/cpuinfo gives it.
inline std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

// The Halide target this build's CPU variants run here (VariantInfo::target
// of the first), or "" in a build without any.
inline std::string cpu_variants_target() {
    for (const auto &v : wino::variants())
        if (v.device == "cpu") return v.target;
    return "";
}

// What a measurement was taken on: the CPU model, its logical CPUs (cloud
// models often read just "Intel(R) Xeon(R) Processor") and the Halide target.
inline std::string machine_id(const std::string &target) {
    return cpu_model() + ", " + std::to_string(std::thread::hardware_concurrency()) + " CPUs, " + target;
}

// Random input (N, C, H, W) and weights (K, C, 3, 3) in [-1, 1), from `seed`;
// 64-byte aligned, as a framework's tensors and oneDNN's own memory are
// (wino/aligned.h: a std::vector's would put every vector across two cache
// lines, and the peers' times would be compared with a handicapped wino).
struct LayerData {
    AlignedFloats input, weights;
};
inline LayerData random_layer(const ConvShape &s, unsigned seed) {
    LayerData d;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1, 1);
    d.input.resize(size_t(s.N) * s.C * s.H * s.W);
    d.weights.resize(size_t(s.K) * s.C * 9);
    for (float &f : d.input) f = dist(rng);
    for (float &f : d.weights) f = dist(rng);
    return d;
}

// The value of --benchmark_<flag>=V among Google Benchmark's flags, or "".
inline std::string benchmark_flag(const std::vector<std::string> &args, const std::string &flag) {
    const std::string prefix = "--benchmark_" + flag + "=";
    std::string value;
    for (const std::string &a : args)
        if (a.rfind(prefix, 0) == 0) value = a.substr(prefix.size());
    return value;
}

// --shape N,C,K,H,W[,P], repeatable, parsed into `shapes`.
inline CLI::Option *add_shape_option(CLI::App &app, std::vector<ConvShape> &shapes) {
    return app
        .add_option_function<std::vector<std::string>>(
            "--shape",
            [&shapes](const std::vector<std::string> &texts) {
                for (const std::string &t : texts) shapes.push_back(*ConvShape::parse(t));
            },
            "a layer N,C,K,H,W[,P] (padding P: 0 or 1, default 1); repeatable; default: the suite")
        ->check(CLI::Validator(
            [](std::string &t) {
                return ConvShape::parse(t) ? std::string()
                                           : "wants N,C,K,H,W[,P]: positive sizes, padding 0 or 1, output at least 1x1";
            },
            "N,C,K,H,W[,P]"))
        ->type_size(1)
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

}  // namespace wino::bench
