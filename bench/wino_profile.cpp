// wino_profile: where each variant's time goes, stage by stage (Halide's
// sampling profiler on the variants' profiled twins).
//
//   wino_profile [--shape N,C,K,H,W]... [--threads T] [--variant NAME]... [--seconds S] [--json FILE]
//
// Stages are grouped into the phases of the algorithm: the weight preparation
// (its own pipeline, run once per set of weights: Winograd's filter transform,
// direct's packing), padding the input, the input transform, the (batched)
// multiply and the output transform (for direct: the store).
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

using wino::bench::Shape;

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
                    std::vector<float> &y, const Shape &s, const wino::RunOptions &options) {
    auto prepared = wino::prepare_weights(variant, {w.data(), {s.K, s.C, 3, 3}}, options);
    auto run = [&] {
        wino::conv2d(variant, {x.data(), {s.N, s.C, s.H, s.W}}, prepared, {y.data(), {s.N, s.K, s.out_h(), s.out_w()}},
                     Shape::kPadding, options);
    };
    run();
    auto t0 = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string json_escape(const std::string &s) {
    std::string out;
    for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return out;
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<Shape> shapes;
    std::vector<std::string> only;
    int threads = 1;
    double seconds = 0.5;
    std::string json_path;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "wino_profile: error: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--shape") {
            Shape s;
            std::string v = next();
            if (!wino::bench::parse_shape(v, s)) {
                std::fprintf(stderr, "wino_profile: error: --shape wants N,C,K,H,W, got '%s'\n", v.c_str());
                return 2;
            }
            shapes.push_back(s);
        } else if (a == "--threads") {
            threads = std::atoi(next().c_str());
        } else if (a == "--variant") {
            only.push_back(next());
        } else if (a == "--seconds") {
            seconds = std::atof(next().c_str());
        } else if (a == "--json") {
            json_path = next();
        } else {
            std::fprintf(stderr,
                         "usage: wino_profile [--shape N,C,K,H,W]... [--threads T] [--variant NAME]... "
                         "[--seconds S] [--json FILE]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    if (!wino::profiling_available()) {
        std::fprintf(stderr, "wino_profile: error: built without profiled pipelines (WINO_PROFILE=OFF)\n");
        return 1;
    }
    if (threads < 1) {
        std::fprintf(stderr, "wino_profile: error: --threads wants a positive integer\n");
        return 2;
    }
    if (shapes.empty()) shapes = wino::bench::default_shapes();
    std::vector<std::string> variants = only;
    if (variants.empty())
        for (const auto &v : wino::variants()) variants.push_back(v.name);

    wino::RunOptions options;
    options.threads = threads;
    std::string json = "[\n";
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1, 1);
    for (const Shape &s : shapes) {
        std::vector<float> x(size_t(s.N) * s.C * s.H * s.W), w(size_t(s.K) * s.C * 9),
            y(size_t(s.N) * s.K * s.out_h() * s.out_w());
        for (float &f : x) f = dist(rng);
        for (float &f : w) f = dist(rng);
        std::printf("\n%s, padding 1, %d thread%s: ms per run by phase (Halide profiler)\n", s.str().c_str(), threads,
                    threads > 1 ? "s" : "");
        std::printf("%-16s %8s", "variant", "conv ms");
        for (const auto &p : kPhases) std::printf(" %16s", p.c_str());
        std::printf("\n");
        for (const std::string &variant : variants) {
            try {
                const int m = wino::variant(variant).m;
                const double once = time_one_run(variant, x, w, y, s, options);
                const int runs = std::max(10, int(seconds / std::max(once, 1e-6)));
                wino::ConvProfile prof = wino::profile_conv(variant, {x.data(), {s.N, s.C, s.H, s.W}},
                                                            {w.data(), {s.K, s.C, 3, 3}},
                                                            {y.data(), {s.N, s.K, s.out_h(), s.out_w()}},
                                                            Shape::kPadding, runs, options);
                std::map<std::string, double> phases;
                for (const auto &f : prof.conv.funcs) phases[phase_of(f.func, m)] += f.ms;
                phases["weight prep"] = prof.prepare.ms;
                std::printf("%-16s %8.4f", variant.c_str(), prof.conv.ms);
                for (const auto &p : kPhases)
                    std::printf(" %16s", phases.count(p) ? std::to_string(phases[p]).substr(0, 7).c_str() : "-");
                std::printf("\n");
                json += std::string(json.size() > 2 ? ",\n" : "") + "  {\"variant\": \"" + variant +
                        "\", \"shape\": \"" + s.str() + "\", \"threads\": " + std::to_string(threads) +
                        ", \"runs\": " + std::to_string(prof.conv.runs) + ", \"conv_ms\": " +
                        std::to_string(prof.conv.ms) + ", \"weight_prep_ms\": " +
                        std::to_string(prof.prepare.ms) + ", \"phases\": {";
                bool first = true;
                for (const auto &[p, ms] : phases) {
                    json += (first ? "" : ", ") + ("\"" + p + "\": " + std::to_string(ms));
                    first = false;
                }
                json += "}, \"funcs\": {";
                first = true;
                for (const auto &f : prof.conv.funcs) {
                    json += (first ? "" : ", ") + ("\"" + json_escape(f.func) + "\": " + std::to_string(f.ms));
                    first = false;
                }
                json += "}}";
            } catch (const wino::Error &e) {
                std::printf("%-16s error: %s\n", variant.c_str(), e.what());
            }
            std::fflush(stdout);
        }
    }
    json += "\n]\n";
    if (!json_path.empty()) {
        std::ofstream out(json_path);
        out << json;
        if (!out) {
            std::fprintf(stderr, "wino_profile: error: cannot write %s\n", json_path.c_str());
            return 1;
        }
    }
    return 0;
}
