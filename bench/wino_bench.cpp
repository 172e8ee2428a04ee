// wino_bench: every compiled variant (and oneDNN's convolutions as peers) on
// a suite of shapes x thread counts, in one run, so ratios are comparable.
//
//   wino_bench [--shape N,C,K,H,W]... [--threads T]... [--no-peers] [Google Benchmark flags]
//
// Benchmark names read variant/shape/threads:T. Winograd variants run on weights
// prepared once (the filter transform is outside the timed loop, as oneDNN's
// weight reorder is); the per-stage report times the transform separately.
// At the end a table gives, per shape and thread count, the median time,
// direct-equivalent GFLOP/s, its share of the measured FMA peak, and speedups
// against `direct` and oneDNN measured in this run.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "onednn_peer.h"
#include "peak.h"
#include "shapes.h"
#include "wino/wino.h"

namespace {

using wino::bench::ConvProblem;

using wino::bench::Shape;

ConvProblem problem_of(const Shape &s) { return {s.N, s.C, s.K, s.H, s.W, Shape::kPadding}; }

const char *kPeers[] = {"onednn_direct", "onednn_winograd"};

// What each registered benchmark measures, by its name.
struct Case {
    std::string variant;  // a wino variant or a peer
    Shape shape;
    int threads;
};
std::map<std::string, Case> g_cases;
std::vector<std::string> g_order;
std::map<int, double> g_peak;  // threads -> measured GFLOP/s

// Random input and weights per shape, shared by every variant of that shape.
struct Data {
    std::vector<float> input, weights;
};
const Data &data_for(const Shape &s) {
    static std::map<std::string, Data> cache;
    auto it = cache.find(s.str());
    if (it != cache.end()) return it->second;
    Data d;
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> dist(-1, 1);
    d.input.resize(size_t(s.N) * s.C * s.H * s.W);
    d.weights.resize(size_t(s.K) * s.C * 9);
    for (float &f : d.input) f = dist(rng);
    for (float &f : d.weights) f = dist(rng);
    return cache.emplace(s.str(), std::move(d)).first->second;
}

std::vector<float> run_direct_once(const Shape &s) {
    const Data &d = data_for(s);
    const ConvProblem p = problem_of(s);
    std::vector<float> out(size_t(s.N) * s.K * p.out_h() * p.out_w());
    wino::conv2d("direct", {d.input.data(), {s.N, s.C, s.H, s.W}}, {d.weights.data(), {s.K, s.C, 3, 3}},
                 {out.data(), {s.N, s.K, p.out_h(), p.out_w()}}, Shape::kPadding);
    return out;
}

void bench_variant(benchmark::State &state, const Case &c) {
    const Shape &s = c.shape;
    const Data &d = data_for(s);
    const ConvProblem p = problem_of(s);
    std::vector<float> out(size_t(s.N) * s.K * p.out_h() * p.out_w());
    try {
        wino::RunOptions options;
        options.threads = c.threads;
        auto prepared = wino::prepare_weights(c.variant, {d.weights.data(), {s.K, s.C, 3, 3}}, options);
        wino::ConstTensor in{d.input.data(), {s.N, s.C, s.H, s.W}};
        wino::Tensor y{out.data(), {s.N, s.K, p.out_h(), p.out_w()}};
        for (auto _ : state) wino::conv2d(c.variant, in, prepared, y, Shape::kPadding, options);
    } catch (const wino::Error &e) {
        state.SkipWithError(e.what());
        return;
    }
    state.counters["GFLOP/s"] = benchmark::Counter(s.flops() / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void bench_peer(benchmark::State &state, const Case &c) {
    const Shape &s = c.shape;
    const Data &d = data_for(s);
    const std::string algorithm = c.variant == "onednn_winograd" ? "winograd" : "direct";
    std::unique_ptr<wino::bench::OneDnnConv> conv;
    try {
        conv = std::make_unique<wino::bench::OneDnnConv>(algorithm, problem_of(s), d.input, d.weights);
        // Sanity: the peer computes the same convolution as ours.
        conv->run(c.threads);
        std::vector<float> theirs = conv->output_nkhw(), ours = run_direct_once(s);
        double worst = 0, scale = 1e-6;
        for (size_t i = 0; i < ours.size(); i++) {
            worst = std::max(worst, double(std::fabs(theirs[i] - ours[i])));
            scale = std::max(scale, double(std::fabs(ours[i])));
        }
        if (theirs.size() != ours.size() || worst > 1e-3 * scale) {
            state.SkipWithError(("oneDNN output differs from direct (max diff " + std::to_string(worst) + ")").c_str());
            return;
        }
    } catch (const std::exception &e) {
        state.SkipWithError(("unsupported: " + std::string(e.what())).c_str());
        return;
    }
    for (auto _ : state) conv->run(c.threads);
    state.SetLabel(conv->implementation());
    state.counters["GFLOP/s"] = benchmark::Counter(s.flops() / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void register_case(const Case &c, bool peer) {
    const std::string name = c.variant + "/" + c.shape.str() + "/threads:" + std::to_string(c.threads);
    g_cases[name] = c;
    g_order.push_back(name);
    benchmark::RegisterBenchmark(name.c_str(), [c, peer](benchmark::State &st) {
        peer ? bench_peer(st, c) : bench_variant(st, c);
    })->Unit(benchmark::kMillisecond)->UseRealTime();
}

// Median of each case, as Google Benchmark reports them.
struct Result {
    double ms = NAN;
    std::string error, label;
};
std::map<std::string, Result> g_results;

template <typename Base>
class Collecting : public Base {
public:
    using Base::Base;
    void ReportRuns(const std::vector<benchmark::BenchmarkReporter::Run> &runs) override {
        for (const auto &r : runs) {
            const std::string name = r.run_name.function_name;
            if (r.error_occurred) {
                g_results[name].error = r.error_message;
            } else if (r.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate ? r.aggregate_name == "median"
                                                                                 : !g_results.count(name)) {
                g_results[name].ms = r.GetAdjustedRealTime();
                g_results[name].label = r.report_label;
            }
        }
        Base::ReportRuns(runs);
    }
};

std::string fmt(const char *f, double v) {
    if (std::isnan(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

void print_summary(FILE *out, const std::vector<Shape> &shapes, const std::vector<int> &threads,
                   const std::vector<std::string> &names) {
    std::fprintf(out, "\nMedian of each benchmark; speedup = other's time / this time (>1: this is faster).\n");
    for (const Shape &s : shapes)
        for (int t : threads) {
            auto ms_of = [&](const std::string &v) {
                auto it = g_results.find(v + "/" + s.str() + "/threads:" + std::to_string(t));
                return it == g_results.end() ? NAN : it->second.ms;
            };
            std::fprintf(out, "\n%s, padding 1, %d thread%s (FMA peak %.1f GFLOP/s)\n", s.str().c_str(), t,
                         t > 1 ? "s" : "", g_peak[t]);
            std::fprintf(out, "%-18s %10s %9s %7s %10s %10s %10s\n", "variant", "ms", "GFLOP/s", "%peak",
                         "vs direct", "vs dnnl-d", "vs dnnl-w");
            const double direct = ms_of("direct"), dd = ms_of("onednn_direct"), dw = ms_of("onednn_winograd");
            for (const std::string &v : names) {
                auto it = g_results.find(v + "/" + s.str() + "/threads:" + std::to_string(t));
                if (it == g_results.end()) continue;
                const Result &r = it->second;
                if (!r.error.empty()) {
                    std::fprintf(out, "%-18s %s\n", v.c_str(), r.error.substr(0, 90).c_str());
                    continue;
                }
                const double gf = s.flops() / (r.ms * 1e-3) / 1e9;
                std::fprintf(out, "%-18s %10s %9s %7s %10s %10s %10s\n", v.c_str(), fmt("%.4f", r.ms).c_str(),
                             fmt("%.1f", gf).c_str(), fmt("%.0f%%", 100 * gf / g_peak[t]).c_str(),
                             fmt("%.2fx", direct / r.ms).c_str(), fmt("%.2fx", dd / r.ms).c_str(),
                             fmt("%.2fx", dw / r.ms).c_str());
            }
        }
}

bool has_flag(const std::vector<char *> &args, const char *prefix) {
    return std::any_of(args.begin(), args.end(), [&](char *a) { return std::strncmp(a, prefix, std::strlen(prefix)) == 0; });
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<Shape> shapes;
    std::vector<int> threads;
    bool peers = true;
    std::vector<char *> args{argv[0]};
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](const std::string &flag) -> const char * {
            if (a == flag && i + 1 < argc) return argv[++i];
            if (a.rfind(flag + "=", 0) == 0) return argv[i] + flag.size() + 1;
            return nullptr;
        };
        if (const char *v = value("--shape")) {
            Shape s;
            if (!wino::bench::parse_shape(v, s)) {
                std::fprintf(stderr, "wino_bench: error: --shape wants N,C,K,H,W (positive integers), got '%s'\n", v);
                return 2;
            }
            shapes.push_back(s);
        } else if (const char *v = value("--threads")) {
            int t = std::atoi(v);
            if (t < 1) {
                std::fprintf(stderr, "wino_bench: error: --threads wants a positive integer, got '%s'\n", v);
                return 2;
            }
            threads.push_back(t);
        } else if (a == "--no-peers") {
            peers = false;
        } else {
            args.push_back(argv[i]);
        }
    }
    if (shapes.empty()) shapes = wino::bench::default_shapes();
    if (threads.empty()) {
        threads = {1};
        int all = int(std::max(1u, std::thread::hardware_concurrency()));
        if (all > 1) threads.push_back(all);
    }
    // Defaults that keep the suite to a few minutes; the user's flags win.
    static char reps[] = "--benchmark_repetitions=5", aggr[] = "--benchmark_report_aggregates_only=true",
                min_time[] = "--benchmark_min_time=0.05";
    if (!has_flag(args, "--benchmark_repetitions")) args.push_back(reps);
    if (!has_flag(args, "--benchmark_report_aggregates_only") && !has_flag(args, "--benchmark_display_aggregates_only"))
        args.push_back(aggr);
    if (!has_flag(args, "--benchmark_min_time")) args.push_back(min_time);
    bool json_display = false;
    for (char *a : args) json_display |= std::strcmp(a, "--benchmark_format=json") == 0;

    int n = int(args.size());
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;

    const std::string target = wino::variants().empty() ? "none" : wino::variants()[0].target;
    benchmark::AddCustomContext("halide_target", target);
    FILE *info = json_display ? stderr : stdout;
    std::fprintf(info, "Halide target: %s\n", target.c_str());
    for (int t : threads) {
        auto peak = wino::bench::measure_fma_peak(t);
        g_peak[t] = peak.gflops;
        std::fprintf(info, "Measured fp32 FMA peak, %d thread%s: %.1f GFLOP/s (%d-lane vectors)\n", t,
                     t > 1 ? "s" : "", peak.gflops, peak.lanes);
        benchmark::AddCustomContext("fma_peak_gflops_threads_" + std::to_string(t), std::to_string(peak.gflops));
    }
    if (!wino::bench::OneDnnConv::available()) {
        std::fprintf(info, "oneDNN peers: skipped (built without oneDNN)\n");
        peers = false;
    }

    std::vector<std::string> names;
    for (const auto &v : wino::variants()) names.push_back(v.name);
    for (const Shape &s : shapes)
        for (int t : threads)
            for (const auto &v : wino::variants()) register_case({v.name, s, t}, false);
    // Peers last: OpenMP threads spinning after a oneDNN call would slow whatever runs next.
    if (peers) {
        for (const char *p : kPeers) names.push_back(p);
        for (const Shape &s : shapes)
            for (int t : threads)
                for (const char *p : kPeers) register_case({p, s, t}, true);
    }
    std::fprintf(info, "%zu benchmarks, each %s\n", g_order.size(), "5 repetitions (median reported)");

    if (json_display) {
        Collecting<benchmark::JSONReporter> reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
    } else {
        Collecting<benchmark::ConsoleReporter> reporter;
        benchmark::RunSpecifiedBenchmarks(&reporter);
    }
    print_summary(info, shapes, threads, names);
    benchmark::Shutdown();
    return 0;
}
