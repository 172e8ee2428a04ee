// wino_profile: where each variant's time goes, stage by stage (Halide's
// sampling profiler on the variants' profiled twins).
//
//   wino_profile [--shape N,C,K,H,W]... [--threads T] [--variant NAME]... [--seconds S] [--json FILE]
//
// Stages are grouped into the phases of the algorithm: the weight preparation
// (its own pipeline, run once per set of weights: Winograd's filter transform,
// direct's packing), padding the input, the input transform, the (batched)
// multiply and the output transform (for direct: the store).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "shapes.h"
#include "wino/profile.h"
#include "wino/wino.h"

namespace {

using wino::ConvShape;

const std::vector<std::string> kPhases = {"weight prep", "pad input", "input transform", "multiply",
                                          "output transform", "other"};

// The algorithm phase a Func belongs to, by the names generators/ give them.
std::string phase_of(const std::string &func, int m) {
    if (func == "in") return "pad input";
    if (func == "V" || func == "V_rows" || func == "d") return "input transform";
    if (func == "conv" || func.rfind("M", 0) == 0) return "multiply";
    if (func == "Y" || func == "Y_rows" || (func == "output" && m > 0)) return "output transform";
    if (func == "output") return "output transform";  // direct: the store of the accumulators
    return "other";
}

double time_one_run(const std::string &variant, const std::vector<float> &x, const std::vector<float> &w,
                    std::vector<float> &y, const ConvShape &s, const wino::RunOptions &options) {
    auto prepared = wino::prepare_weights(variant, {w.data(), s.weights()}, options);
    auto run = [&] {
        wino::conv2d(variant, {x.data(), s.input(options.layout)}, prepared, {y.data(), s.output(options.layout)},
                     s.padding, options);
    };
    run();
    auto t0 = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"wino_profile: where each variant's time goes, stage by stage (Halide's profiler)"};
    std::vector<ConvShape> shapes;
    std::vector<std::string> only;
    int threads = 1;
    double seconds = 0.5;
    std::string json_path;
    wino::bench::add_shape_option(app, shapes);
    app.add_option("--threads", threads, "threads per call")->check(CLI::Range(1, 1 << 16));
    app.add_option("--variant", only, "profile only these variants (repeatable); default: all");
    app.add_option("--seconds", seconds, "profiled time per variant and shape")->check(CLI::Range(0.01, 600.0));
    app.add_option("--json", json_path, "also write the results as JSON to this file");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    if (!wino::profiling_available()) {
        std::fprintf(stderr, "wino_profile: error: built without profiled pipelines (WINO_PROFILE=OFF)\n");
        return 1;
    }
    if (shapes.empty()) shapes = wino::bench::default_shapes();
    std::vector<std::string> variants = only;
    if (variants.empty())
        for (const auto &v : wino::variants()) variants.push_back(v.name);

    wino::RunOptions options;
    options.threads = threads;
    nlohmann::json results = nlohmann::json::array();
    for (const ConvShape &s : shapes) {
        const wino::bench::LayerData data = wino::bench::random_layer(s, 7);
        const std::vector<float> &x = data.input, &w = data.weights;
        std::vector<float> y(size_t(s.N) * s.K * s.out_h() * s.out_w());
        std::printf("\n%s, padding %d, %d thread%s: ms per run by phase (Halide profiler)\n", s.str().c_str(), s.padding,
                    threads, threads > 1 ? "s" : "");
        std::printf("%-22s %8s", "variant", "conv ms");
        for (const auto &p : kPhases) std::printf(" %16s", p.c_str());
        std::printf("\n");
        for (const std::string &variant : variants) {
            try {
                const wino::VariantInfo &info = wino::variant(variant);
                // Each variant on tensors of its own layout (the same random values read in that order).
                options.layout = info.layout;
                const double once = time_one_run(variant, x, w, y, s, options);
                const int runs = std::max(10, int(seconds / std::max(once, 1e-6)));
                wino::ConvProfile prof =
                    wino::profile_conv(variant, {x.data(), s.input(options.layout)}, {w.data(), s.weights()},
                                       {y.data(), s.output(options.layout)}, s.padding, runs, options);
                std::map<std::string, double> phases;
                for (const auto &f : prof.conv.funcs) phases[phase_of(f.func, info.m)] += f.ms;
                phases["weight prep"] = prof.prepare.ms;
                std::printf("%-22s %8.4f", variant.c_str(), prof.conv.ms);
                for (const auto &p : kPhases)
                    std::printf(" %16s", phases.count(p) ? std::to_string(phases[p]).substr(0, 7).c_str() : "-");
                std::printf("\n");
                nlohmann::json funcs = nlohmann::json::object();
                for (const auto &f : prof.conv.funcs) funcs[f.func] = f.ms;
                results.push_back({{"variant", variant},
                                   {"shape", s.str()},
                                   {"N", s.N}, {"C", s.C}, {"K", s.K}, {"H", s.H}, {"W", s.W}, {"padding", s.padding},
                                   {"threads", threads},
                                   {"runs", prof.conv.runs},
                                   {"conv_ms", prof.conv.ms},
                                   {"weight_prep_ms", prof.prepare.ms},
                                   {"phases", phases},
                                   {"funcs", funcs}});
            } catch (const wino::Error &e) {
                std::printf("%-22s error: %s\n", variant.c_str(), e.what());
            }
            std::fflush(stdout);
        }
    }
    if (!json_path.empty()) {
        std::ofstream out(json_path);
        out << results.dump(2) << "\n";
        if (!out) {
            std::fprintf(stderr, "wino_profile: error: cannot write %s\n", json_path.c_str());
            return 1;
        }
    }
    return 0;
}
